package cache

import (
	"sync"
	"time"
)

// fencePurgeEvery is how many invalidations pass between purges of old fence marks.
const fencePurgeEvery = 256

// fence stops a load that began before an invalidation from writing its (possibly stale)
// result afterwards. Invalidate marks each storage key with a fresh sequence number; a
// load remembers the sequence when it starts and skips its write when the key has been
// marked since. Marks are kept only while a load that predates them can still be running
// (twice the load timeout), so the map stays small.
type fence struct {
	mu    sync.Mutex
	seq   uint64
	marks map[string]fenceMark
	count int
	keep  time.Duration
}

type fenceMark struct {
	seq uint64
	at  time.Time
}

func newFence(loadTimeout time.Duration) *fence {
	return &fence{marks: make(map[string]fenceMark), keep: 2 * loadTimeout}
}

// now returns the current sequence, to be passed to crossed when the load finishes.
func (f *fence) now() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

// mark records an invalidation of keys.
func (f *fence) mark(keys []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	wall := time.Now()
	for _, k := range keys {
		f.marks[k] = fenceMark{seq: f.seq, at: wall}
	}
	f.count++
	if f.count%fencePurgeEvery == 0 {
		for k, m := range f.marks {
			if wall.Sub(m.at) > f.keep {
				delete(f.marks, k)
			}
		}
	}
}

// crossed reports whether key was invalidated after sequence started.
func (f *fence) crossed(key string, started uint64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.marks[key]
	return ok && m.seq > started
}
