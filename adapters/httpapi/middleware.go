package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// problemCodeKey is the key under which error rendering tells the access log the
// problem's code, through the gin.Context.
const problemCodeKey = "httpapi.problemCode"

// loggerFrom returns the router's logger, which requestID puts in the request's context
// (ctx or a context derived from it), or slog.Default outside the router.
func loggerFrom(ctx context.Context) *slog.Logger {
	if rc := requestContextFrom(ctx); rc != nil && rc.logger != nil {
		return rc.logger
	}
	return slog.Default()
}

// accessLog writes one line per request. It logs the path without the query string and no
// headers, so tokens in queries, Authorization headers and cookies never reach the log.
// skip2xx is the fraction of the lines of successful (2xx) responses left out, chosen at
// random (0 logs them all, 1 none); every other status is always logged. No line is
// built when the logger would discard it (LOG_LEVEL above info, or sampled out).
func accessLog(skip2xx float64) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()

		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status == http.StatusServiceUnavailable:
			level = slog.LevelWarn // a known degradation, reported by /readyz and metrics too
		case status >= http.StatusInternalServerError:
			level = slog.LevelError
		}
		if skip2xx > 0 && status >= 200 && status < 300 && (skip2xx >= 1 || rand.Float64() < skip2xx) { //nolint:gosec // sampling, not security
			return
		}
		ctx := c.Request.Context()
		logger := loggerFrom(ctx)
		if !logger.Enabled(ctx, level) {
			return
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("client_ip", clientIP(c)),
		}
		if code := c.GetString(problemCodeKey); code != "" {
			attrs = append(attrs, slog.String("code", code))
		}
		logger.LogAttrs(ctx, level, "http request", attrs...)
	}
}

// recovery turns a panic into a logged stack trace and a generic 500 problem. The stack
// goes to the log only, never to the client. http.ErrAbortHandler keeps its meaning.
func recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(rec)
			}
			loggerFrom(c.Request.Context()).LogAttrs(c.Request.Context(), slog.LevelError, "panic recovered",
				slog.Any("panic", rec), slog.String("stack", string(debug.Stack())))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			writeProblem(c, newResponse(kindInternal, detailInternal))
		}()
		c.Next()
	}
}

// bodyLimit caps request bodies at limit bytes, those of the routes that take uploads
// at uploadLimit. A declared Content-Length over the limit is refused at once; a longer
// streamed body fails on read with *http.MaxBytesError, which the error mapping renders
// as 413 payload_too_large.
func bodyLimit(bodyLimit, uploadLimit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := bodyLimit
		if uploadRoutes[c.FullPath()] {
			limit = uploadLimit
		}
		if c.Request.ContentLength > limit {
			WriteError(c, &http.MaxBytesError{Limit: limit})
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody { // nothing to cap in a request without a body
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
