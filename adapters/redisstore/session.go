package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/observe"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// SessionStore is the Redis ports.SessionStore.
//
// Each session is a hash at keyspace.Session(id) whose TTL is its real expiry,
// min(last use + IdleTimeout, AbsoluteExpiresAt), so Redis itself enforces idle and
// absolute expiry together. Each user has an index at keyspace.UserSessions(userID): a
// sorted set of session ids scored by creation time (unix ms). The index is authoritative
// for the per-user limit and for logout-all, and is never left holding a session it
// cannot see: a session is written before it is indexed, and removed from the index only
// after its key is deleted or has expired. Dangling entries (a member whose session has
// expired) are pruned by Create and List.
//
// The store runs one of two paths, chosen from the client it is given:
//
//   - Single node (*redis.Client: standalone or behind Sentinel). Create, Delete and
//     DeleteUser are each one Lua script that touches the session keys and the index
//     together, so each is atomic. The index's TTL is kept equal to the longest remaining
//     TTL of its sessions: Create sets it from its members' TTLs and Validate extends it
//     (a Delete does not shorten it).
//   - Redis Cluster (or any other sharded client). Under the fixed key schema, which has
//     no hash tags, a session and its user's index live in different hash slots, and no
//     script may span slots. Create therefore writes the session (one MULTI on its slot),
//     then runs an index script on the index's slot that prunes, adds and picks the
//     victims beyond the limit, then deletes the victims' keys, then removes them from the
//     index. DeleteUser reads the index, deletes the sessions, then removes them from
//     the index. The trade-offs: these operations are ordered steps rather than one
//     atomic one, so an evicted or revoked session stays valid for the round trip between
//     the index decision and its DEL (should that DEL fail, the session stays indexed,
//     the call reports the error, and the next Create or logout-all deletes it); two
//     racing Creates may both report the same victim; a login racing a logout-all may
//     survive it, exactly as if it had happened just after; and Validate, being one
//     round trip to the session's slot, cannot extend the index's TTL, so on Cluster the
//     index is kept until its newest member's absolute expiry, and entries of sessions
//     that died idle linger until the next Create or List prunes them. Once every Create
//     has returned, a user never holds more than MaxPerUser live sessions.
//
// Validate is one EVALSHA on both paths. TTLs are set relative to the caller's clock
// (remaining = expiry - now), so a clock that is skewed against the Redis server's never
// makes a session expire early or late.
type SessionStore struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
	policy domain.SessionPolicy
	// atomic selects the single-node path, where one script may touch a session and its
	// user's index.
	atomic bool
	// observer is told of creations, evictions and pruned expired sessions.
	observer ports.SessionObserver
}

var _ ports.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns a store on client that applies policy (MaxPerUser < 1 means no
// limit) and reports to observer (nil: to nobody). A *redis.Client takes the atomic
// single-node path, any other client (Cluster, Ring) the slot-safe one.
func NewSessionStore(client redis.UniversalClient, ks keyspace.Keyspace, policy domain.SessionPolicy, observer ports.SessionObserver) *SessionStore {
	_, single := client.(*redis.Client)
	return &SessionStore{client: client, ks: ks, policy: policy, atomic: single, observer: observe.Sessions(observer)}
}

// Create stores sess after completing its expiry fields under the store's policy (see
// domain.SessionPolicy.Start), indexes it, prunes the user's dead entries and evicts the
// oldest sessions beyond the limit. Times are stored at millisecond precision.
func (s *SessionStore) Create(ctx context.Context, sess *domain.Session) ([]string, error) {
	sess.CreatedAt = sessionMillis(sess.CreatedAt)
	sess.AbsoluteExpiresAt = sessionMillis(sess.AbsoluteExpiresAt)
	if err := s.policy.Start(sess); err != nil {
		return nil, fmt.Errorf("session store: create: %w", err)
	}
	key, err := s.ks.Session(sess.ID)
	if err != nil {
		return nil, fmt.Errorf("session store: create: id: %w", err)
	}
	index, err := s.ks.UserSessions(sess.UserID)
	if err != nil {
		return nil, fmt.Errorf("session store: create: user id: %w", err)
	}
	fields, err := sessionHash(sess)
	if err != nil {
		return nil, fmt.Errorf("session store: create: %w", err)
	}
	var evicted []string
	if s.atomic {
		evicted, err = s.createAtomic(ctx, sess, key, index, fields)
	} else {
		evicted, err = s.createSlotSafe(ctx, sess, key, index, fields)
	}
	if err != nil {
		return nil, err
	}
	s.observer.SessionCreated(len(evicted))
	return evicted, nil
}

func (s *SessionStore) createAtomic(ctx context.Context, sess *domain.Session, key, index string, fields []any) ([]string, error) {
	args := append([]any{
		sess.ID,
		sess.CreatedAt.UnixMilli(),
		sess.ExpiresAt.Sub(sess.CreatedAt).Milliseconds(),
		max(s.policy.MaxPerUser, 0),
		s.ks.SessionNamespace(),
	}, fields...)
	reply, err := sessionCreateScript.Run(ctx, s.client, []string{key, index}, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("session store: create: %w", storeerr.Unavailable("redis", err))
	}
	evicted, pruned, err := decodeCreateReply(reply)
	if err != nil {
		return nil, fmt.Errorf("session store: create: %w", err)
	}
	s.observer.SessionsExpired(pruned)
	return evicted, nil
}

// decodeCreateReply decodes session_create.lua's { evicted ids, pruned count }.
func decodeCreateReply(reply []any) ([]string, int, error) {
	if len(reply) != 2 {
		return nil, 0, fmt.Errorf("unexpected script reply of %d elements", len(reply))
	}
	ids, ok := reply[0].([]any)
	if !ok {
		return nil, 0, fmt.Errorf("unexpected evicted ids %T", reply[0])
	}
	pruned, ok := reply[1].(int64)
	if !ok {
		return nil, 0, fmt.Errorf("unexpected pruned count %T", reply[1])
	}
	var evicted []string
	for _, id := range ids {
		v, ok := id.(string)
		if !ok {
			return nil, 0, fmt.Errorf("unexpected evicted id %T", id)
		}
		evicted = append(evicted, v)
	}
	return evicted, int(pruned), nil
}

// Validate returns the live session id and refreshes its expiry as of now in one round
// trip; the returned ExpiresAt is the refreshed one. The stored lastActivity and
// expiresAt are rewritten only once per ActivityResolution, so Get and List may report an
// expiresAt up to that much earlier than the real one.
func (s *SessionStore) Validate(ctx context.Context, id string, now time.Time) (*domain.Session, error) {
	key, err := s.ks.Session(id)
	if err != nil {
		return nil, domain.ErrSessionInvalid
	}
	indexNamespace := ""
	if s.atomic {
		indexNamespace = s.ks.UserSessionsNamespace()
	}
	reply, err := sessionValidateScript.Run(ctx, s.client, []string{key},
		id,
		now.UnixMilli(),
		s.policy.IdleTimeout.Milliseconds(),
		s.policy.ActivityResolution.Milliseconds(),
		indexNamespace,
	).Slice()
	if isMiss(err) {
		return nil, domain.ErrSessionInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("session store: validate: %w", storeerr.Unavailable("redis", err))
	}
	sess, err := decodeValidateReply(id, reply)
	if err != nil {
		return nil, fmt.Errorf("session store: validate: %w", err)
	}
	return sess, nil
}

// decodeValidateReply decodes session_validate.lua's { field/value pairs, expiresAt }.
func decodeValidateReply(id string, reply []any) (*domain.Session, error) {
	if len(reply) != 2 {
		return nil, fmt.Errorf("unexpected script reply of %d elements", len(reply))
	}
	pairs, ok := reply[0].([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected script reply %T", reply[0])
	}
	h, err := pairsToMap(pairs)
	if err != nil {
		return nil, err
	}
	sess, err := decodeSession(id, h)
	if err != nil {
		return nil, err
	}
	expiry, ok := reply[1].(string)
	if !ok {
		return nil, fmt.Errorf("unexpected expiry %T", reply[1])
	}
	if sess.ExpiresAt, err = parseMillis(expiry); err != nil {
		return nil, err
	}
	return sess, nil
}

// Get returns the live session id without touching it.
func (s *SessionStore) Get(ctx context.Context, id string) (*domain.Session, error) {
	key, err := s.ks.Session(id)
	if err != nil {
		return nil, domain.ErrSessionInvalid
	}
	h, err := s.client.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("session store: get: %w", storeerr.Unavailable("redis", err))
	}
	if len(h) == 0 {
		return nil, domain.ErrSessionInvalid
	}
	sess, err := decodeSession(id, h)
	if err != nil {
		return nil, fmt.Errorf("session store: get: %w", err)
	}
	return sess, nil
}

// Delete destroys session id and its index entry; an unknown id is a no-op.
func (s *SessionStore) Delete(ctx context.Context, id string) error {
	key, err := s.ks.Session(id)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil // no session can have an id outside the key schema
	}
	if err != nil {
		return fmt.Errorf("session store: delete: %w", err)
	}
	if s.atomic {
		err := sessionDeleteScript.Run(ctx, s.client, []string{key}, id, s.ks.UserSessionsNamespace()).Err()
		if err != nil {
			return fmt.Errorf("session store: delete: %w", storeerr.Unavailable("redis", err))
		}
		return nil
	}
	return s.deleteSlotSafe(ctx, id, key)
}

// DeleteUser destroys every session of userID and its index, returning how many live
// sessions it destroyed.
func (s *SessionStore) DeleteUser(ctx context.Context, userID string) (int, error) {
	index, err := s.ks.UserSessions(userID)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return 0, nil // no user has such an id, so there is nothing to revoke
	}
	if err != nil {
		return 0, fmt.Errorf("session store: delete user: %w", err)
	}
	if !s.atomic {
		return s.deleteUserSlotSafe(ctx, index)
	}
	n, err := sessionDeleteUserScript.Run(ctx, s.client, []string{index}, s.ks.SessionNamespace()).Int()
	if err != nil {
		return 0, fmt.Errorf("session store: delete user: %w", storeerr.Unavailable("redis", err))
	}
	return n, nil
}

// List returns userID's live sessions, newest first, and removes index entries whose
// session has expired. Removing them is safe without a lock on either path: a session id
// is never reused, and a session key is written before its id enters the index.
func (s *SessionStore) List(ctx context.Context, userID string) ([]domain.Session, error) {
	index, err := s.ks.UserSessions(userID)
	if err != nil {
		return nil, fmt.Errorf("session store: list: %w", err)
	}
	ids, err := s.client.ZRevRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("session store: list: %w", storeerr.Unavailable("redis", err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys, err := s.sessionKeys(ids)
	if err != nil {
		return nil, fmt.Errorf("session store: list: %w", err)
	}
	hashes, err := s.readSessions(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("session store: list: %w", storeerr.Unavailable("redis", err))
	}
	sessions := make([]domain.Session, 0, len(ids))
	var dead []any
	for i, h := range hashes {
		if len(h) == 0 {
			dead = append(dead, ids[i])
			continue
		}
		sess, err := decodeSession(ids[i], h)
		if err != nil {
			return nil, fmt.Errorf("session store: list: %w", err)
		}
		sessions = append(sessions, *sess)
	}
	if len(dead) > 0 {
		if err := s.client.ZRem(ctx, index, dead...).Err(); err != nil {
			return nil, fmt.Errorf("session store: list: prune index: %w", storeerr.Unavailable("redis", err))
		}
		s.observer.SessionsExpired(len(dead))
	}
	return sessions, nil
}

// readSessions reads the hashes at keys in one pipeline; a missing session reads empty.
func (s *SessionStore) readSessions(ctx context.Context, keys []string) ([]map[string]string, error) {
	cmds := make([]*redis.MapStringStringCmd, len(keys))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			cmds[i] = p.HGetAll(ctx, key)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]map[string]string, len(cmds))
	for i, cmd := range cmds {
		out[i] = cmd.Val()
	}
	return out, nil
}

// sessionKeys returns the session keys of index members.
func (s *SessionStore) sessionKeys(ids []string) ([]string, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		key, err := s.ks.Session(id)
		if err != nil {
			return nil, fmt.Errorf("index member: %w", err)
		}
		keys[i] = key
	}
	return keys, nil
}

// Ping reports whether the server answers.
func (s *SessionStore) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("session store: ping: %w", storeerr.Unavailable("redis", err))
	}
	return nil
}
