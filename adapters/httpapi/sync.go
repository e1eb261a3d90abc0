package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/changes"
	"github.com/studytool/studytool/domain"
)

// Sync pages cover at most maxSyncLimit changes, defaultSyncLimit unless asked.
const (
	defaultSyncLimit = 500
	maxSyncLimit     = 1000
)

// SyncHandlers serves what changed for the caller since their last sync.
type SyncHandlers struct {
	authn *Authenticator
	sync  *changes.SyncHandler
}

var _ RouteRegistrar = (*SyncHandlers)(nil)

// NewSyncHandlers builds the sync endpoint.
func NewSyncHandlers(authn *Authenticator, sync *changes.SyncHandler) *SyncHandlers {
	return &SyncHandlers{authn: authn, sync: sync}
}

// Register implements RouteRegistrar.
func (h *SyncHandlers) Register(r gin.IRouter) {
	r.GET("/v1/sync", h.authn.Required(), h.changes)
}

// tombstoneResponse is a deleted deck, card or progress row.
type tombstoneResponse struct {
	Kind   domain.EntityKind `json:"kind"`
	ID     string            `json:"id"`
	DeckID string            `json:"deckId"`
}

// syncResponse is a page of changes: the current state of what changed, what was
// deleted, the cursor to send as `since` next time, and whether more changes wait.
type syncResponse struct {
	Decks    []deckResponse      `json:"decks"`
	Cards    []cardResponse      `json:"cards"`
	Progress []progressResponse  `json:"progress"`
	Deleted  []tombstoneResponse `json:"deleted"`
	Cursor   string              `json:"cursor"`
	HasMore  bool                `json:"hasMore"`
}

func (h *SyncHandlers) changes(c *gin.Context) {
	var errs []error
	limit := defaultSyncLimit
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxSyncLimit {
			errs = append(errs, domain.NewValidationError("limit", "must be an integer from 1 to "+strconv.Itoa(maxSyncLimit)))
		}
		limit = n
	}
	since := ""
	if raw := c.Query("since"); raw != "" {
		position, err := decodeCursor("sync", raw)
		if err != nil {
			errs = append(errs, domain.NewValidationError("since", "is not a cursor this endpoint handed out"))
		}
		since = position
	}
	if err := errors.Join(errs...); err != nil {
		WriteError(c, err)
		return
	}
	res, err := h.sync.Handle(c.Request.Context(), changes.Sync{UserID: mustSession(c).UserID, Since: since, Limit: limit})
	if err != nil {
		WriteError(c, err)
		return
	}
	resp := syncResponse{
		Decks:    make([]deckResponse, len(res.Decks)),
		Cards:    make([]cardResponse, len(res.Cards)),
		Progress: make([]progressResponse, len(res.Progress)),
		Deleted:  make([]tombstoneResponse, len(res.Deleted)),
		Cursor:   encodeCursor("sync", res.Next),
		HasMore:  res.More,
	}
	for i := range res.Decks {
		resp.Decks[i] = newDeckResponse(&res.Decks[i])
	}
	for i := range res.Cards {
		resp.Cards[i] = newCardResponse(&res.Cards[i])
	}
	for i := range res.Progress {
		resp.Progress[i] = newProgressResponse(&res.Progress[i])
	}
	for i, d := range res.Deleted {
		resp.Deleted[i] = tombstoneResponse{Kind: d.Kind, ID: d.ID, DeckID: d.DeckID}
	}
	writeJSON(c, http.StatusOK, resp)
}
