package httpapi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// RequestIDHeader carries the request id in both directions.
const RequestIDHeader = "X-Request-ID"

const maxRequestIDLen = 128

// requestIDHeaderKey is RequestIDHeader in the canonical form of a header map's keys:
// indexing the map with it spares the canonicalization (an allocation) per request.
var requestIDHeaderKey = http.CanonicalHeaderKey(RequestIDHeader)

// requestContext is the context every request runs in: its id and the router's logger,
// in one value (one allocation where context.WithValue and Gin's key map took three).
type requestContext struct {
	context.Context //nolint:containedctx // it is a context: the request's, extended by two values
	id              string
	logger          *slog.Logger
	// clientIP is c.ClientIP(), once clientIP has resolved it ("" before).
	clientIP string
}

// requestContextKey is the key under which a requestContext answers Value with itself.
type requestContextKey struct{}

// Value returns the requestContext itself for requestContextKey and defers to the parent
// for any other key.
func (c *requestContext) Value(key any) any {
	if _, ok := key.(requestContextKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// requestContextFrom returns the requestContext ctx descends from, or nil.
func requestContextFrom(ctx context.Context) *requestContext {
	rc, _ := ctx.Value(requestContextKey{}).(*requestContext)
	return rc
}

// clientIP returns c.ClientIP(), resolved once per request: the authenticator and the
// access log both need it, and resolving it allocates.
func clientIP(c *gin.Context) string {
	rc := requestContextFrom(c.Request.Context())
	if rc == nil {
		return c.ClientIP()
	}
	if rc.clientIP == "" {
		rc.clientIP = c.ClientIP()
	}
	return rc.clientIP
}

// RequestIDFrom returns the request id that the router stored in ctx, or "" outside a
// request.
func RequestIDFrom(ctx context.Context) string {
	if rc := requestContextFrom(ctx); rc != nil {
		return rc.id
	}
	return ""
}

// requestID adopts a sane incoming X-Request-ID or generates one, echoes it on the
// response, stores it in the request context and makes logger the request's logger.
func requestID(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		var id string
		if v := c.Request.Header[requestIDHeaderKey]; len(v) > 0 {
			id = v[0]
		}
		if !saneRequestID(id) {
			id = newRequestID()
		}
		c.Writer.Header()[requestIDHeaderKey] = []string{id}
		c.Request = c.Request.WithContext(&requestContext{Context: c.Request.Context(), id: id, logger: logger})
		c.Next()
	}
}

// newRequestID returns a random (version 4) UUID. It is uuid.NewString without the
// allocation of its reader path.
func newRequestID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // crypto/rand.Read never returns an error
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant RFC 4122
	return u.String()
}

// saneRequestID accepts 1–128 characters of [A-Za-z0-9._-]: enough for UUIDs and trace
// ids, nothing that could forge a log line or smuggle markup.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// WithRequestID wraps h so every record logged with a request context carries a
// request_id attribute. Wrapping twice is harmless.
func WithRequestID(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
