package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/render"

	"github.com/studytool/studytool/domain"
)

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// ProblemTypeBase prefixes the code to form a problem's type URI.
const ProblemTypeBase = "https://studytool.dev/problems/"

// statusClientClosedRequest records a request whose client went away (nginx's 499); the
// client never sees it, the access log does.
const statusClientClosedRequest = 499

const (
	detailInternal          = "An unexpected error occurred."
	defaultUnavailableRetry = 5 * time.Second
)

// Problem is an RFC 9457 problem details body. Code is a stable machine word clients
// branch on; Type is ProblemTypeBase + Code.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail"`
	Code     string       `json:"code"`
	Instance string       `json:"instance,omitempty"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// FieldError names one offending input field (camelCase path, as clients send it).
type FieldError struct {
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

// kind is a problem type: its status, code and fixed title.
type kind struct {
	status int
	code   string
	title  string
}

var (
	kindMalformedJSON      = kind{http.StatusBadRequest, "malformed_json", "Malformed JSON"}
	kindNothingToUndo      = kind{http.StatusConflict, "nothing_to_undo", "Nothing to undo"}
	kindInvalidCredentials = kind{http.StatusUnauthorized, "invalid_credentials", "Invalid credentials"}
	kindSessionInvalid     = kind{http.StatusUnauthorized, "session_invalid", "Session invalid"}
	kindForbidden          = kind{http.StatusForbidden, "forbidden", "Forbidden"}
	kindNotFound           = kind{http.StatusNotFound, "not_found", "Not found"}
	kindMethodNotAllowed   = kind{http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"}
	kindConflict           = kind{http.StatusConflict, "conflict", "Conflict"}
	kindEmailTaken         = kind{http.StatusConflict, "email_taken", "Email taken"}
	kindPrecondition       = kind{http.StatusPreconditionFailed, "precondition_failed", "Precondition failed"}
	kindPayloadTooLarge    = kind{http.StatusRequestEntityTooLarge, "payload_too_large", "Payload too large"}
	kindValidation         = kind{http.StatusUnprocessableEntity, "validation_failed", "Validation failed"}
	kindRateLimited        = kind{http.StatusTooManyRequests, "rate_limited", "Rate limited"}
	kindInternal           = kind{http.StatusInternalServerError, "internal", "Internal error"}
	kindStoreUnavailable   = kind{http.StatusServiceUnavailable, "store_unavailable", "Service unavailable"}
	kindBusy               = kind{http.StatusServiceUnavailable, "busy", "Busy"}
	kindUnsupportedMedia   = kind{http.StatusUnsupportedMediaType, "unsupported_media_type", "Unsupported media type"}
	kindRequestInProgress  = kind{http.StatusConflict, "request_in_progress", "Request in progress"}
	kindIdempotencyReused  = kind{http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency key reused"}
)

// sentinels maps the domain's sentinel errors, most specific first (ErrEmailTaken wraps
// ErrConflict).
var sentinels = []struct {
	err    error
	kind   kind
	detail string
}{
	{domain.ErrEmailTaken, kindEmailTaken, "An account with this email already exists."},
	{domain.ErrNothingToUndo, kindNothingToUndo, "This study session has no answer left to undo."},
	{domain.ErrConflict, kindConflict, "The request conflicts with the current state of the resource."},
	{domain.ErrPreconditionFailed, kindPrecondition, "The resource changed since the version named in If-Match; read it again."},
	{domain.ErrNotFound, kindNotFound, "The requested resource was not found."},
	{domain.ErrTooLarge, kindPayloadTooLarge, "The upload, or what it expands to, exceeds the size limit."},
	{domain.ErrInvalidCredentials, kindInvalidCredentials, "The email or password is incorrect."},
	{domain.ErrSessionInvalid, kindSessionInvalid, "The session is missing, expired or revoked."},
	{domain.ErrForbidden, kindForbidden, "You do not have permission to perform this action."},
	{errRequestInProgress, kindRequestInProgress, "A request with this Idempotency-Key is still being processed; retry it later."},
	{errCrossOrigin, kindForbidden, "Cross-origin requests that change state are refused; send them from a trusted origin."},
}

// response is a problem with the headers that accompany it.
type response struct {
	Problem
	retryAfter time.Duration
}

func newResponse(k kind, detail string) response {
	return response{Problem: Problem{
		Type:   ProblemTypeBase + k.code,
		Title:  k.title,
		Status: k.status,
		Detail: detail,
		Code:   k.code,
	}}
}

// WriteError renders err as problem+json and aborts the handler chain. It is the one
// place errors become HTTP: domain errors get their status and code, request body errors
// a 400/422, anything else a logged 500 whose detail never echoes err. When the
// client has gone away it only records status 499.
func WriteError(c *gin.Context, err error) {
	ctx := c.Request.Context()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelDebug, "client closed request", slog.Any("error", err))
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	resp := problemFor(err)
	switch {
	case resp.Status == http.StatusServiceUnavailable:
		// An expected degradation (a store is down, /readyz says so too; or the service is
		// at capacity): one line per request at warn, so an outage does not drown the
		// error log.
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "request refused: "+resp.Code,
			slog.String("code", resp.Code), slog.Any("error", err))
	case resp.Status >= http.StatusInternalServerError:
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelError, "request failed",
			slog.String("code", resp.Code), slog.Any("error", err))
	}
	writeProblem(c, resp)
}

func problemFor(err error) response {
	if resp, ok := domainProblem(err); ok {
		return resp
	}
	if resp, ok := bodyProblem(err); ok {
		return resp
	}
	return newResponse(kindInternal, detailInternal)
}

func domainProblem(err error) (response, bool) {
	var limited *domain.RateLimitedError
	var unavailable *domain.UnavailableError
	var busy *domain.BusyError
	switch {
	case errors.As(err, new(*domain.ValidationError)):
		return validationResponse(fieldErrors(err)...), true
	case errors.As(err, &limited):
		resp := newResponse(kindRateLimited, "Too many requests; retry later.")
		resp.retryAfter = limited.RetryAfter
		return resp, true
	case errors.As(err, &unavailable):
		return unavailableResponse(unavailable.RetryAfter), true
	case errors.As(err, &busy):
		resp := newResponse(kindBusy, "The service is at capacity for this operation; retry later.")
		resp.retryAfter = busy.RetryAfter
		return resp, true
	case errors.Is(err, domain.ErrStoreUnavailable):
		return unavailableResponse(defaultUnavailableRetry), true
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return newResponse(s.kind, s.detail), true
		}
	}
	if errors.Is(err, errIdempotencyKeyReused) {
		// A 422 always lists what is wrong: here the header, whatever the body.
		resp := newResponse(kindIdempotencyReused, "This Idempotency-Key was already used for another request (method, path or body); send a new key.")
		resp.Errors = []FieldError{{Field: IdempotencyKeyHeader, Reason: "was already used for another request"}}
		return resp, true
	}
	return response{}, false
}

func unavailableResponse(retryAfter time.Duration) response {
	resp := newResponse(kindStoreUnavailable, "A backing service is temporarily unavailable; retry later.")
	resp.retryAfter = retryAfter
	return resp
}

// fieldErrors lists the ValidationErrors in err's tree, several when they were joined
// (errors.Join) so that a request hears of every bad field at once.
func fieldErrors(err error) []FieldError {
	switch e := err.(type) { //nolint:errorlint // walks the tree itself, joined errors included
	case interface{ Unwrap() []error }:
		var out []FieldError
		for _, inner := range e.Unwrap() {
			out = append(out, fieldErrors(inner)...)
		}
		return out
	case interface{ Unwrap() error }:
		return fieldErrors(e.Unwrap())
	case *domain.ValidationError:
		return []FieldError{{Field: e.Field, Reason: e.Reason}}
	}
	return nil
}

// validationResponse builds a 422 listing fields; a single error also becomes the detail.
func validationResponse(fields ...FieldError) response {
	detail := "The request contains invalid fields."
	if len(fields) == 1 {
		detail = fields[0].Reason
		if fields[0].Field != "" {
			detail = fields[0].Field + ": " + detail
		}
	}
	resp := newResponse(kindValidation, detail)
	resp.Errors = fields
	return resp
}

// writeProblem sends resp with its headers and aborts the chain. Every 401 carries a
// Bearer challenge (RFC 9110 §15.5.2); 429 and 503 carry Retry-After in whole seconds.
func writeProblem(c *gin.Context, resp response) {
	resp.Instance = c.Request.URL.Path
	switch resp.Status {
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", "Bearer")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		c.Header("Retry-After", strconv.Itoa(retryAfterSeconds(resp.retryAfter)))
	}
	c.Header("Content-Type", ProblemContentType)
	c.Set(problemCodeKey, resp.Code)
	c.Render(resp.Status, render.JSON{Data: resp.Problem})
	c.Abort()
}

// retryAfterSeconds rounds d up to whole seconds, at least one.
func retryAfterSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}

func notFoundHandler(c *gin.Context) {
	writeProblem(c, newResponse(kindNotFound, "No resource matches this path."))
}

func methodNotAllowedHandler(c *gin.Context) {
	// HEAD is answered wherever GET is (see Router.ServeHTTP), which Gin's Allow does
	// not know.
	if allow := c.Writer.Header().Get("Allow"); strings.Contains(allow, http.MethodGet) && !strings.Contains(allow, http.MethodHead) {
		c.Header("Allow", allow+", "+http.MethodHead)
	}
	writeProblem(c, newResponse(kindMethodNotAllowed,
		fmt.Sprintf("Method %s is not allowed on this resource.", c.Request.Method)))
}
