package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/domain"
)

// ProfileHandlers serves the caller's own profile and account.
type ProfileHandlers struct {
	authn *Authenticator
	uc    ProfileUseCases
}

var _ RouteRegistrar = (*ProfileHandlers)(nil)

// ProfileUseCases are the use-cases behind the profile endpoints.
type ProfileUseCases struct {
	Get            *profile.GetProfileHandler
	Update         *profile.UpdateProfileHandler
	ChangePassword *auth.ChangePasswordHandler
	DeleteAccount  *auth.DeleteAccountHandler
}

// NewProfileHandlers builds the profile endpoints.
func NewProfileHandlers(authn *Authenticator, uc ProfileUseCases) *ProfileHandlers {
	return &ProfileHandlers{authn: authn, uc: uc}
}

// Register implements RouteRegistrar.
func (h *ProfileHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/me", h.authn.Required())
	g.GET("", h.get)
	g.PATCH("", h.update)
	g.DELETE("", h.deleteAccount)
	g.POST("/password", h.changePassword)
}

type deleteAccountRequest struct {
	Password string `json:"password" binding:"required"`
}

// deleteAccount erases the caller's account; the session cookie goes with it.
func (h *ProfileHandlers) deleteAccount(c *gin.Context) {
	var req deleteAccountRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	err := h.uc.DeleteAccount.Handle(c.Request.Context(), auth.DeleteAccount{
		UserID: mustSession(c).UserID, Password: req.Password, Check: precondition(c, newProfileResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	h.authn.cookies.setSession(c, "", time.Time{})
	c.Status(http.StatusNoContent)
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
	err := h.uc.ChangePassword.Handle(c.Request.Context(), auth.ChangePassword{
		UserID: s.UserID, SessionID: s.ID, CurrentPassword: req.CurrentPassword, NewPassword: req.NewPassword,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *ProfileHandlers) get(c *gin.Context) {
	p, err := h.uc.Get.Handle(c.Request.Context(), mustSession(c).UserID)
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newProfileResponse(p))
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
	p, err := h.uc.Update.Handle(c.Request.Context(), profile.UpdateProfile{
		UserID: mustSession(c).UserID, DisplayName: req.DisplayName, TimeZone: req.TimeZone, DayStartHour: req.DayStartHour,
		Check: precondition(c, newProfileResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newProfileResponse(p))
}

// newProfileResponse renders a profile in the user shape the auth endpoints use too.
func newProfileResponse(p *domain.Profile) userResponse {
	return userResponse{
		ID: p.ID, Email: p.Email, DisplayName: p.DisplayName, OrganizationID: p.OrganizationID,
		OrganizationType: p.OrganizationType, Permissions: nonNil(p.Permissions),
		TimeZone: p.TimeZone, DayStartHour: p.DayStartHour, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}
