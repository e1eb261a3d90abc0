package ports

// PasswordHasher hashes and verifies passwords (argon2id in production).
type PasswordHasher interface {
	// Hash returns an encoded hash of password that embeds its salt and parameters.
	Hash(password string) (string, error)
	// Verify reports whether password matches encoded. It does the same work for a
	// mismatch as for a match.
	Verify(password, encoded string) (bool, error)
}
