package redisstore

import (
	"context"
	"crypto/rand"
	_ "embed" // the lock release script is embedded from lua/
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
)

// sweepLockName names the lock that elects the replica running a sweep.
const sweepLockName = "session-sweep"

// sweepScanCount is the COUNT hint of the sweep's SCAN pages.
const sweepScanCount = 500

//go:embed lua/lock_release.lua
var lockReleaseSource string

var lockReleaseScript = redis.NewScript(lockReleaseSource)

// ErrSweepLocked reports that another replica holds the sweep lock: it has swept, or is
// sweeping, within the current lease.
var ErrSweepLocked = errors.New("redisstore: the session sweep lock is held by another replica")

// SweepReport says what one sweep pruned.
type SweepReport struct {
	// UserSessions and StudySessions count the members removed from the users'
	// session indexes and study-session indexes.
	UserSessions, StudySessions int
}

// IndexSweeper prunes the users' session indexes (keyspace.UserSessions) and
// study-session indexes (keyspace.StudySessionIndex) of the members whose session key
// has expired or is gone, which the stores otherwise prune only when the user logs in
// again or lists them. The indexes are found by SCAN over every master.
//
// A sweep runs under a lock (SET NX PX with a random token) whose lease is the sweep
// interval: after a sweep the lock is kept until the lease ends, so among replicas that
// sweep on the same interval one sweeps per interval; a sweep that fails releases it at
// once (a token-checked script) so that another replica may try.
type IndexSweeper struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
	lease  time.Duration
}

// NewIndexSweeper returns a sweeper of the indexes on client, the state role's
// connection, holding its lock for lease.
func NewIndexSweeper(client redis.UniversalClient, ks keyspace.Keyspace, lease time.Duration) *IndexSweeper {
	return &IndexSweeper{client: client, ks: ks, lease: lease}
}

// Sweep takes the lock and prunes every index. It returns ErrSweepLocked when another
// replica holds the lock; on another error the report holds what was pruned before it.
func (s *IndexSweeper) Sweep(ctx context.Context) (SweepReport, error) {
	lock, err := s.ks.Lock(sweepLockName)
	if err != nil {
		return SweepReport{}, fmt.Errorf("session sweep: %w", err)
	}
	token := rand.Text()
	err = s.client.SetArgs(ctx, lock, token, redis.SetArgs{Mode: "NX", TTL: s.lease}).Err()
	switch {
	case errors.Is(err, redis.Nil):
		return SweepReport{}, ErrSweepLocked
	case err != nil:
		return SweepReport{}, fmt.Errorf("session sweep: lock: %w", storeerr.Unavailable("redis", err))
	}
	report, err := s.sweepAll(ctx)
	if err != nil {
		// Best effort: an unreleased lock only delays the next sweep by its lease.
		_ = lockReleaseScript.Run(context.WithoutCancel(ctx), s.client, []string{lock}, token).Err()
		return report, fmt.Errorf("session sweep: %w", storeerr.Unavailable("redis", err))
	}
	return report, nil
}

// sweepAll prunes the indexes of every master.
func (s *IndexSweeper) sweepAll(ctx context.Context) (SweepReport, error) {
	var (
		mu    sync.Mutex
		total SweepReport
	)
	each := func(ctx context.Context, node *redis.Client) error {
		r, err := s.sweepNode(ctx, node)
		mu.Lock()
		total.UserSessions += r.UserSessions
		total.StudySessions += r.StudySessions
		mu.Unlock()
		return err
	}
	cluster, ok := s.client.(*redis.ClusterClient)
	if !ok {
		node, ok := s.client.(*redis.Client)
		if !ok {
			return total, fmt.Errorf("unsupported client %T", s.client)
		}
		return total, each(ctx, node)
	}
	return total, cluster.ForEachMaster(ctx, each)
}

// sweepNode prunes the indexes stored on node.
func (s *IndexSweeper) sweepNode(ctx context.Context, node *redis.Client) (SweepReport, error) {
	var report SweepReport
	users := func(_, member string) (string, error) {
		return s.ks.Session(member)
	}
	n, err := s.sweepIndexes(ctx, node, s.ks.UserSessionsPattern(), s.ks.UserSessionsNamespace(), users)
	report.UserSessions = n
	if err != nil {
		return report, err
	}
	study := func(userID, member string) (string, error) {
		return s.ks.StudySession(userID, member)
	}
	n, err = s.sweepIndexes(ctx, node, s.ks.StudySessionIndexPattern(), s.ks.StudySessionsNamespace(), study)
	report.StudySessions = n
	return report, err
}

// sessionKeyFunc returns the key of the session member of the index of userID.
type sessionKeyFunc func(userID, member string) (string, error)

// sweepIndexes prunes the sorted sets of node that match match: namespace followed by
// the user id. It returns how many members it removed.
func (s *IndexSweeper) sweepIndexes(ctx context.Context, node *redis.Client, match, namespace string, sessionKey sessionKeyFunc) (int, error) {
	var (
		pruned int
		cursor uint64
	)
	for {
		keys, next, err := node.ScanType(ctx, cursor, match, sweepScanCount, "zset").Result()
		if err != nil {
			return pruned, err
		}
		for _, key := range keys {
			userID, ok := strings.CutPrefix(key, namespace)
			if !ok || keyspace.ValidateSegment(userID) != nil {
				continue // not an index of the schema
			}
			n, err := s.pruneIndex(ctx, key, userID, sessionKey)
			pruned += n
			if err != nil {
				return pruned, err
			}
		}
		if next == 0 {
			return pruned, nil
		}
		cursor = next
	}
}

// pruneIndex removes from index the members whose session key does not exist. The
// stores write a session before indexing it, so a member without its key is dead; so is
// a member that is no valid id.
func (s *IndexSweeper) pruneIndex(ctx context.Context, index, userID string, sessionKey sessionKeyFunc) (int, error) {
	members, err := s.client.ZRange(ctx, index, 0, -1).Result()
	if err != nil || len(members) == 0 {
		return 0, err
	}
	var dead []any
	exists := make(map[string]*redis.IntCmd, len(members))
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, member := range members {
			if key, err := sessionKey(userID, member); err != nil {
				dead = append(dead, member)
			} else {
				exists[member] = p.Exists(ctx, key)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for member, cmd := range exists {
		if cmd.Val() == 0 {
			dead = append(dead, member)
		}
	}
	if len(dead) == 0 {
		return 0, nil
	}
	removed, err := s.client.ZRem(ctx, index, dead...).Result()
	return int(removed), err
}
