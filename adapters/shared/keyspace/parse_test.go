package keyspace_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

func TestParseTakesEveryLayoutApart(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("production", "")
	must := func(key string, err error) string {
		t.Helper()
		require.NoError(t, err)
		return key
	}
	const p = "studytool:production:"
	tests := []struct {
		name, key string
		want      keyspace.Parsed
	}{
		{"session", must(ks.Session("abc")), keyspace.Parsed{Family: keyspace.FamilySession, Pattern: p + "session:*", ID: "abc"}},
		{"session index", must(ks.UserSessions("u1")), keyspace.Parsed{Family: keyspace.FamilyUserSessions, Pattern: p + "user:sessions:*", UserID: "u1"}},
		{"study session", must(ks.StudySession("u1", "s1")), keyspace.Parsed{Family: keyspace.FamilyStudySession, Pattern: p + "study:sessions:*:*", UserID: "u1", ID: "s1"}},
		{"study session index", must(ks.StudySessionIndex("u1")), keyspace.Parsed{Family: keyspace.FamilyStudySessionIndex, Pattern: p + "study:sessions:*", UserID: "u1"}},
		{"progress", must(ks.Progress("u1", "c1")), keyspace.Parsed{Family: keyspace.FamilyProgress, Pattern: p + "progress:*:*", UserID: "u1", CardID: "c1"}},
		{"rate limit", must(ks.RateLimit("login-ip", "x")), keyspace.Parsed{Family: keyspace.FamilyRateLimit, Pattern: p + "ratelimit:login-ip:*"}},
		{"idempotency record", must(ks.IdempotencyRecord("u1", "d1")), keyspace.Parsed{Family: keyspace.FamilyIdempotency, Pattern: p + "idempotency:*:*", UserID: "u1", ID: "d1"}},
		{"idempotency index", must(ks.IdempotencyIndex("u1")), keyspace.Parsed{Family: keyspace.FamilyIdempotencyIndex, Pattern: p + "idempotency:*", UserID: "u1"}},
		{"cache entry", must(ks.Cache("user:profile:v2:g1:u1")), keyspace.Parsed{Family: keyspace.FamilyCache, Pattern: p + "cache:user:profile:v2:*"}},
		{"unknown layout", p + "other:x", keyspace.Parsed{Family: keyspace.FamilyUnknown, Pattern: p + "*"}},
		{"study key of another layout", p + "study:other:x", keyspace.Parsed{Family: keyspace.FamilyUnknown, Pattern: p + "*"}},
		{"id with a space", p + "session:a b", keyspace.Parsed{Family: keyspace.FamilyUnknown, Pattern: p + "*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := ks.Parse(tt.key)
			require.True(t, ok)
			assert.Equal(t, tt.want, got)
		})
	}
	_, ok := ks.Parse("studytool:test:session:abc")
	assert.False(t, ok, "a key outside the prefix")
}

// FuzzParse checks that Parse never panics, that its pattern is the key's Shape or the
// unknown pattern, and that the ids it returns rebuild the key.
func FuzzParse(f *testing.F) {
	ks := keyspace.MustNew("fuzz", "")
	for _, seed := range []string{"session:a", "user:sessions:u", "study:sessions:u:s", "study:sessions:u",
		"progress:u:c", "ratelimit:login:h", "idempotency:u:d", "idempotency:u", "cache:f:v1:x", "x", "", "session:a b"} {
		f.Add(ks.Prefix() + seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, ok := ks.Parse(key)
		if !ok {
			require.False(t, strings.HasPrefix(key, ks.Prefix()))
			return
		}
		if p.Family == keyspace.FamilyUnknown {
			assert.Equal(t, ks.Prefix()+keyspace.Wildcard, p.Pattern)
			return
		}
		assert.Equal(t, ks.Shape(key), p.Pattern)
		if rebuilt, err := rebuild(ks, p); err == nil {
			assert.Equal(t, key, rebuilt)
		}
	})
}

// rebuild makes the key p describes; families whose key Parse keeps no ids of (cache,
// rate limit) return an error.
func rebuild(ks keyspace.Keyspace, p keyspace.Parsed) (string, error) {
	switch p.Family {
	case keyspace.FamilySession:
		return ks.Session(p.ID)
	case keyspace.FamilyUserSessions:
		return ks.UserSessions(p.UserID)
	case keyspace.FamilyStudySession:
		return ks.StudySession(p.UserID, p.ID)
	case keyspace.FamilyStudySessionIndex:
		return ks.StudySessionIndex(p.UserID)
	case keyspace.FamilyProgress:
		return ks.Progress(p.UserID, p.CardID)
	case keyspace.FamilyIdempotency:
		return ks.IdempotencyRecord(p.UserID, p.ID)
	case keyspace.FamilyIdempotencyIndex:
		return ks.IdempotencyIndex(p.UserID)
	}
	return "", keyspace.ErrInvalidKey
}
