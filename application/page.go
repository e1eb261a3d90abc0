package application

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/studytool/studytool/domain"
)

// PageNewestFirst orders items newest first by at (ties broken by id, descending) and
// returns up to page.Limit of them after page.After, and the position to ask from next
// ("" after the last). A position is the (time, id) of the last item handed out, so an
// item added or removed meanwhile neither shifts nor repeats the others (a newer item
// appears on no later page: it sorts before the position).
func PageNewestFirst[T any](items []T, page domain.Page, at func(T) (time.Time, string)) ([]T, string, error) {
	items = slices.Clone(items)
	slices.SortStableFunc(items, func(a, b T) int {
		at1, id1 := at(a)
		at2, id2 := at(b)
		return cmp.Or(at2.Compare(at1), strings.Compare(id2, id1))
	})
	start := 0
	if page.After != "" {
		after, afterID, err := parseNewestFirst(page.After)
		if err != nil {
			return nil, "", err
		}
		start = len(items)
		for i, item := range items {
			t, id := at(item)
			if cmp.Or(t.Compare(after), strings.Compare(id, afterID)) < 0 {
				start = i
				break
			}
		}
	}
	end := min(start+page.Limit, len(items))
	out := items[start:end]
	if end == len(items) || len(out) == 0 {
		return out, "", nil
	}
	t, id := at(out[len(out)-1])
	return out, strconv.FormatInt(t.UnixNano(), 10) + "/" + id, nil
}

// parseNewestFirst reads a position PageNewestFirst handed out.
func parseNewestFirst(position string) (time.Time, string, error) {
	nanos, id, ok := strings.Cut(position, "/")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", domain.NewValidationError("cursor", "is not a position this list handed out")
	}
	return time.Unix(0, n), id, nil
}
