// Package keyspace builds every Redis key StudyTool writes, per the key schema of
// docs/architecture.md. It is the only place that knows the layout; dynamic parts are
// validated so user input can never widen a pattern, cross into another namespace or
// collide. Both the Redis adapter and the in-memory twins use it.
//
//	cache entry          {prefix}cache:{feature}:{identifier}
//	session              {prefix}session:{sessionId}
//	user's session index {prefix}user:sessions:{userId}
//	study session        {prefix}study:sessions:{userId}:{sessionId}
//	learning progress    {prefix}progress:{userId}:{cardId}
//	rate-limit counter   {prefix}ratelimit:{scope}:{sha256(subject)[:32]}
//	idempotency record   {prefix}idempotency:{userId}:{sha256(key)}
//	idempotency index    {prefix}idempotency:{userId}
//	lock                 {prefix}lock:{name}
//
// {prefix} is `studytool:{env}:` unless REDIS_KEY_PREFIX replaces it.
package keyspace

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSegmentLength bounds one dynamic part of a key, in bytes.
const MaxSegmentLength = 128

// maxRelativeKeyLength bounds a whole relative cache key or pattern, in bytes.
const maxRelativeKeyLength = 512

// ErrInvalidKey reports a dynamic part or pattern the schema does not accept.
var ErrInvalidKey = errors.New("invalid key part")

// Keyspace makes the keys of one deployment (one prefix).
type Keyspace struct {
	prefix string
}

// New returns the keyspace for env, or for prefix when it is not empty. The prefix must
// end with ':' and contain no glob or whitespace characters.
func New(env, prefix string) (Keyspace, error) {
	if prefix == "" {
		if err := ValidateSegment(env); err != nil {
			return Keyspace{}, fmt.Errorf("keyspace: env: %w", err)
		}
		prefix = "studytool:" + env + ":"
	}
	if !strings.HasSuffix(prefix, ":") || len(prefix) > MaxSegmentLength {
		return Keyspace{}, fmt.Errorf("keyspace: prefix %q must end with ':' and be at most %d bytes: %w", prefix, MaxSegmentLength, ErrInvalidKey)
	}
	for _, part := range strings.Split(strings.TrimSuffix(prefix, ":"), ":") {
		if err := ValidateSegment(part); err != nil {
			return Keyspace{}, fmt.Errorf("keyspace: prefix %q: %w", prefix, err)
		}
	}
	return Keyspace{prefix: prefix}, nil
}

// MustNew is New for fixed, known-good arguments (tests, defaults); it panics on error.
func MustNew(env, prefix string) Keyspace {
	ks, err := New(env, prefix)
	if err != nil {
		panic(err)
	}
	return ks
}

// Prefix returns the deployment prefix, e.g. `studytool:production:`.
func (k Keyspace) Prefix() string { return k.prefix }

// CacheNamespace returns the prefix of every cache entry.
func (k Keyspace) CacheNamespace() string { return k.prefix + "cache:" }

// Cache returns the absolute key of a relative cache key `feature:identifier`. Every
// `:`-separated part must be a valid segment.
func (k Keyspace) Cache(relative string) (string, error) {
	if err := validateRelative(relative, false); err != nil {
		return "", err
	}
	return k.CacheNamespace() + relative, nil
}

// CachePattern returns a SCAN MATCH pattern confined to the cache namespace. The relative
// pattern may use `*` and `?`; `[`, `]`, `\`, whitespace and control characters are
// refused. Because the namespace is a literal, glob-free prefix of the result, no pattern
// can match a key outside it.
func (k Keyspace) CachePattern(relative string) (string, error) {
	if err := validateRelative(relative, true); err != nil {
		return "", err
	}
	return k.CacheNamespace() + relative, nil
}

// Session returns the key of session id (the hex SHA-256 of its token).
func (k Keyspace) Session(id string) (string, error) {
	return k.join("session", id)
}

// SessionNamespace returns the prefix every session key shares: Session(id) is this
// followed by id. Server-side scripts that walk a user's index build member keys from it;
// the ids they append were validated when the sessions were created.
func (k Keyspace) SessionNamespace() string { return k.prefix + "session:" }

// UserSessionsNamespace returns the prefix every user's session index shares:
// UserSessions(userID) is this followed by userID.
func (k Keyspace) UserSessionsNamespace() string { return k.prefix + "user:sessions:" }

// UserSessions returns the key of userID's session index.
func (k Keyspace) UserSessions(userID string) (string, error) {
	return k.join("user:sessions", userID)
}

// StudySession returns the key of userID's study session id.
func (k Keyspace) StudySession(userID, id string) (string, error) {
	return k.join("study:sessions", userID, id)
}

// StudySessionIndex returns the key of userID's study-session index: the ids of their
// open study sessions (the study session keys minus the session id).
func (k Keyspace) StudySessionIndex(userID string) (string, error) {
	return k.join("study:sessions", userID)
}

// UserSessionsPattern returns the SCAN MATCH pattern of every user's session index.
func (k Keyspace) UserSessionsPattern() string { return k.UserSessionsNamespace() + "*" }

// StudySessionsNamespace returns the prefix every study-session index and study session
// key shares: StudySessionIndex(userID) is this followed by userID.
func (k Keyspace) StudySessionsNamespace() string { return k.prefix + "study:sessions:" }

// StudySessionIndexPattern returns a SCAN MATCH pattern covering every user's
// study-session index. It matches the study session keys too (they extend the index
// keys): a scan for the indexes alone also asks for the sorted-set type.
func (k Keyspace) StudySessionIndexPattern() string { return k.StudySessionsNamespace() + "*" }

// Lock returns the key of the lock called name, which elects one replica for a job.
func (k Keyspace) Lock(name string) (string, error) {
	return k.join("lock", name)
}

// Progress returns the key of userID's progress on cardID.
func (k Keyspace) Progress(userID, cardID string) (string, error) {
	return k.join("progress", userID, cardID)
}

// RateLimit returns the key counting subject's events in scope. The subject (an IP
// address, an email) is hashed, so it needs no validation and leaves no PII in Redis.
func (k Keyspace) RateLimit(scope, subject string) (string, error) {
	sum := sha256.Sum256([]byte(subject))
	return k.join("ratelimit:"+scope, hex.EncodeToString(sum[:16]))
}

// IdempotencyDigest returns the hex SHA-256 of an Idempotency-Key header value: the
// only form in which a key reaches Redis, so a key listing or dump never shows what
// clients sent.
func IdempotencyDigest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Idempotency returns the key of userID's record of the request sent with the
// Idempotency-Key key, which is hashed (IdempotencyDigest) and needs no validation.
func (k Keyspace) Idempotency(userID, key string) (string, error) {
	return k.IdempotencyRecord(userID, IdempotencyDigest(key))
}

// IdempotencyRecord returns the key of userID's record whose key has digest, as
// userID's idempotency index lists it.
func (k Keyspace) IdempotencyRecord(userID, digest string) (string, error) {
	return k.join("idempotency", userID, digest)
}

// IdempotencyIndex returns the key of userID's idempotency index: the digests of their
// records (the record keys minus the user part), so that erasing a user's records needs
// no SCAN.
func (k Keyspace) IdempotencyIndex(userID string) (string, error) {
	return k.join("idempotency", userID)
}

func (k Keyspace) join(fixed string, parts ...string) (string, error) {
	var b strings.Builder
	b.WriteString(k.prefix)
	b.WriteString(fixed)
	for _, p := range parts {
		if err := ValidateSegment(p); err != nil {
			return "", err
		}
		b.WriteByte(':')
		b.WriteString(p)
	}
	return b.String(), nil
}

// ValidateSegment checks one dynamic part of a key: 1 to MaxSegmentLength bytes of valid
// UTF-8 with no `:`, `*`, `?`, `[`, `]`, `\`, whitespace or control characters.
func ValidateSegment(s string) error {
	if s == "" || len(s) > MaxSegmentLength {
		return fmt.Errorf("%w: %q must be 1 to %d bytes", ErrInvalidKey, truncate(s), MaxSegmentLength)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidKey)
	}
	for _, r := range s {
		if r == ':' || isGlob(r) || unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return fmt.Errorf("%w: %q contains %q", ErrInvalidKey, truncate(s), r)
		}
	}
	return nil
}

func validateRelative(rel string, pattern bool) error {
	if len(rel) > maxRelativeKeyLength {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, maxRelativeKeyLength)
	}
	for part := range strings.SplitSeq(rel, ":") { // SplitSeq: no slice allocated per key
		if pattern {
			part = strings.NewReplacer("*", "x", "?", "x").Replace(part)
			if part == "" {
				return fmt.Errorf("%w: empty segment in pattern %q", ErrInvalidKey, truncate(rel))
			}
		}
		if err := ValidateSegment(part); err != nil {
			return err
		}
	}
	return nil
}

func isGlob(r rune) bool { return r == '*' || r == '?' || r == '[' || r == ']' || r == '\\' }

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
