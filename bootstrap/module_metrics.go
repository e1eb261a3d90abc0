package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/argon2"
	"github.com/studytool/studytool/adapters/observability"
)

// MetricsServer serves GET /metrics on METRICS_ADDR: a listener of its own, never the
// API's, so the metrics of a public service stay on the network an operator chooses.
type MetricsServer struct {
	srv *http.Server

	mu   sync.Mutex
	addr string
}

// Addr returns the address the server listens on once started (METRICS_ADDR with its
// port resolved), or "" before.
func (s *MetricsServer) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// newMetricsServer builds the server; it listens on start (a taken port fails start-up)
// and shuts down on stop.
func newMetricsServer(lc fx.Lifecycle, cfg Config, m *observability.Metrics, logger *slog.Logger) *MetricsServer {
	mux := http.NewServeMux()
	mux.Handle("GET "+observability.MetricsPath, m.Handler(logger))
	s := &MetricsServer{srv: &http.Server{
		Addr:              cfg.HTTP.MetricsAddr,
		Handler:           mux,
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.WriteTimeout,
		IdleTimeout:       cfg.HTTP.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}}
	lc.Append(fx.Hook{OnStart: s.start(logger), OnStop: s.srv.Shutdown})
	return s
}

func (s *MetricsServer) start(logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.srv.Addr)
		if err != nil {
			return fmt.Errorf("metrics: listen %s: %w", s.srv.Addr, err)
		}
		s.mu.Lock()
		s.addr = ln.Addr().String()
		s.mu.Unlock()
		logger.Info("metrics server listening", slog.String("addr", s.Addr()))
		go func() {
			if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics server failed", slog.Any("error", err))
			}
		}()
		return nil
	}
}

// registerHasherMetrics exposes the password hasher's admission figures: hashes running
// and waiting, hashes done, and calls refused as busy.
func registerHasherMetrics(m *observability.Metrics, h *argon2.Hasher) error {
	return m.Register(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "studytool_password_hashes_in_flight",
			Help: "Password hashes running now (each takes 64 MiB; at most PASSWORD_HASH_CONCURRENCY).",
		}, func() float64 { return float64(h.Stats().InFlight) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "studytool_password_hashes_waiting",
			Help: "Logins, registrations and password changes waiting for a hashing slot.",
		}, func() float64 { return float64(h.Stats().Waiting) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "studytool_password_hashes_total",
			Help: "Password hashes computed.",
		}, func() float64 { return float64(h.Stats().Completed) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "studytool_password_hash_busy_total",
			Help: "Requests answered 503 busy after waiting PASSWORD_HASH_WAIT for a hashing slot.",
		}, func() float64 { return float64(h.Stats().Busy) }),
	)
}

// registerLogMetrics exposes the count of log records dropped because the log buffer
// was full.
func registerLogMetrics(m *observability.Metrics, b *observability.LogBuffer) error {
	return m.Register(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "studytool_log_records_dropped_total",
		Help: "Log records dropped because 1 MiB of lines was already waiting to be written to stdout.",
	}, func() float64 { return float64(b.Dropped()) }))
}

// serveMetrics makes the graph build the MetricsServer, which nothing else depends on.
func serveMetrics(*MetricsServer) {}
