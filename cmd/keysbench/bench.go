package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/keys"
	"github.com/studytool/studytool/cmd/internal/latencybench"
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

func (b *bench) run(ctx context.Context) error {
	b.printf("keysbench: %d orphaned sessions, %d clients reading %d hot keys, --rate %.0f --batch %d, prefix %s\n",
		b.opts.keys, b.opts.clients, b.opts.hotKeys, b.opts.rate, b.opts.batch, b.ks.Prefix())
	start := time.Now()
	if err := b.populate(ctx); err != nil {
		return err
	}
	b.printf("wrote %d sessions and %d cache keys in %s\n", b.opts.keys, b.opts.hotKeys, time.Since(start).Round(time.Millisecond))
	readers, err := b.measurer()
	if err != nil {
		return err
	}
	b.printf("readers: %s\n", b.opts.readers)
	baseline, err := b.measure(ctx, readers, "baseline (no cleanup)", latencybench.Wait(b.opts.baseline))
	if err != nil {
		return err
	}
	// Sessions and cache entries with a TTL never reach the database checks: the
	// repositories are not needed.
	h := keys.NewCleanupHandler(redisstore.NewKeyInventory(b.client, b.client, b.ks), nil, nil, nil)
	cleanup, err := b.measure(ctx, readers, "keys cleanup --apply", func(ctx context.Context) (int64, error) {
		res, err := h.Handle(ctx, keys.Cleanup{Apply: true, Rate: b.opts.rate, Batch: b.opts.batch}, nil)
		if err != nil {
			return 0, err
		}
		return int64(len(res.Items)), nil
	})
	if err != nil {
		return err
	}
	if err := latencybench.Report(b.out, baseline, []latencybench.Phase{cleanup}, cleanup, "cleanup"); err != nil && b.outErr == nil {
		b.outErr = err
	}
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

// readers are the clients reading the hot keys.
func (b *bench) readers() latencybench.Readers {
	return latencybench.Readers{Clients: b.opts.clients, Settle: b.opts.settle, Read: b.read}
}

// measurer runs the readers in this process or in a child process (this binary, with
// -reader) as -readers says.
func (b *bench) measurer() (latencybench.Measurer, error) {
	if b.opts.readers == "inprocess" {
		return b.readers(), nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("reader process: %w", err)
	}
	return latencybench.ReaderProcess{Path: self, Args: []string{
		"-reader", "-redis", b.opts.redisURL, "-prefix", b.ks.Prefix(),
		"-clients", strconv.Itoa(b.opts.clients), "-hot", strconv.Itoa(b.opts.hotKeys), "-settle", b.opts.settle.String(),
	}}, nil
}

// measure measures op under the readers and prints the phase's summary.
func (b *bench) measure(ctx context.Context, r latencybench.Measurer, name string, op latencybench.Op) (latencybench.Phase, error) {
	p, err := r.Measure(ctx, name, op)
	if err == nil {
		b.printf("%s\n", p.Summary())
	}
	return p, err
}

// read GETs a random hot key.
func (b *bench) read(ctx context.Context) error {
	return b.client.Get(ctx, b.hotKey(rand.IntN(b.opts.hotKeys))).Err() //nolint:gosec // G404: picking a key to read needs no secrecy
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
