package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/progress"
)

// ProgressHandlers serves the caller's learning progress: one card's, and a deck's
// summary.
type ProgressHandlers struct {
	authn          *Authenticator
	deckSummary    *progress.DeckProgressHandler
	cardProgressOf *progress.GetProgressHandler
}

var _ RouteRegistrar = (*ProgressHandlers)(nil)

// NewProgressHandlers builds the progress endpoints.
func NewProgressHandlers(authn *Authenticator, deckSummary *progress.DeckProgressHandler, cardProgress *progress.GetProgressHandler) *ProgressHandlers {
	return &ProgressHandlers{authn: authn, deckSummary: deckSummary, cardProgressOf: cardProgress}
}

// Register implements RouteRegistrar.
func (h *ProgressHandlers) Register(r gin.IRouter) {
	r.GET("/v1/decks/:deckId/progress", h.authn.Required(), requireUUIDs("deckId"), h.deckProgress)
	r.GET("/v1/progress/:cardId", h.authn.Required(), requireUUIDs("cardId"), h.cardProgress)
}

type countsResponse struct {
	New       int `json:"new"`
	Learning  int `json:"learning"`
	Due       int `json:"due"`
	Suspended int `json:"suspended"`
	Total     int `json:"total"`
}

type deckProgressResponse struct {
	Counts countsResponse     `json:"counts"`
	Cards  []progressResponse `json:"cards"`
}

func (h *ProgressHandlers) deckProgress(c *gin.Context) {
	sum, err := h.deckSummary.Handle(c.Request.Context(), progress.DeckProgress{UserID: mustSession(c).UserID, DeckID: c.Param("deckId")})
	if err != nil {
		WriteError(c, err)
		return
	}
	resp := deckProgressResponse{
		Counts: countsResponse(sum.Counts),
		Cards:  make([]progressResponse, len(sum.Cards)),
	}
	for i := range sum.Cards {
		resp.Cards[i] = newProgressResponse(&sum.Cards[i])
	}
	writeJSON(c, http.StatusOK, resp)
}

func (h *ProgressHandlers) cardProgress(c *gin.Context) {
	p, err := h.cardProgressOf.Handle(c.Request.Context(), progress.GetProgress{UserID: mustSession(c).UserID, CardID: c.Param("cardId")})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newProgressResponse(p))
}
