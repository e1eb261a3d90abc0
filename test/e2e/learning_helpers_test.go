package e2e_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/apptest"
)

// learningApp is the whole application on one stack with a clock the test sets: days
// pass in a test that lasts a second.
type learningApp struct {
	*studyApp
	clock *clock.Fake
}

// startLearningApp starts the app on stack s with its clock at start.
func startLearningApp(t *testing.T, s apptest.Stack, start time.Time) *learningApp {
	t.Helper()
	fake := clock.NewFake(start)
	a := apptest.Start(t, s, nil, fx.Decorate(func(ports.Clock) ports.Clock { return fake }))
	db := openStudyDB(t, a.Database())
	return &learningApp{
		studyApp: &studyApp{App: a, reviews: gormdb.NewReviewRepo(db), progress: gormdb.NewProgressRepo(db)},
		clock:    fake,
	}
}

// learner is a registered user of a learningApp.
type learner struct {
	*apptest.Client
	app   *learningApp
	email string
	id    string
}

// newLearner registers and logs in email.
func (a *learningApp) newLearner(t *testing.T, email string) *learner {
	t.Helper()
	c, id := studyUser(t, a.Client(), email)
	return &learner{Client: c, app: a, email: email, id: id}
}

// at moves the app's clock to when and logs in again (a jump of days outlives the login
// session's idle timeout).
func (l *learner) at(t *testing.T, when time.Time) {
	t.Helper()
	l.app.clock.Set(when)
	l.Token = l.Login(l.email).Token
}

// patch sends a PATCH and requires 200.
func (l *learner) patch(t *testing.T, path string, body any) *apptest.Response {
	t.Helper()
	res := l.Do(http.MethodPatch, path, body)
	require.Equal(t, http.StatusOK, res.StatusCode, "PATCH %s: %s", path, res.Body)
	return res
}

// study starts a session over deckID and answers every card it offers with grade (a
// failed card's drill with 4) until it is empty. It returns the ids of the cards
// offered, in order of their first answer.
func (l *learner) study(t *testing.T, deckID string, grade int) []string {
	t.Helper()
	sess := startStudy(t, l.Client, deckID, domain.MaxStudyCards)
	var offered []string
	seen := map[string]bool{}
	for next := sess.NextCard; next != nil; {
		g := grade
		if seen[next.ID] {
			g = 4
		} else {
			offered = append(offered, next.ID)
			seen[next.ID] = true
		}
		next = answerCard(t, l.Client, sess.ID, next.ID, g).NextCard
	}
	return offered
}

// queueOf starts a session over deckID and returns how many cards it offers and the
// first of them ("" when none).
func (l *learner) queueOf(t *testing.T, deckID string) (int, string) {
	t.Helper()
	s := startStudy(t, l.Client, deckID, domain.MaxStudyCards)
	if s.NextCard == nil {
		return s.Remaining, ""
	}
	return s.Remaining, s.NextCard.ID
}
