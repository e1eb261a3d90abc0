package cached_test

import (
	"context"
	"errors"
	"io"
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

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// recordReview makes repo commit one review of card-1 and return the stored progress.
func recordReview(repo *mocks.ProgressRepo) {
	repo.EXPECT().RecordReview(mock.Anything, "user-1", "card-1", "deck-1", mock.Anything).Return(stored(), nil).Once()
}

func TestProgressRecordReviewWritesTheCopyThrough(t *testing.T) {
	t.Parallel()
	copies, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
	recordReview(repo)
	copies.EXPECT().Set(mock.Anything, stored()).Return(nil).Once()
	failures := &countingObserver{}
	p, err := cached.NewProgress(repo, copies, deps(t, failures, discard)).
		RecordReview(t.Context(), "user-1", "card-1", "deck-1", nil)
	require.NoError(t, err)
	assert.Equal(t, stored(), p)
	assert.Zero(t, failures.count("progress"))
}

func TestProgressRecordReviewAbsorbsAFailedCopy(t *testing.T) {
	t.Parallel()
	copies, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
	recordReview(repo)
	copies.EXPECT().Set(mock.Anything, stored()).Return(errRedisDown).Once()
	failures := &countingObserver{}
	logger, logs := newLogger()
	p, err := cached.NewProgress(repo, copies, deps(t, failures, logger)).
		RecordReview(t.Context(), "user-1", "card-1", "deck-1", nil)
	require.NoError(t, err, "the review is committed; the copy is an optimisation")
	assert.Equal(t, stored(), p)
	assert.Equal(t, uint64(1), failures.count("progress"))
	assert.Contains(t, logs.String(), "connection refused")
}

func TestProgressCopyIsWrittenAfterTheClientLeft(t *testing.T) {
	t.Parallel()
	copies, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
	ctx, hangUp := context.WithCancel(t.Context())
	repo.EXPECT().RecordReview(mock.Anything, "user-1", "card-1", "deck-1", mock.Anything).RunAndReturn(
		func(context.Context, string, string, string, func(*domain.Progress) (*domain.Review, error)) (*domain.Progress, error) {
			hangUp() // the client goes away just after the commit
			return stored(), nil
		}).Once()
	copies.EXPECT().Set(mock.Anything, stored()).RunAndReturn(func(c context.Context, _ *domain.Progress) error {
		return c.Err()
	}).Once()
	failures := &countingObserver{}
	_, err := cached.NewProgress(repo, copies, deps(t, failures, discard)).RecordReview(ctx, "user-1", "card-1", "deck-1", nil)
	require.NoError(t, err)
	assert.Zero(t, failures.count("progress"), "the write-through does not inherit the request's cancellation")
}

func TestProgressRecordReviewFailureWritesNoCopy(t *testing.T) {
	t.Parallel()
	copies, repo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t)
	repo.EXPECT().RecordReview(mock.Anything, "user-1", "card-1", "deck-1", mock.Anything).Return(nil, domain.ErrStoreUnavailable).Once()
	_, err := cached.NewProgress(repo, copies, deps(t, &countingObserver{}, discard)).
		RecordReview(t.Context(), "user-1", "card-1", "deck-1", nil)
	require.ErrorIs(t, err, domain.ErrStoreUnavailable)
}

func profile(name string) *domain.Profile {
	return &domain.Profile{ID: "user-1", Email: "ada@example.com", DisplayName: name, Permissions: []string{}}
}

func TestUsersReadProfilesThroughTheCacheAndDropThemOnUpdate(t *testing.T) {
	t.Parallel()
	users, profiles := mocks.NewUserRepo(t), mocks.NewProfileRepo(t)
	u := cached.NewUsers(users, profiles, deps(t, &countingObserver{}, discard))
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(profile("Ada"), nil).Once()
	for range 3 {
		p, err := u.GetProfile(t.Context(), "user-1")
		require.NoError(t, err)
		assert.Equal(t, "Ada", p.DisplayName, "one load, then hits")
	}

	users.EXPECT().Update(mock.Anything, "user-1", mock.Anything).Return(&domain.User{ID: "user-1"}, nil).Once()
	_, err := u.Update(t.Context(), "user-1", func(*domain.User) error { return nil })
	require.NoError(t, err)
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(profile("Countess"), nil).Once()
	p, err := u.GetProfile(t.Context(), "user-1")
	require.NoError(t, err)
	assert.Equal(t, "Countess", p.DisplayName, "the next read after an update loads again")
}

func TestUsersKeepTheCacheWhenAnUpdateFails(t *testing.T) {
	t.Parallel()
	users, profiles := mocks.NewUserRepo(t), mocks.NewProfileRepo(t)
	u := cached.NewUsers(users, profiles, deps(t, &countingObserver{}, discard))
	profiles.EXPECT().GetProfile(mock.Anything, "user-1").Return(profile("Ada"), nil).Once()
	_, err := u.GetProfile(t.Context(), "user-1")
	require.NoError(t, err)
	failed := errors.New("constraint")
	users.EXPECT().Update(mock.Anything, "user-1", mock.Anything).Return(nil, failed).Once()
	_, err = u.Update(t.Context(), "user-1", func(*domain.User) error { return nil })
	require.ErrorIs(t, err, failed)
	_, err = u.GetProfile(t.Context(), "user-1")
	require.NoError(t, err, "still cached: GetProfile is expected once only")
}

func TestDecksCacheListsAndDropThemOnEveryChange(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	copies := mocks.NewProgressCache(t)
	d := cached.NewDecks(repo, copies, deps(t, &countingObserver{}, discard))
	list := func() []domain.Deck {
		decks, err := d.ListDecks(t.Context(), "user-1")
		require.NoError(t, err)
		return decks
	}
	repo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "d1"}}, nil).Once()
	assert.Len(t, list(), 1)
	assert.Len(t, list(), 1, "a hit")

	repo.EXPECT().CreateDeck(mock.Anything, mock.Anything).Return(nil).Once()
	require.NoError(t, d.CreateDeck(t.Context(), &domain.Deck{ID: "d2", UserID: "user-1"}))
	repo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "d2"}, {ID: "d1"}}, nil).Once()
	assert.Len(t, list(), 2, "a new deck drops the list")

	repo.EXPECT().AddCards(mock.Anything, "user-1", "d1", mock.Anything).Return(nil).Once()
	require.NoError(t, d.AddCards(t.Context(), "user-1", "d1", []domain.Card{{ID: "c1"}}))
	repo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "d2"}, {ID: "d1", CardCount: 1}}, nil).Once()
	assert.Equal(t, 1, list()[1].CardCount, "new cards drop the list (card counts changed)")

	repo.EXPECT().UpdateDeck(mock.Anything, "user-1", "d1", mock.Anything).Return(&domain.Deck{ID: "d1", Name: "Renamed"}, nil).Once()
	_, err := d.UpdateDeck(t.Context(), "user-1", "d1", nil)
	require.NoError(t, err)
	repo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "d2"}, {ID: "d1", Name: "Renamed"}}, nil).Once()
	assert.Equal(t, "Renamed", list()[1].Name, "a changed deck drops the list")

	repo.EXPECT().DeleteDeck(mock.Anything, "user-1", "d1", mock.Anything, mock.Anything).Return([]string{"c1"}, nil).Once()
	copies.EXPECT().DeleteMany(mock.Anything, "user-1", []string{"c1"}).Return(nil).Once()
	_, err = d.DeleteDeck(t.Context(), "user-1", "d1", time.Now(), nil)
	require.NoError(t, err)
	repo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "d2"}}, nil).Once()
	assert.Len(t, list(), 1, "a deleted deck drops the list and its cards' progress copies")

	repo.EXPECT().DeleteCard(mock.Anything, "user-1", "d2", "c2", mock.Anything, mock.Anything).Return(errors.New("constraint")).Once()
	require.Error(t, d.DeleteCard(t.Context(), "user-1", "d2", "c2", time.Now(), nil))
	assert.Len(t, list(), 1, "a failed deletion keeps the list")
}

func TestProgressWritesEveryChangeThrough(t *testing.T) {
	t.Parallel()
	copies, repo, deckRepo := mocks.NewProgressCache(t), mocks.NewProgressRepo(t), mocks.NewDeckRepo(t)
	shared := deps(t, &countingObserver{}, discard)
	p, d := cached.NewProgress(repo, copies, shared), cached.NewDecks(deckRepo, copies, shared)

	repo.EXPECT().UndoReview(mock.Anything, "user-1", "card-1", "review-1", mock.Anything).Return(stored(), nil).Once()
	copies.EXPECT().Set(mock.Anything, stored()).Return(nil).Once()
	_, err := p.UndoReview(t.Context(), "user-1", "card-1", "review-1", nil)
	require.NoError(t, err)

	repo.EXPECT().SetSuspended(mock.Anything, "user-1", "card-1", "deck-1", true, epoch).Return(stored(), nil).Once()
	copies.EXPECT().Set(mock.Anything, stored()).Return(nil).Once()
	_, err = p.SetSuspended(t.Context(), "user-1", "card-1", "deck-1", true, epoch)
	require.NoError(t, err)

	deckRepo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "deck-1"}}, nil).Once()
	_, err = d.ListDecks(t.Context(), "user-1")
	require.NoError(t, err)
	rows := []domain.Progress{*stored(), *stored()}
	rows[1].CardID = "card-2"
	repo.EXPECT().Reschedule(mock.Anything, "user-1", "deck-1", mock.Anything, mock.Anything).
		Return(&domain.Deck{ID: "deck-1"}, rows, nil).Once()
	copies.EXPECT().SetMany(mock.Anything, rows).Return(nil).Once()
	_, _, err = p.Reschedule(t.Context(), "user-1", "deck-1", nil, nil)
	require.NoError(t, err)
	deckRepo.EXPECT().ListDecks(mock.Anything, "user-1").Return([]domain.Deck{{ID: "deck-1"}}, nil).Once()
	_, err = d.ListDecks(t.Context(), "user-1")
	require.NoError(t, err, "a rescheduled deck (its options changed) drops the list: ListDecks is read again")
}

func TestOrganizationsReadThroughTheCache(t *testing.T) {
	t.Parallel()
	repo := mocks.NewOrganizationRepo(t)
	o := cached.NewOrganizations(repo, deps(t, &countingObserver{}, discard), 0)
	repo.EXPECT().Get(mock.Anything, "org-1").Return(&domain.Organization{ID: "org-1", Type: domain.OrgCU}, nil).Once()
	for range 2 {
		org, err := o.Get(t.Context(), "org-1")
		require.NoError(t, err)
		assert.Equal(t, domain.OrgCU, org.Type)
	}
	repo.EXPECT().List(mock.Anything).Return([]domain.Organization{{ID: "org-1"}}, nil).Once()
	require.NoError(t, o.Warmer().Warm(t.Context()))
	orgs, err := o.List(t.Context())
	require.NoError(t, err)
	assert.Len(t, orgs, 1)
}
