package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"go.uber.org/fx"

	"github.com/studytool/studytool"
	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/adapters/httpapi/apidocs"
	"github.com/studytool/studytool/ports"
)

// readinessTimeout bounds each dependency check of /readyz.
const readinessTimeout = time.Second

// HTTPModule provides the Gin router with every feature's routes (the "routes" group),
// the authenticator the features' routes share (with the Idempotency-Key middleware of
// their POSTs), health, the OpenAPI document and its interactive documentation (/docs),
// and the HTTP server, which listens on start and drains in-flight requests on stop.
var HTTPModule = fx.Module("http",
	fx.Provide(
		newHealth,
		func(cfg Config) httpapi.CookieConfig { return httpapi.CookieConfig{Secure: cfg.Session.CookieSecure} },
		httpapi.NewIdempotency, // the authenticator applies it to every authenticated POST
		httpapi.NewAuthenticator,
		asRoutes(func(h *httpapi.Health) *httpapi.Health { return h }),
		asRoutes(func() httpapi.OpenAPISpec { return httpapi.OpenAPISpec(studytool.OpenAPI) }),
		asRoutes(func() (*httpapi.APIDocs, error) { return httpapi.NewAPIDocs(apidocs.Files()) }),
		newRouter,
	),
	fx.Invoke(registerServer),
)

// routerParams are the router's inputs: every feature's routes and the middleware.
type routerParams struct {
	fx.In
	Config     Config
	Logger     *slog.Logger
	Middleware HTTPMiddleware
	Routes     []httpapi.RouteRegistrar `group:"routes"`
}

func newRouter(p routerParams) (*httpapi.Router, error) {
	middleware := append(slices.Clone(p.Middleware), httpapi.RequestCache())
	return httpapi.NewRouter(httpapi.RouterConfig{
		TrustedProxies: p.Config.HTTP.TrustedProxies,
		MaxUploadBytes: p.Config.HTTP.MaxUploadBytes,
		Middleware:     middleware,
		// ACCESS_LOG_SAMPLE_2XX is validated to lie in [0, 1].
		AccessLogSkip2xx: 1 - p.Config.Observability.AccessLogSample2xx,
		Security:         httpapi.SecurityConfig{TrustedOrigins: p.Config.HTTP.AllowedOrigins, HSTS: p.Config.App.Env == EnvProduction},
	}, p.Logger, p.Routes...)
}

// healthParams are the dependencies /readyz checks.
type healthParams struct {
	fx.In
	DB      *gormdb.DB
	Session ports.Pinger `name:"sessionStore"`
	Cache   ports.Pinger `name:"cacheStore"`
}

func newHealth(p healthParams) (*httpapi.Health, error) {
	return httpapi.NewHealth(readinessTimeout,
		httpapi.Check{Name: "database", Pinger: p.DB, Critical: true},
		httpapi.Check{Name: "sessionStore", Pinger: p.Session, Critical: true},
		httpapi.Check{Name: "cacheStore", Pinger: p.Cache},
	)
}

// registerServer listens synchronously on start (so a taken port fails start-up), serves
// in a goroutine, and on stop stops accepting and drains in-flight requests within the
// stop context (SHUTDOWN_TIMEOUT).
func registerServer(lc fx.Lifecycle, cfg Config, router *httpapi.Router, logger *slog.Logger, shutdowner fx.Shutdowner) {
	srv := &http.Server{
		Addr:              cfg.HTTP.Addr,
		Handler:           router,
		ReadHeaderTimeout: cfg.HTTP.ReadHeaderTimeout,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.WriteTimeout,
		IdleTimeout:       cfg.HTTP.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", srv.Addr)
			if err != nil {
				return fmt.Errorf("http: listen %s: %w", srv.Addr, err)
			}
			logger.Info("http server listening", slog.String("addr", ln.Addr().String()))
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					logger.Error("http server failed", slog.Any("error", err))
					_ = shutdowner.Shutdown(fx.ExitCode(1))
				}
			}()
			return nil
		},
		OnStop: func(ctx context.Context) error {
			logger.Info("http server draining")
			if err := srv.Shutdown(ctx); err != nil {
				return fmt.Errorf("http: shutdown: %w", err)
			}
			return nil
		},
	})
}
