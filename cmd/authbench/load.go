package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

const (
	// requestTimeout bounds one request: the hasher's wait plus a hash leave it far below.
	requestTimeout = time.Minute
	// maxBody is the most of a response body read.
	maxBody = 64 << 10
	// emailDomain is the reserved domain of every account the benchmark creates.
	emailDomain = "authbench.example"
)

// cycle is the sequence of operations each worker repeats: registrations alternate with
// logins, which alternate between the right and a wrong password.
var cycle = [...]operation{opRegister, opLoginRight, opRegister, opLoginWrong}

// Address blocks of the clients (10.block.x.y): workers share the first, each seeded
// account is registered from an address of its own in the second.
const (
	workerBlock = 0
	seedBlock   = 1
)

// load is the traffic of one run.
type load struct {
	client   *http.Client
	baseURL  string
	runID    string
	password string
	// accounts are the emails of the seeded accounts the logins use.
	accounts []string
}

// newHTTPClient returns a client keeping a connection per worker open, and using no
// proxy whatever the environment says.
func newHTTPClient(workers int) *http.Client {
	transport := &http.Transport{MaxIdleConns: workers + 4, MaxIdleConnsPerHost: workers + 4, IdleConnTimeout: time.Minute}
	return &http.Client{Transport: transport, Timeout: requestTimeout}
}

// seed registers n accounts with l.password, each from its own client address.
func (l *load) seed(ctx context.Context, n int) error {
	for i := range n {
		email := fmt.Sprintf("seed%d-%s@%s", i, l.runID, emailDomain)
		a, err := l.send(ctx, clientIP(seedBlock, i), "/v1/auth/register",
			map[string]string{"email": email, "password": l.password, "displayName": "authbench seed"})
		if err != nil {
			return fmt.Errorf("seed account %d: %w", i, err)
		}
		if a.status != http.StatusCreated {
			return fmt.Errorf("seed account %d: status %d %s", i, a.status, a.code)
		}
		l.accounts = append(l.accounts, email)
	}
	return nil
}

// run keeps workers clients busy until d has passed (requests in flight then finish),
// worker i sending from the (i mod ips)-th address, and returns their merged tally, with
// sorted latencies, and the time until the last answer.
func (l *load) run(ctx context.Context, workers, ips int, d time.Duration) (*tally, time.Duration) {
	tallies := make([]*tally, workers)
	start := time.Now()
	stopAt := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { tallies[i] = l.worker(ctx, i, clientIP(workerBlock, i%ips), stopAt) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	total := newTally()
	for _, t := range tallies {
		total.merge(t)
	}
	slices.Sort(total.latencies)
	return total, elapsed
}

// worker sends the cycle of operations from ip until stopAt, starting at step i of the
// cycle so that the workers do not move in step.
func (l *load) worker(ctx context.Context, i int, ip string, stopAt time.Time) *tally {
	t := newTally()
	for n := i; time.Now().Before(stopAt) && ctx.Err() == nil; n++ {
		op := cycle[n%len(cycle)]
		path, body := l.request(op, i, n)
		a, err := l.send(ctx, ip, path, body)
		if err != nil {
			if ctx.Err() == nil {
				t.addError(err)
			}
			continue
		}
		a.op = op
		t.add(a)
	}
	return t
}

// request returns the path and body of worker i's n-th request, an op.
func (l *load) request(op operation, i, n int) (string, map[string]string) {
	switch op {
	case opRegister:
		email := fmt.Sprintf("w%d-%d-%s@%s", i, n, l.runID, emailDomain)
		return "/v1/auth/register", map[string]string{"email": email, "password": l.password, "displayName": "authbench"}
	case opLoginRight:
		return "/v1/auth/login", map[string]string{"email": l.accounts[n%len(l.accounts)], "password": l.password}
	default:
		return "/v1/auth/login", map[string]string{"email": l.accounts[n%len(l.accounts)], "password": l.password + "-wrong"}
	}
}

// send POSTs body as JSON to path from client address ip and returns the answer.
func (l *load) send(ctx context.Context, ip, path string, body map[string]string) (answer, error) {
	payload, err := json.Marshal(body)
	if err != nil {
		return answer{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.baseURL+path, bytes.NewReader(payload))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "authbench")
	req.Header.Set("X-Forwarded-For", ip)
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer func() { _ = res.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return answer{}, err
	}
	return answer{
		status: res.StatusCode, code: problemCode(res.StatusCode, raw),
		retryAfter: res.Header.Get("Retry-After"), latency: time.Since(start),
	}, nil
}

// problemCode returns the code of a problem+json error body, "?" when an error body has
// none, and "" for a success.
func problemCode(status int, body []byte) string {
	if status < http.StatusBadRequest {
		return ""
	}
	var p struct {
		Code string `json:"code"`
	}
	if json.Unmarshal(body, &p) != nil || p.Code == "" {
		return "?"
	}
	return p.Code
}

// clientIP returns the i-th address of block: 10.block.(i/256).(i%256).
func clientIP(block, i int) string {
	return fmt.Sprintf("10.%d.%d.%d", block, i/256%256, i%256)
}
