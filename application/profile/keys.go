package profile

import "github.com/studytool/studytool/application/cache"

// Cached features of a user, invalidated together whenever the user changes.
const (
	featureProfile     = "user:profile"
	featurePermissions = "user:permissions"
	// schemaVersion is the version of the cached Profile and permission list shapes;
	// bump it when either changes.
	schemaVersion = 1
)

func profileKey(userID string) cache.Key { return cache.NewKey(featureProfile, schemaVersion, userID) }

func permissionsKey(userID string) cache.Key {
	return cache.NewKey(featurePermissions, schemaVersion, userID)
}
