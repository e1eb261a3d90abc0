package observability

import (
	"context"
	"strings"

	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/ports"
)

var _ ports.SessionObserver = (*Metrics)(nil)

// otherScope labels a rate-limit key whose scope is not a valid key segment; the
// limiter refuses such keys anyway.
const otherScope = "other"

// SessionCreated counts a session a store created and the sessions it evicted to keep
// the user within MAX_SESSIONS_PER_USER. With SessionsExpired it makes Metrics the
// session stores' observer (ports.SessionObserver, given to their constructors).
func (m *Metrics) SessionCreated(evicted int) {
	m.sessionsCreated.Inc()
	if evicted > 0 {
		m.sessionsEvicted.Add(float64(evicted))
	}
}

// SessionsExpired counts expired sessions a store found and removed from their users'
// indexes.
func (m *Metrics) SessionsExpired(n int) {
	if n > 0 {
		m.sessionsExpired.Add(float64(n))
	}
}

// rateLimitCounter is a ports.RateLimiter that counts the events its limiter refuses.
type rateLimitCounter struct {
	next    ports.RateLimiter
	metrics *Metrics
}

// CountRateLimits returns limiter, counting each refused event in
// studytool_rate_limited_total by the scope of its key (`scope:subject`; the subject is
// never a label).
func CountRateLimits(limiter ports.RateLimiter, m *Metrics) ports.RateLimiter {
	return &rateLimitCounter{next: limiter, metrics: m}
}

// Allow implements ports.RateLimiter.
func (l *rateLimitCounter) Allow(ctx context.Context, key string, limit ports.RateLimit) (ports.RateResult, error) {
	res, err := l.next.Allow(ctx, key, limit)
	if err == nil && !res.Allowed {
		l.metrics.rateLimited.WithLabelValues(scopeLabel(key)).Inc()
	}
	return res, err
}

// Refund implements ports.RateLimiter.
func (l *rateLimitCounter) Refund(ctx context.Context, key string, limit ports.RateLimit) error {
	return l.next.Refund(ctx, key, limit)
}

// scopeLabel returns the scope of a rate-limit key, or otherScope when it is no valid
// key segment.
func scopeLabel(key string) string {
	scope, _, _ := strings.Cut(key, ":")
	if keyspace.ValidateSegment(scope) != nil || len(scope) > 32 {
		return otherScope
	}
	return scope
}
