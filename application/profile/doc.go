// Package profile holds the use-cases of a user's profile: the caller reads and changes
// their own (through the cached ports.ProfileRepo, which a committed change refreshes),
// permission checks read the current permissions, and operators grant and revoke
// permissions (`studytool users`).
package profile
