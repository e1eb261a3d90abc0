package e2e_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/test/apptest"
)

// TestStudyReviewSurvivesSIGKILL acknowledges a review with 200, kills the server
// process with SIGKILL at once, starts it again, and finds the review and its progress
// there. `studytool progress verify` then agrees with the stored progress, and reports
// a row edited behind the scheduler's back.
func TestStudyReviewSurvivesSIGKILL(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			backends := apptest.NewBackends(t, s)

			server := apptest.StartProcess(t, bin, backends.Environ)
			alice, aliceID := studyUser(t, server.Client(t), "crash@example.com")
			deckID, cards := createStudyDeck(t, alice, 2)
			sess := startStudy(t, alice, deckID, 2)
			acked := answerCard(t, alice, sess.ID, cards[0].ID, 4)
			server.Kill(t) // on the 200, before anything else can happen

			server = apptest.StartProcess(t, bin, backends.Environ)
			c := server.Client(t)
			c.Token = c.Login("crash@example.com").Token
			got := progressOf(t, c, cards[0].ID)
			assert.Equal(t, acked.Progress, got, "the acknowledged review survived the crash")
			requireProgressBody(t, got, cards[0].ID, 1, 250, 1, 0)

			run := apptest.RunStudytool(t, bin, backends.Environ, "progress", "verify", "--user", aliceID)
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Output, "checked 1 progress rows against 1 reviews: 0 disagree")

			tamper(t, backends.Database(), cards[0].ID)
			run = apptest.RunStudytool(t, bin, backends.Environ, "progress", "verify")
			assert.Equal(t, 1, run.ExitCode, "output: %s", run.Output)
			assert.Contains(t, run.Output, "user "+aliceID+" card "+cards[0].ID+": stored n=8")
			assert.Contains(t, run.Output, "the log gives n=1 ef=2.50 interval=1d")
			assert.Contains(t, run.Output, "1 disagree")
			t.Logf("verify report:\n%s", run.Output)
		})
	}
}

// tamper raises a progress row's repetitions by 7 behind the application's back.
func tamper(t *testing.T, cfg gormdb.Config, cardID string) {
	t.Helper()
	n := openRawDB(t, cfg).exec(t, "UPDATE progress SET repetitions = repetitions + 7 WHERE card_id = ?", cardID)
	require.Equal(t, int64(1), n)
}
