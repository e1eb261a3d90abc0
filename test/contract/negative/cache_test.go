package negative_test

import (
	"context"
	"sync"

	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/test/contract"
)

// sharedCache is a cache store that shares its keyspace with other state, as a cache on
// the Redis database of its deployment does: the memory adapter's cache entries, and
// beside them what the harness plants. It is correct: its DeletePattern is the memory
// adapter's, which keeps to the cache namespace.
type sharedCache struct {
	*memory.CacheStore
	beside *plantedState
}

// flushingCache answers DeletePattern("*") by emptying its whole keyspace, as an adapter
// that sends FLUSHDB for `*` does: harmless for a cache alone in its database, fatal to
// the sessions beside it.
type flushingCache struct{ sharedCache }

// DeletePattern is the memory adapter's, with a fast path for `*` that flushes everything.
func (c flushingCache) DeletePattern(ctx context.Context, pattern string) (int64, error) {
	n, err := c.CacheStore.DeletePattern(ctx, pattern)
	if err == nil && pattern == "*" {
		c.beside.flush()
	}
	return n, err
}

// plantedState is the state kept beside a cache: the harness's neighbours.
type plantedState struct {
	mu   sync.Mutex
	kept map[contract.Neighbour]bool
}

func newPlantedState() *plantedState {
	return &plantedState{kept: make(map[contract.Neighbour]bool)}
}

// plant is the harness's Plant.
func (p *plantedState) plant(_ context.Context, n contract.Neighbour) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kept[n] = true
	return nil
}

// planted is the harness's Planted.
func (p *plantedState) planted(_ context.Context, n contract.Neighbour) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kept[n], nil
}

// flush forgets everything planted.
func (p *plantedState) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear(p.kept)
}
