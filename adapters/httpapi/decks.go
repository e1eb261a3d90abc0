package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/domain"
)

// DeckHandlers serves the caller's decks and cards.
type DeckHandlers struct {
	authn *Authenticator
	uc    DeckUseCases
}

var _ RouteRegistrar = (*DeckHandlers)(nil)

// DeckUseCases are the use-cases behind the deck and card endpoints.
type DeckUseCases struct {
	Create     *decks.CreateDeckHandler
	List       *decks.ListDecksHandler
	Get        *decks.GetDeckHandler
	Update     *decks.UpdateDeckHandler
	Delete     *decks.DeleteDeckHandler
	Add        *decks.AddCardsHandler
	Cards      *decks.ListCardsHandler
	GetCard    *decks.GetCardHandler
	UpdateCard *decks.UpdateCardHandler
	DeleteCard *decks.DeleteCardHandler
}

// NewDeckHandlers builds the deck and card endpoints.
func NewDeckHandlers(authn *Authenticator, uc DeckUseCases) *DeckHandlers {
	return &DeckHandlers{authn: authn, uc: uc}
}

// Register implements RouteRegistrar.
func (h *DeckHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/decks", h.authn.Required(), requireUUIDs("deckId", "cardId"))
	g.POST("", h.createDeck)
	g.GET("", h.listDecks)
	g.GET("/:deckId", h.getDeck)
	g.PATCH("/:deckId", h.updateDeck)
	g.DELETE("/:deckId", h.deleteDeck)
	g.POST("/:deckId/cards", h.addCards)
	g.GET("/:deckId/cards", h.listCards)
	g.GET("/:deckId/cards/:cardId", h.getCard)
	g.PATCH("/:deckId/cards/:cardId", h.updateCard)
	g.DELETE("/:deckId/cards/:cardId", h.deleteCard)
}

type createDeckRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// deckResponse is a deck with its study options.
type deckResponse struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CardCount   int       `json:"cardCount"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	studyOptions
}

// deckListItem is a deck as lists show it: with what today still holds for it.
type deckListItem struct {
	deckResponse
	DueToday int `json:"dueToday"`
	NewToday int `json:"newToday"`
}

func newDeckListItem(d *decks.DeckToday) deckListItem {
	return deckListItem{deckResponse: newDeckResponse(&d.Deck), DueToday: d.DueToday, NewToday: d.NewToday}
}

// studyOptions are a deck's study options as the API reads and writes them.
type studyOptions struct {
	NewCardsPerDay   int                `json:"newCardsPerDay"`
	ReviewsPerDay    int                `json:"reviewsPerDay"`
	LeechThreshold   int                `json:"leechThreshold"`
	LeechAction      domain.LeechAction `json:"leechAction"`
	Fuzz             bool               `json:"fuzz"`
	Scheduler        domain.Scheduler   `json:"scheduler"`
	DesiredRetention float64            `json:"desiredRetention"`
	FSRSWeights      []float64          `json:"fsrsWeights"`
}

func newDeckResponse(d *domain.Deck) deckResponse {
	o := d.Options
	return deckResponse{
		ID: d.ID, Name: d.Name, Description: d.Description, CardCount: d.CardCount,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		studyOptions: studyOptions{
			NewCardsPerDay: o.NewCardsPerDay, ReviewsPerDay: o.ReviewsPerDay, LeechThreshold: o.LeechThreshold,
			LeechAction: o.LeechAction, Fuzz: o.Fuzz, Scheduler: o.Scheduler, DesiredRetention: o.DesiredRetention,
			FSRSWeights: o.FSRSWeights[:],
		},
	}
}

// updateDeckRequest changes the fields it sends.
type updateDeckRequest struct {
	Name             *string             `json:"name"`
	Description      *string             `json:"description"`
	NewCardsPerDay   *int                `json:"newCardsPerDay"`
	ReviewsPerDay    *int                `json:"reviewsPerDay"`
	LeechThreshold   *int                `json:"leechThreshold"`
	LeechAction      *domain.LeechAction `json:"leechAction"`
	Fuzz             *bool               `json:"fuzz"`
	Scheduler        *domain.Scheduler   `json:"scheduler"`
	DesiredRetention *float64            `json:"desiredRetention"`
	FSRSWeights      []float64           `json:"fsrsWeights"`
}

func (h *DeckHandlers) updateDeck(c *gin.Context) {
	var req updateDeckRequest
	if err := BindPatch(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	deck, err := h.uc.Update.Handle(c.Request.Context(), decks.UpdateDeck{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"),
		Change: domain.DeckChange(req), Check: precondition(c, newDeckResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newDeckResponse(deck))
}

func (h *DeckHandlers) deleteDeck(c *gin.Context) {
	err := h.uc.Delete.Handle(c.Request.Context(), decks.DeleteDeck{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), Check: precondition(c, newDeckResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// updateCardRequest changes the sides and the flag it sends.
type updateCardRequest struct {
	Front     *string `json:"front"`
	Back      *string `json:"back"`
	Suspended *bool   `json:"suspended"`
}

func (h *DeckHandlers) updateCard(c *gin.Context) {
	var req updateCardRequest
	if err := BindPatch(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	card, err := h.uc.UpdateCard.Handle(c.Request.Context(), decks.UpdateCard{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), CardID: c.Param("cardId"),
		Change:    domain.CardChange{Front: req.Front, Back: req.Back},
		Suspended: req.Suspended, Check: precondition(c, newCardResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newCardResponse(card))
}

func (h *DeckHandlers) getCard(c *gin.Context) {
	card, err := h.uc.GetCard.Handle(c.Request.Context(), decks.GetCard{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), CardID: c.Param("cardId"),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newCardResponse(card))
}

func (h *DeckHandlers) deleteCard(c *gin.Context) {
	err := h.uc.DeleteCard.Handle(c.Request.Context(), decks.DeleteCard{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), CardID: c.Param("cardId"),
		Check: precondition(c, newCardResponse),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *DeckHandlers) createDeck(c *gin.Context) {
	var req createDeckRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	deck, err := h.uc.Create.Handle(c.Request.Context(), decks.CreateDeck{
		UserID: mustSession(c).UserID, Name: req.Name, Description: req.Description,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", "/v1/decks/"+url.PathEscape(deck.ID))
	writeJSON(c, http.StatusCreated, newDeckResponse(deck))
}

func (h *DeckHandlers) listDecks(c *gin.Context) {
	page, err := pageOf(c, "decks")
	if err != nil {
		WriteError(c, err)
		return
	}
	list, next, err := h.uc.List.Handle(c.Request.Context(), decks.ListDecks{UserID: mustSession(c).UserID, Page: page})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newListResponse("decks", list, next, newDeckListItem))
}

func (h *DeckHandlers) getDeck(c *gin.Context) {
	deck, err := h.uc.Get.Handle(c.Request.Context(), decks.GetDeck{UserID: mustSession(c).UserID, DeckID: c.Param("deckId")})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newDeckResponse(deck))
}

// cardRequest is one card to add.
type cardRequest struct {
	Front string `json:"front"`
	Back  string `json:"back"`
}

// addCardsRequest accepts both forms of the request, one card `{front, back}` or a batch
// `{cards: […]}`; exactly one of them must be present. A missing side of a single card
// is left nil here and refused by validation as empty.
type addCardsRequest struct {
	Front *string       `json:"front"`
	Back  *string       `json:"back"`
	Cards []cardRequest `json:"cards"`
}

// command turns the request into the use-case command, or a validation error when it
// mixes both forms or has neither.
func (r *addCardsRequest) command(userID, deckID string) (decks.AddCards, error) {
	single := r.Front != nil || r.Back != nil
	batch := r.Cards != nil
	if single == batch {
		return decks.AddCards{}, domain.NewValidationError("",
			"send either one card as {front, back} or a batch as {cards: [...]}")
	}
	cmd := decks.AddCards{UserID: userID, DeckID: deckID, Batch: batch}
	if batch {
		cmd.Cards = make([]decks.NewCard, len(r.Cards))
		for i, card := range r.Cards {
			cmd.Cards[i] = decks.NewCard(card)
		}
		return cmd, nil
	}
	cmd.Cards = []decks.NewCard{{Front: deref(r.Front), Back: deref(r.Back)}}
	return cmd, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// cardResponse is a card with the caller's flags on it: suspended (set with PATCH) and
// leech (set by the deck's leech rule).
type cardResponse struct {
	ID        string    `json:"id"`
	DeckID    string    `json:"deckId"`
	Front     string    `json:"front"`
	Back      string    `json:"back"`
	Suspended bool      `json:"suspended"`
	Leech     bool      `json:"leech"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func newCardResponse(c *domain.Card) cardResponse {
	return cardResponse{
		ID: c.ID, DeckID: c.DeckID, Front: c.Front, Back: c.Back, Suspended: c.Suspended, Leech: c.Leech,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

func newCardsResponse(cards []domain.Card) gin.H {
	out := make([]cardResponse, len(cards))
	for i := range cards {
		out[i] = newCardResponse(&cards[i])
	}
	return gin.H{"cards": out}
}

func (h *DeckHandlers) addCards(c *gin.Context) {
	var req addCardsRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	cmd, err := req.command(mustSession(c).UserID, c.Param("deckId"))
	if err != nil {
		WriteError(c, err)
		return
	}
	cards, err := h.uc.Add.Handle(c.Request.Context(), cmd)
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, newCardsResponse(cards))
}

func (h *DeckHandlers) listCards(c *gin.Context) {
	page, err := pageOf(c, "cards")
	if err != nil {
		WriteError(c, err)
		return
	}
	cards, next, err := h.uc.Cards.Handle(c.Request.Context(), decks.ListCards{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), Page: page,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newListResponse("cards", cards, next, newCardResponse))
}
