package observability

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// MetricsPath is where the Prometheus registry is served.
const MetricsPath = "/metrics"

// unmatchedRoute labels requests that matched no route (404, 405), so probing random
// paths cannot mint new series.
const unmatchedRoute = "unmatched"

// otherMethod labels a request method outside the standard set, for the same reason.
const otherMethod = "OTHER"

// HTTPMiddleware counts and times every request by route template (never the raw path,
// which holds ids), method and status code, and puts the route template in the request's
// context for the metrics of the work the request causes (database timeouts by route).
// Install it globally, ahead of the error rendering and panic recovery, so it sees the
// status they write.
func (m *Metrics) HTTPMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		route := c.FullPath()
		if route == "" {
			route = unmatchedRoute
		}
		c.Request = c.Request.WithContext(withRoute(c.Request.Context(), route))
		c.Next()
		method := methodLabel(c.Request.Method)
		m.httpRequests.WithLabelValues(route, method, strconv.Itoa(c.Writer.Status())).Inc()
		m.httpDuration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	}
}

// methodLabel returns method when it is a standard HTTP method and otherMethod if not.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return otherMethod
}
