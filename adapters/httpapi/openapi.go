package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPIContentType is the media type of the served OpenAPI document (RFC 9512).
const OpenAPIContentType = "application/yaml"

// OpenAPISpec is the OpenAPI document of this API; registered, it is served at
// GET /openapi.yaml.
type OpenAPISpec []byte

var _ RouteRegistrar = OpenAPISpec(nil)

// Register implements RouteRegistrar.
func (s OpenAPISpec) Register(r gin.IRouter) {
	r.GET("/openapi.yaml", func(c *gin.Context) {
		c.Data(http.StatusOK, OpenAPIContentType, s)
	})
}
