package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/domain"
)

// ProfileHandlers serves the caller's own profile.
type ProfileHandlers struct {
	authn         *Authenticator
	getProfile    *profile.GetProfileHandler
	updateProfile *profile.UpdateProfileHandler
	passwords     *auth.ChangePasswordHandler
}

var _ RouteRegistrar = (*ProfileHandlers)(nil)

// NewProfileHandlers builds the profile endpoints.
func NewProfileHandlers(authn *Authenticator, getProfile *profile.GetProfileHandler, updateProfile *profile.UpdateProfileHandler, passwords *auth.ChangePasswordHandler) *ProfileHandlers {
	return &ProfileHandlers{authn: authn, getProfile: getProfile, updateProfile: updateProfile, passwords: passwords}
}

// Register implements RouteRegistrar.
func (h *ProfileHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/me", h.authn.Required())
	g.GET("", h.get)
	g.PATCH("", h.update)
	g.POST("/password", h.changePassword)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"currentPassword" binding:"required"`
	NewPassword     string `json:"newPassword" binding:"required"`
}

func (h *ProfileHandlers) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	s := mustSession(c)
	err := h.passwords.Handle(c.Request.Context(), auth.ChangePassword{
		UserID: s.UserID, SessionID: s.ID, CurrentPassword: req.CurrentPassword, NewPassword: req.NewPassword,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *ProfileHandlers) get(c *gin.Context) {
	p, err := h.getProfile.Handle(c.Request.Context(), mustSession(c).UserID)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newProfileResponse(p))
}

// updateProfileRequest changes the fields it sends.
type updateProfileRequest struct {
	DisplayName  *string `json:"displayName"`
	TimeZone     *string `json:"timeZone"`
	DayStartHour *int    `json:"dayStartHour"`
}

func (h *ProfileHandlers) update(c *gin.Context) {
	var req updateProfileRequest
	if err := BindPatch(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	p, err := h.updateProfile.Handle(c.Request.Context(), profile.UpdateProfile{
		UserID: mustSession(c).UserID, DisplayName: req.DisplayName, TimeZone: req.TimeZone, DayStartHour: req.DayStartHour,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newProfileResponse(p))
}

// newProfileResponse renders a profile in the user shape the auth endpoints use too.
func newProfileResponse(p *domain.Profile) userResponse {
	return userResponse{
		ID: p.ID, Email: p.Email, DisplayName: p.DisplayName, OrganizationID: p.OrganizationID,
		OrganizationType: p.OrganizationType, Permissions: nonNil(p.Permissions),
		TimeZone: p.TimeZone, DayStartHour: p.DayStartHour, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}
