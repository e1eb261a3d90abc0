package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/cache"
)

// RequestCache is the middleware of the request-level cache: every request carries its
// own memo, so a value read twice while serving it costs one store round trip.
func RequestCache() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(cache.WithRequestCache(c.Request.Context()))
		c.Next()
	}
}
