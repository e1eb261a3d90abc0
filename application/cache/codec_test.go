package cache_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/cache"
)

// headerSize is the fixed entry header of format version 1.
const headerSize = 16

func TestCodec_RoundTrip(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2025, 6, 1, 12, 0, 0, 123_000_000, time.UTC)
	incompressible := make([]byte, 4096)
	_, err := rand.Read(incompressible)
	require.NoError(t, err)
	incompressibleJSON, err := json.Marshal(incompressible)
	require.NoError(t, err)

	tests := []struct {
		name       string
		entry      cache.Entry
		compressed bool
	}{
		{"small value", cache.Entry{Value: []byte(`{"id":"u1"}`), Expiry: expiry, Delta: 1500 * time.Microsecond}, false},
		{"exactly the threshold", cache.Entry{Value: jsonOfSize(t, cache.CompressThreshold), Expiry: expiry}, false},
		{"over the threshold", cache.Entry{Value: jsonOfSize(t, cache.CompressThreshold+1), Expiry: expiry}, true},
		{"10 KB profile", cache.Entry{Value: largeProfileJSON(t), Expiry: expiry, Delta: 42 * time.Millisecond}, true},
		{"incompressible stays raw", cache.Entry{Value: incompressibleJSON, Expiry: expiry}, false},
		{"tombstone", cache.Entry{NotFound: true, Expiry: expiry}, false},
		{"delta beyond the header saturates", cache.Entry{Value: []byte(`1`), Expiry: expiry, Delta: 100 * time.Hour}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := cache.Encode(tt.entry)
			require.NoError(t, err)
			if tt.compressed {
				assert.Less(t, len(data), len(tt.entry.Value), "compressed")
			} else {
				assert.Len(t, data, headerSize+len(tt.entry.Value), "stored as is")
			}
			got, err := cache.Decode(data)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(tt.entry.Value, got.Value))
			assert.Equal(t, tt.entry.NotFound, got.NotFound)
			assert.True(t, tt.entry.Expiry.Equal(got.Expiry), "expiry %s, want %s", got.Expiry, tt.entry.Expiry)
			assert.Equal(t, min(tt.entry.Delta, time.Duration(1<<32-1)*time.Microsecond), got.Delta)
		})
	}
}

func TestCodec_ForeignOrDamagedBytesAreCorrupt(t *testing.T) {
	t.Parallel()
	valid, err := cache.Encode(cache.Entry{Value: []byte(`"x"`), Expiry: time.Now()})
	require.NoError(t, err)
	packed, err := cache.Encode(cache.Entry{Value: largeProfileJSON(t), Expiry: time.Now()})
	require.NoError(t, err)
	tombstone, err := cache.Encode(cache.Entry{NotFound: true, Expiry: time.Now()})
	require.NoError(t, err)
	with := func(b []byte, i int, v byte) []byte {
		out := bytes.Clone(b)
		out[i] = v
		return out
	}

	tests := map[string][]byte{
		"empty":                    nil,
		"plain JSON":               []byte(`{"id":"u1","name":"Ada"}`),
		"a counter":                []byte("42"),
		"truncated header":         valid[:headerSize-1],
		"wrong magic":              with(valid, 0, 'x'),
		"future version":           with(valid, 2, 2),
		"unknown flag":             with(valid, 3, 0x80),
		"header without body":      valid[:headerSize],
		"damaged compressed body":  with(packed, len(packed)-3, packed[len(packed)-3]^0xff),
		"compressed flag on plain": with(valid, 3, 0x01),
		"tombstone with a body":    append(bytes.Clone(tombstone), '1'),
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := cache.Decode(data)
			require.ErrorIs(t, err, cache.ErrCorrupt)
		})
	}
}

// jsonOfSize returns a JSON string literal of exactly n bytes.
func jsonOfSize(t testing.TB, n int) []byte {
	t.Helper()
	b := append([]byte{'"'}, bytes.Repeat([]byte("a"), n-2)...)
	b = append(b, '"')
	require.True(t, json.Valid(b))
	return b
}

// largeProfile is a realistic ~10 KB profile: a user with permissions and decks.
type largeProfile struct {
	ID          string        `json:"id"`
	Email       string        `json:"email"`
	DisplayName string        `json:"displayName"`
	Permissions []string      `json:"permissions"`
	Decks       []deckSummary `json:"decks"`
}

type deckSummary struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CardCount   int       `json:"cardCount"`
	CreatedAt   time.Time `json:"createdAt"`
}

// largeProfileJSON returns the JSON of a profile with as many decks as make it 10 KB.
func largeProfileJSON(t testing.TB) []byte {
	t.Helper()
	p := largeProfile{
		ID: "0190a6b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", Email: "ada.lovelace@example.org", DisplayName: "Ada Lovelace",
		Permissions: []string{"decks:read", "decks:write", "study:read", "study:write", "profile:write"},
	}
	subjects := []string{"Spanish verbs", "Organic chemistry", "EU capitals", "Go proverbs"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; ; i++ {
		b, err := json.Marshal(p)
		require.NoError(t, err)
		if len(b) >= 10_000 {
			return b
		}
		p.Decks = append(p.Decks, deckSummary{
			ID:          fmt.Sprintf("0190a6b2-7c3d-7e4f-8a9b-%012x", i*7919),
			Name:        fmt.Sprintf("Deck %d: %s", i, subjects[i%len(subjects)]),
			Description: "Cards for spaced repetition practice",
			CardCount:   (i * 37) % 500,
			CreatedAt:   base.Add(time.Duration(i) * 36 * time.Hour),
		})
	}
}
