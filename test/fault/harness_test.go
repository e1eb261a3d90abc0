package fault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/redistopo"
)

// requestTimeout is the HTTP client's timeout: a request that takes it fails the test.
const requestTimeout = 10 * time.Second

// service is the whole application under test, on a SQLite file, with its cache and
// state roles on two private Redis servers that the test may kill and restart.
type service struct {
	baseURL string
	http    *http.Client
	cache   *redistopo.Server
	state   *redistopo.Server
	// metrics is a client of the metrics listener (METRICS_ADDR).
	metrics *apptest.Client
}

// startService starts both Redis servers with the configuration files of deploy/redis
// and the application over them, as bootstrap builds it for production. Everything
// stops when the test ends.
func startService(t *testing.T) *service {
	t.Helper()
	cache := redistopo.Standalone(t, redistopo.Options{ConfigFile: filepath.Join("..", "..", "deploy", "redis", "cache.conf")})
	state := redistopo.Standalone(t, redistopo.Options{ConfigFile: filepath.Join("..", "..", "deploy", "redis", "state.conf")})
	app := apptest.StartOn(t, &apptest.Backends{Environ: map[string]string{
		"SQLITE_PATH":       filepath.Join(t.TempDir(), "studytool.db"),
		"REDIS_URL":         "redis://" + cache.Addr() + "/0",
		"SESSION_REDIS_URL": "redis://" + state.Addr() + "/0",
	}}, map[string]string{"LOG_LEVEL": "error"}) // a cache outage logs a warning per request
	client := &http.Client{Timeout: requestTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	t.Cleanup(client.CloseIdleConnections) // before the app stops
	return &service{
		baseURL: app.BaseURL, http: client, cache: cache, state: state,
		metrics: apptest.NewClient(t, "http://"+app.Metrics.Addr()),
	}
}

// reply is one finished HTTP exchange.
type reply struct {
	path       string
	start      time.Time
	latency    time.Duration
	status     int
	code       string // the problem code of a problem+json body
	retryAfter string
	err        error // a transport error: no status
	body       []byte
}

// do sends a request with token (when not empty) and body (JSON, when not nil).
func (s *service) do(ctx context.Context, method, path, token string, body any) (r reply) {
	r = reply{path: path, start: time.Now()}
	defer func() { r.latency = time.Since(r.start) }()
	var payload io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			r.err = err
			return r
		}
		payload = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.baseURL+path, payload)
	if err != nil {
		r.err = err
		return r
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.http.Do(req)
	if err != nil {
		r.err = err
		return r
	}
	defer res.Body.Close()
	r.body, r.err = io.ReadAll(res.Body)
	r.status, r.retryAfter = res.StatusCode, res.Header.Get("Retry-After")
	if mediaType, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mediaType == "application/problem+json" {
		var problem struct{ Code string }
		if json.Unmarshal(r.body, &problem) == nil {
			r.code = problem.Code
		}
	}
	return r
}

// must sends a request and requires the status want; it decodes the body into out
// when out is not nil.
func (s *service) must(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	r := s.do(t.Context(), method, path, token, body)
	require.NoError(t, r.err)
	require.Equal(t, want, r.status, "%s %s: %s", method, path, r.body)
	if out != nil {
		require.NoError(t, json.Unmarshal(r.body, out), "%s %s: %s", method, path, r.body)
	}
}

// readiness is GET /readyz: its status code and body.
type readiness struct {
	status int
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func (s *service) readyz(t *testing.T) readiness {
	t.Helper()
	r := s.do(t.Context(), http.MethodGet, "/readyz", "", nil)
	require.NoError(t, r.err)
	out := readiness{status: r.status}
	require.NoError(t, json.Unmarshal(r.body, &out), "body: %s", r.body)
	return out
}

// signUp registers a user, logs in and returns the bearer token.
func (s *service) signUp(t *testing.T, email string) string {
	t.Helper()
	creds := map[string]string{"email": email, "password": "correct horse battery", "displayName": "Fault"}
	s.must(t, http.MethodPost, "/v1/auth/register", "", creds, http.StatusCreated, nil)
	var login struct{ Token string }
	s.must(t, http.MethodPost, "/v1/auth/login", "", map[string]string{"email": email, "password": creds["password"]}, http.StatusOK, &login)
	require.NotEmpty(t, login.Token)
	return login.Token
}

// studiedCard creates a deck of three cards for token's user, reviews the first in a
// study session and returns its id, so GET /v1/progress/{id} reads through the progress
// cache.
func (s *service) studiedCard(t *testing.T, token string) string {
	t.Helper()
	var deck struct{ ID string }
	s.must(t, http.MethodPost, "/v1/decks", token, map[string]string{"name": "Capitals"}, http.StatusCreated, &deck)
	cards := []map[string]string{{"front": "France", "back": "Paris"}, {"front": "Peru", "back": "Lima"}, {"front": "Chad", "back": "N'Djamena"}}
	s.must(t, http.MethodPost, "/v1/decks/"+deck.ID+"/cards", token, map[string]any{"cards": cards}, http.StatusCreated, nil)
	var study struct {
		ID       string
		NextCard struct{ ID string }
	}
	s.must(t, http.MethodPost, "/v1/study/sessions", token, map[string]string{"deckId": deck.ID}, http.StatusCreated, &study)
	review := map[string]any{"cardId": study.NextCard.ID, "grade": 5}
	s.must(t, http.MethodPost, "/v1/study/sessions/"+study.ID+"/reviews", token, review, http.StatusOK, nil)
	return study.NextCard.ID
}

// traffic is authenticated GET requests sent by a few workers until stopped, every
// reply recorded.
type traffic struct {
	mu      sync.Mutex
	replies []reply
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Traffic shape: each worker sends one request every trafficPause at most, and stops
// after trafficMaxRequests whatever happens.
const (
	trafficWorkers     = 6
	trafficPause       = 2 * time.Millisecond
	trafficMaxRequests = 20000
)

// startTraffic starts the workers, which cycle through paths with token. It stops them
// when the test ends, if the test did not.
func startTraffic(t *testing.T, s *service, token string, paths []string) *traffic {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tr := &traffic{cancel: cancel}
	for w := range trafficWorkers {
		tr.wg.Go(func() {
			for i := range trafficMaxRequests {
				path := paths[(w+i)%len(paths)]
				r := s.do(ctx, http.MethodGet, path, token, nil)
				if ctx.Err() != nil {
					return
				}
				tr.mu.Lock()
				tr.replies = append(tr.replies, r)
				tr.mu.Unlock()
				select {
				case <-ctx.Done():
					return
				case <-time.After(trafficPause):
				}
			}
		})
	}
	t.Cleanup(tr.stop)
	return tr
}

// stop ends the traffic and waits for the workers.
func (tr *traffic) stop() {
	tr.cancel()
	tr.wg.Wait()
}

// between returns the replies to requests sent from from (inclusive) to to (exclusive).
func (tr *traffic) between(from, to time.Time) []reply {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []reply
	for _, r := range tr.replies {
		if !r.start.Before(from) && r.start.Before(to) {
			out = append(out, r)
		}
	}
	return out
}

// firstOK returns the first reply with status 200 to a request sent at or after from.
func (tr *traffic) firstOK(from time.Time) (reply, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var first reply
	found := false
	for _, r := range tr.replies {
		if r.status == http.StatusOK && !r.start.Before(from) && (!found || r.start.Before(first.start)) {
			first, found = r, true
		}
	}
	return first, found
}

// latencies summarizes the latencies of replies: median, 99th percentile and maximum
// (nearest-rank).
type latencies struct {
	n             int
	p50, p99, max time.Duration
}

func summarize(replies []reply) latencies {
	d := make([]time.Duration, len(replies))
	for i, r := range replies {
		d[i] = r.latency
	}
	slices.Sort(d)
	if len(d) == 0 {
		return latencies{}
	}
	rank := func(p float64) time.Duration { return d[max(int(math.Ceil(p*float64(len(d))))-1, 0)] }
	return latencies{n: len(d), p50: rank(0.50), p99: rank(0.99), max: d[len(d)-1]}
}
