package cacheadmin

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/studytool/studytool/ports"
)

// cleanupBatch is how many keys one delete of the cleanup removes.
const cleanupBatch = 500

// Cleanup is the outcome of a cleanup of old cache schema versions.
type Cleanup struct {
	// Scanned counts the cache keys looked at; Old those of a known feature in a schema
	// version other than the current one; Deleted those removed (0 on a dry run).
	Scanned int64 `json:"scanned"`
	Old     int64 `json:"old"`
	Deleted int64 `json:"deleted"`
	// ByFeature counts the old entries per feature and version, as `feature:vN`.
	ByFeature map[string]int64 `json:"byFeature"`
}

// CleanupOldVersionsHandler deletes cache entries of schema versions this release does
// not read: the last step of a rolling deploy that changed a cache schema, once no
// process of the previous release is left. Entries of features it does not know, and
// the generation counters, are kept.
type CleanupOldVersionsHandler struct {
	scanner ports.CacheScanner
	store   ports.CacheStore
	current map[string]int
}

// NewCleanupOldVersionsHandler builds the handler; current maps each feature to the
// schema version this release uses (cached.Schemas).
func NewCleanupOldVersionsHandler(scanner ports.CacheScanner, store ports.CacheStore, current map[string]int) *CleanupOldVersionsHandler {
	return &CleanupOldVersionsHandler{scanner: scanner, store: store, current: current}
}

// Handle walks the cache namespace once and deletes (unless dryRun) every entry of a
// known feature whose schema version is not the current one, in batches. step, when not
// nil, is called after each page with the keys scanned so far.
func (h *CleanupOldVersionsHandler) Handle(ctx context.Context, dryRun bool, step func(scanned int64)) (*Cleanup, error) {
	out := &Cleanup{ByFeature: make(map[string]int64)}
	err := h.scanner.ScanKeys(ctx, "*", func(keys []string) error {
		out.Scanned += int64(len(keys))
		var old []string
		for _, k := range keys {
			if label, ok := h.oldVersion(k); ok {
				old = append(old, k)
				out.ByFeature[label]++
			}
		}
		out.Old += int64(len(old))
		if step != nil {
			step(out.Scanned)
		}
		if dryRun {
			return nil
		}
		return h.delete(ctx, old, out)
	})
	if err != nil {
		return out, fmt.Errorf("clean up old cache versions: %w", err)
	}
	return out, nil
}

// delete removes keys in batches and counts what went.
func (h *CleanupOldVersionsHandler) delete(ctx context.Context, keys []string, out *Cleanup) error {
	for start := 0; start < len(keys); start += cleanupBatch {
		n, err := h.store.Delete(ctx, keys[start:min(start+cleanupBatch, len(keys))]...)
		out.Deleted += n
		if err != nil {
			return err
		}
	}
	return nil
}

// oldVersion reports `feature:vN` for a key of a known feature whose version N is not
// the current one.
func (h *CleanupOldVersionsHandler) oldVersion(key string) (string, bool) {
	feature, version, ok := parseCacheKey(h.current, key)
	if !ok {
		return "", false
	}
	return feature + ":v" + strconv.Itoa(version), version != h.current[feature]
}

// parseCacheKey parses a relative cache key `{feature}:v{schema}:g{generation}:{id}` of
// one of the known features.
func parseCacheKey(known map[string]int, key string) (feature string, version int, ok bool) {
	parts := strings.Split(key, ":")
	for i := 1; i+2 < len(parts); i++ {
		v, isVersion := strings.CutPrefix(parts[i], "v")
		n, err := strconv.Atoi(v)
		if !isVersion || err != nil || !strings.HasPrefix(parts[i+1], "g") {
			continue
		}
		feature = strings.Join(parts[:i], ":")
		if _, found := known[feature]; found {
			return feature, n, true
		}
	}
	return "", 0, false
}
