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
	cookie := c.cookie(c.SessionName(), token)
	if token == "" {
		cookie.MaxAge = -1
	} else {
		cookie.Expires = expires
	}
	http.SetCookie(ctx.Writer, cookie)
}

// setDevice writes the device cookie; an empty token leaves it as it is.
func (c CookieConfig) setDevice(ctx *gin.Context, token string) {
	if token == "" {
		return
	}
	cookie := c.cookie(c.DeviceName(), token)
	cookie.MaxAge = int(deviceCookieLifetime / time.Second)
	http.SetCookie(ctx.Writer, cookie)
}

// cookie is an HttpOnly, SameSite=Lax cookie for the whole site, Secure in production.
func (c CookieConfig) cookie(name, value string) *http.Cookie {
	return &http.Cookie{ //nolint:gosec // G124: Secure is on in production (SESSION_COOKIE_SECURE); plain-HTTP development needs it off
		Name:     name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   c.Secure,
		SameSite: http.SameSiteLaxMode,
	}
}
