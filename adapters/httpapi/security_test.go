package httpapi_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/domain"
)

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, hsts := range []bool{false, true} {
		h := newHarness(t, httpapi.RouterConfig{Security: httpapi.SecurityConfig{HSTS: hsts}},
			routes{"GET /ok": func(c *gin.Context) { c.Status(http.StatusNoContent) }})
		for _, target := range []string{"/ok", "/missing"} {
			rec := h.do(http.MethodGet, target, "")
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), target)
			assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"), target)
			if hsts {
				assert.Contains(t, rec.Header().Get("Strict-Transport-Security"), "max-age=", target)
			} else {
				assert.Empty(t, rec.Header().Get("Strict-Transport-Security"), target)
			}
		}
	}
}

func TestCrossSiteUnsafeRequestsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{Security: httpapi.SecurityConfig{TrustedOrigins: []string{"https://app.example.com"}}},
		routes{
			"POST /v1/decks": func(c *gin.Context) { c.Status(http.StatusCreated) },
			"GET /v1/decks":  func(c *gin.Context) { c.Status(http.StatusOK) },
		})
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		status  int
	}{
		{"cross-site form post", http.MethodPost, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-site but other origin", http.MethodPost, map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.com"}, http.StatusForbidden},
		{"old browser, foreign Origin", http.MethodPost, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", http.MethodPost, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusCreated},
		{"trusted origin", http.MethodPost, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://app.example.com"}, http.StatusCreated},
		{"API client without browser headers", http.MethodPost, nil, http.StatusCreated},
		{"safe method from anywhere", http.MethodGet, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, "http://api.example.com/v1/decks", strings.NewReader("{}"))
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := h.serve(req)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status == http.StatusForbidden {
				assert.Equal(t, "forbidden", problemOf(t, rec).Code)
			}
		})
	}
}

func TestNewRouterRefusesAnInvalidTrustedOrigin(t *testing.T) {
	t.Parallel()
	_, err := httpapi.NewRouter(httpapi.RouterConfig{Security: httpapi.SecurityConfig{TrustedOrigins: []string{"not an origin"}}},
		slog.New(slog.DiscardHandler))
	require.Error(t, err)
}

func TestBindJSONRefusesABodyThatIsNotDeclaredJSON(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"POST /things": func(c *gin.Context) {
		var v struct {
			Name string `json:"name"`
		}
		if err := httpapi.BindJSON(c, &v); err != nil {
			httpapi.WriteError(c, err)
			return
		}
		c.Status(http.StatusCreated)
	}})
	for contentType, status := range map[string]int{
		"":                                  http.StatusUnsupportedMediaType,
		"text/plain":                        http.StatusUnsupportedMediaType,
		"application/x-www-form-urlencoded": http.StatusUnsupportedMediaType,
		"multipart/form-data; boundary=x":   http.StatusUnsupportedMediaType,
		"application/json":                  http.StatusCreated,
		"application/json; charset=utf-8":   http.StatusCreated,
		"application/merge-patch+json":      http.StatusCreated,
	} {
		req := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(`{"name":"x"}`))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		rec := h.serve(req)
		require.Equal(t, status, rec.Code, "%q: %s", contentType, rec.Body.String())
		if status == http.StatusUnsupportedMediaType {
			assert.Equal(t, "unsupported_media_type", problemOf(t, rec).Code)
		}
	}
}

func TestBusyIs503WithRetryAfter(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"POST /login": func(c *gin.Context) {
		httpapi.WriteError(c, &domain.BusyError{RetryAfter: 1500 * time.Millisecond})
	}})
	rec := h.do(http.MethodPost, "/login", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, "2", rec.Header().Get("Retry-After"))
	assert.Equal(t, "busy", problemOf(t, rec).Code)
}
