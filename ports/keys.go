package ports

import (
	"context"
	"time"
)

// KeyFamily names a layout of the Redis key schema (docs/architecture.md).
type KeyFamily string

// The key families; KeyUnknown is a key under the prefix that fits none.
const (
	KeyCache             KeyFamily = "cache"
	KeySession           KeyFamily = "session"
	KeyUserSessions      KeyFamily = "user-sessions"
	KeyStudySession      KeyFamily = "study-session"
	KeyStudySessionIndex KeyFamily = "study-session-index"
	KeyProgress          KeyFamily = "progress"
	KeyRateLimit         KeyFamily = "ratelimit"
	KeyIdempotency       KeyFamily = "idempotency-record"
	KeyIdempotencyIndex  KeyFamily = "idempotency-index"
	KeyUnknown           KeyFamily = "unknown"
)

// StoredKey is one key a KeyInventory scan found under the deployment's prefix.
type StoredKey struct {
	// Role is the Redis connection holding the key: "cache" or "state".
	Role string
	Key  string
	// Family and Pattern place the key in the schema; Pattern hides its ids.
	Family  KeyFamily
	Pattern string
	// UserID, ID (session, study-session or idempotency id) and CardID are the ids the
	// key names, where its family has them.
	UserID, ID, CardID string
	// TTL is the remaining time to live, or a negative duration for a key without one.
	TTL time.Duration
}

// KeyInventory reads and prunes the deployment's whole keyspace on both Redis roles (on
// Cluster, every master), for the operators' key report and cleanup.
type KeyInventory interface {
	// Scan hands fn every key under the prefix, in batches, with its remaining TTL;
	// fn is never called concurrently.
	Scan(ctx context.Context, fn func([]StoredKey) error) error
	// MemoryUsage returns the bytes each key of role takes (MEMORY USAGE); 0 for a key
	// gone meanwhile.
	MemoryUsage(ctx context.Context, role string, keys []string) ([]int64, error)
	// IndexMembers returns the members of the sorted-set index key of role.
	IndexMembers(ctx context.Context, role, key string) ([]string, error)
	// SessionIndexMembers returns the members of userID's session index in role, as it
	// is now (empty when it does not exist).
	SessionIndexMembers(ctx context.Context, role, userID string) ([]string, error)
	// SessionOwners returns the user id each session key of role holds ("" when gone).
	SessionOwners(ctx context.Context, role string, keys []string) ([]string, error)
	// Unlink deletes keys of role (UNLINK) and returns how many existed.
	Unlink(ctx context.Context, role string, keys []string) (int64, error)
	// RemoveIndexMembers removes members from the sorted-set index key of role.
	RemoveIndexMembers(ctx context.Context, role, key string, members []string) error
}
