// Package statebackup holds the operators' backup and restore of the state Redis role
// (`studytool state backup` and `state restore`): every state key, DUMPed with its
// remaining TTL, streamed into a file with a header and a SHA-256 checksum, and
// RESTOREd from it with the TTL that remains after the time elapsed since the backup.
package statebackup
