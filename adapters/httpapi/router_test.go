package httpapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
)

func ok(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"ok": true}) }

func TestNewRouterRejectsBadConfig(t *testing.T) {
	t.Parallel()
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name   string
		cfg    httpapi.RouterConfig
		logger *slog.Logger
		regs   []httpapi.RouteRegistrar
	}{
		{"invalid trusted proxy", httpapi.RouterConfig{TrustedProxies: []string{"not-an-ip"}}, logger, nil},
		{"negative body limit", httpapi.RouterConfig{MaxBodyBytes: -1}, logger, nil},
		{"nil logger", httpapi.RouterConfig{}, nil, nil},
		{"nil registrar", httpapi.RouterConfig{}, logger, []httpapi.RouteRegistrar{nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := httpapi.NewRouter(tt.cfg, tt.logger, tt.regs...)
			require.Error(t, err)
		})
	}
}

func TestUnmatchedRoutesAreProblems(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /items/:id": ok, "PUT /items/:id": ok})

	t.Run("unknown path is 404 not_found", func(t *testing.T) {
		rec := h.do(http.MethodGet, "/nowhere", "")
		require.Equal(t, http.StatusNotFound, rec.Code)
		assert.Equal(t, "not_found", problemOf(t, rec).Code)
	})
	t.Run("trailing slash is not redirected", func(t *testing.T) {
		rec := h.do(http.MethodGet, "/items/1/", "")
		require.Equal(t, http.StatusNotFound, rec.Code)
		assert.Equal(t, "not_found", problemOf(t, rec).Code)
	})
	t.Run("wrong method is 405 with Allow", func(t *testing.T) {
		rec := h.do(http.MethodDelete, "/items/1", "")
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
		p := problemOf(t, rec)
		assert.Equal(t, "method_not_allowed", p.Code)
		assert.Equal(t, "/items/1", p.Instance)
		allow := strings.Split(rec.Header().Get("Allow"), ", ")
		assert.ElementsMatch(t, []string{http.MethodGet, http.MethodHead, http.MethodPut}, allow)
		assert.NotEmpty(t, rec.Header().Get(httpapi.RequestIDHeader), "unmatched requests get an id too")
	})
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	var seen string
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /id": func(c *gin.Context) {
		seen = httpapi.RequestIDFrom(c.Request.Context())
		c.Status(http.StatusNoContent)
	}})

	tests := []struct {
		name     string
		incoming string
		echoed   bool
	}{
		{"uuid is echoed", "0b7e2c3a-1f1e-4c53-9f0e-2f4f1c1d2e3f", true},
		{"all allowed characters are echoed", "Az09._-", true},
		{"128 characters are echoed", strings.Repeat("a", 128), true},
		{"missing id is generated", "", false},
		{"129 characters are replaced", strings.Repeat("a", 129), false},
		{"space is replaced", "abc def", false},
		{"newline is replaced", "abc\nlevel=ERROR", false},
		{"markup is replaced", "<script>", false},
		{"non-ascii is replaced", "réquest", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/id", nil)
			if tt.incoming != "" {
				req.Header[http.CanonicalHeaderKey(httpapi.RequestIDHeader)] = []string{tt.incoming}
			}
			rec := h.serve(req)
			got := rec.Header().Get(httpapi.RequestIDHeader)
			if tt.echoed {
				assert.Equal(t, tt.incoming, got)
			} else {
				_, err := uuid.Parse(got)
				assert.NoError(t, err, "generated id %q is a uuid", got)
			}
			assert.Equal(t, got, seen, "the handler sees the response's id")
		})
	}

	t.Run("generated ids differ", func(t *testing.T) {
		a := h.do(http.MethodGet, "/id", "").Header().Get(httpapi.RequestIDHeader)
		b := h.do(http.MethodGet, "/id", "").Header().Get(httpapi.RequestIDHeader)
		assert.NotEqual(t, a, b)
	})
}

func TestRequestIDIsReachableThroughGinContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /id": func(c *gin.Context) {
		c.String(http.StatusOK, httpapi.RequestIDFrom(c))
	}})
	req := httptest.NewRequest(http.MethodGet, "/id", nil)
	req.Header.Set(httpapi.RequestIDHeader, "trace-1")
	assert.Equal(t, "trace-1", h.serve(req).Body.String())
}

func TestAccessLogOmitsCredentials(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /items/:id": ok})
	req := httptest.NewRequest(http.MethodGet, "/items/42?token=query-secret", nil)
	req.Header.Set("Authorization", "Bearer bearer-secret")
	req.Header.Set("Cookie", "studytool_session=cookie-secret")
	req.Header.Set(httpapi.RequestIDHeader, "req-7")
	require.Equal(t, http.StatusOK, h.serve(req).Code)

	for _, secret := range []string{"query-secret", "bearer-secret", "cookie-secret", "token="} {
		assert.NotContains(t, h.logs.String(), secret)
	}
	line := h.logLine(t, "http request")
	assert.Equal(t, "GET", line["method"])
	assert.Equal(t, "/items/:id", line["route"])
	assert.Equal(t, "/items/42", line["path"])
	assert.EqualValues(t, http.StatusOK, line["status"])
	assert.EqualValues(t, len(`{"ok":true}`), line["bytes"])
	assert.Equal(t, "req-7", line["request_id"])
	assert.Equal(t, "INFO", line["level"])
	assert.Contains(t, line, "duration")
}

func TestClientIPHonoursOnlyTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		proxies []string
		want    string
	}{
		{"no trusted proxy uses the peer", nil, "192.0.2.1"},
		{"trusted proxy forwards the client", []string{"192.0.2.0/24"}, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, httpapi.RouterConfig{TrustedProxies: tt.proxies}, routes{"GET /": ok})
			req := httptest.NewRequest(http.MethodGet, "/", nil) // RemoteAddr 192.0.2.1
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			h.serve(req)
			assert.Equal(t, tt.want, h.logLine(t, "http request")["client_ip"])
		})
	}
}

func TestPanicBecomesGenericProblem(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{
		"GET /boom": func(*gin.Context) { panic("boom: secret internals") },
		"GET /late": func(c *gin.Context) {
			c.String(http.StatusAccepted, "partial")
			panic("after the response started")
		},
	})

	t.Run("before writing", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/boom", nil)
		req.Header.Set(httpapi.RequestIDHeader, "panic-1")
		rec := h.serve(req)
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		body := rec.Body.String()
		p := problemOf(t, rec)
		assert.Equal(t, "internal", p.Code)
		assert.Equal(t, "An unexpected error occurred.", p.Detail)
		assert.NotContains(t, body, "secret")
		assert.NotContains(t, body, "goroutine")
		assert.NotContains(t, body, ".go:")
	})
	t.Run("after writing keeps the written response", func(t *testing.T) {
		rec := h.do(http.MethodGet, "/late", "")
		assert.Equal(t, http.StatusAccepted, rec.Code)
		assert.Equal(t, "partial", rec.Body.String())
	})

	var panics []map[string]any
	for _, l := range h.logLines(t) {
		if l["msg"] == "panic recovered" {
			panics = append(panics, l)
		}
	}
	require.Len(t, panics, 2)
	assert.Equal(t, "boom: secret internals", panics[0]["panic"])
	assert.Equal(t, "panic-1", panics[0]["request_id"])
	assert.Contains(t, panics[0]["stack"], "router_test.go", "the stack is logged")
}

func TestRegistrarFunc(t *testing.T) {
	t.Parallel()
	reg := httpapi.RegistrarFunc(func(r gin.IRouter) { r.GET("/f", ok) })
	h := newHarness(t, httpapi.RouterConfig{}, reg)
	assert.Equal(t, http.StatusOK, h.do(http.MethodGet, "/f", "").Code)
}

func TestWithRequestIDTagsDeeperLogs(t *testing.T) {
	t.Parallel()
	var buf strings.Builder
	// A use-case logger as bootstrap would build it: wrapped, then wrapped again by habit.
	useCaseLog := slog.New(httpapi.WithRequestID(httpapi.WithRequestID(slog.NewJSONHandler(&buf, nil)))).
		With("feature", "decks")
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /x": func(c *gin.Context) {
		useCaseLog.InfoContext(c.Request.Context(), "deck listed")
		c.Status(http.StatusNoContent)
	}})
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	req.Header.Set(httpapi.RequestIDHeader, "deep-1")
	h.serve(req)

	assert.Contains(t, buf.String(), `"feature":"decks"`)
	assert.Equal(t, 1, strings.Count(buf.String(), `"request_id":"deep-1"`), buf.String())
	useCaseLog.Info("outside a request")
	assert.Equal(t, 1, strings.Count(buf.String(), `"request_id"`), "no id outside a request")
}

func TestHeadIsAnsweredWhereverGetIs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /items/:id": func(c *gin.Context) {
		c.Header("ETag", `"v1"`)
		c.JSON(http.StatusOK, gin.H{"id": c.Param("id")})
	}})
	get := h.do(http.MethodGet, "/items/7", "")
	head := h.do(http.MethodHead, "/items/7", "")
	require.Equal(t, http.StatusOK, head.Code)
	assert.Empty(t, head.Body.String(), "no body")
	assert.Equal(t, get.Header().Get("Content-Type"), head.Header().Get("Content-Type"))
	assert.Equal(t, `"v1"`, head.Header().Get("ETag"))
	assert.Equal(t, http.StatusNotFound, h.do(http.MethodHead, "/nothing", "").Code)
}

func TestCORS(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{Security: httpapi.SecurityConfig{TrustedOrigins: []string{"https://app.example.com"}}},
		routes{"GET /decks": func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{}) }, "POST /decks": func(c *gin.Context) { c.Status(http.StatusCreated) }})
	preflight := func(origin string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodOptions, "/decks", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
		return h.serve(req)
	}

	rec := preflight("https://app.example.com")
	require.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, "https://app.example.com", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "true", rec.Header().Get("Access-Control-Allow-Credentials"))
	assert.Contains(t, rec.Header().Get("Access-Control-Allow-Methods"), http.MethodPost)
	assert.Equal(t, "600", rec.Header().Get("Access-Control-Max-Age"))
	assert.Contains(t, strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")), "idempotency-key")

	rec = preflight("https://evil.example.net")
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), "another origin gets no CORS headers")
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Credentials"))

	req := httptest.NewRequest(http.MethodGet, "/decks", nil)
	req.Header.Set("Origin", "https://app.example.com")
	rec = h.serve(req)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "https://app.example.com", rec.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, rec.Header().Get("Access-Control-Expose-Headers"), "Etag")
	assert.Contains(t, rec.Header().Values("Vary"), "Origin")
}

func TestAccessLogSampling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{AccessLogSkip2xx: 1}, routes{"GET /ok": ok})

	for range 5 {
		require.Equal(t, http.StatusOK, h.do(http.MethodGet, "/ok", "").Code)
	}
	require.Equal(t, http.StatusNotFound, h.do(http.MethodGet, "/nowhere", "").Code)

	line := h.logLine(t, "http request")
	assert.EqualValues(t, http.StatusNotFound, line["status"], "2xx lines are left out, every other status is logged")
	assert.NotEmpty(t, line["request_id"])

	_, err := httpapi.NewRouter(httpapi.RouterConfig{AccessLogSkip2xx: 1.5}, slog.New(slog.DiscardHandler))
	require.Error(t, err, "a fraction above 1 is refused")
}

// TestRouter_YieldsAfterEveryRequest pins the fairness between connections: a request
// that never waits on anything must still give the processor up when it ends. On one
// processor, a goroutine that only counts and yields runs between two such requests only
// if the request yields; otherwise only when the runtime preempts the request loop,
// every 10 ms, which 200 requests hardly take. (With the yield it ran 194 times in one
// run, not 200: the scheduler now and then runs the request loop first.) Not parallel:
// it sets GOMAXPROCS for the process.
func TestRouter_YieldsAfterEveryRequest(t *testing.T) {
	h := newHarness(t, httpapi.RouterConfig{}, routes{
		"GET /busy": func(c *gin.Context) { c.String(http.StatusOK, "done") },
	})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	var turns atomic.Int64
	stop := make(chan struct{})
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		for {
			select {
			case <-stop:
				return
			default:
				turns.Add(1)
				runtime.Gosched()
			}
		}
	}()
	runtime.Gosched() // the counter is running and has yielded back

	const requests = 200
	before := turns.Load()
	for range requests {
		require.Equal(t, http.StatusOK, h.do(http.MethodGet, "/busy", "").Code)
	}
	got := turns.Load() - before
	close(stop)
	<-counted
	assert.GreaterOrEqual(t, got, int64(requests/2), "the other goroutine ran %d times during %d requests", got, requests)
}
