package redisstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/localtier"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Bounds of LocalSessions' background write-backs: at most maxWriteBacks at once, each
// given writeBackTimeout.
const (
	maxWriteBacks    = 64
	writeBackTimeout = 5 * time.Second
)

// keyMissing is what go-redis's PTTL reports for a key that does not exist.
const keyMissing time.Duration = -2

// LocalSessions is a SessionStore whose Validate answers from a localtier.Tier when
// nothing changed, without a round trip. The tier must be kept coherent by a Tracker on
// the same server watching keyspace.SessionNamespace.
//
// A session read from Redis is held in the tier with the instant its key expires in
// Redis (its PTTL at the read) and its absolute expiry; Validate serves it until the
// first of the two, or until Redis reports its key changed: logout, logout everywhere,
// eviction by a newer login, an operator's revocation, expiry, a write-back, a flush.
// The rolling refresh (lastActivity, expiresAt and the key's TTL) is written back in the
// background by the store's one-round-trip Validate at most once per
// ActivityResolution per session, as the store itself rewrites them, and whenever the
// key's expiry in Redis has fallen min(ActivityResolution, IdleTimeout/2) behind the
// rolling expiry: a session therefore idles out in Redis at most that much earlier than
// idle timeout after its last use. While the tier is down (its
// Tracker lost the connection) every Validate is the store's own round trip.
//
// Delete, DeleteUser and the evictions of Create drop their sessions from this replica's
// tier before returning; other replicas drop them when Redis's invalidation reaches
// them (revocation delay: docs/performance.md).
type LocalSessions struct {
	*SessionStore
	tier *localtier.Tier

	writeBacks chan struct{}
	wg         sync.WaitGroup
}

var _ ports.SessionStore = (*LocalSessions)(nil)

// NewLocalSessions puts tier in front of store's Validate.
func NewLocalSessions(store *SessionStore, tier *localtier.Tier) *LocalSessions {
	return &LocalSessions{SessionStore: store, tier: tier, writeBacks: make(chan struct{}, maxWriteBacks)}
}

// localSession is a tier entry: the session as stored and when the tier must stop
// trusting it.
type localSession struct {
	stored     domain.Session
	validUntil time.Time
	// writing is set once a write-back of this copy has started (the copy is dropped when
	// it ends), or while the request that set it looks for a free write-back slot.
	writing atomic.Bool
}

// size estimates the entry's memory for the tier's byte bound.
func (l *localSession) size() int64 {
	n := 320 + len(l.stored.ID) + len(l.stored.UserID) + len(l.stored.OrganizationID) +
		len(l.stored.IPAddress) + len(l.stored.UserAgent)
	for _, p := range l.stored.Permissions {
		n += 16 + len(p)
	}
	return int64(n)
}

// Validate returns the live session id, from the tier when it holds a copy that is still
// valid at now, else from Redis (see the type's documentation).
func (s *LocalSessions) Validate(ctx context.Context, id string, now time.Time) (*domain.Session, error) {
	key, err := s.ks.Session(id)
	if err != nil {
		return nil, domain.ErrSessionInvalid
	}
	if v, ok := s.tier.Get(key); ok {
		if l, ok := v.(*localSession); ok && now.Before(l.validUntil) {
			return s.serve(ctx, l, key, now), nil
		}
		s.tier.Invalidate(key)
		return s.SessionStore.Validate(ctx, id, now)
	}
	tk := s.tier.Begin(key)
	if !tk.Valid() {
		return s.SessionStore.Validate(ctx, id, now)
	}
	l, err := s.read(ctx, key, id, now)
	if err != nil || l == nil {
		s.tier.Abandon(tk)
		if err != nil {
			return nil, err
		}
		// Past its absolute expiry: the store's Validate answers, deleting the session
		// and its entry in the user's index.
		return s.SessionStore.Validate(ctx, id, now)
	}
	s.tier.Fill(tk, l, l.size())
	return s.serve(ctx, l, key, now), nil
}

// read fetches session id and its remaining TTL in one round trip, without touching
// them (a write would invalidate the copy being read). A missing session is
// domain.ErrSessionInvalid, answered by this one round trip (a token that never was, or
// was revoked, costs no second); a session no longer valid at now is nil, for the
// store's Validate to clean up.
func (s *LocalSessions) read(ctx context.Context, key, id string, now time.Time) (*localSession, error) {
	var fields *redis.MapStringStringCmd
	var pttl *redis.DurationCmd
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		fields = p.HGetAll(ctx, key)
		pttl = p.PTTL(ctx, key)
		return nil
	})
	if err != nil && !isMiss(err) {
		return nil, fmt.Errorf("session store: validate: %w", storeerr.Unavailable("redis", err))
	}
	h, ttl := fields.Val(), pttl.Val()
	if len(h) == 0 || ttl == keyMissing {
		return nil, domain.ErrSessionInvalid
	}
	if ttl == 0 {
		return nil, nil // expiring this instant
	}
	sess, err := decodeSession(id, h)
	if err != nil {
		return nil, fmt.Errorf("session store: validate: %w", err)
	}
	until := sess.AbsoluteExpiresAt
	if ttl > 0 {
		until = minTime(until, now.Add(ttl))
	}
	if !now.Before(until) {
		return nil, nil
	}
	return &localSession{stored: *sess, validUntil: until}, nil
}

// serve returns a copy of l refreshed as of now, starting its write-back when the stored
// lastActivity is ActivityResolution old.
func (s *LocalSessions) serve(ctx context.Context, l *localSession, key string, now time.Time) *domain.Session {
	sess := l.stored
	sess.Permissions = slices.Clone(l.stored.Permissions)
	sess.ExpiresAt = minTime(now.Add(s.policy.IdleTimeout), sess.AbsoluteExpiresAt)
	if s.due(l, sess.ExpiresAt, now) && l.writing.CompareAndSwap(false, true) {
		if now.Sub(sess.LastActivity) >= s.policy.ActivityResolution {
			sess.LastActivity = now
		}
		s.writeBack(ctx, l, key, now)
	}
	return &sess
}

// due reports whether l must be written back at now: its stored lastActivity is
// ActivityResolution old (as the store rewrites it), or its key's expiry in Redis lags
// the rolling expiry it should have (rolling) by the resolution or half the idle timeout,
// whichever is shorter, so that a session in use never idles out in Redis even when the
// resolution is longer than the idle timeout.
func (s *LocalSessions) due(l *localSession, rolling, now time.Time) bool {
	lagLimit := min(s.policy.ActivityResolution, s.policy.IdleTimeout/2)
	return now.Sub(l.stored.LastActivity) >= s.policy.ActivityResolution || rolling.Sub(l.validUntil) >= lagLimit
}

// writeBack runs the store's Validate in the background: it rewrites lastActivity and
// expiresAt and extends the key's and the user index's TTL. The copy l is then out of
// date, whatever the outcome, so it is dropped from the tier as soon as the write-back
// ends, without waiting for Redis's invalidation to come round; the next request reads
// the session afresh. Until then l stays marked as being written, so the requests it
// serves meanwhile start no second write-back. When maxWriteBacks are already under way
// it is left to a later request. The write-back outlives the request (ctx's values are
// kept, its cancellation is not).
func (s *LocalSessions) writeBack(ctx context.Context, l *localSession, key string, now time.Time) {
	select {
	case s.writeBacks <- struct{}{}:
	default:
		l.writing.Store(false)
		return
	}
	s.wg.Go(func() {
		defer func() { <-s.writeBacks }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBackTimeout)
		defer cancel()
		_, _ = s.SessionStore.Validate(ctx, l.stored.ID, now) // the next read tells the outcome
		s.tier.Invalidate(key)
	})
}

// Wait returns once the write-backs under way have finished (call it before closing the
// Redis client), or when ctx ends.
func (s *LocalSessions) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("session store: write-backs: %w", ctx.Err())
	}
}

// Create stores sess (see SessionStore.Create) and drops the sessions it evicted from
// this replica's tier.
func (s *LocalSessions) Create(ctx context.Context, sess *domain.Session) ([]string, error) {
	evicted, err := s.SessionStore.Create(ctx, sess)
	s.drop(evicted...)
	return evicted, err
}

// Delete destroys session id (see SessionStore.Delete) and drops it from this replica's
// tier.
func (s *LocalSessions) Delete(ctx context.Context, id string) error {
	err := s.SessionStore.Delete(ctx, id)
	s.drop(id)
	return err
}

// DeleteUser destroys every session of userID (see SessionStore.DeleteUser) and drops
// them from this replica's tier.
func (s *LocalSessions) DeleteUser(ctx context.Context, userID string) (int, error) {
	n, err := s.SessionStore.DeleteUser(ctx, userID)
	s.tier.InvalidateFunc(func(_ string, v any) bool {
		l, ok := v.(*localSession)
		return ok && l.stored.UserID == userID
	})
	return n, err
}

func (s *LocalSessions) drop(ids ...string) {
	for _, id := range ids {
		if key, err := s.ks.Session(id); err == nil {
			s.tier.Invalidate(key)
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
