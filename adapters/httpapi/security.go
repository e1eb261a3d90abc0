package httpapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/rs/cors"
)

// Cache-Control values: a response that carries a token is never stored; a personal
// response may be kept by the client alone, which revalidates it before reuse.
const (
	cacheNoStore = "no-store"
	cachePrivate = "private, no-cache"
)

// hstsValue tells browsers to reach the service over HTTPS only, for two years.
const hstsValue = "max-age=63072000; includeSubDomains"

// errCrossOrigin reports an unsafe cross-origin request from a browser.
var errCrossOrigin = errors.New("cross-origin request refused")

// SecurityConfig configures the browser-facing defenses.
type SecurityConfig struct {
	// TrustedOrigins are the origins (scheme://host[:port]) of web apps allowed to send
	// unsafe (state-changing) requests from another origin: CORS_ALLOWED_ORIGINS.
	TrustedOrigins []string
	// HSTS sends Strict-Transport-Security (production, which runs behind TLS).
	HSTS bool
}

// Header values every response (or every authenticated one) carries, as the one-element
// slices a header map holds: assigning them costs no allocation per request, where
// Header.Set allocates a slice each time. They are shared, so they must never be
// modified in place; Header.Set and Header.Add replace or copy them, as every writer of
// headers here does.
var (
	nosniffValues      = []string{"nosniff"}
	noReferrerValues   = []string{"no-referrer"}
	hstsValues         = []string{hstsValue}
	cachePrivateValues = []string{cachePrivate}
)

// securityHeaders sets the headers every response carries.
func securityHeaders(hsts bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = nosniffValues
		h["Referrer-Policy"] = noReferrerValues
		if hsts {
			h["Strict-Transport-Security"] = hstsValues
		}
		c.Next()
	}
}

// corsMaxAge is how long a browser may cache a preflight's answer (10 minutes).
const corsMaxAge = 600

// corsHandler answers CORS for the web apps at origins (CORS_ALLOWED_ORIGINS; exact
// origins, never *), with github.com/rs/cors: a preflight from one of them gets the
// allowed methods and headers, credentials included (the session cookie), cached for
// corsMaxAge; a preflight from any other origin gets no CORS headers, so the browser
// refuses the call. Preflights are answered here (204) and go no further.
func corsHandler(origins []string) gin.HandlerFunc {
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{
			http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		},
		AllowedHeaders: []string{
			"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", RequestIDHeader,
		},
		ExposedHeaders: []string{
			"ETag", "Location", "Retry-After", RequestIDHeader, "Idempotent-Replayed", "Content-Disposition",
		},
		AllowCredentials:     true,
		MaxAge:               corsMaxAge,
		OptionsSuccessStatus: http.StatusNoContent,
	})
	return func(ctx *gin.Context) {
		c.HandlerFunc(ctx.Writer, ctx.Request)
		if ctx.Request.Method == http.MethodOptions && ctx.GetHeader("Access-Control-Request-Method") != "" {
			ctx.Abort() // the preflight is answered
			return
		}
		ctx.Next()
	}
}

// crossOriginProtection refuses unsafe requests that a browser sends from another site
// (CSRF, login CSRF included) with 403, using net/http's CrossOriginProtection: the
// Sec-Fetch-Site header, or Origin against Host where a browser sends no Sec-Fetch-Site.
// Requests from trusted origins pass, and so do requests without either header — clients
// that are not browsers, such as Bearer-token API clients.
func crossOriginProtection(trusted []string) (gin.HandlerFunc, error) {
	p := http.NewCrossOriginProtection()
	for _, origin := range trusted {
		if err := p.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("http router: trusted origin %q: %w", origin, err)
		}
	}
	return func(c *gin.Context) {
		if err := p.Check(c.Request); err != nil {
			WriteError(c, fmt.Errorf("%w: %w", errCrossOrigin, err))
			return
		}
		c.Next()
	}, nil
}

// requireUUIDs answers 404 not_found, before any handler or query runs, when one of the
// named path parameters is not a UUID in its canonical 36-character form. Ids are UUIDs,
// so anything else names nothing; junk (NUL bytes, invalid UTF-8) never reaches a store.
func requireUUIDs(params ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, name := range params {
			if v, ok := c.Params.Get(name); ok && !isUUID(v) {
				notFoundHandler(c)
				return
			}
		}
		c.Next()
	}
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
