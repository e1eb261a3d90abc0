package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
)

// Keys under which the middleware shares per-request values through the gin.Context.
const (
	loggerKey      = "httpapi.logger"
	problemCodeKey = "httpapi.problemCode"
)

// loggerFrom returns the router's logger, or slog.Default outside the router.
func loggerFrom(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		if logger, ok := l.(*slog.Logger); ok {
			return logger
		}
	}
	return slog.Default()
}

// accessLog writes one line per request. It logs the path without the query string and no
// headers, so tokens in queries, Authorization headers and cookies never reach the log.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()

		status := c.Writer.Status()
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("client_ip", c.ClientIP()),
		}
		if code := c.GetString(problemCodeKey); code != "" {
			attrs = append(attrs, slog.String("code", code))
		}
		level := slog.LevelInfo
		switch {
		case status == http.StatusServiceUnavailable:
			level = slog.LevelWarn // a known degradation, reported by /readyz and metrics too
		case status >= http.StatusInternalServerError:
			level = slog.LevelError
		}
		loggerFrom(c).LogAttrs(c.Request.Context(), level, "http request", attrs...)
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
			loggerFrom(c).LogAttrs(c.Request.Context(), slog.LevelError, "panic recovered",
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
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		}
		c.Next()
	}
}
