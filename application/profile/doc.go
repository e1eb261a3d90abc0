// Package profile holds the use-cases of the caller's own profile: read it (through the
// cache) and change it (invalidating the cache at once).
package profile
