package contract

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// userRepoProperties are the behaviours of the UserRepo contract, one check each.
var userRepoProperties = []property[Repositories]{
	{"CreateThenLookups", userCreateThenLookups},
	{"UserWithoutPermissions", userWithoutPermissions},
	{"CreateRejectsTakenEmail", userCreateRejectsTakenEmail},
	{"CreateRejectsTakenID", userCreateRejectsTakenID},
	{"LookupsOfUnknownUser", userLookupsOfUnknown},
	{"UpdateAppliesClosure", userUpdateAppliesClosure},
	{"FailedUpdateChangesNothing", userFailedUpdateChangesNothing},
	{"UpdateToTakenEmail", userUpdateToTakenEmail},
	{"UpdateOfUnknownUser", userUpdateOfUnknown},
	{"DeleteErasesEverythingOfTheUser", userDelete},
}

// UserRepo checks a ports.UserRepo: creation and both lookups, the unique email, the
// transactional update closure, times returned in UTC at microsecond precision, and
// deletion taking everything of the user's with it.
func UserRepo(t *testing.T, newRepos RepositoriesFactory) {
	t.Helper()
	runProperties(t, newRepos(t), userRepoProperties)
}

// userCreateThenLookups checks that Create stores the user that GetByID and GetByEmail
// return.
func userCreateThenLookups(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.buildUser()
	u.Permissions = []string{domain.PermAdminCache, domain.PermAdminSessions}
	u.UpdatedAt = repoTime.Add(90 * time.Minute)
	require.NoError(t, repos.Users.Create(t.Context(), u))
	want := storedUser(u)

	byID, err := repos.Users.GetByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, want, readUser(byID))

	byEmail, err := repos.Users.GetByEmail(t.Context(), u.Email)
	require.NoError(t, err)
	assert.Equal(t, want, readUser(byEmail))
}

// userWithoutPermissions checks that a user without permissions reads back with none.
func userWithoutPermissions(t *testing.T, repos Repositories) {
	u := newRepoFixture(t, repos).user()
	got, err := repos.Users.GetByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Permissions)
}

// userCreateRejectsTakenEmail checks that Create rejects a taken email with
// ErrEmailTaken.
func userCreateRejectsTakenEmail(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	first := f.user()
	second := f.buildUser()
	second.Email = first.Email

	err := repos.Users.Create(t.Context(), second)
	require.ErrorIs(t, err, domain.ErrEmailTaken)
	require.ErrorIs(t, err, domain.ErrConflict)
	_, err = repos.Users.GetByID(t.Context(), second.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// userCreateRejectsTakenID checks that Create rejects a taken id with ErrConflict.
func userCreateRejectsTakenID(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	first := f.user()
	second := f.buildUser()
	second.ID = first.ID

	err := repos.Users.Create(t.Context(), second)
	require.ErrorIs(t, err, domain.ErrConflict)
	require.NotErrorIs(t, err, domain.ErrEmailTaken)
	_, err = repos.Users.GetByEmail(t.Context(), second.Email)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// userLookupsOfUnknown checks that lookups of an unknown user are ErrNotFound.
func userLookupsOfUnknown(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	tests := []struct {
		name string
		get  func() (*domain.User, error)
	}{
		{"by id", func() (*domain.User, error) { return repos.Users.GetByID(t.Context(), f.newID()) }},
		{"by email", func() (*domain.User, error) {
			return repos.Users.GetByEmail(t.Context(), "nobody-"+f.newID()+"@example.com")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.get()
			require.ErrorIs(t, err, domain.ErrNotFound)
			assert.Nil(t, got)
		})
	}
}

// userUpdateAppliesClosure checks that Update applies the closure to the stored user and
// saves it.
func userUpdateAppliesClosure(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u := f.user()
	later := repoTime.Add(time.Hour)

	updated, err := repos.Users.Update(t.Context(), u.ID, func(cur *domain.User) error {
		assert.Equal(t, u.Email, cur.Email)
		cur.DisplayName = "Renamed"
		cur.Permissions = []string{domain.PermAdminCache}
		cur.UpdatedAt = later
		return nil
	})
	require.NoError(t, err)

	want := storedUser(u)
	want.DisplayName = "Renamed"
	want.Permissions = []string{domain.PermAdminCache}
	want.UpdatedAt = atMicro(later)
	assert.Equal(t, want, readUser(updated))
	got, err := repos.Users.GetByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, want, readUser(got))
}

// userFailedUpdateChangesNothing checks that Update with a failing closure changes
// nothing.
func userFailedUpdateChangesNothing(t *testing.T, repos Repositories) {
	u := newRepoFixture(t, repos).user()
	errRefused := errors.New("refused")

	_, err := repos.Users.Update(t.Context(), u.ID, func(cur *domain.User) error {
		cur.DisplayName = "Never saved"
		return errRefused
	})
	require.ErrorIs(t, err, errRefused)
	got, err := repos.Users.GetByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, storedUser(u), readUser(got))
}

// userUpdateToTakenEmail checks that Update to a taken email is ErrEmailTaken and changes
// nothing.
func userUpdateToTakenEmail(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	taken := f.user()
	u := f.user()

	_, err := repos.Users.Update(t.Context(), u.ID, func(cur *domain.User) error {
		cur.Email = taken.Email
		return nil
	})
	require.ErrorIs(t, err, domain.ErrEmailTaken)
	got, err := repos.Users.GetByID(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.Email, got.Email)
}

// userUpdateOfUnknown checks that Update of an unknown user is ErrNotFound without
// calling the closure.
func userUpdateOfUnknown(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	called := false
	_, err := repos.Users.Update(t.Context(), f.newID(), func(*domain.User) error {
		called = true
		return nil
	})
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.False(t, called, "closure called for a missing user")
}

// storedUser is u as a store returns it.
func storedUser(u *domain.User) domain.User {
	s := *u
	s.CreatedAt, s.UpdatedAt = atMicro(u.CreatedAt), atMicro(u.UpdatedAt)
	if len(s.Permissions) == 0 {
		s.Permissions = nil
	}
	return s
}

// readUser prepares a user read back for comparison with storedUser: it drops digits
// below the microsecond but keeps the location, so a non-UTC time still differs.
func readUser(u *domain.User) domain.User {
	s := *u
	s.CreatedAt, s.UpdatedAt = u.CreatedAt.Truncate(time.Microsecond), u.UpdatedAt.Truncate(time.Microsecond)
	if len(s.Permissions) == 0 {
		s.Permissions = nil
	}
	return s
}

// userDelete checks that Delete erases the user with their decks, cards, progress and
// review log, frees the email, leaves other users alone, and is ErrNotFound once done.
func userDelete(t *testing.T, repos Repositories) {
	f := newRepoFixture(t, repos)
	u, d, c := f.studyCard()
	answer(t, repos, u.ID, d.ID, c.ID, 4, day(0))
	other, otherDeck, otherCard := f.studyCard()
	answer(t, repos, other.ID, otherDeck.ID, otherCard.ID, 4, day(0))

	require.NoError(t, repos.Users.Delete(t.Context(), u.ID))
	_, err := repos.Users.GetByID(t.Context(), u.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Decks.GetDeck(t.Context(), u.ID, d.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = repos.Decks.GetCard(t.Context(), u.ID, c.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	studied, err := repos.Progress.StudiedCards(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Empty(t, studied)
	log, err := repos.Reviews.ListByUser(t.Context(), u.ID)
	require.NoError(t, err)
	assert.Empty(t, log)
	require.ErrorIs(t, repos.Users.Delete(t.Context(), u.ID), domain.ErrNotFound, "deleted already")

	again := f.buildUser()
	again.Email = u.Email
	require.NoError(t, repos.Users.Create(t.Context(), again), "the email is free again")
	kept, err := repos.Reviews.ListByUser(t.Context(), other.ID)
	require.NoError(t, err)
	assert.Len(t, kept, 1, "another user's log stays")
}
