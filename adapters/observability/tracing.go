package observability

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"gorm.io/gorm"
)

// tracesPath is the OTLP/HTTP path of the traces signal, appended to the base endpoint
// as the OTEL_EXPORTER_OTLP_ENDPOINT specification requires.
const tracesPath = "/v1/traces"

// TracingConfig configures OpenTelemetry tracing.
type TracingConfig struct {
	// Endpoint is the OTLP/HTTP collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT, e.g.
	// http://collector:4318); spans go to Endpoint + /v1/traces. Empty disables tracing.
	Endpoint string
	// ServiceName is the service.name resource attribute.
	ServiceName string
}

// Tracing is the service's OpenTelemetry tracer provider and the instrumentation that
// uses it: Gin requests, Redis commands and GORM statements. A disabled Tracing (no
// endpoint) creates no provider and installs nothing, so it costs nothing. It uses no
// OpenTelemetry global, so several applications can live in one process.
type Tracing struct {
	provider    *sdktrace.TracerProvider
	propagator  propagation.TextMapPropagator
	serviceName string
}

// NewTracing returns the tracing of cfg: disabled when cfg.Endpoint is empty, otherwise a
// batching tracer provider exporting OTLP over HTTP to the endpoint. Nothing is sent
// before the first span; Shutdown flushes and stops it.
func NewTracing(cfg TracingConfig) (*Tracing, error) {
	if cfg.Endpoint == "" {
		return &Tracing{}, nil
	}
	endpoint, err := tracesURL(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	exporter, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(endpoint))
	if err != nil {
		return nil, fmt.Errorf("tracing: exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(),
		resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName)))
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return &Tracing{
		provider:    sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)),
		propagator:  propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		serviceName: cfg.ServiceName,
	}, nil
}

// tracesURL returns the traces URL of an OTLP/HTTP base endpoint.
func tracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("tracing: the OTLP endpoint must be an http:// or https:// URL")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + tracesPath
	return u.String(), nil
}

// Enabled reports whether spans are recorded and exported.
func (t *Tracing) Enabled() bool { return t.provider != nil }

// GinMiddleware returns the middleware that starts a span per request (named by route
// template, continuing a W3C trace context the caller sent), or nil when tracing is
// disabled.
func (t *Tracing) GinMiddleware() gin.HandlerFunc {
	if !t.Enabled() {
		return nil
	}
	return otelgin.Middleware(t.serviceName,
		otelgin.WithTracerProvider(t.provider),
		otelgin.WithPropagators(t.propagator))
}

// InstrumentRedis adds a span per command and pipeline to client; it does nothing when
// tracing is disabled. Spans name the command, never its arguments (no values, no
// tokens).
func (t *Tracing) InstrumentRedis(client redis.UniversalClient) error {
	if !t.Enabled() {
		return nil
	}
	err := redisotel.InstrumentTracing(client,
		redisotel.WithTracerProvider(t.provider),
		redisotel.WithDBStatement(false),
		redisotel.WithCallerEnabled(false))
	if err != nil {
		return fmt.Errorf("tracing: redis: %w", err)
	}
	return nil
}

// GormPlugin returns the GORM plugin that adds a span per statement (the SQL text
// without its parameter values), or nil when tracing is disabled.
func (t *Tracing) GormPlugin() gorm.Plugin {
	if !t.Enabled() {
		return nil
	}
	return gormTracing{tracer: t.provider.Tracer(gormTracerName)}
}

// Shutdown exports the spans still buffered and stops the provider, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if !t.Enabled() {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil {
		return fmt.Errorf("tracing: shutdown: %w", err)
	}
	return nil
}
