package observability_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/libtnb/sqlite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/studytool/studytool/adapters/observability"
	"github.com/studytool/studytool/test/testenv"
)

func TestTracingIsOffWithoutAnEndpoint(t *testing.T) {
	t.Parallel()
	tracing, err := observability.NewTracing(observability.TracingConfig{ServiceName: "studytool"})
	require.NoError(t, err)

	assert.False(t, tracing.Enabled())
	assert.Nil(t, tracing.GinMiddleware())
	assert.Nil(t, tracing.GormPlugin())
	require.NoError(t, tracing.InstrumentRedis(nil), "nothing is instrumented, whatever the client")
	require.NoError(t, tracing.Shutdown(t.Context()))
}

func TestTracingRefusesAnEndpointThatIsNoHTTPURL(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"collector:4318", "grpc://collector:4317", "http://"} {
		_, err := observability.NewTracing(observability.TracingConfig{Endpoint: endpoint, ServiceName: "studytool"})
		assert.Error(t, err, endpoint)
	}
}

// collector is an OTLP/HTTP trace receiver that keeps the spans it is sent.
type collector struct {
	mu    sync.Mutex
	paths []string
	spans []*tracepb.Span
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, r.URL.Path)
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	_, _ = w.Write(resp)
}

// span returns the received span whose name has prefix, or nil.
func (c *collector) span(prefix string) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if strings.HasPrefix(s.GetName(), prefix) {
			return s
		}
	}
	return nil
}

func (c *collector) received() ([]string, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, len(c.spans))
	for i, s := range c.spans {
		names[i] = s.GetName()
	}
	return c.paths, names
}

// attributes returns a span's attributes as strings.
func attributes(s *tracepb.Span) map[string]string {
	out := make(map[string]string)
	for _, kv := range s.GetAttributes() {
		out[kv.GetKey()] = kv.GetValue().GetStringValue()
	}
	return out
}

func TestTracingExportsGinRedisAndGormSpans_Redis(t *testing.T) {
	t.Parallel()
	// Redis first: without it the test skips, and nothing may have been started yet.
	client, prefix := testenv.Redis(t)
	received := &collector{}
	server := httptest.NewServer(received)
	t.Cleanup(server.Close)
	tracing, err := observability.NewTracing(observability.TracingConfig{Endpoint: server.URL + "/otlp/", ServiceName: "studytool-test"})
	require.NoError(t, err)
	// Stops the batch span processor whatever happens below (a repeated Shutdown is a no-op).
	t.Cleanup(func() { _ = tracing.Shutdown(context.Background()) })
	require.True(t, tracing.Enabled())
	const secret = "value-that-must-not-leave"

	// Gin: a request to a parameterised route.
	router := gin.New()
	router.Use(tracing.GinMiddleware())
	router.GET("/v1/decks/:deckId", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/v1/decks/d-77", nil))

	// Redis: a command carrying a value.
	require.NoError(t, tracing.InstrumentRedis(client))
	require.NoError(t, client.Set(t.Context(), prefix+"k", secret, time.Minute).Err())

	// GORM: a statement with a parameter.
	db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: ":memory:"}),
		&gorm.Config{Logger: gormlogger.Discard})
	require.NoError(t, err)
	sqlDB, err := db.DB()
	require.NoError(t, err)
	t.Cleanup(func() { _ = sqlDB.Close() })
	require.NoError(t, db.Use(tracing.GormPlugin()))
	var n int
	require.NoError(t, db.WithContext(t.Context()).Raw("SELECT ? AS n", 4242).Scan(&n).Error)
	require.Equal(t, 4242, n)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, tracing.Shutdown(ctx), "shutdown flushes the buffered spans")

	paths, names := received.received()
	require.NotEmpty(t, paths)
	assert.Equal(t, "/otlp/v1/traces", paths[0], "spans go to the endpoint's traces path")

	httpSpan := received.span("GET /v1/decks/:deckId")
	require.NotNil(t, httpSpan, "spans: %v", names)

	redisSpan := received.span("set")
	require.NotNil(t, redisSpan, "spans: %v", names)
	for key, v := range attributes(redisSpan) {
		assert.NotContains(t, v, secret, "redis span attribute %s carries the command's value", key)
	}

	gormSpan := received.span("gorm.")
	require.NotNil(t, gormSpan, "spans: %v", names)
	assert.Equal(t, "SELECT ? AS n", attributes(gormSpan)["db.query.text"], "the SQL keeps its placeholders")
	for key, v := range attributes(gormSpan) {
		assert.NotContains(t, v, "4242", "gorm span attribute %s carries a parameter value", key)
	}
}
