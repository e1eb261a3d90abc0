package keyspace_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

func TestShapeKeepsTheLayoutAndHidesDynamicParts(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("production", "")
	must := func(key string, err error) string {
		t.Helper()
		require.NoError(t, err)
		return key
	}
	const token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		name, key, want string
	}{
		{"session", must(ks.Session(token)), "studytool:production:session:*"},
		{"session index", must(ks.UserSessions("u-42")), "studytool:production:user:sessions:*"},
		{"study session", must(ks.StudySession("u-42", "s-7")), "studytool:production:study:sessions:*:*"},
		{"study session index", must(ks.StudySessionIndex("u-42")), "studytool:production:study:sessions:*"},
		{"progress", must(ks.Progress("u-42", "c-9")), "studytool:production:progress:*:*"},
		{"rate limit", must(ks.RateLimit("login-ip", "203.0.113.7")), "studytool:production:ratelimit:login-ip:*"},
		{"lock", must(ks.Lock("session-sweep")), "studytool:production:lock:*"},
		{"idempotency record", must(ks.Idempotency("u-42", "retry me")), "studytool:production:idempotency:*:*"},
		{"idempotency index", must(ks.IdempotencyIndex("u-42")), "studytool:production:idempotency:*"},
		{"idempotency with extra segments", "studytool:production:idempotency:a:b:c", "studytool:production:*"},
		{"versioned cache entry", must(ks.Cache("user:profile:v2:gA1:u-42")), "studytool:production:cache:user:profile:v2:*"},
		{"unversioned cache entry", must(ks.Cache("user:u-42")), "studytool:production:cache:user:*"},
		{"cache generation", must(ks.Cache("gen:user:profile")), "studytool:production:cache:gen:*"},
		{"cache key of one segment", must(ks.Cache("u-42")), "studytool:production:cache:*"},
		{"unknown layout under the prefix", "studytool:production:other:u-42", "studytool:production:*"},
		{"session with extra segments", "studytool:production:session:a:b", "studytool:production:*"},
		{"bare prefix", "studytool:production:", "studytool:production:*"},
		{"outside the prefix", "studytool:test:session:" + token, "*"},
		{"empty", "", "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, ks.Shape(tt.key))
		})
	}
}

func TestShapeFollowsACustomPrefix(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("production", "acme:blue:")
	key, err := ks.Session("abc")
	require.NoError(t, err)
	assert.Equal(t, "acme:blue:session:*", ks.Shape(key))
}

// FuzzShape checks that a shape never carries a dynamic part of the key it came from.
func FuzzShape(f *testing.F) {
	for _, seed := range []string{"u1", "secret-token", "v2", "gen", "login-ip"} {
		f.Add(seed, seed)
	}
	ks := keyspace.MustNew("fuzz", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		if keyspace.ValidateSegment(a) != nil || keyspace.ValidateSegment(b) != nil {
			return
		}
		keys := []func() (string, error){
			func() (string, error) { return ks.Session(a) },
			func() (string, error) { return ks.UserSessions(a) },
			func() (string, error) { return ks.StudySession(a, b) },
			func() (string, error) { return ks.Progress(a, b) },
			func() (string, error) { return ks.IdempotencyRecord(a, b) },
			func() (string, error) { return ks.IdempotencyIndex(a) },
			func() (string, error) { return ks.Cache("feature:v1:g0:" + a) },
		}
		for _, build := range keys {
			key, err := build()
			if err != nil {
				t.Fatalf("build key: %v", err)
			}
			shape := ks.Shape(key)
			for _, part := range strings.Split(strings.TrimPrefix(shape, ks.Prefix()), ":") {
				if part == a && !isLayoutWord(part) {
					t.Fatalf("shape %q of %q keeps the dynamic part %q", shape, key, a)
				}
			}
		}
	})
}

func isLayoutWord(s string) bool {
	switch s {
	case "session", "user", "sessions", "study", "progress", "idempotency", "cache", "feature", "v1", keyspace.Wildcard:
		return true
	}
	return false
}
