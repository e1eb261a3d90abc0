package commonpw_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/trustelem/zxcvbn/frequency"

	"github.com/studytool/studytool/adapters/commonpw"
)

func newBlocklist(t *testing.T) *commonpw.Blocklist {
	t.Helper()
	b, err := commonpw.New()
	require.NoError(t, err)
	return b
}

func TestBlocklist_Contains(t *testing.T) {
	t.Parallel()
	b := newBlocklist(t)
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"password1", "password1", true},
		{"keyboard row", "qwertyuiop", true},
		{"digits in order", "1234567890", true},
		{"the most common of all", "123456", true},
		{"capitalised", "Password1", true},
		{"shouting", "QWERTYUIOP", true},
		{"mixed case", "QwErTyUiOp", true},
		{"Kelvin sign for k", "\u212Ailler", true},
		{"a long random phrase", "violet-anchor-tundra-41-marmalade", false},
		{"a common password with a suffix", "password1!", false},
		{"surrounding spaces are significant", " password1 ", false},
		{"empty", "", false},
		{"non-ASCII", "пароль-не-из-списка", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, b.Contains(tt.password))
		})
	}
}

// TestBlocklist_HoldsTheWholeList checks that every entry of zxcvbn's ranked list, the
// rarest included, is refused, and that the list is the size the package documents.
func TestBlocklist_HoldsTheWholeList(t *testing.T) {
	t.Parallel()
	b := newBlocklist(t)
	list := frequency.FrequencyLists["passwords"]
	require.Len(t, list, 30000)
	for _, pw := range list {
		if !b.Contains(pw) || !b.Contains(strings.ToUpper(pw)) {
			t.Fatalf("Contains(%q) = false for an entry of the list", pw)
		}
	}
}

func TestBlocklist_ConcurrentUse(t *testing.T) {
	t.Parallel()
	b := newBlocklist(t)
	done := make(chan bool)
	for range 4 {
		go func() { done <- b.Contains("password1") && !b.Contains("not-on-any-list-7731") }()
	}
	for range 4 {
		assert.True(t, <-done)
	}
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := commonpw.New(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContains(b *testing.B) {
	list, err := commonpw.New()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		list.Contains("Correct-Horse-Battery-Staple")
	}
}
