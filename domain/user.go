package domain

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Permissions granted by the service.
const (
	PermAdminCache    = "admin:cache"
	PermAdminSessions = "admin:sessions"
)

// IsPermission reports whether p names a permission the service grants.
func IsPermission(p string) bool { return p == PermAdminCache || p == PermAdminSessions }

// MinPasswordLength is the shortest password registration accepts, in characters.
const MinPasswordLength = 10

// MaxPasswordLength is the longest password registration accepts, in characters.
const MaxPasswordLength = 256

// maxPasswordBytes bounds a password in bytes before it is decoded, so that validating
// and hashing hostile input is cheap: a character takes at most four bytes in UTF-8.
const maxPasswordBytes = 4 * MaxPasswordLength

// maxEmailBytes is the longest address accepted, in bytes (RFC 5321's path limit less
// its angle brackets).
const maxEmailBytes = 254

// MaxDisplayNameLength bounds a display name in characters.
const MaxDisplayNameLength = 100

// User is an account. PasswordHash is an encoded argon2id hash, never a password.
type User struct {
	ID             string
	Email          string
	PasswordHash   string
	DisplayName    string
	OrganizationID string
	Permissions    []string
	// TimeZone (an IANA name) and DayStartHour are the learner's day (see LearnerDay).
	TimeZone     string
	DayStartHour int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Profile is a user as the user sees themself: no credentials, and the type of their
// organization resolved. It is what the profile endpoints show and what permission checks
// read, so it is safe to cache.
type Profile struct {
	ID               string
	Email            string
	DisplayName      string
	OrganizationID   string
	OrganizationType OrganizationType
	Permissions      []string
	TimeZone         string
	DayStartHour     int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Profile returns u as they see themself, in an organization of type orgType.
func (u *User) Profile(orgType OrganizationType) Profile {
	return Profile{
		ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, OrganizationID: u.OrganizationID,
		OrganizationType: orgType, Permissions: u.Permissions,
		TimeZone: u.TimeZone, DayStartHour: u.DayStartHour, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// LearnerDay returns the learner's day of p. A stored time zone that no longer resolves
// (dropped from the time-zone database) falls back to UTC rather than failing a review.
func (p *Profile) LearnerDay() LearnerDay {
	day, err := NewLearnerDay(p.TimeZone, p.DayStartHour)
	if err != nil {
		return LearnerDay{StartHour: p.DayStartHour}
	}
	return day
}

// NormalizeEmail trims an address, lower-cases its ASCII letters and checks that it is
// a bare address (no display name) of readable characters. It returns a ValidationError
// for field "email".
//
// Only A–Z are lower-cased: Unicode case mapping turns U+212A KELVIN SIGN into "k", so
// "\u212Aadmin@example.com" would name the account "kadmin@example.com". Characters
// that case-map onto ASCII letters (U+212A, U+017F LATIN SMALL LETTER LONG S, U+0130
// and U+0131, the dotted and dotless i) are refused outright, and so are a combining
// mark after an ASCII character (a decomposed letter), controls and invisible formatting
// characters (ValidateText with SingleLineText). The stricter
// canonical form of ports.EmailCanonicalizer (normalization, mixed scripts, host
// names) needs Unicode tables beyond the standard library and lives in an adapter.
func NormalizeEmail(raw string) (string, error) {
	email := lowerASCII(strings.TrimSpace(raw))
	if email == "" || len(email) > maxEmailBytes {
		return "", NewValidationError("email", "must be an address of at most 254 characters")
	}
	if err := ValidateText("email", email, SingleLineText); err != nil {
		return "", err
	}
	if strings.ContainsFunc(email, mapsOntoASCII) {
		return "", NewValidationError("email", "must not contain look-alikes of ASCII letters such as the Kelvin sign")
	}
	if markAfterASCII(email) {
		return "", NewValidationError("email", "must use composed letters such as ü, not u followed by a combining mark")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", NewValidationError("email", "must be a valid address such as name@example.com")
	}
	return email, nil
}

// lowerASCII maps A–Z to a–z and leaves every other byte alone, invalid UTF-8 included
// (strings.Map would replace it with U+FFFD and hide it from validation).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// mapsOntoASCII reports whether r is not ASCII but has an ASCII letter among its case
// mappings or its case-folding orbit (U+212A KELVIN SIGN folds to "k").
func mapsOntoASCII(r rune) bool {
	if r < utf8.RuneSelf {
		return false
	}
	if unicode.ToLower(r) < utf8.RuneSelf || unicode.ToUpper(r) < utf8.RuneSelf {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < utf8.RuneSelf {
			return true
		}
	}
	return false
}

// markAfterASCII reports whether s has a combining mark right after an ASCII character.
// Such a pair is a decomposed non-ASCII letter ("U" and U+0308 is "Ü"): lower-casing its
// ASCII half would fold the case of a non-ASCII letter, and composing it needs Unicode
// normalization tables that the standard library lacks, so it is refused.
func markAfterASCII(s string) bool {
	prev := rune(-1)
	for _, r := range s {
		if prev >= 0 && prev < utf8.RuneSelf && unicode.Is(unicode.M, r) {
			return true
		}
		prev = r
	}
	return false
}

// ValidatePassword checks the password policy: 10 to 256 characters of valid UTF-8
// without control characters (NUL included). There are no composition rules (NIST SP
// 800-63B advises against them); spaces and any other printable character count.
// Refusing commonly used passwords needs a dictionary: see ports.PasswordBlocklist.
func ValidatePassword(pw string) error {
	if len(pw) > maxPasswordBytes {
		return NewValidationError("password", "must be at most 256 characters")
	}
	if !utf8.ValidString(pw) {
		return NewValidationError("password", reasonInvalidUTF8)
	}
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordLength:
		return NewValidationError("password", "must be at least 10 characters")
	case n > MaxPasswordLength:
		return NewValidationError("password", "must be at most 256 characters")
	}
	if strings.ContainsFunc(pw, unicode.IsControl) {
		return NewValidationError("password", "must not contain control characters")
	}
	if r := []rune(pw); repeats(r) || sequential(r) {
		return NewValidationError("password", "must not be a repeated or sequential run of characters such as aaaaaaaaaa or abcdefghij")
	}
	return nil
}

// repeats reports whether s is one short unit repeated ("aaaa", "abab", "abcabc"):
// NIST SP 800-63B lists repetitive passwords among those a verifier refuses.
func repeats(s []rune) bool {
	for period := 1; period <= len(s)/2; period++ {
		if slices.Equal(s[period:], s[:len(s)-period]) {
			return true
		}
	}
	return false
}

// sequential reports whether s runs through consecutive code points, up or down
// ("abcdefghij", "9876543210"): sequential passwords are refused like repetitive ones.
func sequential(s []rune) bool {
	step := s[1] - s[0]
	if step != 1 && step != -1 {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i]-s[i-1] != step {
			return false
		}
	}
	return true
}

// NormalizeDisplayName trims a display name, checks that it has 1 to 100 characters and
// that it is a single line of visible text (ValidateText with SingleLineText).
func NormalizeDisplayName(raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" || utf8.RuneCountInString(name) > MaxDisplayNameLength {
		return "", NewValidationError("displayName", "must be 1 to 100 characters")
	}
	if err := ValidateText("displayName", name, SingleLineText); err != nil {
		return "", err
	}
	return name, nil
}
