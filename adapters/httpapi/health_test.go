package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/ports"
)

type pingerFunc func(ctx context.Context) error

func (f pingerFunc) Ping(ctx context.Context) error { return f(ctx) }

var (
	up   = pingerFunc(func(context.Context) error { return nil })
	down = pingerFunc(func(context.Context) error { return errors.New("dial tcp 10.1.2.3:6379: refused") })
	// hangs answers only when its context ends, as an unreachable server would.
	hangs = pingerFunc(func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
)

func healthHarness(t *testing.T, db, cache, sessions httpapi.Check) harness {
	t.Helper()
	db.Name, db.Critical = "database", true
	cache.Name = "cacheStore"
	sessions.Name, sessions.Critical = "sessionStore", true
	health, err := httpapi.NewHealth(20*time.Millisecond, db, cache, sessions)
	require.NoError(t, err)
	return newHarness(t, httpapi.RouterConfig{}, health)
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	h := healthHarness(t, httpapi.Check{Pinger: down}, httpapi.Check{Pinger: down}, httpapi.Check{Pinger: down})
	rec := h.do(http.MethodGet, "/healthz", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		db, cache, sess   ports.Pinger
		status            int
		overall           string
		dbS, cacheS, sesS string
	}{
		{"all up", up, up, up, 200, "ok", "up", "up", "up"},
		{"cache down degrades", up, down, up, 200, "degraded", "up", "down", "up"},
		{"database down", down, up, up, 503, "unavailable", "down", "up", "up"},
		{"session store down", up, up, down, 503, "unavailable", "up", "up", "down"},
		{"database hangs past the timeout", hangs, up, up, 503, "unavailable", "down", "up", "up"},
		{"everything down", down, down, down, 503, "unavailable", "down", "down", "down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := healthHarness(t, httpapi.Check{Pinger: tt.db}, httpapi.Check{Pinger: tt.cache}, httpapi.Check{Pinger: tt.sess})
			rec := h.do(http.MethodGet, "/readyz", "")

			require.Equal(t, tt.status, rec.Code)
			var got httpapi.Readiness
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, httpapi.Readiness{Status: tt.overall, Checks: map[string]string{
				"database": tt.dbS, "cacheStore": tt.cacheS, "sessionStore": tt.sesS,
			}}, got)
			assert.NotContains(t, rec.Body.String(), "10.1.2.3", "errors stay in the log")
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		})
	}
}

func TestReadyzLogsFailures(t *testing.T) {
	t.Parallel()
	h := healthHarness(t, httpapi.Check{Pinger: up}, httpapi.Check{Pinger: down}, httpapi.Check{Pinger: up})
	h.do(http.MethodGet, "/readyz", "")
	line := h.logLine(t, "readiness check failed")
	assert.Equal(t, "cacheStore", line["check"])
	assert.Equal(t, false, line["critical"])
	assert.Contains(t, line["error"], "refused")
}

func TestNewHealthRejectsBadChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration
		checks  []httpapi.Check
	}{
		{"negative timeout", -time.Second, nil},
		{"missing name", 0, []httpapi.Check{{Pinger: up}}},
		{"missing pinger", 0, []httpapi.Check{{Name: "database"}}},
		{"duplicate name", 0, []httpapi.Check{{Name: "database", Pinger: up}, {Name: "database", Pinger: up}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := httpapi.NewHealth(tt.timeout, tt.checks...)
			require.Error(t, err)
		})
	}
}
