package fault_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read what the service committed
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/pgtopo"
	"github.com/studytool/studytool/test/redistopo"
)

// The service's database bounds in these tests: the defaults.
const (
	dbQueryTimeout = 2 * time.Second
	dbPoolWait     = 250 * time.Millisecond
)

// pgService is the whole application on a private PostgreSQL server the test may stop,
// kill, restart and lock, and a private Redis server for both roles.
type pgService struct {
	*service
	pg *pgtopo.Server
}

func startPostgresService(t *testing.T) *pgService {
	t.Helper()
	pg := pgtopo.Start(t, "max_connections = 60")
	redis := redistopo.Standalone(t, redistopo.Options{ConfigFile: filepath.Join("..", "..", "deploy", "redis", "state.conf")})
	app := apptest.StartOn(t, &apptest.Backends{Environ: map[string]string{
		"DATABASE_URL": pg.URL(),
		"REDIS_URL":    "redis://" + redis.Addr() + "/0",
	}}, map[string]string{
		"LOG_LEVEL":            "error", // an outage logs a warning per request
		"DB_QUERY_TIMEOUT":     dbQueryTimeout.String(),
		"DB_POOL_WAIT_TIMEOUT": dbPoolWait.String(),
	})
	client := &http.Client{Timeout: requestTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	t.Cleanup(client.CloseIdleConnections)
	return &pgService{
		service: &service{baseURL: app.BaseURL, http: client, metrics: apptest.NewClient(t, "http://"+app.Metrics.Addr())},
		pg:      pg,
	}
}

// mixedLoad is the traffic of the database scenarios: readers of the profile and of a
// small deck's cards, and writers answering cards of decks of their own, each answer
// retried after a 503 until it gets a 200, as a client would.
type mixedLoad struct {
	svc    *pgService
	token  string
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	replies []reply
	// answered holds the (study session, card) of every answer that got a 200.
	answered []answerKey
}

type answerKey struct{ session, card string }

// Shape of the load: each reader and writer pauses between requests.
const (
	loadReaders       = 3
	loadReaderPause   = 5 * time.Millisecond
	loadWriterPause   = 20 * time.Millisecond
	loadRetryPause    = 50 * time.Millisecond
	cardsPerWriter    = 1500
	writerMaxCards    = 200
	smallDeckCards    = 10
	reviewRoute       = "review"
	cardsRoute        = "cards"
	profileRoute      = "me"
	unavailableCode   = "store_unavailable"
	newCardsUnlimited = 9999
)

// startMixedLoad signs a learner up, gives every writer a deck of its own and starts the
// readers and writers.
func startMixedLoad(t *testing.T, svc *pgService, writers int) *mixedLoad {
	t.Helper()
	token := svc.signUp(t, fmt.Sprintf("load-%d@example.com", time.Now().UnixNano()))
	small := svc.deckWithCards(t, token, smallDeckCards)
	decks := make([]string, writers)
	for i := range decks {
		decks[i] = svc.deckWithCards(t, token, cardsPerWriter)
		svc.must(t, http.MethodPatch, "/v1/decks/"+decks[i], token, map[string]int{"newCardsPerDay": newCardsUnlimited}, http.StatusOK, nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	load := &mixedLoad{svc: svc, token: token, cancel: cancel}
	for w := range loadReaders {
		load.wg.Go(func() { load.read(ctx, w, small) })
	}
	for _, deck := range decks {
		load.wg.Go(func() { load.write(ctx, deck) })
	}
	t.Cleanup(load.stop)
	return load
}

// deckWithCards creates a deck of n cards for token's user and returns its id.
func (s *service) deckWithCards(t *testing.T, token string, n int) string {
	t.Helper()
	var deck struct{ ID string }
	s.must(t, http.MethodPost, "/v1/decks", token, map[string]string{"name": "Load"}, http.StatusCreated, &deck)
	for added := 0; added < n; added += 1000 {
		batch := make([]map[string]string, min(1000, n-added))
		for i := range batch {
			batch[i] = map[string]string{"front": "question " + strconv.Itoa(added+i), "back": "answer"}
		}
		s.must(t, http.MethodPost, "/v1/decks/"+deck.ID+"/cards", token, map[string]any{"cards": batch}, http.StatusCreated, nil)
	}
	return deck.ID
}

func (l *mixedLoad) record(r reply, route string) {
	r.path = route
	l.mu.Lock()
	l.replies = append(l.replies, r)
	l.mu.Unlock()
}

// read alternates the profile and the small deck's cards.
func (l *mixedLoad) read(ctx context.Context, worker int, deckID string) {
	for i := worker; ctx.Err() == nil; i++ {
		path, route := "/v1/me", profileRoute
		if i%2 == 0 {
			path, route = "/v1/decks/"+deckID+"/cards", cardsRoute
		}
		r := l.svc.do(ctx, http.MethodGet, path, l.token, nil)
		if ctx.Err() != nil {
			return
		}
		l.record(r, route)
		sleep(ctx, loadReaderPause)
	}
}

// write studies deckID: it starts a session, answers every card it offers with 5 and
// starts the next; a 503 is retried with the same card.
func (l *mixedLoad) write(ctx context.Context, deckID string) {
	for ctx.Err() == nil {
		var sess struct {
			ID       string
			NextCard *struct{ ID string }
		}
		r := l.svc.do(ctx, http.MethodPost, "/v1/study/sessions", l.token, map[string]any{"deckId": deckID, "maxCards": writerMaxCards})
		if ctx.Err() != nil {
			return
		}
		if r.status != http.StatusCreated || decodeJSON(r.body, &sess) != nil || sess.NextCard == nil {
			l.record(r, "start")
			sleep(ctx, loadRetryPause)
			continue
		}
		for next := sess.NextCard; next != nil && ctx.Err() == nil; {
			var res struct{ NextCard *struct{ ID string } }
			r := l.svc.do(ctx, http.MethodPost, "/v1/study/sessions/"+sess.ID+"/reviews", l.token, map[string]any{"cardId": next.ID, "grade": 5})
			if ctx.Err() != nil {
				return
			}
			l.record(r, reviewRoute)
			switch {
			case r.status == http.StatusOK && decodeJSON(r.body, &res) == nil:
				l.mu.Lock()
				l.answered = append(l.answered, answerKey{sess.ID, next.ID})
				l.mu.Unlock()
				next = res.NextCard
				sleep(ctx, loadWriterPause)
			case r.status == http.StatusServiceUnavailable:
				sleep(ctx, loadRetryPause) // the same answer again
			default:
				next = nil // start over with a new session
			}
		}
	}
}

// stop ends the load and waits for it.
func (l *mixedLoad) stop() {
	l.cancel()
	l.wg.Wait()
}

// between returns the replies of route to requests sent in [from, to).
func (l *mixedLoad) between(route string, from, to time.Time) []reply {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []reply
	for _, r := range l.replies {
		if (route == "" || r.path == route) && !r.start.Before(from) && r.start.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// firstOK returns the first 200 of route to a request sent at or after from.
func (l *mixedLoad) firstOK(route string, from time.Time) (reply, bool) {
	for _, r := range l.between(route, from, time.Now().Add(time.Hour)) {
		if r.status == http.StatusOK {
			return r, true
		}
	}
	return reply{}, false
}

// requireNoServerError asserts that every reply is a 200 or a 503 store_unavailable with
// Retry-After: never a 500, never a transport failure.
func (l *mixedLoad) requireNoServerError(t *testing.T) {
	t.Helper()
	counts := map[string]int{}
	for _, r := range l.between("", time.Time{}, time.Now().Add(time.Hour)) {
		require.NoError(t, r.err, "%s: every request gets an answer", r.path)
		counts[r.path+" "+strconv.Itoa(r.status)]++
		if r.status == http.StatusServiceUnavailable {
			require.Equal(t, unavailableCode, r.code, "%s: %s", r.path, r.body)
			require.NotEmpty(t, r.retryAfter, "%s: a 503 says when to retry", r.path)
			continue
		}
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.status, "%s: %s", r.path, r.body)
	}
	t.Logf("replies by route and status: %v", counts)
}

// requireEveryAnswerOnce asserts that every answer that got a 200 is in the database
// exactly once, and that no answer is there twice.
func (l *mixedLoad) requireEveryAnswerOnce(t *testing.T) {
	t.Helper()
	db, err := sql.Open("pgx", l.svc.pg.URL())
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(),
		"SELECT study_session_id, card_id, count(*) FROM reviews WHERE kind <> 'undo' GROUP BY study_session_id, card_id")
	require.NoError(t, err)
	defer rows.Close()
	logged := map[answerKey]int{}
	for rows.Next() {
		var k answerKey
		var n int
		require.NoError(t, rows.Scan(&k.session, &k.card, &n))
		logged[k] = n
		require.Equal(t, 1, n, "answer %v logged %d times", k, n)
	}
	require.NoError(t, rows.Err())
	l.mu.Lock()
	defer l.mu.Unlock()
	require.NotEmpty(t, l.answered)
	for _, k := range l.answered {
		require.Equal(t, 1, logged[k], "acknowledged answer %v is in the database once", k)
	}
	t.Logf("%d acknowledged answers, each in the database once (%d rows in all)", len(l.answered), len(logged))
}

// TestFault_PostgresStoppedUnderLoad stops PostgreSQL immediately (as pg_ctl stop -m
// immediate: every backend quits, open transactions are lost) under mixed load, keeps
// it down, and starts it again. Every reply is a 200 or a 503 with Retry-After — never a
// 500, whatever was in flight — every acknowledged answer is in the database exactly
// once, and the service answers again without a restart (time to the first 200 logged;
// docs/performance.md).
func TestFault_PostgresStoppedUnderLoad(t *testing.T) {
	svc := startPostgresService(t)
	load := startMixedLoad(t, svc, 4)
	time.Sleep(2 * time.Second)

	svc.pg.Kill(t)
	time.Sleep(2 * time.Second)
	ready := svc.readyz(t)
	assert.Equal(t, http.StatusServiceUnavailable, ready.status, "the database is unreachable")
	assert.Equal(t, "down", ready.Checks["database"])

	svc.pg.Restart(t)
	accepting := time.Now()
	require.Eventually(t, func() bool {
		_, ok := load.firstOK(reviewRoute, accepting)
		return ok
	}, 10*time.Second, 10*time.Millisecond, "answers succeed again without restarting the service")
	time.Sleep(2 * time.Second)
	load.stop()

	for _, route := range []string{reviewRoute, cardsRoute} {
		first, _ := load.firstOK(route, accepting)
		t.Logf("%s: first 200 answered %s after PostgreSQL accepted connections again", route,
			first.start.Add(first.latency).Sub(accepting).Round(time.Millisecond))
	}
	down := load.between(reviewRoute, accepting.Add(-2*time.Second), accepting)
	lat := summarize(down)
	t.Logf("reviews while PostgreSQL was down: %d replies, %v; latency p50 %s, p99 %s, max %s",
		lat.n, tally(down), lat.p50.Round(time.Millisecond), lat.p99.Round(time.Millisecond), lat.max.Round(time.Millisecond))
	load.requireNoServerError(t)
	load.requireEveryAnswerOnce(t)
	assert.Equal(t, http.StatusOK, svc.readyz(t).status)
}

// TestFault_ProgressLockedLongerThanTheQueryBound holds progress and reviews under an
// ACCESS EXCLUSIVE lock for 8 s, four times DB_QUERY_TIMEOUT, under mixed load: reading
// a deck's cards keeps answering (its connections are its own), answers fail with 503
// once the bound passes instead of waiting out the lock, /readyz stays 200, and
// everything recovers when the lock goes. Latencies are logged (docs/performance.md).
func TestFault_ProgressLockedLongerThanTheQueryBound(t *testing.T) {
	svc := startPostgresService(t)
	load := startMixedLoad(t, svc, 4)
	time.Sleep(2 * time.Second)

	const held = 8 * time.Second
	lock := pgtopo.LockTables(t, svc.pg.URL(), held, "progress", "reviews")
	locked := time.Now() // held from here: connecting for the lock may take a while
	time.Sleep(held / 2)
	ready := svc.readyz(t)
	assert.Equal(t, http.StatusOK, ready.status, "a slow table does not take the replica out of the load balancer")
	assert.Equal(t, "up", ready.Checks["database"])
	time.Sleep(held / 2)
	lock.Release()
	released := time.Now()
	require.Eventually(t, func() bool {
		_, ok := load.firstOK(reviewRoute, released)
		return ok
	}, 10*time.Second, 10*time.Millisecond, "answers succeed again once the lock is gone")
	time.Sleep(time.Second)
	load.stop()

	cards := load.between(cardsRoute, locked, released)
	lat := summarize(cards)
	t.Logf("cards while locked: %d replies, %v; latency p50 %s, p99 %s, max %s",
		lat.n, tally(cards), lat.p50.Round(100*time.Microsecond), lat.p99.Round(100*time.Microsecond), lat.max.Round(100*time.Microsecond))
	for _, r := range cards {
		require.Equal(t, http.StatusOK, r.status, "reading cards while progress is locked: %s", r.body)
	}
	assert.Less(t, lat.p99, dbQueryTimeout, "reading cards never waits for the lock")

	// Answers that started once the lock was held and ended before it went.
	var answers []reply
	for _, r := range load.between(reviewRoute, locked.Add(100*time.Millisecond), released) {
		if r.start.Add(r.latency).Before(released) {
			answers = append(answers, r)
		}
	}
	lat = summarize(answers)
	t.Logf("answers while locked: %d replies, %v; latency p50 %s, p99 %s, max %s",
		lat.n, tally(answers), lat.p50.Round(time.Millisecond), lat.p99.Round(time.Millisecond), lat.max.Round(time.Millisecond))
	require.NotEmpty(t, answers)
	for _, r := range answers {
		require.Equal(t, http.StatusServiceUnavailable, r.status, "%s", r.body)
	}
	assert.Less(t, lat.max, held/2, "answers give up at the query bound, not at the end of the lock")
	first, _ := load.firstOK(reviewRoute, released)
	t.Logf("first answer 200 %s after the lock went", first.start.Add(first.latency).Sub(released).Round(time.Millisecond))

	load.requireNoServerError(t)
	load.requireEveryAnswerOnce(t)
	timeouts := svc.metricValue(t, `studytool_db_timeouts_total{budget="study",kind="query_timeout",route="/v1/study/sessions/:id/reviews"}`)
	assert.Positive(t, timeouts, "the timeouts are counted by route")
}

// TestFault_PoolExhaustedBySlowWrites sends more writers than the study budget has
// connections while their table is locked: the writers beyond the budget are refused
// after the pool wait (fast, not at the query bound), and reads keep their own
// connections throughout.
func TestFault_PoolExhaustedBySlowWrites(t *testing.T) {
	svc := startPostgresService(t)
	load := startMixedLoad(t, svc, 16)
	time.Sleep(time.Second)

	const held = 4 * time.Second
	lock := pgtopo.LockTables(t, svc.pg.URL(), held, "progress", "reviews")
	locked := time.Now() // held from here: connecting for the lock may take a while
	time.Sleep(held)
	lock.Release()
	released := time.Now()
	require.Eventually(t, func() bool {
		_, ok := load.firstOK(reviewRoute, released)
		return ok
	}, 10*time.Second, 10*time.Millisecond)
	load.stop()

	var fast, bounded int
	for _, r := range load.between(reviewRoute, locked.Add(100*time.Millisecond), released) {
		if r.status != http.StatusServiceUnavailable {
			continue
		}
		if r.latency < dbQueryTimeout/2 {
			fast++
		} else {
			bounded++
		}
	}
	t.Logf("answers refused while locked: %d after the pool wait, %d at the query bound", fast, bounded)
	assert.Positive(t, fast, "writers beyond the study budget are refused without queueing")
	assert.Positive(t, bounded, "writers within it wait for the query bound")

	cards := load.between(cardsRoute, locked, released)
	lat := summarize(cards)
	t.Logf("cards while the study budget was taken: %d replies, p99 %s", lat.n, lat.p99.Round(100*time.Microsecond))
	for _, r := range cards {
		require.Equal(t, http.StatusOK, r.status)
	}
	load.requireNoServerError(t)
	load.requireEveryAnswerOnce(t)
	waits := svc.metricValue(t, `studytool_db_timeouts_total{budget="study",kind="pool_wait",route="/v1/study/sessions/:id/reviews"}`)
	assert.Positive(t, waits)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// decodeJSON decodes a reply body.
func decodeJSON(body []byte, v any) error { return json.Unmarshal(body, v) }

// metricValue reads the sample series (name{labels}, labels in name order) from GET
// /metrics on the metrics listener; 0 when the series is absent.
func (s *service) metricValue(t *testing.T, series string) float64 {
	t.Helper()
	res := s.metrics.Do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	for _, line := range strings.Split(string(res.Body), "\n") {
		if value, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			require.NoError(t, err, line)
			return v
		}
	}
	return 0
}
