package contract

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// Repositories is one database seen through every repository port. The repository
// suites take them together because records depend on each other: a deck needs its
// user, progress needs a card.
type Repositories struct {
	Users         ports.UserRepo
	Organizations ports.OrganizationRepo
	Decks         ports.DeckRepo
	Progress      ports.ProgressRepo
	Reviews       ports.ReviewRepo
	// Changes is the change log of the same database; only the ChangeLog suite needs it.
	Changes ports.ChangeLog
}

// RepositoriesFactory returns Repositories over one migrated database, whose
// organizations include domain.DefaultOrganizationID. Each repository suite calls it once
// and runs its properties, in parallel, on what it returns. The database need not be
// empty or private to the suite: suites create records under fresh ids and emails and
// never count what they did not create. Register any teardown with t.Cleanup.
type RepositoriesFactory func(t *testing.T) Repositories

// repoFixture creates the records the repository suites build on.
type repoFixture struct {
	t     *testing.T
	repos Repositories
}

func newRepoFixture(t *testing.T, repos Repositories) *repoFixture {
	t.Helper()
	return &repoFixture{t: t, repos: repos}
}

// repoTime is a fixed instant, off UTC and below the microsecond on purpose: stores
// must hand times back in UTC, and only the microsecond is promised.
var repoTime = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("UTC+2", 2*60*60))

// atMicro is a time as a store returns it: UTC, at microsecond precision.
func atMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// newID returns a fresh time-ordered id, as the application generates them.
func (f *repoFixture) newID() string {
	f.t.Helper()
	id, err := uuid.NewV7()
	require.NoError(f.t, err)
	return id.String()
}

// buildUser returns an unsaved user of the default organization with a unique email.
func (f *repoFixture) buildUser() *domain.User {
	f.t.Helper()
	id := f.newID()
	return &domain.User{
		ID:             id,
		Email:          "user-" + id + "@example.com",
		PasswordHash:   "$argon2id$v=19$m=65536,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2g",
		DisplayName:    "User " + id[len(id)-6:],
		OrganizationID: domain.DefaultOrganizationID,
		CreatedAt:      repoTime,
		UpdatedAt:      repoTime,
	}
}

// user creates a user.
func (f *repoFixture) user() *domain.User {
	f.t.Helper()
	u := f.buildUser()
	require.NoError(f.t, f.repos.Users.Create(f.t.Context(), u))
	return u
}

// deck creates a deck of userID created at at.
func (f *repoFixture) deck(userID string, at time.Time) *domain.Deck {
	f.t.Helper()
	d := &domain.Deck{
		ID: f.newID(), UserID: userID, Name: "Deck", Description: "about things",
		Options: domain.DefaultStudyOptions(), CreatedAt: at, UpdatedAt: at,
	}
	require.NoError(f.t, f.repos.Decks.CreateDeck(f.t.Context(), d))
	return d
}

// buildCards returns n unsaved cards of deckID. Their ids are random (not time-ordered),
// so an order read back cannot come from sorting ids.
func (f *repoFixture) buildCards(deckID string, n int) []domain.Card {
	f.t.Helper()
	cards := make([]domain.Card, n)
	for i := range cards {
		cards[i] = domain.Card{
			ID:        uuid.NewString(),
			DeckID:    deckID,
			Front:     "front " + uuid.NewString(),
			Back:      "back",
			CreatedAt: repoTime,
			UpdatedAt: repoTime,
		}
	}
	return cards
}

// cards adds n cards to userID's deck and returns them.
func (f *repoFixture) cards(userID, deckID string, n int) []domain.Card {
	f.t.Helper()
	cards := f.buildCards(deckID, n)
	require.NoError(f.t, f.repos.Decks.AddCards(f.t.Context(), userID, deckID, cards))
	return cards
}

// studyCard creates a user with a deck of one card and returns all three.
func (f *repoFixture) studyCard() (*domain.User, *domain.Deck, domain.Card) {
	f.t.Helper()
	u := f.user()
	d := f.deck(u.ID, repoTime)
	return u, d, f.cards(u.ID, d.ID, 1)[0]
}
