package cached_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/cached"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

var errRedisDown = &domain.UnavailableError{Store: "progress cache", Err: errors.New("connection refused")}

func stored() *domain.Progress {
	return &domain.Progress{
		UserID: "user-1", CardID: "card-1", DeckID: "deck-1",
		CardState: domain.CardState{
			State:        domain.SchedState{Repetitions: 2, EF: 260, IntervalDays: 6},
			IntervalDays: 6, DueAt: epoch.AddDate(0, 0, 6), LastReviewedAt: epoch, Reviews: 2,
		},
		Version: 2,
	}
}

func newLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func TestProgressGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// arrange sets the mocks' expectations.
		arrange      func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo)
		wantErr      error
		wantFailures uint64
	}{
		{
			name: "a hit is served from the cache alone",
			arrange: func(cache *mocks.ProgressCache, _ *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(stored(), nil).Once()
			},
		},
		{
			name: "a miss reads the database and populates the cache",
			arrange: func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, domain.ErrCacheMiss).Once()
				repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(stored(), nil).Once()
				cache.EXPECT().Set(mock.Anything, stored()).Return(nil).Once()
			},
		},
		{
			name: "a failing cache falls back to the database and is counted, not returned",
			arrange: func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, errRedisDown).Once()
				repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(stored(), nil).Once()
				cache.EXPECT().Set(mock.Anything, stored()).Return(errRedisDown).Once()
			},
			wantFailures: 2,
		},
		{
			name: "a failing populate still answers",
			arrange: func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, domain.ErrCacheMiss).Once()
				repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(stored(), nil).Once()
				cache.EXPECT().Set(mock.Anything, stored()).Return(errRedisDown).Once()
			},
			wantFailures: 1,
		},
		{
			name: "never studied is not found and populates nothing",
			arrange: func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, domain.ErrCacheMiss).Once()
				repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, domain.ErrNotFound).Once()
			},
			wantErr: domain.ErrNotFound,
		},
		{
			name: "a database failure is returned even when the cache failed too",
			arrange: func(cache *mocks.ProgressCache, repo *mocks.ProgressRepo) {
				cache.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, errRedisDown).Once()
				repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, domain.ErrStoreUnavailable).Once()
			},
			wantErr:      domain.ErrStoreUnavailable,
			wantFailures: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cache, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
			tt.arrange(cache, repo)
			logger, logs := newLogger()
			failures := &countingObserver{}
			p, err := cached.NewProgress(repo, cache, deps(t, failures, logger)).Get(t.Context(), "user-1", "card-1")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, p)
			} else {
				require.NoError(t, err)
				assert.Equal(t, stored(), p)
			}
			assert.Equal(t, tt.wantFailures, failures.count("progress"))
			if tt.wantFailures > 0 {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "connection refused", "the cause is logged")
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

func TestProgressGetDoesNotCountACancelledRequest(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cache, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
	cache.EXPECT().Get(mock.Anything, "user-1", "card-1").RunAndReturn(
		func(context.Context, string, string) (*domain.Progress, error) {
			cancel()
			return nil, context.Canceled
		}).Once()
	repo.EXPECT().Get(mock.Anything, "user-1", "card-1").Return(nil, context.Canceled).Once()
	logger, logs := newLogger()
	failures := &countingObserver{}

	_, err := cached.NewProgress(repo, cache, deps(t, failures, logger)).Get(ctx, "user-1", "card-1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, failures.count("progress"), "the client went away; the cache did not fail")
	assert.Empty(t, logs.String())
}
