package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
)

// AdminSessionHandlers lets an administrator revoke every session of a user.
type AdminSessionHandlers struct {
	authn              *Authenticator
	revokeUserSessions *auth.RevokeUserSessionsHandler
}

var _ RouteRegistrar = (*AdminSessionHandlers)(nil)

// NewAdminSessionHandlers builds the administrator's session revocation endpoint.
func NewAdminSessionHandlers(authn *Authenticator, revokeUserSessions *auth.RevokeUserSessionsHandler) *AdminSessionHandlers {
	return &AdminSessionHandlers{authn: authn, revokeUserSessions: revokeUserSessions}
}

// Register implements RouteRegistrar.
func (h *AdminSessionHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/admin", h.authn.Required(), h.authn.RequirePermission(domain.PermAdminSessions), requireUUIDs("userId"))
	g.DELETE("/users/:userId/sessions", h.revokeAll)
}

func (h *AdminSessionHandlers) revokeAll(c *gin.Context) {
	if _, err := h.revokeUserSessions.Handle(c.Request.Context(), c.Param("userId")); err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
