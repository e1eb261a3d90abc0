package e2e_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/test/apptest"
)

// TestTransferLargestDeck imports the most rows one import takes, exports them back
// page by page, and refuses one row more.
func TestTransferLargestDeck(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 50,000 cards")
	}
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			a := apptest.Start(t, s, nil)
			c, _ := studyUser(t, a.Client(), "bulk@example.com")
			// 50,000 rows into SQLite under the race detector, on a shared machine, take
			// longer than the client's usual bound; the server's own bound is the long
			// database bound.
			c.HTTP.Timeout = 3 * time.Minute
			deckID := newDeck(t, c, "Bulk")
			rows := make([][]string, domain.MaxImportCards+1)
			for i := range rows {
				rows[i] = []string{fmt.Sprintf("front %d", i), fmt.Sprintf("back %d", i)}
			}
			res := send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", encodeCSV(t, rows))
			require.Equal(t, http.StatusUnprocessableEntity, res.StatusCode, "one row too many")
			assert.Equal(t, []string{"rows"}, res.ProblemFields(t))

			res = send(t, c, "/v1/decks/"+deckID+"/import", "text/csv", encodeCSV(t, rows[:domain.MaxImportCards]))
			require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", res.Body)
			exported := exportCSV(t, c, deckID)
			require.Len(t, exported, domain.MaxImportCards+1)
			assert.Equal(t, rows[domain.MaxImportCards-1], exported[domain.MaxImportCards])
		})
	}
}
