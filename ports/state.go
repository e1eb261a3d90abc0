package ports

import (
	"context"
	"time"
)

// StateKey is one key of the state Redis role as DUMP serializes it.
type StateKey struct {
	// Key is the absolute key, under the deployment prefix.
	Key string
	// Dump is the value in Redis's DUMP format.
	Dump []byte
	// TTL is the remaining time to live when the key was read; zero means none.
	TTL time.Duration
}

// StateKeyStore reads and writes the raw keys of the state Redis role (sessions, user
// session indexes, study sessions, rate limits, idempotency records) for backups.
type StateKeyStore interface {
	// Prefix returns the deployment key prefix every state key starts with.
	Prefix() string
	// ScanState calls each for every state key under the prefix (on every master of a
	// cluster); keys that vanish while scanning are left out.
	ScanState(ctx context.Context, each func(StateKey) error) error
	// RestoreState writes k with its TTL. It returns false, and writes nothing, when the
	// key exists and replace is false.
	RestoreState(ctx context.Context, k StateKey, replace bool) (bool, error)
}
