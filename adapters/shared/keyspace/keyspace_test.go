package keyspace_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

func TestSchema(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("production", "")
	build := map[string]func() (string, error){
		"studytool:production:cache:user:profile:v2:12345": func() (string, error) { return ks.Cache("user:profile:v2:12345") },
		"studytool:production:session:abc123":              func() (string, error) { return ks.Session("abc123") },
		"studytool:production:user:sessions:u1":            func() (string, error) { return ks.UserSessions("u1") },
		"studytool:production:study:sessions:u1:s1":        func() (string, error) { return ks.StudySession("u1", "s1") },
		"studytool:production:progress:u1:c1":              func() (string, error) { return ks.Progress("u1", "c1") },
		"studytool:production:lock:session-sweep":          func() (string, error) { return ks.Lock("session-sweep") },
	}
	for want, fn := range build {
		got, err := fn()
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestIndexPatternsMatchTheirKeys(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("production", "")
	assert.Equal(t, "studytool:production:user:sessions:*", ks.UserSessionsPattern())
	assert.Equal(t, "studytool:production:study:sessions:*", ks.StudySessionIndexPattern())
}

func TestPrefixOverride(t *testing.T) {
	t.Parallel()
	ks, err := keyspace.New("production", "acme:blue:")
	require.NoError(t, err)
	key, err := ks.Session("x")
	require.NoError(t, err)
	assert.Equal(t, "acme:blue:session:x", key)
	assert.Equal(t, "acme:blue:cache:", ks.CacheNamespace())

	for _, bad := range []string{"nocolon", "a*:", "a b:", "::", "a:[x]:"} {
		_, err := keyspace.New("production", bad)
		assert.ErrorIs(t, err, keyspace.ErrInvalidKey, bad)
	}
	_, err = keyspace.New("prod*", "")
	assert.ErrorIs(t, err, keyspace.ErrInvalidKey)
}

func TestRejectsDynamicPartsThatCouldWidenOrCollide(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("test", "")
	for _, bad := range []string{"", "a:b", "*", "a?", "[a]", `a\b`, "a b", "a\tb", "a\nb", "\x00", string([]byte{0xff}), strings.Repeat("x", keyspace.MaxSegmentLength+1)} {
		_, err := ks.Session(bad)
		assert.ErrorIs(t, err, keyspace.ErrInvalidKey, "%q", bad)
		_, err = ks.StudySession("u", bad)
		assert.ErrorIs(t, err, keyspace.ErrInvalidKey, "%q", bad)
	}
	_, err := ks.Progress("ok", "café-ünïcode")
	assert.NoError(t, err, "non-ASCII letters are fine")
}

func TestCachePatternStaysInNamespace(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("test", "")
	for _, p := range []string{"*", "../*", "session:*", "user:*", "user:profile:?"} {
		got, err := ks.CachePattern(p)
		require.NoError(t, err, p)
		assert.True(t, strings.HasPrefix(got, "studytool:test:cache:"), got)
	}
	for _, bad := range []string{"", "user:[a-z]*", `user:\*`, "user::*", "user: *", "a:*:"} {
		_, err := ks.CachePattern(bad)
		assert.ErrorIs(t, err, keyspace.ErrInvalidKey, "%q", bad)
	}
	_, err := ks.Cache("user:*")
	assert.ErrorIs(t, err, keyspace.ErrInvalidKey, "a key is not a pattern")
}

func TestRateLimitKeyHidesSubject(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("test", "")
	k1, err := ks.RateLimit("login-ip", "2001:db8::1")
	require.NoError(t, err)
	k2, err := ks.RateLimit("login-ip", "2001:db8::2")
	require.NoError(t, err)
	assert.NotEqual(t, k1, k2)
	assert.True(t, strings.HasPrefix(k1, "studytool:test:ratelimit:login-ip:"))
	assert.NotContains(t, k1, "2001")
}

func TestIdempotencyKeyHidesTheClientsKey(t *testing.T) {
	t.Parallel()
	ks := keyspace.MustNew("test", "")
	raw := "order 42: *retry* [x]"
	got, err := ks.Idempotency("u1", raw)
	require.NoError(t, err)
	digest := keyspace.IdempotencyDigest(raw)
	assert.Len(t, digest, 64)
	assert.Equal(t, "studytool:test:idempotency:u1:"+digest, got)
	assert.NotContains(t, got, "order")
	index, err := ks.IdempotencyIndex("u1")
	require.NoError(t, err)
	assert.Equal(t, "studytool:test:idempotency:u1", index)
	record, err := ks.IdempotencyRecord("u1", digest)
	require.NoError(t, err)
	assert.Equal(t, got, record, "the index's digests name the records")
	_, err = ks.Idempotency("u:1", raw)
	assert.ErrorIs(t, err, keyspace.ErrInvalidKey, "the user id is validated")
}

// FuzzSegment checks that whatever a client sends, an accepted key is the prefix, the
// fixed parts and exactly the given segments: no glob characters, no extra separators.
func FuzzSegment(f *testing.F) {
	for _, seed := range []string{"u1", "a:b", "*", "x?y", "héllo", "a b", "\x00", "[", "0123456789abcdef"} {
		f.Add(seed, "c1")
	}
	ks := keyspace.MustNew("fuzz", "")
	f.Fuzz(func(t *testing.T, user, card string) {
		key, err := ks.Progress(user, card)
		if err != nil {
			if !errors.Is(err, keyspace.ErrInvalidKey) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		rest, ok := strings.CutPrefix(key, "studytool:fuzz:progress:")
		if !ok {
			t.Fatalf("key %q lost its prefix", key)
		}
		if parts := strings.Split(rest, ":"); len(parts) != 2 || parts[0] != user || parts[1] != card {
			t.Fatalf("key %q does not split back into %q and %q", key, user, card)
		}
		if strings.ContainsAny(rest, "*?[]\\") || strings.IndexFunc(rest, unicode.IsSpace) >= 0 {
			t.Fatalf("key %q contains a glob or space character", key)
		}
	})
}
