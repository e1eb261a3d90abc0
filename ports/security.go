package ports

import "context"

// PasswordHasher hashes and verifies passwords (argon2id in production). Each hash takes
// a fixed, large amount of memory, so implementations admit a bounded number at once: a
// call waits its turn (first come, first served) for a bounded time and then fails with
// a *domain.BusyError, or with ctx's error when ctx ends first.
type PasswordHasher interface {
	// Hash returns an encoded hash of password that embeds its salt and parameters.
	Hash(ctx context.Context, password string) (string, error)
	// Verify reports whether password matches encoded. It does the same work for a
	// mismatch as for a match.
	Verify(ctx context.Context, password, encoded string) (bool, error)
}

// PasswordBlocklist holds passwords too common to accept. NIST SP 800-63B asks
// verifiers to refuse passwords that are commonly used, expected or compromised,
// because attackers try those first; a length rule alone lets "password1" through.
type PasswordBlocklist interface {
	// Contains reports whether password is among the most common passwords, compared
	// case-insensitively (a capitalised common password is no stronger).
	Contains(password string) bool
}
