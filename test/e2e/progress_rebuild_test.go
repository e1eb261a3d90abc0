package e2e_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// rebuildTotals is what `progress rebuild --json` prints.
type rebuildTotals struct {
	Disagreements  int  `json:"disagreements"`
	Applied        bool `json:"applied"`
	RewrittenRows  int  `json:"rewrittenRows"`
	RewrittenUsers int  `json:"rewrittenUsers"`
}

// TestProgressRebuildRepairsATamperedRow corrupts a progress row behind the
// application's back and runs `studytool progress rebuild`: without --apply it reports
// the row, exits 1 and changes nothing; with --apply it rewrites the row from the review
// log (verify agrees again, the API serves the repaired row, and on Redis the row's
// cached copy is gone); a second --apply finds nothing to do.
func TestProgressRebuildRepairsATamperedRow(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			backends := apptest.NewBackends(t, s)
			server := apptest.StartProcess(t, bin, backends.Environ)
			alice, aliceID := studyUser(t, server.Client(t), "rebuild@example.com")
			deckID, cards := createStudyDeck(t, alice, 2)
			sess := startStudy(t, alice, deckID, 2)
			answerCard(t, alice, sess.ID, cards[0].ID, 4)
			want := progressOf(t, alice, cards[0].ID)
			copyKey := backends.Prefix + "progress:" + aliceID + ":" + cards[0].ID
			if backends.Redis != nil {
				require.EqualValues(t, 1, backends.Redis.Exists(t.Context(), copyKey).Val(), "the answer wrote the cached copy")
			}

			tamper(t, backends.Database(), cards[0].ID)
			rebuild := func(args ...string) (apptest.Run, rebuildTotals) {
				t.Helper()
				run := apptest.RunStudytool(t, bin, backends.Environ, append([]string{"progress", "rebuild", "--json"}, args...)...)
				var got rebuildTotals
				require.NoError(t, json.Unmarshal([]byte(run.Stdout), &got), "output: %s", run.Output)
				return run, got
			}
			run, got := rebuild()
			assert.Equal(t, 1, run.ExitCode, "without --apply a disagreement fails as verify does: %s", run.Output)
			assert.Equal(t, rebuildTotals{Disagreements: 1}, got)
			run = apptest.RunStudytool(t, bin, backends.Environ, "progress", "verify")
			assert.Equal(t, 1, run.ExitCode, "the report changed nothing: %s", run.Output)

			run, got = rebuild("--apply", "--user", aliceID)
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Equal(t, rebuildTotals{Disagreements: 1, Applied: true, RewrittenRows: 1, RewrittenUsers: 1}, got)
			run = apptest.RunStudytool(t, bin, backends.Environ, "progress", "verify")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Output, "0 disagree")
			if backends.Redis != nil {
				assert.Zero(t, backends.Redis.Exists(t.Context(), copyKey).Val(), "the cached copy is dropped")
				got := progressOf(t, alice, cards[0].ID)
				assert.Equal(t, want, got, "the API serves the repaired row")
			}

			run, got = rebuild("--apply")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Equal(t, rebuildTotals{Applied: true}, got, "a second run changes nothing")
		})
	}
}
