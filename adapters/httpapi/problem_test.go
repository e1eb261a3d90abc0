package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/domain"
)

func TestDomainErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		status     int
		code       string
		retryAfter string
		fields     []httpapi.FieldError
	}{
		{
			name: "validation", err: domain.NewValidationError("password", "must be at least 10 characters"),
			status: 422, code: "validation_failed",
			fields: []httpapi.FieldError{{Field: "password", Reason: "must be at least 10 characters"}},
		},
		{
			name: "validation without field", err: domain.NewValidationError("", "card is not in the session"),
			status: 422, code: "validation_failed",
			fields: []httpapi.FieldError{{Reason: "card is not in the session"}},
		},
		{name: "not found", err: domain.ErrNotFound, status: 404, code: "not_found"},
		{name: "wrapped not found", err: fmt.Errorf("deck repo: get d1: %w", domain.ErrNotFound), status: 404, code: "not_found"},
		{name: "email taken", err: fmt.Errorf("register: %w", domain.ErrEmailTaken), status: 409, code: "email_taken"},
		{name: "conflict", err: domain.ErrConflict, status: 409, code: "conflict"},
		{name: "invalid credentials", err: domain.ErrInvalidCredentials, status: 401, code: "invalid_credentials"},
		{name: "session invalid", err: domain.ErrSessionInvalid, status: 401, code: "session_invalid"},
		{name: "forbidden", err: domain.ErrForbidden, status: 403, code: "forbidden"},
		{
			name: "rate limited rounds up", err: &domain.RateLimitedError{RetryAfter: 1500 * time.Millisecond},
			status: 429, code: "rate_limited", retryAfter: "2",
		},
		{
			name: "rate limited at least one second", err: &domain.RateLimitedError{},
			status: 429, code: "rate_limited", retryAfter: "1",
		},
		{
			name: "store unavailable with hint",
			err: fmt.Errorf("auth: %w", &domain.UnavailableError{
				Store: "session store", RetryAfter: 3 * time.Second, Err: errors.New("dial tcp 10.0.0.7:6379: refused"),
			}),
			status: 503, code: "store_unavailable", retryAfter: "3",
		},
		{
			name: "store unavailable without hint", err: fmt.Errorf("cache: %w", domain.ErrStoreUnavailable),
			status: 503, code: "store_unavailable", retryAfter: "5",
		},
		{name: "unknown error", err: errors.New("pq: relation users does not exist"), status: 500, code: "internal"},
		{name: "cache miss leaking out is a bug", err: domain.ErrCacheMiss, status: 500, code: "internal"},
		{name: "deadline", err: context.DeadlineExceeded, status: 500, code: "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /things/:id": failWith(tt.err)})
			rec := h.do(http.MethodGet, "/things/7", "")

			require.Equal(t, tt.status, rec.Code)
			p := problemOf(t, rec)
			assert.Equal(t, tt.code, p.Code)
			assert.Equal(t, "/things/7", p.Instance)
			assert.Equal(t, tt.fields, p.Errors)
			assert.Equal(t, tt.retryAfter, rec.Header().Get("Retry-After"))
			if tt.status == http.StatusUnauthorized {
				assert.Equal(t, "Bearer", rec.Header().Get("WWW-Authenticate"))
			} else {
				assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
			}
			if tt.status >= 500 {
				assert.NotContains(t, p.Detail, tt.err.Error())
				assert.NotContains(t, rec.Body.String(), "10.0.0.7")
			}
			assert.Equal(t, tt.code, h.logLine(t, "http request")["code"])
		})
	}
}

func TestServerErrorsAreLoggedWithRequestID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /x": failWith(errors.New("pq: secret sql"))})
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.Header.Set(httpapi.RequestIDHeader, "req-500")
	rec := h.serve(req)

	require.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotContains(t, rec.Body.String(), "secret")
	line := h.logLine(t, "request failed")
	assert.Equal(t, "pq: secret sql", line["error"])
	assert.Equal(t, "req-500", line["request_id"])
	assert.Equal(t, "ERROR", h.logLine(t, "http request")["level"])
}

func TestClientErrorsAreNotLoggedAsFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /x": failWith(domain.ErrNotFound)})
	h.do(http.MethodGet, "/x", "")
	for _, l := range h.logLines(t) {
		assert.NotEqual(t, "request failed", l["msg"])
	}
}

func TestClientGoneWritesNoProblem(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /slow": func(c *gin.Context) {
		httpapi.WriteError(c, fmt.Errorf("deck repo: list: %w", c.Request.Context().Err()))
	}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := h.serve(httptest.NewRequestWithContext(ctx, http.MethodGet, "/slow", nil))

	assert.Equal(t, 499, rec.Code)
	assert.Empty(t, rec.Body.String())
	assert.EqualValues(t, 499, h.logLine(t, "http request")["status"])
}

func TestCanceledWithLiveClientIsInternal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /x": failWith(context.Canceled)})
	rec := h.do(http.MethodGet, "/x", "")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "internal", problemOf(t, rec).Code)
}

func TestWriteErrorAbortsTheChain(t *testing.T) {
	t.Parallel()
	reached := false
	guard := func(c *gin.Context) { httpapi.WriteError(c, domain.ErrSessionInvalid) }
	reg := httpapi.RegistrarFunc(func(r gin.IRouter) {
		r.GET("/private", guard, func(*gin.Context) { reached = true })
	})
	h := newHarness(t, httpapi.RouterConfig{}, reg)
	rec := h.do(http.MethodGet, "/private", "")
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "session_invalid", problemOf(t, rec).Code)
	assert.False(t, reached, "the handler after a failing middleware does not run")
}
