package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	json "github.com/goccy/go-json"

	"github.com/studytool/studytool/domain"
)

// Lists answer a page at a time: `limit` items (defaultPageLimit unless asked, at most
// maxPageLimit) after the opaque `cursor` a previous page returned.
const (
	defaultPageLimit = 50
	maxPageLimit     = 500
)

// listResponse is a page of a list: its items and the cursor of the next page (null
// after the last).
type listResponse[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// newListResponse renders a page of items; list names the list, so a cursor of one
// list is refused by another.
func newListResponse[T, V any](list string, items []T, next string, render func(*T) V) listResponse[V] {
	out := listResponse[V]{Items: make([]V, len(items))}
	for i := range items {
		out.Items[i] = render(&items[i])
	}
	if next != "" {
		cursor := encodeCursor(list, next)
		out.NextCursor = &cursor
	}
	return out
}

// pageOf reads the page a list request asks for: `limit` and `cursor` (every bad one
// named in one 422).
func pageOf(c *gin.Context, list string) (domain.Page, error) {
	page := domain.Page{Limit: defaultPageLimit}
	var errs []error
	if raw, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPageLimit {
			errs = append(errs, domain.NewValidationError("limit", "must be an integer from 1 to "+strconv.Itoa(maxPageLimit)))
		}
		page.Limit = n
	}
	if raw, ok := c.GetQuery("cursor"); ok {
		after, err := decodeCursor(list, raw)
		if err != nil {
			errs = append(errs, err)
		}
		page.After = after
	}
	return page, errors.Join(errs...)
}

// encodeCursor makes a list's position opaque: the position, prefixed with the list's
// name, in unpadded base64url.
func encodeCursor(list, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + "|" + position))
}

// decodeCursor reads a cursor encodeCursor made for list.
func decodeCursor(list, cursor string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	name, position, ok := strings.Cut(string(raw), "|")
	if err != nil || !ok || name != list || position == "" {
		return "", domain.NewValidationError("cursor", "is not a cursor of this list")
	}
	return position, nil
}

// etagOf is the strong entity tag of a representation: a digest of its bytes.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// writeJSON answers status with v as JSON and its strong ETag. A GET or HEAD whose
// If-None-Match names that tag is answered 304 Not Modified without a body.
func writeJSON(c *gin.Context, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(c, err)
		return
	}
	tag := etagOf(body)
	c.Header("ETag", tag)
	method := c.Request.Method
	if status == http.StatusOK && (method == http.MethodGet || method == http.MethodHead) && noneMatch(c, tag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(status, "application/json; charset=utf-8", body)
}

// noneMatch reports whether the request's If-None-Match names tag (weak comparison, as
// RFC 9110 asks of If-None-Match) or is "*".
func noneMatch(c *gin.Context, tag string) bool {
	header := c.GetHeader("If-None-Match")
	if header == "" {
		return false
	}
	for _, t := range entityTags(header) {
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
			return true
		}
	}
	return false
}

// entityTags splits a list of entity tags.
func entityTags(header string) []string {
	var tags []string
	for t := range strings.SplitSeq(header, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// precondition returns the check of the request's If-Match against a resource as
// stored, rendered as its GET renders it; nil when the request sends no If-Match. The
// check fails with domain.ErrPreconditionFailed unless a tag matches (strong
// comparison; a weak tag never does) or the header is "*". Use-cases run it inside the
// transaction that changes the resource, so no write slips between check and change.
func precondition[T, V any](c *gin.Context, render func(*T) V) func(*T) error {
	header := c.GetHeader("If-Match")
	if header == "" {
		return nil
	}
	tags := entityTags(header)
	return func(stored *T) error {
		if slices.Contains(tags, "*") {
			return nil
		}
		body, err := json.Marshal(render(stored))
		if err != nil {
			return err
		}
		if !slices.Contains(tags, etagOf(body)) {
			return domain.ErrPreconditionFailed
		}
		return nil
	}
}
