// Package localtier is an in-process tier in front of Redis for hot reads: a bounded map
// of values that Redis itself keeps coherent.
//
// A Tier never decides on its own that a value is still current. Something that watches
// the server (redisstore.Tracker: Redis's CLIENT TRACKING in broadcast mode) reports every
// key that changes with Invalidate, and reports with Down the moment it can no longer
// promise to do so; the tier is then emptied and bypassed (Get misses, Begin refuses)
// until Up says the watch is back. A value read while the watch was down, or whose key
// was invalidated while it was being read, is never stored: a reader takes a Ticket
// before it asks Redis and hands it back with the value, and Fill keeps the value only
// when no invalidation, flush or outage happened in between. So the tier never serves a
// value for which it could have missed an invalidation.
//
// Entries are bounded in number and in bytes (the sizes their readers declare) and
// evicted least recently used first. A Tier is safe for concurrent use.
package localtier

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Config bounds a tier.
type Config struct {
	// MaxEntries caps the number of entries (at least 1).
	MaxEntries int
	// MaxBytes caps the sum of the entries' declared sizes (at least 1).
	MaxBytes int64
}

// Stats are a tier's counters since it was built and its current size.
type Stats struct {
	// Hits and Misses count Get calls made while the tier was up.
	Hits, Misses int64
	// Bypasses count Get calls made while it was down (answered by Redis).
	Bypasses int64
	// Evictions count entries dropped to stay within the bounds.
	Evictions int64
	// Invalidations count entries dropped because Redis reported their key changed.
	Invalidations int64
	// Flushes count the times the whole tier was emptied while in use (the watch went
	// down, or Redis reported a FLUSHALL or FLUSHDB).
	Flushes int64
	// Entries and Bytes are the current size.
	Entries int
	Bytes   int64
	// Up reports whether invalidations are being received (the tier is in use).
	Up bool
}

// Ticket is a reader's claim to fill one key; the zero Ticket (taken while the tier was
// down) fills nothing.
type Ticket struct {
	key   string
	token uint64
}

// Valid reports whether the ticket may fill its key (the tier was up when it was taken).
func (t Ticket) Valid() bool { return t.token != 0 }

type entry struct {
	value any
	size  int64
}

// Tier is a bounded, invalidation-driven map; see the package documentation.
type Tier struct {
	name string
	cfg  Config

	mu      sync.Mutex
	up      bool
	entries *simplelru.LRU[string, entry]
	bytes   int64
	// pending maps a key being read to the token of the reader whose value may fill it.
	pending map[string]uint64
	seq     uint64

	hits, misses, bypasses            atomic.Int64
	evictions, invalidations, flushes atomic.Int64
}

// New returns an empty tier named name (a metric label), down until Up is called.
func New(name string, cfg Config) (*Tier, error) {
	if cfg.MaxEntries < 1 || cfg.MaxBytes < 1 {
		return nil, fmt.Errorf("local tier %s: bounds must be positive (entries %d, bytes %d)", name, cfg.MaxEntries, cfg.MaxBytes)
	}
	// One slot above the bound, so the LRU never evicts on its own: evict() does, keeping
	// the byte count and the eviction counter right.
	lru, err := simplelru.NewLRU[string, entry](cfg.MaxEntries+1, nil)
	if err != nil {
		return nil, fmt.Errorf("local tier %s: %w", name, err)
	}
	return &Tier{name: name, cfg: cfg, entries: lru, pending: make(map[string]uint64)}, nil
}

// Name returns the tier's name.
func (t *Tier) Name() string { return t.name }

// Get returns key's value while the tier is up and holds one.
func (t *Tier) Get(key string) (any, bool) {
	t.mu.Lock()
	if !t.up {
		t.mu.Unlock()
		t.bypasses.Add(1)
		return nil, false
	}
	e, ok := t.entries.Get(key)
	t.mu.Unlock()
	if !ok {
		t.misses.Add(1)
		return nil, false
	}
	t.hits.Add(1)
	return e.value, true
}

// Begin claims key for a read about to be sent to Redis. The returned ticket is invalid
// (fills nothing) while the tier is down.
func (t *Tier) Begin(key string) Ticket {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.up {
		return Ticket{}
	}
	t.seq++
	t.pending[key] = t.seq
	return Ticket{key: key, token: t.seq}
}

// Fill stores value (of the declared size in bytes) under the ticket's key and reports
// whether it did: it does not when the tier went down, was flushed or saw the key
// invalidated since the ticket was taken, or another reader took a newer ticket.
func (t *Tier) Fill(tk Ticket, value any, size int64) bool {
	if !tk.Valid() {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.up || t.pending[tk.key] != tk.token {
		return false
	}
	delete(t.pending, tk.key)
	if size > t.cfg.MaxBytes {
		return false
	}
	t.remove(tk.key)
	t.entries.Add(tk.key, entry{value: value, size: size})
	t.bytes += size
	for t.entries.Len() > t.cfg.MaxEntries || t.bytes > t.cfg.MaxBytes {
		_, old, ok := t.entries.RemoveOldest()
		if !ok {
			break
		}
		t.bytes -= old.size
		t.evictions.Add(1)
	}
	return true
}

// Abandon gives a ticket back unused (the read failed or found nothing).
func (t *Tier) Abandon(tk Ticket) {
	if !tk.Valid() {
		return
	}
	t.mu.Lock()
	if t.pending[tk.key] == tk.token {
		delete(t.pending, tk.key)
	}
	t.mu.Unlock()
}

// Invalidate drops keys and refuses the fills of reads of them already under way.
func (t *Tier) Invalidate(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.pending, k)
		if t.remove(k) {
			t.invalidations.Add(1)
		}
	}
}

// InvalidateFunc drops every entry for which drop returns true (a scan of the whole
// tier: for rare operations such as logging a user out everywhere).
func (t *Tier) InvalidateFunc(drop func(key string, value any) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range t.entries.Keys() {
		if e, ok := t.entries.Peek(k); ok && drop(k, e.value) && t.remove(k) {
			t.invalidations.Add(1)
		}
	}
}

// InvalidatePrefix drops every entry whose key starts with prefix, and the fills of
// reads of such keys under way.
func (t *Tier) InvalidatePrefix(prefix string) {
	t.mu.Lock()
	for k := range t.pending {
		if strings.HasPrefix(k, prefix) {
			delete(t.pending, k)
		}
	}
	t.mu.Unlock()
	t.InvalidateFunc(func(key string, _ any) bool { return strings.HasPrefix(key, prefix) })
}

// Down empties the tier and bypasses it until Up: invalidations can no longer be
// received, so nothing it holds or is about to store can be trusted.
func (t *Tier) Down() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.up {
		t.flushes.Add(1)
	}
	t.clear()
	t.up = false
}

// Up puts the tier in use, empty: invalidations are being received again.
func (t *Tier) Up() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clear()
	t.up = true
}

// IsUp reports whether the tier is in use.
func (t *Tier) IsUp() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.up
}

// Stats returns the tier's counters and size.
func (t *Tier) Stats() Stats {
	t.mu.Lock()
	entries, bytes, up := t.entries.Len(), t.bytes, t.up
	t.mu.Unlock()
	return Stats{
		Hits: t.hits.Load(), Misses: t.misses.Load(), Bypasses: t.bypasses.Load(),
		Evictions: t.evictions.Load(), Invalidations: t.invalidations.Load(), Flushes: t.flushes.Load(),
		Entries: entries, Bytes: bytes, Up: up,
	}
}

// remove drops key's entry and reports whether there was one. t.mu must be held.
func (t *Tier) remove(key string) bool {
	e, ok := t.entries.Peek(key)
	if !ok {
		return false
	}
	t.entries.Remove(key)
	t.bytes -= e.size
	return true
}

// clear drops every entry and pending read. t.mu must be held.
func (t *Tier) clear() {
	t.entries.Purge()
	t.bytes = 0
	clear(t.pending)
}
