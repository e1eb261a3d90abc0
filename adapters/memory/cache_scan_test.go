package memory_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// TestMemoryCacheStore_ScanAndSample checks that a scan hands out the live keys matching
// its pattern relative to the namespace, refuses a pattern the keyspace refuses, and
// that a sample measures bytes and the remaining TTL (none for a counter) and leaves out
// a key that is gone.
func TestMemoryCacheStore_ScanAndSample(t *testing.T) {
	t.Parallel()
	fake := clock.NewFake(cacheEpoch)
	s := memory.NewCacheStore(fake)
	ctx := t.Context()
	require.NoError(t, s.Set(ctx, "user:profile:v2:g1:a", []byte("12345"), time.Minute))
	require.NoError(t, s.Set(ctx, "org:v1:g1:b", []byte("x"), time.Second))
	_, err := s.Incr(ctx, "gen:user:profile")
	require.NoError(t, err)
	fake.Advance(2 * time.Second)

	var got []string
	require.NoError(t, s.ScanKeys(ctx, "*", func(keys []string) error { got = append(got, keys...); return nil }))
	slices.Sort(got)
	assert.Equal(t, []string{"gen:user:profile", "user:profile:v2:g1:a"}, got, "the expired entry is not handed out")
	err = s.ScanKeys(ctx, "user:[a]*", func([]string) error { return nil })
	var verr *domain.ValidationError
	require.ErrorAs(t, err, &verr)

	samples, err := s.SampleKeys(ctx, []string{"user:profile:v2:g1:a", "gen:user:profile", "org:v1:g1:b"})
	require.NoError(t, err)
	require.Len(t, samples, 2)
	assert.Equal(t, ports.CacheKeySample{Key: "user:profile:v2:g1:a", Bytes: int64(len(memory.CacheKeyspace.CacheNamespace()) + 20 + 5), TTL: 58 * time.Second}, samples[0])
	assert.Equal(t, time.Duration(-1), samples[1].TTL)
}
