package application_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application"
	"github.com/studytool/studytool/domain"
)

type item struct {
	at time.Time
	id string
}

func itemAt(i item) (time.Time, string) { return i.at, i.id }

// newestFirst sorts items as the stores list them.
func newestFirst(items []item) []item {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b item) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	return out
}

func TestPageNewestFirstVisitsEachItemOnceWhileItemsComeAndGo(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var items []item
	for i := range 11 {
		// two items share each instant: ties are broken by id
		items = append(items, item{base.Add(time.Duration(i/2) * time.Second), string(rune('a' + i))})
	}
	list := newestFirst(items)
	var seen []string
	after := ""
	for range 20 {
		page, next, err := application.PageNewestFirst(list, domain.Page{Limit: 3, After: after}, itemAt)
		require.NoError(t, err)
		for _, it := range page {
			seen = append(seen, it.id)
		}
		if next == "" {
			break
		}
		// Between pages: the item just handed out goes, and a newer one arrives.
		list = newestFirst(append(slices.DeleteFunc(slices.Clone(list), func(i item) bool { return i.id == page[len(page)-1].id }),
			item{base.Add(time.Hour), "new" + next}))
		after = next
	}
	want := make([]string, 0, len(items))
	for _, it := range newestFirst(items) {
		want = append(want, it.id)
	}
	assert.Equal(t, want, seen, "every original item once, in order; newer ones sort before the position")
}

func TestPageNewestFirstEdges(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	list := []item{{base, "a"}, {base.Add(time.Second), "b"}} // sorted by the pager

	page, next, err := application.PageNewestFirst(list, domain.Page{Limit: 2}, itemAt)
	require.NoError(t, err)
	assert.Len(t, page, 2)
	assert.Empty(t, next, "a page that reaches the end has no next position")

	page, next, err = application.PageNewestFirst([]item{}, domain.Page{Limit: 2}, itemAt)
	require.NoError(t, err)
	assert.Empty(t, page)
	assert.Empty(t, next)

	page, _, err = application.PageNewestFirst(list, domain.Page{Limit: 1}, itemAt)
	require.NoError(t, err)
	assert.Equal(t, "b", page[0].id)

	for _, bad := range []string{"x", "12", "/a", "1.5/a"} {
		_, _, err := application.PageNewestFirst(list, domain.Page{Limit: 1, After: bad}, itemAt)
		var invalid *domain.ValidationError
		require.ErrorAs(t, err, &invalid, "position %q", bad)
		assert.Equal(t, "cursor", invalid.Field)
	}
}
