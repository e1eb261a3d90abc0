package ports

// PasswordHasher hashes and verifies passwords (argon2id in production).
type PasswordHasher interface {
	// Hash returns an encoded hash of password that embeds its salt and parameters.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded. It does the same work for a
	// mismatch as for a match.
	Verify(password, encoded string) (bool, error)
}

// PasswordBlocklist holds passwords too common to accept. NIST SP 800-63B asks
// verifiers to refuse passwords that are commonly used, expected or compromised,
// because attackers try those first; a length rule alone lets "password1" through.
type PasswordBlocklist interface {
	// Contains reports whether password is among the most common passwords, compared
	// case-insensitively (a capitalised common password is no stronger).
	Contains(password string) bool
}
