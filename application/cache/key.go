package cache

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// generationFeature is the reserved first segment of the generation counters
// (`gen:<feature>`); no feature may use it.
const generationFeature = "gen"

// errInvalidKey reports a Key the cache cannot store; GetOrLoad then serves the loader's
// result uncached and counts an error.
var errInvalidKey = errors.New("invalid cache key")

// Key names one cached value: a feature (`user:profile`), the schema version of the
// value's encoding, and the identifier within the feature. In the store it becomes
// `feature:vN:gG:id`, where G is the feature's current generation.
type Key struct {
	feature string
	version int
	id      string
}

// NewKey returns the key of id in feature at schema version (≥ 1). Bump the version
// whenever the cached type changes shape, so a rolling deploy reads old and new entries
// side by side instead of misreading each other's. The store validates the characters of
// feature and id when the key is used: `:`-separated segments without whitespace, control
// or glob characters.
func NewKey(feature string, version int, id string) Key {
	return Key{feature: feature, version: version, id: id}
}

// Feature returns the key's feature.
func (k Key) Feature() string { return k.feature }

// String returns the key without its generation, `feature:vN:id`, for logs.
func (k Key) String() string {
	return k.feature + ":v" + strconv.Itoa(k.version) + ":" + k.id
}

// storageKey returns the relative store key of k in generation gen.
func (k Key) storageKey(gen string) string {
	return versionedKey(k.feature, k.version, gen, k.id)
}

func versionedKey(feature string, version int, gen, id string) string {
	return feature + ":v" + strconv.Itoa(version) + ":g" + gen + ":" + id
}

// validate checks what the store cannot: that the version is positive, the id present
// and the feature a literal name outside the reserved generation namespace (a glob
// character in a feature would widen its invalidation sweep).
func (k Key) validate() error {
	if k.version < 1 {
		return fmt.Errorf("%w: %s: version must be at least 1", errInvalidKey, k)
	}
	if k.id == "" {
		return fmt.Errorf("%w: %s: empty id", errInvalidKey, k)
	}
	return ValidateFeature(k.feature)
}

// ValidateFeature accepts a cache feature name: `:`-separated non-empty segments free of
// whitespace, control and glob characters, whose first segment is not the reserved "gen".
func ValidateFeature(feature string) error {
	if first, _, _ := strings.Cut(feature, ":"); first == generationFeature {
		return fmt.Errorf("%w: feature %q is reserved", errInvalidKey, feature)
	}
	for s := range strings.SplitSeq(feature, ":") { // SplitSeq: no slice allocated per key
		if s == "" || strings.ContainsFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`*?[]\`, r)
		}) {
			return fmt.Errorf("%w: feature %q", errInvalidKey, feature)
		}
	}
	return nil
}

// generationKey returns the store key of feature's generation.
func generationKey(feature string) string { return generationFeature + ":" + feature }
