// Package argon2 implements ports.PasswordHasher with argon2id (RFC 9106) through
// github.com/alexedwards/argon2id.
package argon2

import (
	"fmt"

	"github.com/alexedwards/argon2id"

	"github.com/studytool/studytool/ports"
)

var _ ports.PasswordHasher = (*Hasher)(nil)

// Hasher hashes passwords with fixed argon2id parameters.
type Hasher struct {
	params *argon2id.Params
}

// New returns a hasher with the library's recommended parameters (64 MiB, 1 pass, 2
// lanes at the time of writing), suitable for production.
func New() *Hasher { return &Hasher{params: argon2id.DefaultParams} }

// Hash returns the encoded argon2id hash of password with a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	encoded, err := argon2id.CreateHash(password, h.params)
	if err != nil {
		return "", fmt.Errorf("argon2: hash: %w", err)
	}
	return encoded, nil
}

// Verify reports whether password matches encoded, in constant time.
func (h *Hasher) Verify(password, encoded string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(password, encoded)
	if err != nil {
		return false, fmt.Errorf("argon2: verify: %w", err)
	}
	return ok, nil
}
