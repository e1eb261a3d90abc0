package cache_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/testenv"
)

// BenchmarkGetOrLoad measures a hit and a miss (store read, merged load, store write) on
// the memory store and on the real Redis (skipped when Redis does not answer).
func BenchmarkGetOrLoad(b *testing.B) {
	stores := map[string]func(b *testing.B) ports.CacheStore{
		"memory": func(*testing.B) ports.CacheStore { return memory.NewCacheStore(clock.System{}) },
		"redis": func(b *testing.B) ports.CacheStore {
			b.Helper()
			client, prefix := testenv.Redis(b)
			ks, err := keyspace.New("", prefix)
			require.NoError(b, err)
			return redisstore.NewCacheStore(client, ks)
		},
	}
	load := func(context.Context) (profile, error) {
		return profile{ID: "u1", Name: "Ada Lovelace", Version: 1}, nil
	}
	for _, name := range []string{"memory", "redis"} {
		b.Run(name+"/hit", func(b *testing.B) {
			c := newCache(b, stores[name](b), clock.System{}, cache.DefaultConfig())
			_, err := cache.GetOrLoad(b.Context(), c, profileKey, load)
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cache.GetOrLoad(b.Context(), c, profileKey, load); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/miss", func(b *testing.B) {
			c := newCache(b, stores[name](b), clock.System{}, cache.DefaultConfig())
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := cache.GetOrLoad(b.Context(), c, cache.NewKey("user:profile", 1, strconv.Itoa(i)), load); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCodec_Profile10KB encodes and decodes a ~10 KB JSON profile and reports its
// size as JSON and as stored (header plus zstd body).
func BenchmarkCodec_Profile10KB(b *testing.B) {
	body := largeProfileJSON(b)
	entry := cache.Entry{Value: body}
	stored, err := cache.Encode(entry)
	require.NoError(b, err)
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cache.Encode(entry); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(body)), "json-bytes")
		b.ReportMetric(float64(len(stored)), "stored-bytes")
		b.ReportMetric(float64(len(stored))/float64(len(body)), "ratio")
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cache.Decode(stored); err != nil {
				b.Fatal(err)
			}
		}
	})
}
