package httpapi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/domain"
)

type sessionKey struct{}

// SessionFrom returns the authenticated session of a request context, or nil.
func SessionFrom(ctx context.Context) *domain.Session {
	s, _ := ctx.Value(sessionKey{}).(*domain.Session)
	return s
}

// Authenticator is the middleware that turns a bearer token or session cookie into an
// authenticated session. A session store that cannot answer yields 503, never a pass.
type Authenticator struct {
	authenticate *auth.AuthenticateHandler
	permissions  *profile.GetPermissionsHandler
	cookies      CookieConfig
	idempotency  *Idempotency
}

// NewAuthenticator builds the middleware around the authenticate use-case; permission
// checks read the user's current permissions through permissions, and the session
// cookie is looked up by the name cookies gives it. idempotency, when not nil, applies
// the Idempotency-Key of every authenticated POST.
func NewAuthenticator(h *auth.AuthenticateHandler, permissions *profile.GetPermissionsHandler, cookies CookieConfig,
	idempotency *Idempotency,
) *Authenticator {
	return &Authenticator{authenticate: h, permissions: permissions, cookies: cookies, idempotency: idempotency}
}

// Required rejects a request without a live session (401 session_invalid) and otherwise
// stores the session in the request context. Its responses are personal: they are
// marked private, so no shared cache keeps them. A POST then goes through Idempotency,
// now that the user it scopes keys by is known.
func (a *Authenticator) Required() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Writer.Header()["Cache-Control"] = cachePrivateValues
		token := a.bearerToken(c)
		if token == "" {
			WriteError(c, domain.ErrSessionInvalid)
			return
		}
		session, err := a.authenticate.Handle(c.Request.Context(), auth.Authenticate{
			Token:     token,
			IPAddress: clientIP(c),
			UserAgent: c.Request.UserAgent(),
		})
		if err != nil {
			WriteError(c, err)
			return
		}
		ctx := context.WithValue(c.Request.Context(), sessionKey{}, session)
		c.Request = c.Request.WithContext(ctx)
		if a.idempotency != nil && c.Request.Method == http.MethodPost {
			a.idempotency.run(c, session.UserID)
			return
		}
		c.Next()
	}
}

// RequirePermission answers 403 forbidden unless the caller holds perm now: it reads the
// user's current permissions (cached), not the copy the session took at login, so a
// revoked permission stops working at once. It must run after Required.
func (a *Authenticator) RequirePermission(perm string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		s := SessionFrom(ctx)
		if s == nil {
			WriteError(c, domain.ErrSessionInvalid)
			return
		}
		perms, err := a.permissions.Handle(ctx, s.UserID)
		if errors.Is(err, domain.ErrNotFound) {
			err = domain.ErrSessionInvalid // the account is gone
		}
		if err != nil {
			WriteError(c, err)
			return
		}
		if !slices.Contains(perms, perm) {
			WriteError(c, domain.ErrForbidden)
			return
		}
		c.Next()
	}
}

// bearerToken takes the token from `Authorization: Bearer` or, failing that, from the
// session cookie. Another scheme (Basic from a proxy, say) does not hide the cookie.
func (a *Authenticator) bearerToken(c *gin.Context) string {
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(token)
		}
	}
	if cookie, err := c.Cookie(a.cookies.SessionName()); err == nil {
		return cookie
	}
	return ""
}

// mustSession returns the session Required stored; handlers behind Required call it.
func mustSession(c *gin.Context) *domain.Session {
	return SessionFrom(c.Request.Context())
}
