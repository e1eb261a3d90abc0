package observability_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

func TestSessionCounters(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	m.SessionCreated(0)
	m.SessionCreated(2)
	m.SessionsExpired(3)
	m.SessionsExpired(0)

	families := gather(t, m)
	assert.InDelta(t, 2, value(series(families, "studytool_sessions_created_total", nil)), 0)
	assert.InDelta(t, 2, value(series(families, "studytool_sessions_evicted_total", nil)), 0)
	assert.InDelta(t, 3, value(series(families, "studytool_sessions_expired_pruned_total", nil)), 0)
}

func TestCountRateLimitsCountsRefusalsByScope(t *testing.T) {
	t.Parallel()
	unavailable := errors.New("redis down")
	tests := []struct {
		name    string
		key     string
		result  ports.RateResult
		err     error
		counted map[string]float64
	}{
		{"allowed", "login-ip:198.51.100.1", ports.RateResult{Allowed: true, Remaining: 3}, nil, nil},
		{"refused", "login-account:ada@example.com", ports.RateResult{RetryAfter: time.Second}, nil, map[string]float64{"login-account": 1}},
		{"failed", "login-ip:198.51.100.1", ports.RateResult{}, unavailable, nil},
		{"refused with a malformed scope", "bad scope:x", ports.RateResult{}, nil, map[string]float64{"other": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMetrics(t)
			limiter := mocks.NewRateLimiter(t)
			limiter.EXPECT().Allow(mock.Anything, tt.key, ports.PerMinute(5)).Return(tt.result, tt.err)

			got, err := observability.CountRateLimits(limiter, m).Allow(t.Context(), tt.key, ports.PerMinute(5))
			require.ErrorIs(t, err, tt.err)
			assert.Equal(t, tt.result, got, "the result passes through unchanged")

			family := gather(t, m)["studytool_rate_limited_total"]
			assert.Len(t, family.GetMetric(), len(tt.counted))
			for scope, want := range tt.counted {
				assert.InDelta(t, want, value(series(gather(t, m), "studytool_rate_limited_total", map[string]string{"scope": scope})), 0)
			}
		})
	}
}
