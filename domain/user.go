package domain

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Permissions granted by the service.
const (
	PermAdminCache    = "admin:cache"
	PermAdminSessions = "admin:sessions"
)

// MinPasswordLength is the shortest password registration accepts.
const MinPasswordLength = 10

// maxPasswordLength bounds the work a hash does on hostile input.
const maxPasswordLength = 256

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
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NormalizeEmail trims and lower-cases an address and checks that it is a bare address
// (no display name). It returns a ValidationError for field "email".
func NormalizeEmail(raw string) (string, error) {
	email := strings.ToLower(strings.TrimSpace(raw))
	if email == "" || len(email) > 254 {
		return "", NewValidationError("email", "must be an address of at most 254 characters")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
		return "", NewValidationError("email", "must be a valid address such as name@example.com")
	}
	return email, nil
}

// ValidatePassword checks the password policy.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return NewValidationError("password", "must be at least 10 characters")
	}
	if len(pw) > maxPasswordLength {
		return NewValidationError("password", "must be at most 256 bytes")
	}
	return nil
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
