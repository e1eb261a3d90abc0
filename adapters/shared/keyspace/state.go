package keyspace

import "strings"

// StatePattern returns the SCAN MATCH pattern of every key under the prefix; the prefix
// holds no glob characters (see New), so the pattern is the prefix followed by '*'.
// IsStateKey tells the state role's keys from the cache role's among its matches.
func (k Keyspace) StatePattern() string { return k.prefix + "*" }

// IsStateKey reports whether key belongs to the state Redis role: it lies under the
// prefix and outside the cache role's namespaces (cache entries and progress copies),
// which share the server when no separate state Redis is configured.
func (k Keyspace) IsStateKey(key string) bool {
	rest, ok := strings.CutPrefix(key, k.prefix)
	return ok && !strings.HasPrefix(rest, "cache:") && !strings.HasPrefix(rest, "progress:")
}
