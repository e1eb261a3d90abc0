package domain

import "time"

// Session is an authenticated login as stored by a SessionStore. ID is the hex SHA-256 of
// the bearer token; the token itself is never stored.
type Session struct {
	ID               string
	UserID           string
	OrganizationID   string
	OrganizationType OrganizationType
	Permissions      []string
	CreatedAt        time.Time
	LastActivity     time.Time
	// ExpiresAt is when the session dies unless used again: min(last use + idle timeout,
	// AbsoluteExpiresAt).
	ExpiresAt time.Time
	// AbsoluteExpiresAt caps the session's life however active it is.
	AbsoluteExpiresAt time.Time
	IPAddress         string
	UserAgent         string
}

// SessionPolicy holds the expiry rules a SessionStore applies.
type SessionPolicy struct {
	// IdleTimeout is the rolling lifetime refreshed by each use.
	IdleTimeout time.Duration
	// MaxLifetime caps a session's life from creation.
	MaxLifetime time.Duration
	// ActivityResolution is the least time between two rewrites of LastActivity.
	ActivityResolution time.Duration
	// MaxPerUser is how many sessions a user may hold; the oldest beyond it are evicted.
	MaxPerUser int
}

// ExpiryAt returns when a session last used at now dies under p.
func (p SessionPolicy) ExpiryAt(s *Session, now time.Time) time.Time {
	exp := now.Add(p.IdleTimeout)
	if exp.After(s.AbsoluteExpiresAt) {
		return s.AbsoluteExpiresAt
	}
	return exp
}

// Start completes a new session under p before it is stored, taking CreatedAt as the
// moment of creation: LastActivity becomes CreatedAt, AbsoluteExpiresAt is capped at
// CreatedAt+MaxLifetime (an earlier cap set by the caller is kept) and ExpiresAt is
// recomputed. It fails when CreatedAt is unset or the session would be born expired.
func (p SessionPolicy) Start(s *Session) error {
	if s.CreatedAt.IsZero() {
		return NewValidationError("createdAt", "must be set")
	}
	s.LastActivity = s.CreatedAt
	capAt := s.CreatedAt.Add(p.MaxLifetime)
	if s.AbsoluteExpiresAt.IsZero() || s.AbsoluteExpiresAt.After(capAt) {
		s.AbsoluteExpiresAt = capAt
	}
	s.ExpiresAt = p.ExpiryAt(s, s.CreatedAt)
	if !s.ExpiresAt.After(s.CreatedAt) {
		return NewValidationError("expiresAt", "the session policy leaves the session no lifetime")
	}
	return nil
}
