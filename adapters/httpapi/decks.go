package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/decks"
	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
)

// DeckHandlers serves the caller's decks and cards.
type DeckHandlers struct {
	authn   *Authenticator
	create  *decks.CreateDeckHandler
	list    *decks.ListDecksHandler
	get     *decks.GetDeckHandler
	update  *decks.UpdateDeckHandler
	add     *decks.AddCardsHandler
	cards   *decks.ListCardsHandler
	suspend *progress.SuspendCardHandler
}

var _ RouteRegistrar = (*DeckHandlers)(nil)

// DeckUseCases are the use-cases behind the deck and card endpoints.
type DeckUseCases struct {
	Create  *decks.CreateDeckHandler
	List    *decks.ListDecksHandler
	Get     *decks.GetDeckHandler
	Update  *decks.UpdateDeckHandler
	Add     *decks.AddCardsHandler
	Cards   *decks.ListCardsHandler
	Suspend *progress.SuspendCardHandler
}

// NewDeckHandlers builds the deck and card endpoints.
func NewDeckHandlers(authn *Authenticator, uc DeckUseCases) *DeckHandlers {
	return &DeckHandlers{
		authn: authn, create: uc.Create, list: uc.List, get: uc.Get, update: uc.Update,
		add: uc.Add, cards: uc.Cards, suspend: uc.Suspend,
	}
}

// Register implements RouteRegistrar.
func (h *DeckHandlers) Register(r gin.IRouter) {
	g := r.Group("/v1/decks", h.authn.Required(), requireUUIDs("deckId", "cardId"))
	g.POST("", h.createDeck)
	g.GET("", h.listDecks)
	g.GET("/:deckId", h.getDeck)
	g.PATCH("/:deckId", h.updateDeck)
	g.POST("/:deckId/cards", h.addCards)
	g.GET("/:deckId/cards", h.listCards)
	g.PATCH("/:deckId/cards/:cardId", h.updateCard)
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
	studyOptions
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
		ID: d.ID, Name: d.Name, Description: d.Description, CardCount: d.CardCount, CreatedAt: d.CreatedAt.UTC(),
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
	deck, err := h.update.Handle(c.Request.Context(), decks.UpdateDeck{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"),
		Change: domain.DeckChange(req),
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newDeckResponse(deck))
}

// updateCardRequest changes a card's flags.
type updateCardRequest struct {
	Suspended *bool `json:"suspended" binding:"required"`
}

func (h *DeckHandlers) updateCard(c *gin.Context) {
	var req updateCardRequest
	if err := BindPatch(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	card, err := h.suspend.Handle(c.Request.Context(), progress.SuspendCard{
		UserID: mustSession(c).UserID, DeckID: c.Param("deckId"), CardID: c.Param("cardId"), Suspended: *req.Suspended,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newCardResponse(card))
}

func (h *DeckHandlers) createDeck(c *gin.Context) {
	var req createDeckRequest
	if err := BindJSON(c, &req); err != nil {
		WriteError(c, err)
		return
	}
	deck, err := h.create.Handle(c.Request.Context(), decks.CreateDeck{
		UserID: mustSession(c).UserID, Name: req.Name, Description: req.Description,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.Header("Location", "/v1/decks/"+url.PathEscape(deck.ID))
	c.JSON(http.StatusCreated, newDeckResponse(deck))
}

func (h *DeckHandlers) listDecks(c *gin.Context) {
	list, err := h.list.Handle(c.Request.Context(), decks.ListDecks{UserID: mustSession(c).UserID})
	if err != nil {
		WriteError(c, err)
		return
	}
	out := make([]deckResponse, len(list))
	for i := range list {
		out[i] = newDeckResponse(&list[i])
	}
	c.JSON(http.StatusOK, gin.H{"decks": out})
}

func (h *DeckHandlers) getDeck(c *gin.Context) {
	deck, err := h.get.Handle(c.Request.Context(), decks.GetDeck{UserID: mustSession(c).UserID, DeckID: c.Param("deckId")})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newDeckResponse(deck))
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
}

func newCardResponse(c *domain.Card) cardResponse {
	return cardResponse{
		ID: c.ID, DeckID: c.DeckID, Front: c.Front, Back: c.Back, Suspended: c.Suspended, Leech: c.Leech,
		CreatedAt: c.CreatedAt.UTC(),
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
	cards, err := h.add.Handle(c.Request.Context(), cmd)
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusCreated, newCardsResponse(cards))
}

func (h *DeckHandlers) listCards(c *gin.Context) {
	cards, err := h.cards.Handle(c.Request.Context(), decks.ListCards{UserID: mustSession(c).UserID, DeckID: c.Param("deckId")})
	if err != nil {
		WriteError(c, err)
		return
	}
	c.JSON(http.StatusOK, newCardsResponse(cards))
}
