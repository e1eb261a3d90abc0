package httpapi

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
)

// ReviewLogHandlers serves the caller's review log.
type ReviewLogHandlers struct {
	authn  *Authenticator
	export *progress.ExportReviewsHandler
	list   *progress.ListReviewsHandler
}

var _ RouteRegistrar = (*ReviewLogHandlers)(nil)

// NewReviewLogHandlers builds the review-log endpoints.
func NewReviewLogHandlers(authn *Authenticator, export *progress.ExportReviewsHandler, list *progress.ListReviewsHandler) *ReviewLogHandlers {
	return &ReviewLogHandlers{authn: authn, export: export, list: list}
}

// Register implements RouteRegistrar.
func (h *ReviewLogHandlers) Register(r gin.IRouter) {
	r.GET("/v1/reviews", h.authn.Required(), h.listReviews)
	r.GET("/v1/reviews/export", h.authn.Required(), h.exportLog)
}

// reviewLogItem is one row of the review log: an answer, or an undo naming the answer
// it took back.
type reviewLogItem struct {
	ID             string            `json:"id"`
	CardID         string            `json:"cardId"`
	DeckID         string            `json:"deckId"`
	StudySessionID *string           `json:"studySessionId"`
	ReviewedAt     time.Time         `json:"reviewedAt"`
	Grade          domain.Grade      `json:"grade"`
	Kind           domain.ReviewKind `json:"kind"`
	DurationMs     int               `json:"durationMs"`
	UndoneID       *string           `json:"undoneId"`
}

func newReviewLogItem(r *domain.Review) reviewLogItem {
	optional := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return reviewLogItem{
		ID: r.ID, CardID: r.CardID, DeckID: r.DeckID, StudySessionID: optional(r.StudySessionID),
		ReviewedAt: r.ReviewedAt.UTC(), Grade: r.Grade, Kind: r.Kind, DurationMs: r.DurationMs,
		UndoneID: optional(r.UndoneID),
	}
}

func (h *ReviewLogHandlers) listReviews(c *gin.Context) {
	page, err := pageOf(c, "reviews")
	deckID := c.Query("deckId")
	if deckID != "" && !isUUID(deckID) {
		err = errors.Join(err, domain.NewValidationError("deckId", "must be a deck id"))
	}
	if err != nil {
		WriteError(c, err)
		return
	}
	reviews, next, err := h.list.Handle(c.Request.Context(), progress.ListReviews{
		UserID: mustSession(c).UserID, DeckID: deckID, Page: page,
	})
	if err != nil {
		WriteError(c, err)
		return
	}
	writeJSON(c, http.StatusOK, newListResponse("reviews", reviews, next, newReviewLogItem))
}

// revlogColumns are the FSRS optimizer's revlog columns, the CSV header.
var revlogColumns = []string{"card_id", "review_time", "review_rating", "review_state", "review_duration"}

// revlogEntry is one answer of the JSON export: the revlog columns and what the log
// knows beside them.
type revlogEntry struct {
	CardID           string             `json:"card_id"`
	ReviewTime       int64              `json:"review_time"`
	ReviewRating     domain.FSRSRating  `json:"review_rating"`
	ReviewState      domain.RevlogState `json:"review_state"`
	ReviewDuration   int                `json:"review_duration"`
	DeckID           string             `json:"deck_id"`
	Grade            domain.Grade       `json:"grade"`
	Kind             domain.ReviewKind  `json:"kind"`
	UTCOffsetSeconds int                `json:"utc_offset_seconds"`
}

func newRevlogEntry(r domain.Review) revlogEntry {
	rating, _ := domain.FSRSRatingFor(r.Grade) // the log holds valid grades only
	return revlogEntry{
		CardID: r.CardID, ReviewTime: r.ReviewedAt.UnixMilli(), ReviewRating: rating, ReviewState: domain.RevlogStateOf(r),
		ReviewDuration: r.DurationMs, DeckID: r.DeckID, Grade: r.Grade, Kind: r.Kind, UTCOffsetSeconds: r.UTCOffsetSeconds,
	}
}

func (h *ReviewLogHandlers) exportLog(c *gin.Context) {
	deckID, format, err := exportQuery(c)
	if err != nil {
		WriteError(c, err)
		return
	}
	ctx := c.Request.Context()
	export, err := h.export.Prepare(ctx, progress.ExportReviews{UserID: mustSession(c).UserID, DeckID: deckID})
	if err != nil {
		WriteError(c, err)
		return
	}
	// From here on the status is sent: a failure can only cut the body short, which the
	// client sees as a truncated download (no closing bracket, or a short CSV).
	w := bufio.NewWriterSize(c.Writer, 32<<10)
	if format == "json" {
		c.Header("Content-Type", "application/json")
		c.Header("Content-Disposition", `attachment; filename="revlog.json"`)
		c.Status(http.StatusOK)
		err = writeRevlogJSON(ctx, w, export)
	} else {
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", `attachment; filename="revlog.csv"`)
		c.Status(http.StatusOK)
		err = writeRevlogCSV(ctx, w, export)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		loggerFrom(ctx).LogAttrs(ctx, slog.LevelWarn, "review log export cut short", slog.Any("error", err))
		c.Abort()
	}
}

// exportQuery reads the export's `deckId` and `format`, naming every bad one at once.
func exportQuery(c *gin.Context) (deckID, format string, err error) {
	var errs []error
	deckID = c.Query("deckId")
	if deckID != "" && !isUUID(deckID) {
		errs = append(errs, domain.NewValidationError("deckId", "must be a deck id"))
	}
	format = c.DefaultQuery("format", "csv")
	if format != "csv" && format != "json" {
		errs = append(errs, domain.NewValidationError("format", "must be csv or json"))
	}
	return deckID, format, errors.Join(errs...)
}

func writeRevlogCSV(ctx context.Context, w *bufio.Writer, export *progress.ReviewExport) error {
	out := csv.NewWriter(w)
	if err := out.Write(revlogColumns); err != nil {
		return err
	}
	err := export.Each(ctx, func(r domain.Review) error {
		e := newRevlogEntry(r)
		return out.Write([]string{
			e.CardID, strconv.FormatInt(e.ReviewTime, 10), strconv.Itoa(int(e.ReviewRating)),
			strconv.Itoa(int(e.ReviewState)), strconv.Itoa(e.ReviewDuration),
		})
	})
	out.Flush()
	if err != nil {
		return err
	}
	return out.Error()
}

func writeRevlogJSON(ctx context.Context, w *bufio.Writer, export *progress.ReviewExport) error {
	enc := json.NewEncoder(w)
	if _, err := w.WriteString("["); err != nil {
		return err
	}
	first := true
	err := export.Each(ctx, func(r domain.Review) error {
		if !first {
			if _, err := w.WriteString(","); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(newRevlogEntry(r))
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("]\n")
	return err
}
