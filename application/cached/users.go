package cached

import (
	"context"

	"github.com/studytool/studytool/application/cache"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// featureProfile caches each user's profile (domain.Profile). Schema 2: the profile as
// the domain type (schema 1 was the profile use-case's own shape).
const (
	featureProfile = "user:profile"
	profileSchema  = 2
)

// Users reads profiles through the cache and passes everything else to the database,
// dropping a user's cached profile whenever the user changes. Permission checks read the
// profile, so a permission an operator revokes stops working on the next request.
type Users struct {
	users    ports.UserRepo
	profiles ports.ProfileRepo
	deps     Deps
}

var (
	_ ports.UserRepo    = (*Users)(nil)
	_ ports.ProfileRepo = (*Users)(nil)
)

// NewUsers wraps the database's users and profiles.
func NewUsers(users ports.UserRepo, profiles ports.ProfileRepo, deps Deps) *Users {
	return &Users{users: users, profiles: profiles, deps: deps}
}

func profileKey(userID string) cache.Key { return cache.NewKey(featureProfile, profileSchema, userID) }

// GetProfile returns userID's profile from the cache, loading it on a miss.
func (u *Users) GetProfile(ctx context.Context, userID string) (*domain.Profile, error) {
	return cache.GetOrLoad(ctx, u.deps.Cache, profileKey(userID), func(ctx context.Context) (*domain.Profile, error) {
		return u.profiles.GetProfile(ctx, userID)
	})
}

// Create inserts user.
func (u *Users) Create(ctx context.Context, user *domain.User) error {
	return u.users.Create(ctx, user)
}

// GetByID returns the user from the database (it carries credentials: never cached).
func (u *Users) GetByID(ctx context.Context, id string) (*domain.User, error) {
	return u.users.GetByID(ctx, id)
}

// GetByEmail returns the user from the database.
func (u *Users) GetByEmail(ctx context.Context, email string) (*domain.User, error) {
	return u.users.GetByEmail(ctx, email)
}

// Update changes the user and drops the cached profile once the change is committed.
func (u *Users) Update(ctx context.Context, id string, fn func(*domain.User) error) (*domain.User, error) {
	user, err := u.users.Update(ctx, id, fn)
	if err != nil {
		return nil, err
	}
	u.deps.invalidate(ctx, featureProfile, profileKey(id))
	return user, nil
}

// Delete erases the user in the database, then drops every entry cached for them: the
// profile, the deck list and the study counts.
func (u *Users) Delete(ctx context.Context, id string) error {
	if err := u.users.Delete(ctx, id); err != nil {
		return err
	}
	u.deps.invalidate(context.WithoutCancel(ctx), featureProfile, profileKey(id), deckListKey(id), countsKey(id))
	return nil
}
