package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
)

// The slot-safe path, taken on Redis Cluster: every script and MULTI touches one key, and
// multi-key work is split into ordered steps (see SessionStore for the trade-offs). The
// order that keeps the index authoritative is always: write a session before indexing
// it; delete a session before unindexing it.

// createSlotSafe writes the session, then indexes it and evicts the victims beyond the
// limit.
func (s *SessionStore) createSlotSafe(ctx context.Context, sess *domain.Session, key, index string, fields []any) ([]string, error) {
	if _, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, fields...)
		p.PExpire(ctx, key, sess.ExpiresAt.Sub(sess.CreatedAt))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("session store: create: %w", storeerr.Unavailable("redis", err))
	}
	evicted, err := s.indexSlotSafe(ctx, sess, index)
	if err != nil {
		// The token is never handed out, so the session is dropped rather than left
		// unindexed, even when ctx is what failed; should this DEL fail as well, the
		// session dies with its idle TTL and nobody holds its token.
		_ = s.client.Del(context.WithoutCancel(ctx), key).Err()
		return nil, err
	}
	return evicted, nil
}

// indexSlotSafe prunes the index of dead members, indexes sess and destroys the victims
// the index script picked.
func (s *SessionStore) indexSlotSafe(ctx context.Context, sess *domain.Session, index string) ([]string, error) {
	dead, err := s.deadMembers(ctx, index)
	if err != nil {
		return nil, fmt.Errorf("session store: create: prune index: %w", err)
	}
	args := append([]any{
		sess.ID,
		sess.CreatedAt.UnixMilli(),
		sess.AbsoluteExpiresAt.Sub(sess.CreatedAt).Milliseconds(),
		max(s.policy.MaxPerUser, 0),
	}, dead...)
	victims, err := sessionIndexScript.Run(ctx, s.client, []string{index}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("session store: create: index: %w", storeerr.Unavailable("redis", err))
	}
	s.observer.SessionsExpired(len(dead))
	if len(victims) == 0 {
		return nil, nil
	}
	if _, err := s.destroy(ctx, index, victims); err != nil {
		return nil, fmt.Errorf("session store: create: evict: %w", err)
	}
	return victims, nil
}

// deadMembers returns the members of index whose session key no longer exists.
func (s *SessionStore) deadMembers(ctx context.Context, index string) ([]any, error) {
	members, err := s.client.ZRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("read index: %w", storeerr.Unavailable("redis", err))
	}
	if len(members) == 0 {
		return nil, nil
	}
	keys, err := s.sessionKeys(members)
	if err != nil {
		return nil, err
	}
	exists := make([]*redis.IntCmd, len(keys))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			exists[i] = p.Exists(ctx, key)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("check index members: %w", storeerr.Unavailable("redis", err))
	}
	var dead []any
	for i, cmd := range exists {
		if cmd.Val() == 0 {
			dead = append(dead, members[i])
		}
	}
	return dead, nil
}

// destroy deletes the sessions ids (one DEL per key: they span slots), then removes
// them from index, and returns how many sessions existed. In that order, a failure in
// between leaves dangling index entries, which are pruned later, and never a live session
// outside its index.
func (s *SessionStore) destroy(ctx context.Context, index string, ids []string) (int, error) {
	keys, err := s.sessionKeys(ids)
	if err != nil {
		return 0, err
	}
	dels := make([]*redis.IntCmd, len(keys))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			dels[i] = p.Del(ctx, key)
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("delete sessions: %w", storeerr.Unavailable("redis", err))
	}
	destroyed := 0
	for _, cmd := range dels {
		destroyed += int(cmd.Val())
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	if err := s.client.ZRem(ctx, index, members...).Err(); err != nil {
		return 0, fmt.Errorf("unindex sessions: %w", storeerr.Unavailable("redis", err))
	}
	return destroyed, nil
}

// deleteSlotSafe reads the session's user and deletes it in one MULTI, then removes it
// from the user's index.
func (s *SessionStore) deleteSlotSafe(ctx context.Context, id, key string) error {
	var user *redis.StringCmd
	if _, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		user = p.HGet(ctx, key, sessionFieldUserID)
		p.Del(ctx, key)
		return nil
	}); err != nil && !isMiss(err) {
		return fmt.Errorf("session store: delete: %w", storeerr.Unavailable("redis", err))
	}
	if isMiss(user.Err()) {
		return nil
	}
	index, err := s.ks.UserSessions(user.Val())
	if err != nil {
		return fmt.Errorf("session store: delete: stored user id: %w", err)
	}
	if err := s.client.ZRem(ctx, index, id).Err(); err != nil {
		return fmt.Errorf("session store: delete: unindex: %w", storeerr.Unavailable("redis", err))
	}
	return nil
}

// deleteUserSlotSafe destroys every session in index. A session created while it runs
// may survive, as if it had been created just after.
func (s *SessionStore) deleteUserSlotSafe(ctx context.Context, index string) (int, error) {
	members, err := s.client.ZRange(ctx, index, 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("session store: delete user: read index: %w", storeerr.Unavailable("redis", err))
	}
	if len(members) == 0 {
		return 0, nil
	}
	n, err := s.destroy(ctx, index, members)
	if err != nil {
		return 0, fmt.Errorf("session store: delete user: %w", err)
	}
	return n, nil
}
