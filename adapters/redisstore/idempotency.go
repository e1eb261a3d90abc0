package redisstore

import (
	"context"
	"crypto/rand"
	_ "embed" // the idempotency scripts are embedded from lua/
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// idempotencyCodecVersion is written into every stored record so a later layout can tell
// old values apart during a rolling deploy.
const idempotencyCodecVersion = 1

var (
	//go:embed lua/idempotency_complete.lua
	idempotencyCompleteSource string
	//go:embed lua/idempotency_release.lua
	idempotencyReleaseSource string

	// The scripts check the claim's token and write in one step, on one key.
	idempotencyCompleteScript = redis.NewScript(idempotencyCompleteSource)
	idempotencyReleaseScript  = redis.NewScript(idempotencyReleaseSource)
)

// IdempotencyStore is the Redis ports.IdempotencyStore, on the state connection.
//
// Each record is one string key, keyspace.Idempotency(userID, key), named by the SHA-256
// of the client's key, holding JSON: first a claim (the request's fingerprint and a
// random token) taken with SET NX under the lock TTL, then the response (with the same
// fingerprint) under the retention, written by a script that checks the token. Each
// operation touches one record key, so it is atomic on Redis Cluster too.
//
// A user's index, keyspace.IdempotencyIndex(userID), is a sorted set of their records'
// digests scored by the latest time each can expire, so DeleteUser finds every record
// without SCAN. It is written before the claim, so a record is never missing from it;
// it may sit on another Cluster node than the records, and lives as long as the newest
// record it lists can.
type IdempotencyStore struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
	policy ports.IdempotencyPolicy
}

var _ ports.IdempotencyStore = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns a store on client that keeps claims and responses as
// policy says.
func NewIdempotencyStore(client redis.UniversalClient, ks keyspace.Keyspace, policy ports.IdempotencyPolicy) *IdempotencyStore {
	return &IdempotencyStore{client: client, ks: ks, policy: policy}
}

// idempotencyJSON is the stored form of a claim (Token set) or a completed response
// (Response set).
type idempotencyJSON struct {
	Version     int           `json:"v"`
	Fingerprint string        `json:"fp"`
	Token       string        `json:"token,omitempty"`
	Response    *responseJSON `json:"resp,omitempty"`
}

// responseJSON is the stored form of a ports.IdempotentResponse.
type responseJSON struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   []byte            `json:"body,omitempty"`
}

// Claim implements ports.IdempotencyStore with SET NX GET: one round trip that either
// takes the key or returns what holds it.
func (s *IdempotencyStore) Claim(ctx context.Context, userID, key, fingerprint string) (ports.IdempotencyClaim, error) {
	record, err := s.ks.Idempotency(userID, key)
	if err != nil {
		return ports.IdempotencyClaim{}, fmt.Errorf("idempotency store: claim: %w", err)
	}
	if err := s.index(ctx, userID, keyspace.IdempotencyDigest(key)); err != nil {
		return ports.IdempotencyClaim{}, fmt.Errorf("idempotency store: claim: %w", err)
	}
	token := rand.Text()
	value, err := json.Marshal(idempotencyJSON{Version: idempotencyCodecVersion, Fingerprint: fingerprint, Token: token})
	if err != nil {
		return ports.IdempotencyClaim{}, fmt.Errorf("idempotency store: claim: %w", err)
	}
	held, err := s.client.SetArgs(ctx, record, value, redis.SetArgs{Mode: "NX", TTL: s.policy.LockTTL, Get: true}).Result()
	switch {
	case isMiss(err):
		return ports.IdempotencyClaim{State: ports.IdempotencyClaimed, Fingerprint: fingerprint, Token: token}, nil
	case err != nil:
		return ports.IdempotencyClaim{}, fmt.Errorf("idempotency store: claim: %w", storeerr.Unavailable("redis", err))
	}
	claim, err := decodeIdempotency(held)
	if err != nil {
		return ports.IdempotencyClaim{}, fmt.Errorf("idempotency store: claim: %w", err)
	}
	return claim, nil
}

// index lists digest in userID's index, drops the entries of records that have expired
// for sure, and makes the index live as long as the new record can.
func (s *IdempotencyStore) index(ctx context.Context, userID, digest string) error {
	key, err := s.ks.IdempotencyIndex(userID)
	if err != nil {
		return err
	}
	lifetime := s.policy.LockTTL + s.policy.Retention
	now := time.Now()
	_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, key, redis.Z{Score: float64(now.Add(lifetime).UnixMilli()), Member: digest})
		p.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(now.UnixMilli(), 10))
		p.PExpire(ctx, key, lifetime)
		return nil
	})
	if err != nil {
		return storeerr.Unavailable("redis", err)
	}
	return nil
}

// Complete implements ports.IdempotencyStore.
func (s *IdempotencyStore) Complete(ctx context.Context, userID, key, token string, resp ports.IdempotentResponse) error {
	record, err := s.ks.Idempotency(userID, key)
	if err != nil {
		return fmt.Errorf("idempotency store: complete: %w", err)
	}
	value, err := json.Marshal(responseJSON(resp))
	if err != nil {
		return fmt.Errorf("idempotency store: complete: %w", err)
	}
	kept, err := idempotencyCompleteScript.Run(ctx, s.client, []string{record},
		token, value, s.policy.Retention.Milliseconds()).Int()
	switch {
	case err != nil:
		return fmt.Errorf("idempotency store: complete: %w", storeerr.Unavailable("redis", err))
	case kept == 0:
		return fmt.Errorf("idempotency store: complete: the claim is gone: %w", domain.ErrConflict)
	}
	return nil
}

// Release implements ports.IdempotencyStore. The digest stays in the user's index until
// it is pruned; DeleteUser deleting a key that is gone is harmless.
func (s *IdempotencyStore) Release(ctx context.Context, userID, key, token string) error {
	record, err := s.ks.Idempotency(userID, key)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil // no claim was taken under a key outside the schema
	}
	if err := idempotencyReleaseScript.Run(ctx, s.client, []string{record}, token).Err(); err != nil {
		return fmt.Errorf("idempotency store: release: %w", storeerr.Unavailable("redis", err))
	}
	return nil
}

// DeleteUser implements ports.IdempotencyStore: the records its index lists, then the
// index.
func (s *IdempotencyStore) DeleteUser(ctx context.Context, userID string) error {
	indexKey, err := s.ks.IdempotencyIndex(userID)
	if errors.Is(err, keyspace.ErrInvalidKey) {
		return nil // no user has an id outside the key schema
	}
	err = deleteIndexed(ctx, s.client, indexKey, func(digest string) (string, error) {
		return s.ks.IdempotencyRecord(userID, digest)
	})
	if err != nil {
		return fmt.Errorf("idempotency store: delete user: %w", err)
	}
	return nil
}

// decodeIdempotency reads a stored record as what a claim that found it reports.
func decodeIdempotency(raw string) (ports.IdempotencyClaim, error) {
	var v idempotencyJSON
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return ports.IdempotencyClaim{}, fmt.Errorf("decode idempotency record: %w", err)
	}
	if v.Version != idempotencyCodecVersion {
		return ports.IdempotencyClaim{}, fmt.Errorf("decode idempotency record: unknown layout version %d", v.Version)
	}
	if v.Response == nil {
		return ports.IdempotencyClaim{State: ports.IdempotencyInProgress, Fingerprint: v.Fingerprint}, nil
	}
	resp := ports.IdempotentResponse(*v.Response)
	return ports.IdempotencyClaim{State: ports.IdempotencyCompleted, Fingerprint: v.Fingerprint, Response: &resp}, nil
}
