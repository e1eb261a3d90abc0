package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
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

// phase is what the clients saw while one operation ran.
type phase struct {
	name      string
	operation time.Duration
	deleted   int64
	latencies []time.Duration
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

	baseline, err := b.measure(ctx, "baseline (no delete)", func(ctx context.Context) (int64, error) {
		select {
		case <-time.After(b.opts.baseline):
			return 0, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	if err != nil {
		return err
	}
	scan, err := b.measure(ctx, "DeletePattern (SCAN+UNLINK)", func(ctx context.Context) (int64, error) {
		return b.store.DeletePattern(ctx, scanFamily+":*")
	})
	if err != nil {
		return err
	}
	keys, err := b.measure(ctx, "KEYS+DEL (anti-pattern)", func(ctx context.Context) (int64, error) {
		return deleteWithKeysAntiPattern(ctx, b.client, b.ks.CacheNamespace()+keysFamily+":*")
	})
	if err != nil {
		return err
	}
	b.report(baseline, scan, keys)
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

// measure runs the clients, lets them settle, runs op, and stops them when op returns.
func (b *bench) measure(ctx context.Context, name string, op func(context.Context) (int64, error)) (phase, error) {
	clientsCtx, stop := context.WithCancel(ctx)
	defer stop()
	var recording atomic.Bool
	samples := make([][]time.Duration, b.opts.clients)
	errs := make([]error, b.opts.clients)
	var wg sync.WaitGroup
	for i := range b.opts.clients {
		wg.Go(func() { samples[i], errs[i] = b.read(clientsCtx, &recording) })
	}
	time.Sleep(b.opts.settle) // connections open, goroutines running
	recording.Store(true)
	start := time.Now()
	deleted, err := op(ctx)
	elapsed := time.Since(start)
	stop()
	wg.Wait()
	if err != nil {
		return phase{}, fmt.Errorf("%s: %w", name, err)
	}
	p := phase{name: name, operation: elapsed, deleted: deleted}
	for i, s := range samples {
		if errs[i] != nil {
			return phase{}, fmt.Errorf("%s: client %d: %w", name, i, errs[i])
		}
		p.latencies = append(p.latencies, s...)
	}
	slices.Sort(p.latencies)
	b.printf("%s: %s, %d deleted, %d client reads\n", name, elapsed.Round(time.Millisecond), deleted, len(p.latencies))
	return p, nil
}

// read GETs random hot keys through the cache store until ctx ends, and returns the
// latency of each read made while recording is on.
func (b *bench) read(ctx context.Context, recording *atomic.Bool) ([]time.Duration, error) {
	out := make([]time.Duration, 0, 1<<16)
	for ctx.Err() == nil {
		key := hotFamily + ":item:" + strconv.Itoa(rand.IntN(b.opts.hotKeys)) //nolint:gosec // G404: picking a key to read needs no secrecy
		start := time.Now()
		_, err := b.store.Get(ctx, key)
		elapsed := time.Since(start)
		if err != nil && ctx.Err() == nil {
			return out, err
		}
		if err == nil && recording.Load() {
			out = append(out, elapsed)
		}
	}
	return out, nil
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

// report prints the phases as a table and checks the SCAN phase against the targets.
func (b *bench) report(baseline, scan, keys phase) {
	base := percentile(baseline.latencies, 0.99)
	// Writes into the tabwriter only buffer; Flush reports a failure to write out.
	w := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintln(w, "phase\toperation\tdeleted\tclient reads\treads/s\tp50\tp99\tmax\tp99 − baseline\t")
	for _, p := range []phase{baseline, scan, keys} {
		p99 := percentile(p.latencies, 0.99)
		_, _ = fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", p.name, p.operation.Round(time.Millisecond), p.deleted,
			len(p.latencies), float64(len(p.latencies))/p.operation.Seconds(),
			micros(percentile(p.latencies, 0.50)), micros(p99), micros(percentile(p.latencies, 1)), micros(p99-base))
	}
	if err := w.Flush(); err != nil && b.outErr == nil {
		b.outErr = err
	}

	p99Over := percentile(scan.latencies, 0.99) - base
	maxLat := percentile(scan.latencies, 1)
	b.printf("\ntarget p99 during SCAN delete within %s of baseline: %s (%s)\n", targetP99Over, verdict(p99Over <= targetP99Over), micros(p99Over))
	b.printf("target max during SCAN delete under %s: %s (%s)\n", targetMax, verdict(maxLat < targetMax), micros(maxLat))
}

// percentile returns the q-quantile (0 < q ≤ 1) of sorted, by the nearest-rank method.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// micros formats d in milliseconds with microsecond precision.
func micros(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + " ms"
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
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
