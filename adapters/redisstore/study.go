package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/retry"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Update retry policy. An optimistic update fails only when another update of the same
// study session committed between its read and its write, so a caller never loses more
// rounds than there are concurrent writers; maxStudyUpdateAttempts leaves room far above
// the two or three devices a learner studies on.
const maxStudyUpdateAttempts = 64

// studyBackoff paces the rounds of an optimistic update.
var studyBackoff = retry.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond}

// studyCodecVersion is written into every stored study session so a later layout can
// tell old values apart during a rolling deploy. Fields added without changing the
// meaning of the others (history and undos) keep the version: a replica that predates
// them reads such a session and writes it back without them, which costs only the
// undo of the answers given before.
const studyCodecVersion = 1

// StudySessionStore is the Redis ports.StudySessionStore, on the state connection.
//
// Each study session is one string key, keyspace.StudySession(userID, id), holding the
// session as JSON under a TTL that every write renews, so an abandoned session expires
// a TTL after its last answer. The user id is part of the key: another user's id finds
// nothing. Update is optimistic: WATCH the key, read and decode it, apply the caller's
// function, and write it back in MULTI/EXEC, which Redis aborts when the key changed
// after the WATCH; the round is then retried on the new value. Two devices answering in
// one session therefore never overwrite each other's answer. The operation touches one
// key, so it runs unchanged on Redis Cluster.
type StudySessionStore struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
	ttl    time.Duration
}

var _ ports.StudySessionStore = (*StudySessionStore)(nil)

// NewStudySessionStore returns a store on client whose sessions live ttl after their last
// write.
func NewStudySessionStore(client redis.UniversalClient, ks keyspace.Keyspace, ttl time.Duration) *StudySessionStore {
	return &StudySessionStore{client: client, ks: ks, ttl: ttl}
}

// studySessionJSON is the stored form of a domain.StudySession.
type studySessionJSON struct {
	Version   int            `json:"v"`
	ID        string         `json:"id"`
	UserID    string         `json:"userId"`
	DeckID    string         `json:"deckId"`
	StartedAt time.Time      `json:"startedAt"`
	Queue     []string       `json:"queue"`
	Answers   map[string]int `json:"answers"`
	Reviewed  int            `json:"reviewed"`
	Correct   int            `json:"correct"`
	History   []answerJSON   `json:"history,omitempty"`
	Undos     int            `json:"undos,omitempty"`
}

// answerJSON is the stored form of a domain.AnswerRecord.
type answerJSON struct {
	CardID   string `json:"cardId"`
	ReviewID string `json:"reviewId"`
	Grade    int    `json:"grade"`
}

func encodeStudySession(s *domain.StudySession) ([]byte, error) {
	data, err := json.Marshal(studySessionJSON{
		Version:   studyCodecVersion,
		ID:        s.ID,
		UserID:    s.UserID,
		DeckID:    s.DeckID,
		StartedAt: s.StartedAt.UTC(),
		Queue:     s.Queue,
		Answers:   s.Answers,
		Reviewed:  s.Reviewed,
		Correct:   s.Correct,
		History:   encodeHistory(s.History),
		Undos:     s.Undos,
	})
	if err != nil {
		return nil, fmt.Errorf("encode study session: %w", err)
	}
	return data, nil
}

func decodeStudySession(data []byte) (*domain.StudySession, error) {
	var v studySessionJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("decode study session: %w", err)
	}
	if v.Version != studyCodecVersion {
		return nil, fmt.Errorf("decode study session: unknown layout version %d", v.Version)
	}
	s := domain.NewStudySession(v.ID, v.UserID, v.DeckID, v.StartedAt.UTC(), v.Queue)
	if s.Queue == nil {
		s.Queue = []string{}
	}
	for card, n := range v.Answers {
		s.Answers[card] = n
	}
	s.Reviewed, s.Correct, s.Undos = v.Reviewed, v.Correct, v.Undos
	for _, a := range v.History {
		s.History = append(s.History, domain.AnswerRecord{CardID: a.CardID, ReviewID: a.ReviewID, Grade: domain.Grade(a.Grade)})
	}
	return s, nil
}

func encodeHistory(history []domain.AnswerRecord) []answerJSON {
	out := make([]answerJSON, len(history))
	for i, a := range history {
		out[i] = answerJSON{CardID: a.CardID, ReviewID: a.ReviewID, Grade: int(a.Grade)}
	}
	return out
}

// Create stores s under the store's TTL; an id already taken yields domain.ErrConflict.
func (s *StudySessionStore) Create(ctx context.Context, sess *domain.StudySession) error {
	key, err := s.ks.StudySession(sess.UserID, sess.ID)
	if err != nil {
		return fmt.Errorf("study session store: create: %w", err)
	}
	data, err := encodeStudySession(sess)
	if err != nil {
		return fmt.Errorf("study session store: create %s: %w", sess.ID, err)
	}
	err = s.client.SetArgs(ctx, key, data, redis.SetArgs{Mode: "NX", TTL: s.ttl}).Err()
	switch {
	case isMiss(err):
		return fmt.Errorf("study session store: create %s: %w", sess.ID, domain.ErrConflict)
	case err != nil:
		return fmt.Errorf("study session store: create %s: %w", sess.ID, storeerr.Unavailable("redis", err))
	}
	if err := s.index(ctx, sess.UserID, sess.ID, sess.StartedAt); err != nil {
		return fmt.Errorf("study session store: create %s: %w", sess.ID, err)
	}
	return nil
}

// index adds session id, started at startedAt, to userID's index and renews the index's
// TTL, so it lives as long as the user's newest session. The index is a sorted set
// scored by start time; on Redis Cluster it may sit on another node than the session
// keys, so it is written after the session and read with care (see List).
func (s *StudySessionStore) index(ctx context.Context, userID, id string, startedAt time.Time) error {
	key, err := s.ks.StudySessionIndex(userID)
	if err != nil {
		return err
	}
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, key, redis.Z{Score: float64(startedAt.UnixMilli()), Member: id})
		p.PExpire(ctx, key, s.ttl)
		return nil
	})
	if err != nil {
		return storeerr.Unavailable("redis", err)
	}
	return nil
}

// renewIndex keeps userID's index alive as long as the session an update just renewed.
// It is best effort: the update is done whatever happens here, and an index that expires
// early only leaves an open session out of List until the user's next study session.
func (s *StudySessionStore) renewIndex(ctx context.Context, userID string) {
	if key, err := s.ks.StudySessionIndex(userID); err == nil {
		_ = s.client.PExpire(ctx, key, s.ttl).Err()
	}
}

// List returns userID's open study sessions, the most recently started first: the ids in
// their index, read back in one pipeline. Ids whose session expired or was deleted (the
// index outlives them) are dropped from the index as they are found.
func (s *StudySessionStore) List(ctx context.Context, userID string) ([]*domain.StudySession, error) {
	indexKey, err := s.ks.StudySessionIndex(userID)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return []*domain.StudySession{}, nil // no user has an id outside the key schema
	}
	ids, err := s.client.ZRevRange(ctx, indexKey, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("study session store: list: %w", storeerr.Unavailable("redis", err))
	}
	gets := make([]*redis.StringCmd, len(ids))
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			key, err := s.ks.StudySession(userID, id)
			if err != nil {
				return err
			}
			gets[i] = p.Get(ctx, key)
		}
		return nil
	})
	if err != nil && !isMiss(err) {
		return nil, fmt.Errorf("study session store: list: %w", storeerr.Unavailable("redis", err))
	}
	out := make([]*domain.StudySession, 0, len(ids))
	var gone []any
	for i, get := range gets {
		data, err := get.Bytes()
		if isMiss(err) {
			gone = append(gone, ids[i])
			continue
		}
		sess, err := decodeStudySession(data)
		if err != nil {
			return nil, fmt.Errorf("study session store: list: %w", err)
		}
		out = append(out, sess)
	}
	if len(gone) > 0 {
		if err := s.client.ZRem(ctx, indexKey, gone...).Err(); err != nil {
			return nil, fmt.Errorf("study session store: list: %w", storeerr.Unavailable("redis", err))
		}
	}
	return out, nil
}

// DeleteUser removes every study session of userID and their index.
func (s *StudySessionStore) DeleteUser(ctx context.Context, userID string) error {
	indexKey, err := s.ks.StudySessionIndex(userID)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil // no user has an id outside the key schema
	}
	err = deleteIndexed(ctx, s.client, indexKey, func(id string) (string, error) {
		return s.ks.StudySession(userID, id)
	})
	if err != nil {
		return fmt.Errorf("study session store: delete user: %w", err)
	}
	return nil
}

// Get returns userID's study session id or domain.ErrNotFound.
func (s *StudySessionStore) Get(ctx context.Context, userID, id string) (*domain.StudySession, error) {
	key, err := s.ks.StudySession(userID, id)
	if err != nil {
		return nil, fmt.Errorf("study session store: get: %w", domain.ErrNotFound)
	}
	data, err := s.client.Get(ctx, key).Bytes()
	switch {
	case isMiss(err):
		return nil, fmt.Errorf("study session store: get %s: %w", id, domain.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("study session store: get %s: %w", id, storeerr.Unavailable("redis", err))
	}
	sess, err := decodeStudySession(data)
	if err != nil {
		return nil, fmt.Errorf("study session store: get %s: %w", id, err)
	}
	return sess, nil
}

// Update applies fn to userID's study session atomically and renews its TTL. fn may run
// more than once (once per optimistic round) and must have no effect outside its
// argument; an fn error leaves the session unchanged and is returned wrapped. An unknown
// session is domain.ErrNotFound and fn is not called.
func (s *StudySessionStore) Update(ctx context.Context, userID, id string, fn func(*domain.StudySession) error) (*domain.StudySession, error) {
	key, err := s.ks.StudySession(userID, id)
	if err != nil {
		return nil, fmt.Errorf("study session store: update: %w", domain.ErrNotFound)
	}
	for attempt := 1; ; attempt++ {
		sess, err := s.updateOnce(ctx, key, fn)
		switch {
		case err == nil:
			s.renewIndex(ctx, userID)
			return sess, nil
		case !errors.Is(err, redis.TxFailedErr):
			return nil, fmt.Errorf("study session store: update %s: %w", id, err)
		case attempt == maxStudyUpdateAttempts:
			return nil, fmt.Errorf("study session store: update %s: %w: gave up after %d attempts",
				id, domain.ErrConflict, attempt)
		}
		if err := retry.Sleep(ctx, studyBackoff.Pause(attempt)); err != nil {
			return nil, fmt.Errorf("study session store: update %s: %w", id, err)
		}
	}
}

// updateOnce is one optimistic round of Update. It returns redis.TxFailedErr unwrapped
// when another write won the round.
func (s *StudySessionStore) updateOnce(ctx context.Context, key string, fn func(*domain.StudySession) error) (*domain.StudySession, error) {
	var updated *domain.StudySession
	// failed holds an error that is not Redis's: a value that does not decode, or fn's.
	var failed error
	err := s.client.Watch(ctx, func(tx *redis.Tx) error {
		data, err := tx.Get(ctx, key).Bytes()
		if err != nil {
			return err
		}
		sess, err := decodeStudySession(data)
		if err == nil {
			err = fn(sess)
		}
		if err == nil {
			data, err = encodeStudySession(sess)
		}
		if err != nil {
			failed = err
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, key, data, s.ttl)
			return nil
		})
		updated = sess
		return err
	}, key)
	switch {
	case err == nil:
		return updated, nil
	case failed != nil:
		return nil, failed
	case isMiss(err):
		return nil, domain.ErrNotFound
	case errors.Is(err, redis.TxFailedErr):
		return nil, err
	}
	return nil, storeerr.Unavailable("redis", err)
}

// Delete removes userID's study session id; an unknown one is a no-op.
func (s *StudySessionStore) Delete(ctx context.Context, userID, id string) error {
	key, err := s.ks.StudySession(userID, id)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil // no study session can have an id outside the key schema
	}
	indexKey, err := s.ks.StudySessionIndex(userID)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil
	}
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.ZRem(ctx, indexKey, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("study session store: delete %s: %w", id, storeerr.Unavailable("redis", err))
	}
	return nil
}

// TTL returns how long userID's study session id has left to live, or
// domain.ErrNotFound.
func (s *StudySessionStore) TTL(ctx context.Context, userID, id string) (time.Duration, error) {
	key, err := s.ks.StudySession(userID, id)
	if err != nil {
		return 0, fmt.Errorf("study session store: ttl: %w", domain.ErrNotFound)
	}
	ttl, err := s.client.PTTL(ctx, key).Result()
	switch {
	case err != nil:
		return 0, fmt.Errorf("study session store: ttl %s: %w", id, storeerr.Unavailable("redis", err))
	case ttl < 0: // -2: no such key; -1 (no expiry) cannot happen, every write sets one
		return 0, fmt.Errorf("study session store: ttl %s: %w", id, domain.ErrNotFound)
	}
	return ttl, nil
}
