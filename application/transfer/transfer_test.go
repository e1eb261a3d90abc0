package transfer_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application/transfer"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
)

var epoch = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// fieldsOf lists the fields of the ValidationErrors joined in err.
func fieldsOf(err error) []string {
	var out []string
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			out = append(out, fieldsOf(e)...)
		}
		return out
	}
	var v *domain.ValidationError
	if errors.As(err, &v) {
		out = append(out, v.Field)
	}
	return out
}

func TestImportCards_ReportsEveryBadRowBeforeStoring(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t) // no expectation: storing fails the test
	h := transfer.NewImportCardsHandler(repo, clock.NewFake(epoch))
	_, err := h.Handle(t.Context(), transfer.ImportCards{UserID: "u", DeckID: "d", Rows: [][]string{
		{"FRONT ", " Back"}, {"ok", "ok"}, {"", "x"}, {"a", "b", "c"}, {"x", "\x00"}, {"ok", "ok"},
	}})
	assert.Equal(t, []string{"rows[1].front", "rows[2]", "rows[3].back"}, fieldsOf(err))
}

func TestImportCards_RowBounds(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	h := transfer.NewImportCardsHandler(repo, clock.NewFake(epoch))
	for _, rows := range [][][]string{nil, {{"front", "back"}}, make([][]string, domain.MaxImportCards+1)} {
		_, err := h.Handle(t.Context(), transfer.ImportCards{UserID: "u", DeckID: "d", Rows: rows})
		assert.Equal(t, []string{"rows"}, fieldsOf(err))
	}
}

func TestImportCards_StoresAllInOneCall(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().ImportDecks(mock.Anything, "u", []domain.Deck(nil), mock.MatchedBy(func(cards []domain.Card) bool {
		return len(cards) == 2 && cards[0].Front == "front,back" && cards[1].Back == "two\nlines" && cards[0].DeckID == "d"
	})).Return(nil).Once()
	repo.EXPECT().GetDeck(mock.Anything, "u", "d").Return(&domain.Deck{ID: "d", CardCount: 2}, nil).Once()
	h := transfer.NewImportCardsHandler(repo, clock.NewFake(epoch))
	out, err := h.Handle(t.Context(), transfer.ImportCards{UserID: "u", DeckID: "d", Rows: [][]string{
		{"front,back", "x"}, {"y", "two\r\nlines"},
	}})
	require.NoError(t, err)
	assert.Equal(t, 2, out.Imported)
}

func TestImportPackage_SkipsRefusedNotesAndEmptyDecks(t *testing.T) {
	t.Parallel()
	reader := mocks.NewPackageReader(t)
	reader.EXPECT().Read(mock.Anything, mock.Anything, int64(0)).Return(&domain.Package{
		Decks: []domain.PackageDeck{
			{Name: "Good", Notes: []domain.PackageNote{{ID: 1, Fields: []string{"a", "b"}}, {ID: 2, Fields: []string{"bad\xff", "b"}}}},
			{Name: "All bad", Notes: []domain.PackageNote{{ID: 3, Fields: []string{"one"}}}},
			{Name: "bad\nname", Notes: []domain.PackageNote{{ID: 4, Fields: []string{"a", "b"}}}},
		},
		Skipped: []domain.PackageSkip{{NoteID: 5, Reason: "has no card"}},
	}, nil).Once()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().ImportDecks(mock.Anything, "u", mock.MatchedBy(func(decks []domain.Deck) bool {
		return len(decks) == 1 && decks[0].Name == "Good" && decks[0].UserID == "u"
	}), mock.MatchedBy(func(cards []domain.Card) bool { return len(cards) == 1 })).Return(nil).Once()

	out, err := transfer.NewImportPackageHandler(reader, repo, clock.NewFake(epoch)).Handle(t.Context(),
		transfer.ImportPackage{UserID: "u"})
	require.NoError(t, err)
	require.Len(t, out.Decks, 1)
	assert.Equal(t, 1, out.Decks[0].CardCount)
	ids := make([]int64, len(out.Skipped))
	for i, s := range out.Skipped {
		ids[i] = s.NoteID
		assert.NotEmpty(t, s.Reason, fmt.Sprint(s.NoteID))
	}
	assert.Equal(t, []int64{5, 2, 3, 4}, ids)
}

func TestImportPackage_PassesReaderErrors(t *testing.T) {
	t.Parallel()
	reader := mocks.NewPackageReader(t)
	reader.EXPECT().Read(mock.Anything, mock.Anything, mock.Anything).Return(nil, domain.ErrTooLarge).Once()
	_, err := transfer.NewImportPackageHandler(reader, mocks.NewDeckRepo(t), clock.NewFake(epoch)).Handle(t.Context(),
		transfer.ImportPackage{UserID: "u"})
	require.ErrorIs(t, err, domain.ErrTooLarge)
}

// exportWriter records what an export writes.
type exportWriter struct {
	deck  string
	cards []string
}

func (w *exportWriter) Deck(d *domain.Deck) error { w.deck = d.Name; return nil }
func (w *exportWriter) Card(c *domain.Card) error { w.cards = append(w.cards, c.Front); return nil }

func TestExportDeck_ReadsPageAfterPage(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().GetDeck(mock.Anything, "u", "d").Return(&domain.Deck{Name: "D"}, nil).Once()
	repo.EXPECT().PageCards(mock.Anything, "u", "d", domain.Page{Limit: 1000}).
		Return([]domain.Card{{Front: "1"}, {Front: "2"}}, "7", nil).Once()
	repo.EXPECT().PageCards(mock.Anything, "u", "d", domain.Page{Limit: 1000, After: "7"}).
		Return([]domain.Card{{Front: "3"}}, "", nil).Once()
	w := &exportWriter{}
	require.NoError(t, transfer.NewExportDeckHandler(repo).Handle(t.Context(), transfer.ExportDeck{UserID: "u", DeckID: "d"}, w))
	assert.Equal(t, "D", w.deck)
	assert.Equal(t, []string{"1", "2", "3"}, w.cards)
}

func TestExportDeck_ForeignDeckWritesNothing(t *testing.T) {
	t.Parallel()
	repo := mocks.NewDeckRepo(t)
	repo.EXPECT().GetDeck(mock.Anything, "u", "d").Return(nil, domain.ErrNotFound).Once()
	w := &exportWriter{}
	err := transfer.NewExportDeckHandler(repo).Handle(t.Context(), transfer.ExportDeck{UserID: "u", DeckID: "d"}, w)
	require.ErrorIs(t, err, domain.ErrNotFound)
	assert.Empty(t, w.deck)
}
