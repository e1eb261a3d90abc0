package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

func TestSessionPolicy_Start(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	policy := domain.SessionPolicy{IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour}
	tests := []struct {
		name         string
		policy       domain.SessionPolicy
		absolute     time.Time
		lastActivity time.Time
		wantExpiry   time.Time
		wantAbsolute time.Time
	}{
		{"absolute defaults to the max lifetime", policy, time.Time{}, time.Time{}, created.Add(time.Hour), created.Add(24 * time.Hour)},
		{"a later absolute is capped", policy, created.Add(48 * time.Hour), time.Time{}, created.Add(time.Hour), created.Add(24 * time.Hour)},
		{"an earlier absolute is kept and caps the expiry", policy, created.Add(30 * time.Minute), time.Time{}, created.Add(30 * time.Minute), created.Add(30 * time.Minute)},
		{"last activity becomes the creation time", policy, time.Time{}, created.Add(time.Minute), created.Add(time.Hour), created.Add(24 * time.Hour)},
		{"a lifetime shorter than the idle timeout caps the expiry",
			domain.SessionPolicy{IdleTimeout: time.Hour, MaxLifetime: 10 * time.Minute}, time.Time{}, time.Time{}, created.Add(10 * time.Minute), created.Add(10 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &domain.Session{CreatedAt: created, AbsoluteExpiresAt: tt.absolute, LastActivity: tt.lastActivity}
			require.NoError(t, tt.policy.Start(s))
			assert.Equal(t, created, s.LastActivity)
			assert.Equal(t, tt.wantExpiry, s.ExpiresAt)
			assert.Equal(t, tt.wantAbsolute, s.AbsoluteExpiresAt)
		})
	}
}

func TestSessionPolicy_StartRefusesSessionsThatCannotLive(t *testing.T) {
	t.Parallel()
	created := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		policy  domain.SessionPolicy
		session domain.Session
		field   string
	}{
		{"no creation time", domain.SessionPolicy{IdleTimeout: time.Hour, MaxLifetime: time.Hour}, domain.Session{}, "createdAt"},
		{"no lifetime", domain.SessionPolicy{IdleTimeout: time.Hour}, domain.Session{CreatedAt: created}, "expiresAt"},
		{"absolute expiry in the past", domain.SessionPolicy{IdleTimeout: time.Hour, MaxLifetime: time.Hour},
			domain.Session{CreatedAt: created, AbsoluteExpiresAt: created.Add(-time.Second)}, "expiresAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.policy.Start(&tt.session)
			var verr *domain.ValidationError
			require.ErrorAs(t, err, &verr)
			assert.Equal(t, tt.field, verr.Field)
		})
	}
}
