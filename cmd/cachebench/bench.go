package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/cmd/internal/latencybench"
)

// Relative key families of the run (under the run's own cache namespace).
const (
	hotFamily  = "hot"
	scanFamily = "scan"
	keysFamily = "keys"
)

// entryTTL is the TTL of every key written: the keys vanish even if the run is killed.
const entryTTL = time.Hour

// writeBatch is how many SETs one pipeline carries while populating.
const writeBatch = 1000

// bench is one run.
type bench struct {
	opts   options
	client *redis.Client
	ks     keyspace.Keyspace
	store  *redisstore.CacheStore
	out    io.Writer
	// outErr is the first error writing to out.
	outErr error
}

// printf writes to the report, remembering the first write error.
func (b *bench) printf(format string, args ...any) {
	if _, err := fmt.Fprintf(b.out, format, args...); err != nil && b.outErr == nil {
		b.outErr = err
	}
}

func (b *bench) run(ctx context.Context) error {
	b.printf("cachebench: %d keys per delete phase, %d clients reading %d hot keys, %d-byte values, namespace %s\n",
		b.opts.keys, b.opts.clients, b.opts.hotKeys, b.opts.valueSize, b.ks.CacheNamespace())
	for _, f := range []struct {
		family string
		n      int
	}{{hotFamily, b.opts.hotKeys}, {scanFamily, b.opts.keys}, {keysFamily, b.opts.keys}} {
		start := time.Now()
		if err := b.populate(ctx, f.family, f.n); err != nil {
			return err
		}
		b.printf("wrote %d %s keys in %s\n", f.n, f.family, time.Since(start).Round(time.Millisecond))
	}

	readers := latencybench.Readers{Clients: b.opts.clients, Settle: b.opts.settle, Read: b.read}
	baseline, err := b.measure(ctx, readers, "baseline (no delete)", latencybench.Wait(b.opts.baseline))
	if err != nil {
		return err
	}
	scan, err := b.measure(ctx, readers, "DeletePattern (SCAN+UNLINK)", func(ctx context.Context) (int64, error) {
		return b.store.DeletePattern(ctx, scanFamily+":*")
	})
	if err != nil {
		return err
	}
	keys, err := b.measure(ctx, readers, "KEYS+DEL (anti-pattern)", func(ctx context.Context) (int64, error) {
		return deleteWithKeysAntiPattern(ctx, b.client, b.ks.CacheNamespace()+keysFamily+":*")
	})
	if err != nil {
		return err
	}
	if err := latencybench.Report(b.out, baseline, []latencybench.Phase{scan, keys}, scan, "SCAN delete"); err != nil && b.outErr == nil {
		b.outErr = err
	}
	return nil
}

// populate writes n keys `family:item:<i>`, pipelined.
func (b *bench) populate(ctx context.Context, family string, n int) error {
	value := make([]byte, b.opts.valueSize)
	for i := range value {
		value[i] = 'a' + byte(i%26)
	}
	ns := b.ks.CacheNamespace()
	for start := 0; start < n; start += writeBatch {
		_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := start; i < min(start+writeBatch, n); i++ {
				p.Set(ctx, ns+family+":item:"+strconv.Itoa(i), value, entryTTL)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("populate %s: %w", family, err)
		}
	}
	return nil
}

// measure measures op under the readers and prints the phase's summary.
func (b *bench) measure(ctx context.Context, r latencybench.Readers, name string, op latencybench.Op) (latencybench.Phase, error) {
	p, err := r.Measure(ctx, name, op)
	if err == nil {
		b.printf("%s\n", p.Summary())
	}
	return p, err
}

// read GETs a random hot key through the cache store.
func (b *bench) read(ctx context.Context) error {
	_, err := b.store.Get(ctx, hotFamily+":item:"+strconv.Itoa(rand.IntN(b.opts.hotKeys))) //nolint:gosec // G404: picking a key to read needs no secrecy
	return err
}

// deleteWithKeysAntiPattern deletes every key matching match the way several cache
// libraries clear a cache: one KEYS over the whole database, then one DEL of everything
// it returned. Both block the server for the length of the keyspace. It exists here only
// to be measured against DeletePattern; never do this in service code.
func deleteWithKeysAntiPattern(ctx context.Context, client *redis.Client, match string) (int64, error) {
	keys, err := client.Keys(ctx, match).Result()
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	return client.Del(ctx, keys...).Result()
}

// cleanup deletes every key of the run (both families may be left over when a phase
// failed). It ignores ctx's cancellation: it also runs after an interrupt.
func (b *bench) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	n, err := b.store.DeletePattern(ctx, "*")
	if err != nil {
		b.printf("cleanup: %v (the keys expire within %s)\n", err, entryTTL)
		return
	}
	b.printf("cleanup: deleted the remaining %d keys of the run\n", n)
}
