package redisstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/localtier"
)

// invalidationChannel is where Redis publishes the keys a tracking client must drop
// (RESP2 clients receive them there through CLIENT TRACKING … REDIRECT).
const invalidationChannel = "__redis__:invalidate"

// Pacing of a Tracker's watch: a silent connection is pinged after trackerPingAfter and
// given up trackerPingAfter later; a lost one is re-dialled after a pause growing from
// trackerMinBackoff to trackerMaxBackoff.
const (
	trackerPingAfter  = time.Second
	trackerMinBackoff = 50 * time.Millisecond
	trackerMaxBackoff = 2 * time.Second
)

// Tracker keeps a localtier.Tier coherent with one Redis server (standalone; a server
// behind Sentinel or a Cluster has no Tracker: see NewTracker).
//
// It holds a connection of its own on which it turns on CLIENT TRACKING in broadcast
// mode for the tier's key prefixes, redirected to that same connection, and subscribes
// to __redis__:invalidate. From then on Redis publishes there the name of every key under
// those prefixes that changes, is deleted, expires or is evicted, whoever changed it,
// and the Tracker drops it from the tier. A flush (FLUSHALL, FLUSHDB) is published
// without key names, which go-redis reports as an unreadable message: the connection is
// then given up like a failed one, which empties the tier as the flush requires. The
// tier is put in use only once the subscription is confirmed (so every read after that
// is tracked), and taken out of use, emptied, the moment the connection fails, goes
// silent past two ping intervals, or Redis reports a flush it cannot name keys for; the
// Tracker then re-dials with backoff. Keys
// are matched by name across databases (invalidation messages carry no database), so a
// change to a same-named key in another database only costs a miss.
type Tracker struct {
	opts   redis.Options
	tier   *localtier.Tier
	logger *slog.Logger

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
	// ps is the subscribed connection while the tier is in use; waiters are the Sync
	// calls waiting for the PONG of their PING on it, by payload.
	ps      *redis.PubSub
	waiters map[string]chan struct{}
	syncs   uint64
}

// NewTracker returns a tracker for tier over the server client talks to, watching the
// keys that start with one of prefixes. It fails unless client is a single-server client
// (*redis.Client): behind Sentinel the watch could stay on a demoted master, and a
// Cluster spreads keys over masters; there the tier must stay off.
func NewTracker(client redis.UniversalClient, tier *localtier.Tier, logger *slog.Logger, prefixes ...string) (*Tracker, error) {
	single, ok := client.(*redis.Client)
	if !ok || IsCluster(client) {
		return nil, fmt.Errorf("redis tracker: needs a single-server client, got %T", client)
	}
	if len(prefixes) == 0 {
		return nil, errors.New("redis tracker: no key prefixes to watch")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts := *single.Options()
	if isFailover(&opts) {
		return nil, errors.New("redis tracker: a Sentinel-managed client cannot be tracked")
	}
	opts.Protocol = 2 // invalidations arrive as pub/sub messages
	opts.PoolSize, opts.MinIdleConns, opts.MaxIdleConns, opts.MaxActiveConns = 1, 0, 1, 1
	opts.MaxRetries = -1
	opts.ClientName += "-tracking"
	opts.OnConnect = trackOnConnect(opts.OnConnect, prefixes)
	return &Tracker{opts: opts, tier: tier, logger: logger, waiters: make(map[string]chan struct{})}, nil
}

// isFailover reports whether opts were derived from a Sentinel client (go-redis names
// the address "FailoverClient" there).
func isFailover(opts *redis.Options) bool { return opts.Addr == "FailoverClient" }

// trackOnConnect turns on broadcast tracking of prefixes on each new connection,
// redirected to the connection itself, after next (the client's own hook) has run.
func trackOnConnect(next func(context.Context, *redis.Conn) error, prefixes []string) func(context.Context, *redis.Conn) error {
	return func(ctx context.Context, cn *redis.Conn) error {
		if next != nil {
			if err := next(ctx, cn); err != nil {
				return err
			}
		}
		id, err := cn.ClientID(ctx).Result()
		if err != nil {
			return fmt.Errorf("redis tracker: client id: %w", err)
		}
		args := []any{"CLIENT", "TRACKING", "ON", "REDIRECT", id, "BCAST"}
		for _, p := range prefixes {
			args = append(args, "PREFIX", p)
		}
		if err := cn.Do(ctx, args...).Err(); err != nil {
			return fmt.Errorf("redis tracker: client tracking: %w", err)
		}
		return nil
	}
}

// Start begins watching in the background, until Stop; the tier is used once the watch
// is up. ctx's values are kept, its cancellation is not.
func (t *Tracker) Start(ctx context.Context) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel, t.done = cancel, make(chan struct{})
	go t.run(ctx)
}

// Stop ends the watch and takes the tier out of use.
func (t *Tracker) Stop(ctx context.Context) error {
	t.mu.Lock()
	cancel, done := t.cancel, t.done
	t.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redis tracker: stop: %w", ctx.Err())
	}
}

// Sync returns once every invalidation Redis sent this tracker before the call has been
// applied to the tier: it sends a PING on the watch's connection, which Redis answers
// after them. While the watch is down it returns at once (the tier is then empty and
// bypassed). It lets a caller that changed Redis by other means (an operator's command,
// a test) know this replica has seen the change.
func (t *Tracker) Sync(ctx context.Context) error {
	t.mu.Lock()
	ps := t.ps
	if ps == nil {
		t.mu.Unlock()
		return nil
	}
	t.syncs++
	payload := "sync-" + strconv.FormatUint(t.syncs, 10)
	done := make(chan struct{})
	t.waiters[payload] = done
	t.mu.Unlock()
	if err := ps.Ping(ctx, payload); err != nil {
		t.release(payload)
		return fmt.Errorf("redis tracker: sync: %w", err)
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		t.release(payload)
		return fmt.Errorf("redis tracker: sync: %w", ctx.Err())
	}
}

// release ends the wait of the Sync call of payload, or of every call when payload is "".
func (t *Tracker) release(payload string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for p, done := range t.waiters {
		if payload == "" || p == payload {
			close(done)
			delete(t.waiters, p)
		}
	}
}

func (t *Tracker) run(ctx context.Context) {
	defer close(t.done)
	backoff, reported := trackerMinBackoff, false
	for {
		up, err := t.watch(ctx) // leaves the tier down
		if ctx.Err() != nil {
			return
		}
		if up {
			backoff, reported = trackerMinBackoff, false
		}
		if !reported {
			t.logger.Warn("local cache invalidation channel down; reading through Redis until it is back",
				slog.String("tier", t.tier.Name()), slog.Any("error", err))
			reported = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, trackerMaxBackoff)
	}
}

// watch runs one connection's life: subscribe, put the tier in use, apply invalidations
// until the connection fails. It reports whether the tier was put in use, and leaves it
// out of use (down, empty) when it returns.
func (t *Tracker) watch(ctx context.Context) (bool, error) {
	client := redis.NewClient(&t.opts)
	defer func() { _ = client.Close() }()
	ps := client.Subscribe(ctx)
	defer func() { _ = ps.Close() }()
	if err := ps.Subscribe(ctx, invalidationChannel); err != nil {
		return false, err
	}
	if err := t.confirm(ctx, ps); err != nil {
		return false, err
	}
	t.tier.Up()
	t.setConn(ps)
	defer t.setConn(nil)
	t.logger.Info("local cache coherent with redis", slog.String("tier", t.tier.Name()))

	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, trackerPingAfter)
		if isTimeout(err) && !pinged && ctx.Err() == nil {
			// Silent for a while: a ping must come back within the next interval.
			if err := ps.Ping(ctx); err != nil {
				return true, err
			}
			pinged = true
			continue
		}
		if err != nil {
			return true, err
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Message:
			t.apply(m)
		case *redis.Pong:
			if m.Payload != "" {
				t.release(m.Payload)
			}
		}
	}
}

// setConn records the connection Sync pings (nil: none, and every waiting Sync returns,
// the tier being down).
func (t *Tracker) setConn(ps *redis.PubSub) {
	t.mu.Lock()
	t.ps = ps
	t.mu.Unlock()
	if ps == nil {
		t.tier.Down()
		t.release("")
	}
}

// confirm waits for the subscription's confirmation: tracking was turned on when the
// connection was made, so every read sent after this is tracked.
func (t *Tracker) confirm(ctx context.Context, ps *redis.PubSub) error {
	for {
		msg, err := ps.ReceiveTimeout(ctx, t.opts.DialTimeout+trackerPingAfter)
		if err != nil {
			return err
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Kind == "subscribe" && s.Channel == invalidationChannel {
			return nil
		}
	}
}

// apply drops the keys of one invalidation message.
func (t *Tracker) apply(m *redis.Message) {
	if m.Channel != invalidationChannel {
		return
	}
	switch {
	case len(m.PayloadSlice) > 0:
		t.tier.Invalidate(m.PayloadSlice...)
	case m.Payload != "":
		t.tier.Invalidate(m.Payload)
	}
}

// isTimeout reports whether err is a read that timed out with the connection intact.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
