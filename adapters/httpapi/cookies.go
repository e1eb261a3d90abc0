package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Cookie names. With Secure set they carry the `__Host-` prefix, which browsers honour
// only for a cookie that is Secure, has Path=/ and no Domain: no subdomain and no plain
// HTTP page can then plant or overwrite it.
const (
	SessionCookieName = "studytool_session"
	DeviceCookieName  = "studytool_device"
	hostCookiePrefix  = "__Host-"
)

// deviceCookieLifetime is how long a browser keeps the device cookie (browsers cap
// cookie lifetimes at 400 days).
const deviceCookieLifetime = 365 * 24 * time.Hour

// CookieConfig names and secures the cookies the service sets.
type CookieConfig struct {
	// Secure adds the Secure attribute and the __Host- prefix (production).
	Secure bool
}

// SessionName is the name of the cookie that carries the bearer token.
func (c CookieConfig) SessionName() string { return c.name(SessionCookieName) }

// DeviceName is the name of the cookie that carries the device token of the last
// account that logged in from this browser (see auth.DeviceTokens).
func (c CookieConfig) DeviceName() string { return c.name(DeviceCookieName) }

func (c CookieConfig) name(base string) string {
	if c.Secure {
		return hostCookiePrefix + base
	}
	return base
}

// setSession writes the session cookie until expires; an empty token clears it.
func (c CookieConfig) setSession(ctx *gin.Context, token string, expires time.Time) {
	if token == "" {
		c.set(ctx, c.SessionName(), "", time.Time{}, -1)
		return
	}
	c.set(ctx, c.SessionName(), token, expires, 0)
}

// setDevice writes the device cookie; an empty token leaves it as it is.
func (c CookieConfig) setDevice(ctx *gin.Context, token string) {
	if token != "" {
		c.set(ctx, c.DeviceName(), token, time.Time{}, int(deviceCookieLifetime/time.Second))
	}
}

// set writes an HttpOnly, SameSite=Lax cookie for the whole site, Secure in production,
// expiring at expires or after maxAge seconds (negative: at once).
func (c CookieConfig) set(ctx *gin.Context, name, value string, expires time.Time, maxAge int) {
	http.SetCookie(ctx.Writer, &http.Cookie{ //nolint:gosec // G124: Secure is on in production (SESSION_COOKIE_SECURE); plain-HTTP development needs it off
		Name:     name,
		Value:    value,
		Path:     "/",
		Expires:  expires,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   c.Secure,
		SameSite: http.SameSiteLaxMode,
	})
}
