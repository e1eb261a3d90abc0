// Package auth holds the authentication use-cases: register, log in, authenticate a
// request, log out (one, all), list and revoke sessions, and the administrator's revoke.
//
// Bearer tokens are 32 bytes from crypto/rand, base64url-encoded. Stores only ever see
// the hex SHA-256 of a token (the session id), so a Redis dump grants nothing.
package auth
