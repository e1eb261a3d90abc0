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
	"github.com/studytool/studytool/application/keys"
	"github.com/studytool/studytool/ports"
)

// entryTTL is the TTL of every key written: the keys vanish even if the run is killed.
const entryTTL = time.Hour

// writeBatch is how many keys one pipeline writes while populating.
const writeBatch = 1000

// bench is one run.
type bench struct {
	opts   options
	client *redis.Client
	ks     keyspace.Keyspace
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
	deleted   int
	latencies []time.Duration
}

func (b *bench) run(ctx context.Context) error {
	b.printf("keysbench: %d orphaned sessions, %d clients reading %d hot keys, --rate %.0f --batch %d, prefix %s\n",
		b.opts.keys, b.opts.clients, b.opts.hotKeys, b.opts.rate, b.opts.batch, b.ks.Prefix())
	start := time.Now()
	if err := b.populate(ctx); err != nil {
		return err
	}
	b.printf("wrote %d sessions and %d cache keys in %s\n", b.opts.keys, b.opts.hotKeys, time.Since(start).Round(time.Millisecond))
	baseline, err := b.measure(ctx, "baseline (no cleanup)", func(ctx context.Context) (int, error) {
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
	// Sessions and cache entries with a TTL never reach the database checks: the
	// repositories are not needed.
	h := keys.NewCleanupHandler(redisstore.NewKeyInventory(b.client, b.client, b.ks), nil, nil, nil)
	cleanup, err := b.measure(ctx, "keys cleanup --apply", func(ctx context.Context) (int, error) {
		res, err := h.Handle(ctx, keys.Cleanup{Apply: true, Rate: b.opts.rate, Batch: b.opts.batch}, nil)
		if err != nil {
			return 0, err
		}
		return len(res.Items), nil
	})
	if err != nil {
		return err
	}
	b.report(baseline, cleanup)
	return nil
}

// populate writes the orphaned sessions (a hash naming its user, whose index does not
// exist) and the hot cache keys, pipelined.
func (b *bench) populate(ctx context.Context) error {
	for start := 0; start < b.opts.keys; start += writeBatch {
		_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := start; i < min(start+writeBatch, b.opts.keys); i++ {
				key := b.ks.SessionNamespace() + fmt.Sprintf("%064x", i)
				p.HSet(ctx, key, "userId", "bench-user", "createdAt", "0")
				p.PExpire(ctx, key, entryTTL)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("populate sessions: %w", err)
		}
	}
	_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i := range b.opts.hotKeys {
			p.Set(ctx, b.hotKey(i), "value", entryTTL)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("populate hot keys: %w", err)
	}
	return nil
}

func (b *bench) hotKey(i int) string { return b.ks.CacheNamespace() + "hot:v1:" + strconv.Itoa(i) }

// measure runs the clients, lets them settle, runs op, and stops them when op returns.
func (b *bench) measure(ctx context.Context, name string, op func(context.Context) (int, error)) (phase, error) {
	clientsCtx, stop := context.WithCancel(ctx)
	defer stop()
	var recording atomic.Bool
	samples := make([][]time.Duration, b.opts.clients)
	errs := make([]error, b.opts.clients)
	var wg sync.WaitGroup
	for i := range b.opts.clients {
		wg.Go(func() { samples[i], errs[i] = b.read(clientsCtx, &recording) })
	}
	time.Sleep(b.opts.settle)
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

// read GETs random hot keys until ctx ends, and returns the latency of each read made
// while recording is on.
func (b *bench) read(ctx context.Context, recording *atomic.Bool) ([]time.Duration, error) {
	out := make([]time.Duration, 0, 1<<16)
	for ctx.Err() == nil {
		key := b.hotKey(rand.IntN(b.opts.hotKeys)) //nolint:gosec // G404: picking a key to read needs no secrecy
		start := time.Now()
		err := b.client.Get(ctx, key).Err()
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

// report prints the phases as a table and checks the cleanup phase against the targets.
func (b *bench) report(baseline, cleanup phase) {
	base := percentile(baseline.latencies, 0.99)
	// Writes into the tabwriter only buffer; Flush reports a failure to write out.
	w := tabwriter.NewWriter(b.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, _ = fmt.Fprintln(w, "phase\toperation\tdeleted\tclient reads\treads/s\tp50\tp99\tmax\tp99 − baseline\t")
	for _, p := range []phase{baseline, cleanup} {
		p99 := percentile(p.latencies, 0.99)
		_, _ = fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", p.name, p.operation.Round(time.Millisecond), p.deleted,
			len(p.latencies), float64(len(p.latencies))/p.operation.Seconds(),
			micros(percentile(p.latencies, 0.50)), micros(p99), micros(percentile(p.latencies, 1)), micros(p99-base))
	}
	if err := w.Flush(); err != nil && b.outErr == nil {
		b.outErr = err
	}
	p99Over := percentile(cleanup.latencies, 0.99) - base
	maxLat := percentile(cleanup.latencies, 1)
	b.printf("\ntarget p99 during cleanup within %s of baseline: %s (%s)\n", targetP99Over, verdict(p99Over <= targetP99Over), micros(p99Over))
	b.printf("target max during cleanup under %s: %s (%s)\n", targetMax, verdict(maxLat < targetMax), micros(maxLat))
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

// cleanup deletes every key left under the run's prefix. It ignores ctx's
// cancellation: it also runs after an interrupt.
func (b *bench) cleanup(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	inv := redisstore.NewKeyInventory(b.client, b.client, b.ks)
	var n int64
	err := inv.Scan(ctx, func(batch []ports.StoredKey) error {
		names := make([]string, len(batch))
		for i, k := range batch {
			names[i] = k.Key
		}
		removed, err := inv.Unlink(ctx, "state", names)
		n += removed
		return err
	})
	if err != nil {
		b.printf("cleanup: %v (the keys expire within %s)\n", err, entryTTL)
		return
	}
	b.printf("cleanup: deleted the remaining %d keys of the run\n", n)
}
