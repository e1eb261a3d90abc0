package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/study"
	"github.com/studytool/studytool/domain"
)

// StudyHandlers serves the caller's study sessions and their answers.
type StudyHandlers struct {
	authn *Authenticator
	uc    StudyUseCases
}

var _ RouteRegistrar = (*StudyHandlers)(nil)

// StudyUseCases are the use-cases behind the study endpoints.
type StudyUseCases struct {
	Start   *study.StartStudySessionHandler
	Get     *study.GetStudySessionHandler
	List    *study.ListStudySessionsHandler
	Review  *study.ReviewCardHandler
	Undo    *study.UndoAnswerHandler
	Finish  *study.FinishStudySessionHandler
	Summary *decks.SummaryHandler
}

// NewStudyHandlers builds the study endpoints.
func NewStudyHandlers(authn *Authenticator, uc StudyUseCases) *StudyHandlers {
	return &StudyHandlers{authn: authn, uc: uc}
}

// Register implements RouteRegistrar.
func (h *StudyHandlers) Register(r gin.IRouter) {
	r.GET("/v1/study/summary", h.authn.Required(), h.summary)
	g := r.Group("/v1/study/sessions", h.authn.Required(), requireUUIDs("id"))
	g.POST("", h.start)
	g.GET("", h.list)
	g.GET("/:id", h.get)
	g.POST("/:id/reviews", h.review)
	g.POST("/:id/undo", h.undo)
	g.POST("/:id/finish", h.finish)
}

// startStudySessionRequest is checked by the use-case, which names a missing deckId and
// a maxCards out of range together.
type startStudySessionRequest struct {
	DeckID string `json:"deckId"`
	// MaxCards is optional: absent means domain.DefaultStudyCards, while an explicit 0 is
	// out of range.
	MaxCards *int `json:"maxCards"`
}

type reviewRequest struct {
	CardID string `json:"cardId" binding:"required"`
	// Grade is a pointer so that a missing grade is told from grade 0.
	Grade      *int `json:"grade" binding:"required"`
	DurationMs int  `json:"durationMs"`
}

// studyCardResponse is the `nextCard` object: the card to answer next.
type studyCardResponse struct {
	ID    string `json:"id"`
	Front string `json:"front"`
	Back  string `json:"back"`
}

type studySessionResponse struct {
	ID        string             `json:"id"`
	DeckID    string             `json:"deckId"`
	StartedAt time.Time          `json:"startedAt"`
	Reviewed  int                `json:"reviewed"`
	Remaining int                `json:"remaining"`
	NextCard  *studyCardResponse `json:"nextCard"`
}

type reviewResponse struct {
	Progress  progressResponse   `json:"progress"`
	Reviewed  int                `json:"reviewed"`
	Remaining int                `json:"remaining"`
	NextCard  *studyCardResponse `json:"nextCard"`
}

type studySummaryResponse struct {
	Reviewed        int `json:"reviewed"`
	Correct         int `json:"correct"`
	DurationSeconds int `json:"durationSeconds"`
}

func newStudyCardResponse(c *domain.Card) *studyCardResponse {
	if c == nil {
		return nil
	}
	return &studyCardResponse{ID: c.ID, Front: c.Front, Back: c.Back}
}

func newStudySessionResponse(v *study.View) studySessionResponse {
	return studySessionResponse{
		ID:        v.Session.ID,
		DeckID:    v.Session.DeckID,
		StartedAt: v.Session.StartedAt.UTC(),
		Reviewed:  v.Session.Reviewed,
		Remaining: v.Session.Remaining(),
		NextCard:  newStudyCardResponse(v.NextCard),
	}
}

func (h *StudyHandlers) start(c *gin.Context) {
	var req startStudySessionRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	maxCards := domain.DefaultStudyCards
	if req.MaxCards != nil {
		maxCards = *req.MaxCards
	}
	view, err := h.uc.Start.Handle(c.Request.Context(), study.StartStudySession{
		UserID: mustSession(c).UserID, DeckID: req.DeckID, MaxCards: maxCards,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", "/v1/study/sessions/"+url.PathEscape(view.Session.ID))
	writeJSON(c, http.StatusCreated, newStudySessionResponse(view))
}

func (h *StudyHandlers) get(c *gin.Context) {
	view, err := h.uc.Get.Handle(c.Request.Context(), study.GetStudySession{UserID: mustSession(c).UserID, ID: c.Param("id")})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newStudySessionResponse(view))
}

// list answers the open study sessions; `status` may only ask for the open ones (the
// finished ones are gone).
func (h *StudyHandlers) list(c *gin.Context) {
	page, err := pageOf(c, "study-sessions")
	if status, ok := c.GetQuery("status"); ok && status != "open" {
		err = errors.Join(err, domain.NewValidationError("status", "must be open"))
	}
	if err != nil {
		WriteError(c, err)
		return
	}
	views, next, err := h.uc.List.Handle(c.Request.Context(), study.ListStudySessions{UserID: mustSession(c).UserID, Page: page})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newListResponse("study-sessions", views, next, newStudySessionResponse))
}

// todayResponse is what the caller's learner day still holds across their decks.
type todayResponse struct {
	DueToday int `json:"dueToday"`
	NewToday int `json:"newToday"`
	Decks    int `json:"decks"`
}

func (h *StudyHandlers) summary(c *gin.Context) {
	sum, err := h.uc.Summary.Handle(c.Request.Context(), mustSession(c).UserID)
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, todayResponse(sum))
}

func (h *StudyHandlers) review(c *gin.Context) {
	var req reviewRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	res, err := h.uc.Review.Handle(c.Request.Context(), study.ReviewCard{
		UserID:     mustSession(c).UserID,
		SessionID:  c.Param("id"),
		CardID:     req.CardID,
		Grade:      domain.Grade(*req.Grade),
		DurationMs: req.DurationMs,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, reviewResponse{
		Progress:  newProgressResponse(res.Progress),
		Reviewed:  res.Session.Reviewed,
		Remaining: res.Session.Remaining(),
		NextCard:  newStudyCardResponse(res.NextCard),
	})
}

func (h *StudyHandlers) undo(c *gin.Context) {
	view, err := h.uc.Undo.Handle(c.Request.Context(), study.UndoAnswer{UserID: mustSession(c).UserID, SessionID: c.Param("id")})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newStudySessionResponse(view))
}

func (h *StudyHandlers) finish(c *gin.Context) {
	sum, err := h.uc.Finish.Handle(c.Request.Context(), study.FinishStudySession{UserID: mustSession(c).UserID, ID: c.Param("id")})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, studySummaryResponse{
		Reviewed:        sum.Reviewed,
		Correct:         sum.Correct,
		DurationSeconds: int(sum.Duration / time.Second),
	})
}
