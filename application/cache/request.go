package cache

import (
	"context"
	"sync"
)

// maxRequestEntries bounds one request's memo; reads beyond it go to the store.
const maxRequestEntries = 1024

// requestCacheKey is the context key of the request-level cache.
type requestCacheKey struct{}

// requestCache is the request level of the cache: what one request already read (by
// storage key) and the feature generations it resolved, so a repeated read makes no store
// round trip and the request sees one generation per feature throughout.
type requestCache struct {
	mu      sync.Mutex
	entries map[string]outcome
	gens    map[string]requestGeneration
}

// requestGeneration is a feature generation as a request resolved it, with the epoch of
// the process's generation record at the time: a later local InvalidateFeature bumps the
// epoch and so overrides it even within the request.
type requestGeneration struct {
	gen   string
	epoch uint64
}

// WithRequestCache returns ctx carrying an empty request-level cache; GetOrLoad calls
// under it remember what they read for the rest of the request. The HTTP middleware calls
// it once per request. A ctx that already carries one is returned unchanged.
func WithRequestCache(ctx context.Context) context.Context {
	if requestCacheFrom(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, requestCacheKey{}, &requestCache{
		entries: make(map[string]outcome),
		gens:    make(map[string]requestGeneration),
	})
}

// requestCacheFrom returns ctx's request cache, or nil.
func requestCacheFrom(ctx context.Context) *requestCache {
	rc, _ := ctx.Value(requestCacheKey{}).(*requestCache)
	return rc
}

func (rc *requestCache) get(key string) (outcome, bool) {
	if rc == nil {
		return outcome{}, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	o, ok := rc.entries[key]
	return o, ok
}

func (rc *requestCache) put(key string, o outcome) {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if _, ok := rc.entries[key]; ok || len(rc.entries) < maxRequestEntries {
		rc.entries[key] = o
	}
}

func (rc *requestCache) forget(keys []string) {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, k := range keys {
		delete(rc.entries, k)
	}
}

func (rc *requestCache) clear() {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.entries)
	clear(rc.gens)
}

func (rc *requestCache) generation(feature string) (requestGeneration, bool) {
	if rc == nil {
		return requestGeneration{}, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	g, ok := rc.gens[feature]
	return g, ok
}

func (rc *requestCache) setGeneration(feature string, gen requestGeneration) {
	if rc == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.gens[feature] = gen
}
