package ports

// EmailCanonicalizer turns a submitted email address into the single form under which an
// account is stored and looked up, so that two spellings of one mailbox find one
// account and no Unicode trick (a case mapping, a look-alike letter from another script,
// an invisible character) reaches an account other than the one the address shows.
type EmailCanonicalizer interface {
	// Canonical returns the canonical form of raw, or a *domain.ValidationError for
	// field "email" when raw is not an acceptable address. Canonical is idempotent: a
	// canonical form is its own canonical form.
	Canonical(raw string) (string, error)
}
