package redisstore

import (
	"context"
	_ "embed" // the progress script is embedded from lua/
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

var (
	//go:embed lua/progress_set.lua
	progressSetSource string
	// progressSetScript writes a copy unless a newer version is stored (one key, so it
	// runs unchanged on a Redis Cluster).
	progressSetScript = redis.NewScript(progressSetSource)
)

// ProgressCache is the Redis ports.ProgressCache: a JSON copy of each (user, card)
// progress under `{prefix}progress:{userId}:{cardId}`, written through after the database
// commit and expiring after a TTL, which bounds both memory and how long a copy can
// outlive a write-through that failed. A write never replaces a newer version with an
// older one.
type ProgressCache struct {
	client redis.UniversalClient
	ks     keyspace.Keyspace
	ttl    time.Duration
}

var _ ports.ProgressCache = (*ProgressCache)(nil)

// NewProgressCache returns a progress cache over client whose entries live for ttl (at
// least a millisecond: Set refuses to write otherwise).
func NewProgressCache(client redis.UniversalClient, ks keyspace.Keyspace, ttl time.Duration) *ProgressCache {
	return &ProgressCache{client: client, ks: ks, ttl: ttl}
}

// progressRecordVersion is the layout of progressRecord; a copy of another layout (from
// before a deploy) reads as a miss.
const progressRecordVersion = 2

// progressRecord is the cached JSON form of a progress. EF stays in integer hundredths.
type progressRecord struct {
	V              int        `json:"v"`
	UserID         string     `json:"userId"`
	CardID         string     `json:"cardId"`
	DeckID         string     `json:"deckId"`
	Repetitions    int        `json:"repetitions"`
	EF             int        `json:"ef"`
	SM2Interval    int        `json:"sm2Interval"`
	IntervalDays   int        `json:"intervalDays"`
	Stability      float64    `json:"stability,omitempty"`
	Difficulty     float64    `json:"difficulty,omitempty"`
	DueAt          *time.Time `json:"dueAt,omitempty"`
	LastReviewedAt *time.Time `json:"lastReviewedAt,omitempty"`
	Lapses         int        `json:"lapses"`
	Reviews        int        `json:"reviews"`
	Suspended      bool       `json:"suspended,omitempty"`
	Leech          bool       `json:"leech,omitempty"`
	Version        int64      `json:"version"`
}

func newProgressRecord(p *domain.Progress) progressRecord {
	return progressRecord{
		V:      progressRecordVersion,
		UserID: p.UserID, CardID: p.CardID, DeckID: p.DeckID,
		Repetitions: p.State.Repetitions, EF: int(p.State.EF), SM2Interval: p.State.IntervalDays,
		IntervalDays: p.IntervalDays, Stability: p.Memory.Stability, Difficulty: p.Memory.Difficulty,
		DueAt: utcOrNil(p.DueAt), LastReviewedAt: utcOrNil(p.LastReviewedAt),
		Lapses: p.Lapses, Reviews: p.Reviews, Suspended: p.Suspended, Leech: p.Leech,
		Version: p.Version,
	}
}

func (r *progressRecord) toDomain() *domain.Progress {
	return &domain.Progress{
		UserID: r.UserID, CardID: r.CardID, DeckID: r.DeckID,
		CardState: domain.CardState{
			State:          domain.SchedState{Repetitions: r.Repetitions, EF: domain.EF(r.EF), IntervalDays: r.SM2Interval},
			Memory:         domain.FSRSMemory{Stability: r.Stability, Difficulty: r.Difficulty},
			IntervalDays:   r.IntervalDays,
			DueAt:          utcOrZero(r.DueAt),
			LastReviewedAt: utcOrZero(r.LastReviewedAt),
			Lapses:         r.Lapses,
			Reviews:        r.Reviews,
			Suspended:      r.Suspended,
			Leech:          r.Leech,
		},
		Version: r.Version,
	}
}

func utcOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func utcOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Get returns the cached progress, or domain.ErrCacheMiss. Ids the keyspace refuses are
// a miss: no such key can ever have been written. A stored value that does not decode is
// an error (the next Set replaces it).
func (c *ProgressCache) Get(ctx context.Context, userID, cardID string) (*domain.Progress, error) {
	key, err := c.ks.Progress(userID, cardID)
	if err != nil {
		return nil, domain.ErrCacheMiss
	}
	raw, err := c.client.Get(ctx, key).Bytes()
	switch {
	case isMiss(err):
		return nil, domain.ErrCacheMiss
	case err != nil:
		return nil, fmt.Errorf("progress cache: get: %w", storeerr.Unavailable("progress cache", err))
	}
	var rec progressRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("progress cache: get: decode: %w", err)
	}
	if rec.V != progressRecordVersion {
		return nil, domain.ErrCacheMiss // a copy of another layout, from before a deploy
	}
	return rec.toDomain(), nil
}

// Set writes p for the cache's TTL, unless the cache holds a newer version of it, which
// it keeps (that is not an error).
func (c *ProgressCache) Set(ctx context.Context, p *domain.Progress) error {
	if c.ttl < time.Millisecond {
		return fmt.Errorf("progress cache: set: ttl %s is below Redis's 1ms resolution", c.ttl)
	}
	key, err := c.ks.Progress(p.UserID, p.CardID)
	if err != nil {
		return fmt.Errorf("progress cache: set: %w", err)
	}
	raw, err := json.Marshal(newProgressRecord(p))
	if err != nil {
		return fmt.Errorf("progress cache: set: encode: %w", err)
	}
	err = progressSetScript.Run(ctx, c.client, []string{key}, raw, p.Version, c.ttl.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("progress cache: set: %w", storeerr.Unavailable("progress cache", err))
	}
	return nil
}

// setManyBatch is how many copies SetMany sends in one pipeline.
const setManyBatch = 500

// SetMany writes each progress of ps as Set does, setManyBatch scripts per pipeline
// (the script's full text each time: a pipeline cannot load it first on every node of a
// cluster). It stops at the first batch that fails.
func (c *ProgressCache) SetMany(ctx context.Context, ps []domain.Progress) error {
	if c.ttl < time.Millisecond {
		return fmt.Errorf("progress cache: set many: ttl %s is below Redis's 1ms resolution", c.ttl)
	}
	for start := 0; start < len(ps); start += setManyBatch {
		batch := ps[start:min(start+setManyBatch, len(ps))]
		_, err := c.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for i := range batch {
				key, err := c.ks.Progress(batch[i].UserID, batch[i].CardID)
				if err != nil {
					return fmt.Errorf("progress cache: set many: %w", err)
				}
				raw, err := json.Marshal(newProgressRecord(&batch[i]))
				if err != nil {
					return fmt.Errorf("progress cache: set many: encode: %w", err)
				}
				progressSetScript.Eval(ctx, pipe, []string{key}, raw, batch[i].Version, c.ttl.Milliseconds())
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("progress cache: set many: %w", storeerr.Unavailable("progress cache", err))
		}
	}
	return nil
}

// DeleteMany removes the copies of userID's progress on cardIDs in one pipeline (ids the
// key schema refuses name no copy and are skipped).
func (c *ProgressCache) DeleteMany(ctx context.Context, userID string, cardIDs []string) error {
	keys := make([]string, 0, len(cardIDs))
	for _, id := range cardIDs {
		if key, err := c.ks.Progress(userID, id); err == nil {
			keys = append(keys, key)
		}
	}
	_, err := c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range keys {
			p.Del(ctx, key) // one key per DEL: on a cluster the keys lie in many slots
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("progress cache: delete many: %w", storeerr.Unavailable("progress cache", err))
	}
	return nil
}
