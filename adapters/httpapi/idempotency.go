package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// The headers of the IETF httpapi Idempotency-Key draft.
const (
	// IdempotencyKeyHeader is the request header that names a POST's retries.
	IdempotencyKeyHeader = "Idempotency-Key"
	// IdempotentReplayedHeader marks a response replayed from an earlier request.
	IdempotentReplayedHeader = "Idempotent-Replayed"
)

// maxIdempotencyKeyLength bounds an Idempotency-Key, in bytes.
const maxIdempotencyKeyLength = 255

// maxKeptBodyBytes bounds the body of a response kept for replay. A longer one is not
// kept: its key is released, as after a server failure.
const maxKeptBodyBytes = 1 << 20

// inProgressRetryAfter is the Retry-After of a request_in_progress answer, in seconds.
const inProgressRetryAfter = "1"

// replayedHeaders are the response headers a replay repeats. Set-Cookie is never among
// them: a cookie carries a session token, which must not be stored.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

var (
	errIdempotencyKeyReused = errors.New("idempotency key reused for another request")
	errRequestInProgress    = errors.New("a request with this idempotency key is in progress")
)

// Idempotency makes POSTs sent with an Idempotency-Key safe to retry. It runs once the
// caller is authenticated (Authenticator.Required calls it): the first request with a
// key claims it in the store and runs; its response (status, replayedHeaders, body) is
// kept, and a retry with the same key, method, path and body gets that response again,
// marked Idempotent-Replayed. The same key with another request is 422
// idempotency_key_reused; a retry while the first still runs is 409
// request_in_progress. A server failure (5xx), a rate limit, a panic or a client that
// went away releases the key, so the retry runs again instead of replaying the failure.
// A store that cannot answer refuses the request (503) rather than risk running it
// twice.
//
// Keys are scoped by user. Anonymous POSTs (register, login) only have the header's
// format checked: their responses carry session tokens, which must not be kept, and a
// key scoped by itself alone would replay one person's login to whoever sends the key.
type Idempotency struct {
	store ports.IdempotencyStore
}

// NewIdempotency returns the middleware over store.
func NewIdempotency(store ports.IdempotencyStore) *Idempotency {
	return &Idempotency{store: store}
}

// idempotencyKeyFormat answers 422 validation_failed, naming the header, to a POST under
// /v1 whose Idempotency-Key is malformed, authenticated or not.
func idempotencyKeyFormat() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Method == http.MethodPost && strings.HasPrefix(c.Request.URL.Path, "/v1/") {
			if _, err := idempotencyKey(c.Request); err != nil {
				WriteError(c, err)
				return
			}
		}
		c.Next()
	}
}

// idempotencyKey returns the request's Idempotency-Key, "" when it has none, or a
// ValidationError unless it is sent once with 1 to maxIdempotencyKeyLength printable
// ASCII characters.
func idempotencyKey(r *http.Request) (string, error) {
	values := r.Header.Values(IdempotencyKeyHeader)
	if len(values) == 0 {
		return "", nil
	}
	invalid := domain.NewValidationError(IdempotencyKeyHeader, "must be sent once, with 1 to 255 printable ASCII characters")
	key := values[0]
	if len(values) > 1 || key == "" || len(key) > maxIdempotencyKeyLength {
		return "", invalid
	}
	for i := range len(key) {
		if key[i] < ' ' || key[i] > '~' {
			return "", invalid
		}
	}
	return key, nil
}

// run handles a POST of userID: without a key it just continues the chain; with one it
// claims, replays or refuses, and records the outcome. It calls c.Next itself.
func (i *Idempotency) run(c *gin.Context, userID string) {
	key, err := idempotencyKey(c.Request)
	if err != nil {
		WriteError(c, err)
		return
	}
	if key == "" {
		c.Next()
		return
	}
	fingerprint, err := requestFingerprint(c)
	if err != nil {
		WriteError(c, err)
		return
	}
	claim, err := i.store.Claim(c.Request.Context(), userID, key, fingerprint)
	if err != nil {
		WriteError(c, err)
		return
	}
	switch {
	case claim.Fingerprint != fingerprint:
		WriteError(c, errIdempotencyKeyReused)
	case claim.State == ports.IdempotencyCompleted:
		replay(c, claim.Response)
	case claim.State == ports.IdempotencyInProgress:
		c.Header("Retry-After", inProgressRetryAfter)
		WriteError(c, errRequestInProgress)
	default:
		i.runClaimed(c, userID, key, claim.Token)
	}
}

// requestFingerprint returns the hex SHA-256 of the request's method, path (with its
// query) and body, and puts the body back for the handler. A body over the router's
// limit is an error (413).
func requestFingerprint(c *gin.Context) (string, error) {
	var body []byte
	if c.Request.Body != nil && c.Request.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(c.Request.Body); err != nil {
			return "", &bodyError{err}
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(c.Request.Method), []byte(c.Request.URL.RequestURI()), body} {
		_, _ = h.Write(part)
		_, _ = h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// replay answers with a kept response.
func replay(c *gin.Context, resp *ports.IdempotentResponse) {
	for name, value := range resp.Header {
		c.Header(name, value)
	}
	c.Header(IdempotentReplayedHeader, "true")
	c.Status(resp.Status)
	if len(resp.Body) > 0 {
		_, _ = c.Writer.Write(resp.Body) // a client that went away is nothing to record
	}
	c.Abort()
}

// runClaimed runs the rest of the chain under a claim, recording what it writes, then
// keeps the response or releases the key. A panic releases the key on its way up to
// the recovery middleware.
func (i *Idempotency) runClaimed(c *gin.Context, userID, key, token string) {
	rec := &recordingWriter{ResponseWriter: c.Writer}
	c.Writer = rec
	// The outcome is recorded even when the client has gone away.
	ctx := context.WithoutCancel(c.Request.Context())
	finished := false
	defer func() {
		if !finished {
			i.release(ctx, c, userID, key, token)
		}
	}()
	c.Next()
	finished = true
	status := rec.Status()
	if !keptStatus(status) || rec.overflow {
		i.release(ctx, c, userID, key, token)
		return
	}
	resp := ports.IdempotentResponse{Status: status, Header: map[string]string{}, Body: rec.body.Bytes()}
	for _, name := range replayedHeaders {
		if v := rec.Header().Get(name); v != "" {
			resp.Header[name] = v
		}
	}
	if err := i.store.Complete(ctx, userID, key, token, resp); err != nil {
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "idempotency: response not kept; a retry within the lock TTL is refused as in progress, later it runs again",
			slog.Any("error", err))
	}
}

// release frees the key so that a retry runs again.
func (i *Idempotency) release(ctx context.Context, c *gin.Context, userID, key, token string) {
	if err := i.store.Release(ctx, userID, key, token); err != nil {
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "idempotency: key not released; retries are refused as in progress until the lock expires",
			slog.Any("error", err))
	}
}

// keptStatus reports whether a response with status is the request's outcome, kept for
// its retries: any 2xx or 4xx but those that ask for the same request again later (408,
// 425, 429, and 499 for a client that went away). A 5xx is never kept.
func keptStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests, statusClientClosedRequest:
		return false
	}
	return status >= http.StatusOK && status < http.StatusInternalServerError
}

// recordingWriter passes a response on and keeps a copy of its body, up to
// maxKeptBodyBytes (overflow says when it went past).
type recordingWriter struct {
	gin.ResponseWriter
	body     bytes.Buffer
	overflow bool
}

// Write records p and passes it on.
func (w *recordingWriter) Write(p []byte) (int, error) {
	w.record(p)
	return w.ResponseWriter.Write(p)
}

// WriteString records s and passes it on.
func (w *recordingWriter) WriteString(s string) (int, error) {
	w.record([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

func (w *recordingWriter) record(p []byte) {
	if w.overflow {
		return
	}
	if w.body.Len()+len(p) > maxKeptBodyBytes {
		w.overflow = true
		w.body.Reset()
		return
	}
	w.body.Write(p)
}
