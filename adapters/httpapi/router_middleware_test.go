package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/adapters/httpapi"
)

// TestExtraMiddlewareSeesEveryFinalStatus checks the contract of RouterConfig.Middleware:
// it runs for matched and unmatched requests, after the request id is set, and sees the
// status that error rendering and panic recovery write.
func TestExtraMiddlewareSeesEveryFinalStatus(t *testing.T) {
	t.Parallel()
	type seen struct {
		route, requestID string
		status           int
	}
	var got []seen
	record := func(c *gin.Context) {
		requestID := c.Writer.Header().Get(httpapi.RequestIDHeader)
		c.Next()
		got = append(got, seen{route: c.FullPath(), requestID: requestID, status: c.Writer.Status()})
	}
	h := newHarness(t, httpapi.RouterConfig{Middleware: []gin.HandlerFunc{nil, record}}, routes{
		"GET /ok":    ok,
		"GET /panic": func(*gin.Context) { panic("boom") },
	})

	for _, path := range []string{"/ok", "/panic", "/nowhere"} {
		h.do(http.MethodGet, path, "")
	}

	if assert.Len(t, got, 3) {
		assert.Equal(t, "/ok", got[0].route)
		assert.Equal(t, http.StatusOK, got[0].status)
		assert.Equal(t, "/panic", got[1].route)
		assert.Equal(t, http.StatusInternalServerError, got[1].status, "recovery runs inside the middleware")
		assert.Empty(t, got[2].route)
		assert.Equal(t, http.StatusNotFound, got[2].status, "unmatched requests pass through it too")
		for _, s := range got {
			assert.NotEmpty(t, s.requestID, "the request id is set before the middleware runs")
		}
	}
}
