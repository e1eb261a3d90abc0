package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
)

// AuthHandlers serves registration, login, logout and the caller's sessions.
type AuthHandlers struct {
	authn              *Authenticator
	registerUser       *auth.RegisterUserHandler
	logIn              *auth.LogInHandler
	logOut             *auth.LogOutHandler
	revokeUserSessions *auth.RevokeUserSessionsHandler
	sessionList        *auth.ListSessionsHandler
	revokeSession      *auth.RevokeSessionHandler
	cookies            CookieConfig
}

var _ RouteRegistrar = (*AuthHandlers)(nil)

// NewAuthHandlers builds the auth endpoints; cookies names and secures the session and device cookies.
func NewAuthHandlers(authn *Authenticator, registerUser *auth.RegisterUserHandler, logIn *auth.LogInHandler, logOut *auth.LogOutHandler, revokeUserSessions *auth.RevokeUserSessionsHandler, sessionList *auth.ListSessionsHandler, revokeSession *auth.RevokeSessionHandler, cookies CookieConfig) *AuthHandlers {
	return &AuthHandlers{authn: authn, registerUser: registerUser, logIn: logIn, logOut: logOut, revokeUserSessions: revokeUserSessions, sessionList: sessionList, revokeSession: revokeSession, cookies: cookies}
}

// Register implements RouteRegistrar.
func (h *AuthHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/auth")
	g.POST("/register", h.register)
	g.POST("/login", h.login)
	authed := g.Group("", h.authn.Required())
	authed.POST("/logout", h.logout)
	authed.POST("/logout-all", h.logoutAll)
	authed.GET("/sessions", h.listSessions)
	authed.DELETE("/sessions/:id", h.revoke)
}

// registerRequest is checked by the use-case, which names every bad field at once.
type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"displayName"`
}

type userResponse struct {
	ID               string                  `json:"id"`
	Email            string                  `json:"email"`
	DisplayName      string                  `json:"displayName"`
	OrganizationID   string                  `json:"organizationId"`
	OrganizationType domain.OrganizationType `json:"organizationType"`
	Permissions      []string                `json:"permissions"`
	TimeZone         string                  `json:"timeZone"`
	DayStartHour     int                     `json:"dayStartHour"`
	CreatedAt        time.Time               `json:"createdAt"`
	UpdatedAt        time.Time               `json:"updatedAt"`
}

func newUserResponse(u *domain.User, orgType domain.OrganizationType) userResponse {
	return userResponse{
		ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, OrganizationID: u.OrganizationID,
		OrganizationType: orgType, Permissions: nonNil(u.Permissions), TimeZone: u.TimeZone, DayStartHour: u.DayStartHour,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

// nonNil makes an absent list render as [] rather than null.
func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func (h *AuthHandlers) register(c *gin.Context) {
	var req registerRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	out, err := h.registerUser.Handle(c.Request.Context(), auth.RegisterUser{
		Email: req.Email, Password: req.Password, DisplayName: req.DisplayName, IPAddress: c.ClientIP(),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Cache-Control", cacheNoStore)
	c.JSON(http.StatusCreated, gin.H{"user": newUserResponse(out.User, out.Organization.Type)})
}

type loginRequest struct {
	Email    string `json:"email" binding:"required"`
	Password string `json:"password" binding:"required"`
}

type sessionResponse struct {
	ID               string                  `json:"id"`
	UserID           string                  `json:"userId"`
	OrganizationID   string                  `json:"organizationId"`
	OrganizationType domain.OrganizationType `json:"organizationType"`
	Permissions      []string                `json:"permissions"`
	CreatedAt        time.Time               `json:"createdAt"`
	LastActivity     time.Time               `json:"lastActivity"`
	ExpiresAt        time.Time               `json:"expiresAt"`
}

func newSessionResponse(s *domain.Session) sessionResponse {
	return sessionResponse{
		ID: s.ID, UserID: s.UserID, OrganizationID: s.OrganizationID, OrganizationType: s.OrganizationType,
		Permissions: nonNil(s.Permissions), CreatedAt: s.CreatedAt, LastActivity: s.LastActivity, ExpiresAt: s.ExpiresAt,
	}
}

type loginResponse struct {
	Token     string          `json:"token"`
	ExpiresAt time.Time       `json:"expiresAt"`
	Session   sessionResponse `json:"session"`
	User      userResponse    `json:"user"`
}

func (h *AuthHandlers) login(c *gin.Context) {
	var req loginRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	device, _ := c.Cookie(h.cookies.DeviceName())
	out, err := h.logIn.Handle(c.Request.Context(), auth.LogIn{
		Email: req.Email, Password: req.Password, IPAddress: c.ClientIP(), UserAgent: c.Request.UserAgent(),
		DeviceToken: device,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	h.cookies.setSession(c, out.Token, out.Session.AbsoluteExpiresAt)
	h.cookies.setDevice(c, out.DeviceToken)
	c.Header("Cache-Control", cacheNoStore)
	c.JSON(http.StatusOK, loginResponse{
		Token:     out.Token,
		ExpiresAt: out.Session.ExpiresAt,
		Session:   newSessionResponse(out.Session),
		User:      newUserResponse(out.User, out.Session.OrganizationType),
	})
}

func (h *AuthHandlers) logout(c *gin.Context) {
	if err := h.logOut.Handle(c.Request.Context(), mustSession(c).ID); err != nil {
		WriteError(c, err)
		return
	}
	h.cookies.setSession(c, "", time.Time{})
	c.Status(http.StatusNoContent)
}

func (h *AuthHandlers) logoutAll(c *gin.Context) {
	if _, err := h.revokeUserSessions.Handle(c.Request.Context(), mustSession(c).UserID); err != nil {
		WriteError(c, err)
		return
	}
	h.cookies.setSession(c, "", time.Time{})
	c.Status(http.StatusNoContent)
}

type sessionListItem struct {
	ID           string    `json:"id"`
	CreatedAt    time.Time `json:"createdAt"`
	LastActivity time.Time `json:"lastActivity"`
	ExpiresAt    time.Time `json:"expiresAt"`
	IPAddress    string    `json:"ipAddress"`
	UserAgent    string    `json:"userAgent"`
	Current      bool      `json:"current"`
}

func (h *AuthHandlers) listSessions(c *gin.Context) {
	page, err := pageOf(c, "sessions")
	if err != nil {
		WriteError(c, err)
		return
	}
	current := mustSession(c)
	list, next, err := h.sessionList.Handle(c.Request.Context(), auth.ListSessions{UserID: current.UserID, Page: page})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newListResponse("sessions", list, next, func(s *domain.Session) sessionListItem {
		return sessionListItem{
			ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastActivity: s.LastActivity.UTC(), ExpiresAt: s.ExpiresAt.UTC(),
			IPAddress: s.IPAddress, UserAgent: s.UserAgent, Current: s.ID == current.ID,
		}
	}))
}

func (h *AuthHandlers) revoke(c *gin.Context) {
	err := h.revokeSession.Handle(c.Request.Context(), auth.RevokeSession{UserID: mustSession(c).UserID, SessionID: c.Param("id")})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
