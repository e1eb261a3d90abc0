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
// Entries are bounded in number and in bytes (the sizes their readers declare). Beyond
// the bounds the least recently used of a few sampled entries is evicted (an approximate
// LRU, as Redis's own), which lets a read take only a shared lock: many requests reading
// one hot session never queue behind each other. A Tier is safe for concurrent use.
package localtier

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// evictionSamples is how many entries an eviction compares to pick the least recently
// used.
const evictionSamples = 8

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
	// lastUse orders entries for eviction: the tier's use counter at the entry's last read
	// or fill.
	lastUse atomic.Uint64
}

// Tier is a bounded, invalidation-driven map; see the package documentation.
type Tier struct {
	name string
	cfg  Config

	// mu is held shared by reads and exclusively by every change.
	mu      sync.RWMutex
	up      bool
	entries map[string]*entry
	bytes   int64
	uses    atomic.Uint64
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
	return &Tier{name: name, cfg: cfg, entries: make(map[string]*entry), pending: make(map[string]uint64)}, nil
}

// Name returns the tier's name.
func (t *Tier) Name() string { return t.name }

// Get returns key's value while the tier is up and holds one.
func (t *Tier) Get(key string) (any, bool) {
	t.mu.RLock()
	if !t.up {
		t.mu.RUnlock()
		t.bypasses.Add(1)
		return nil, false
	}
	e := t.entries[key]
	t.mu.RUnlock()
	if e == nil {
		t.misses.Add(1)
		return nil, false
	}
	e.lastUse.Store(t.uses.Add(1))
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
	e := &entry{value: value, size: size}
	e.lastUse.Store(t.uses.Add(1))
	t.entries[tk.key] = e
	t.bytes += size
	for len(t.entries) > t.cfg.MaxEntries || t.bytes > t.cfg.MaxBytes {
		t.evictOne(tk.key)
	}
	return true
}

// evictOne drops the least recently used of a few entries other than keep (Go's map
// iteration starts at a random place, so they are a random sample). t.mu must be held.
func (t *Tier) evictOne(keep string) {
	victim, oldest, seen := "", uint64(0), 0
	for k, e := range t.entries {
		if k == keep {
			continue
		}
		if use := e.lastUse.Load(); victim == "" || use < oldest {
			victim, oldest = k, use
		}
		seen++
		if seen == evictionSamples {
			break
		}
	}
	if victim == "" {
		victim = keep // the only entry, and still over the bounds
	}
	t.remove(victim)
	t.evictions.Add(1)
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
	t.dropWhere(drop)
}

// InvalidatePrefix drops every entry whose key starts with prefix, and the fills of
// reads of such keys under way.
func (t *Tier) InvalidatePrefix(prefix string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.pending {
		if strings.HasPrefix(k, prefix) {
			delete(t.pending, k)
		}
	}
	t.dropWhere(func(key string, _ any) bool { return strings.HasPrefix(key, prefix) })
}

// dropWhere drops, as invalidated, every entry for which drop returns true. t.mu must be
// held.
func (t *Tier) dropWhere(drop func(key string, value any) bool) {
	for k, e := range t.entries {
		if drop(k, e.value) && t.remove(k) {
			t.invalidations.Add(1)
		}
	}
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
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.up
}

// Stats returns the tier's counters and size.
func (t *Tier) Stats() Stats {
	t.mu.RLock()
	entries, bytes, up := len(t.entries), t.bytes, t.up
	t.mu.RUnlock()
	return Stats{
		Hits: t.hits.Load(), Misses: t.misses.Load(), Bypasses: t.bypasses.Load(),
		Evictions: t.evictions.Load(), Invalidations: t.invalidations.Load(), Flushes: t.flushes.Load(),
		Entries: entries, Bytes: bytes, Up: up,
	}
}

// remove drops key's entry and reports whether there was one. t.mu must be held.
func (t *Tier) remove(key string) bool {
	e, ok := t.entries[key]
	if !ok {
		return false
	}
	delete(t.entries, key)
	t.bytes -= e.size
	return true
}

// clear drops every entry and pending read. t.mu must be held.
func (t *Tier) clear() {
	clear(t.entries)
	t.bytes = 0
	clear(t.pending)
}
