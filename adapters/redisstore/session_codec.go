package redisstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/studytool/studytool/domain"
)

// Fields of a session hash. Times are unix milliseconds; permissions is a JSON array.
// The scripts in lua/ read userId, lastActivity, expiresAt and absoluteExpiresAt by
// these names.
const (
	sessionFieldUserID           = "userId"
	sessionFieldOrganizationID   = "organizationId"
	sessionFieldOrganizationType = "organizationType"
	sessionFieldPermissions      = "permissions"
	sessionFieldCreatedAt        = "createdAt"
	sessionFieldLastActivity     = "lastActivity"
	sessionFieldExpiresAt        = "expiresAt"
	sessionFieldAbsoluteExpiry   = "absoluteExpiresAt"
	sessionFieldIPAddress        = "ipAddress"
	sessionFieldUserAgent        = "userAgent"
)

// sessionHash encodes s as the field/value pairs of its hash.
func sessionHash(s *domain.Session) ([]any, error) {
	perms := s.Permissions
	if perms == nil {
		perms = []string{}
	}
	permJSON, err := json.Marshal(perms)
	if err != nil {
		return nil, fmt.Errorf("encode permissions: %w", err)
	}
	return []any{
		sessionFieldUserID, s.UserID,
		sessionFieldOrganizationID, s.OrganizationID,
		sessionFieldOrganizationType, string(s.OrganizationType),
		sessionFieldPermissions, string(permJSON),
		sessionFieldCreatedAt, s.CreatedAt.UnixMilli(),
		sessionFieldLastActivity, s.LastActivity.UnixMilli(),
		sessionFieldExpiresAt, s.ExpiresAt.UnixMilli(),
		sessionFieldAbsoluteExpiry, s.AbsoluteExpiresAt.UnixMilli(),
		sessionFieldIPAddress, s.IPAddress,
		sessionFieldUserAgent, s.UserAgent,
	}, nil
}

// decodeSession rebuilds session id from its hash fields.
func decodeSession(id string, h map[string]string) (*domain.Session, error) {
	s := &domain.Session{
		ID:               id,
		UserID:           h[sessionFieldUserID],
		OrganizationID:   h[sessionFieldOrganizationID],
		OrganizationType: domain.OrganizationType(h[sessionFieldOrganizationType]),
		IPAddress:        h[sessionFieldIPAddress],
		UserAgent:        h[sessionFieldUserAgent],
	}
	if s.UserID == "" {
		return nil, fmt.Errorf("decode session %s: no %s", id, sessionFieldUserID)
	}
	if err := json.Unmarshal([]byte(h[sessionFieldPermissions]), &s.Permissions); err != nil {
		return nil, fmt.Errorf("decode session %s: %s: %w", id, sessionFieldPermissions, err)
	}
	times := []struct {
		field string
		dst   *time.Time
	}{
		{sessionFieldCreatedAt, &s.CreatedAt},
		{sessionFieldLastActivity, &s.LastActivity},
		{sessionFieldExpiresAt, &s.ExpiresAt},
		{sessionFieldAbsoluteExpiry, &s.AbsoluteExpiresAt},
	}
	for _, tf := range times {
		t, err := parseMillis(h[tf.field])
		if err != nil {
			return nil, fmt.Errorf("decode session %s: %s: %w", id, tf.field, err)
		}
		*tf.dst = t
	}
	return s, nil
}

// pairsToMap turns a script's flat field/value reply into a map.
func pairsToMap(pairs []any) (map[string]string, error) {
	if len(pairs)%2 != 0 {
		return nil, fmt.Errorf("odd number of hash fields: %d", len(pairs))
	}
	h := make(map[string]string, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		k, kok := pairs[i].(string)
		v, vok := pairs[i+1].(string)
		if !kok || !vok {
			return nil, fmt.Errorf("hash field %d is not a string pair", i/2)
		}
		h[k] = v
	}
	return h, nil
}

func parseMillis(s string) (time.Time, error) {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse unix ms %q: %w", s, err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// sessionMillis truncates t to the millisecond precision the hash keeps, in UTC.
func sessionMillis(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }
