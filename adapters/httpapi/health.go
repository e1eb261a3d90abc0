package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/ports"
)

// DefaultPingTimeout bounds each readiness ping when NewHealth is given zero.
const DefaultPingTimeout = time.Second

// Readiness states, overall and per dependency.
const (
	StatusOK          = "ok"
	StatusDegraded    = "degraded"
	StatusUnavailable = "unavailable"
	CheckUp           = "up"
	CheckDown         = "down"
)

// Check is one dependency that /readyz reports.
type Check struct {
	// Name is the dependency's key in the readiness body, e.g. "database".
	Name string
	// Pinger answers whether the dependency is reachable.
	Pinger ports.Pinger
	// Critical dependencies make the service unready (503) when down; the others only
	// degrade it.
	Critical bool
}

// Readiness is the body of GET /readyz.
type Readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// Health serves GET /healthz (liveness) and GET /readyz (readiness). Readiness pings
// every dependency concurrently, each within the ping timeout.
type Health struct {
	checks  []Check
	timeout time.Duration
}

var _ RouteRegistrar = (*Health)(nil)

// NewHealth builds the health endpoints over checks; timeout zero means
// DefaultPingTimeout. Names must be unique and every check needs a Pinger.
func NewHealth(timeout time.Duration, checks ...Check) (*Health, error) {
	if timeout < 0 {
		return nil, fmt.Errorf("health: ping timeout %s is negative", timeout)
	}
	if timeout == 0 {
		timeout = DefaultPingTimeout
	}
	seen := make(map[string]bool, len(checks))
	for _, ch := range checks {
		switch {
		case ch.Name == "":
			return nil, fmt.Errorf("health: check without a name")
		case ch.Pinger == nil:
			return nil, fmt.Errorf("health: check %q has no pinger", ch.Name)
		case seen[ch.Name]:
			return nil, fmt.Errorf("health: duplicate check %q", ch.Name)
		}
		seen[ch.Name] = true
	}
	return &Health{checks: checks, timeout: timeout}, nil
}

// Register implements RouteRegistrar.
func (h *Health) Register(r gin.IRouter) {
	r.GET("/healthz", h.live)
	r.GET("/readyz", h.ready)
}

func (h *Health) live(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": StatusOK})
}

func (h *Health) ready(c *gin.Context) {
	readiness := h.readiness(c.Request.Context(), loggerFrom(c.Request.Context()))
	status := http.StatusOK
	if readiness.Status == StatusUnavailable {
		status = http.StatusServiceUnavailable
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, readiness)
}

// readiness pings every dependency and summarizes: unavailable when a critical one is down,
// degraded when only others are, ok otherwise. Failures are logged, never returned, so
// the readiness body cannot leak addresses or driver messages.
func (h *Health) readiness(ctx context.Context, logger *slog.Logger) Readiness {
	errs := make([]error, len(h.checks))
	var wg sync.WaitGroup
	for i, ch := range h.checks {
		wg.Go(func() {
			pingCtx, cancel := context.WithTimeout(ctx, h.timeout)
			defer cancel()
			errs[i] = ch.Pinger.Ping(pingCtx)
		})
	}
	wg.Wait()

	out := Readiness{Status: StatusOK, Checks: make(map[string]string, len(h.checks))}
	for i, ch := range h.checks {
		if errs[i] == nil {
			out.Checks[ch.Name] = CheckUp
			continue
		}
		out.Checks[ch.Name] = CheckDown
		logger.LogAttrs(ctx, slog.LevelWarn, "readiness check failed",
			slog.String("check", ch.Name), slog.Bool("critical", ch.Critical), slog.Any("error", errs[i]))
		switch {
		case ch.Critical:
			out.Status = StatusUnavailable
		case out.Status == StatusOK:
			out.Status = StatusDegraded
		}
	}
	return out
}
