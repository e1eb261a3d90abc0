package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// step sends one request of a connection's loop and reports whether it was answered as
// expected.
type step func(ctx context.Context) error

// target is one endpoint (or loop of requests) under load.
type target struct {
	name string
	// conns, when not zero, overrides loadConfig.conns for this target.
	conns int
	// worker prepares connection i's loop (unmeasured), returning its step.
	worker func(ctx context.Context, client *http.Client, i int) (step, error)
}

// loadConfig shapes one measured run.
type loadConfig struct {
	conns    int
	warmup   time.Duration
	duration time.Duration
}

// newClient returns an HTTP client that keeps exactly conns connections to one host.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
			DisableCompression: true, IdleConnTimeout: time.Minute,
		},
	}
}

// runLoad runs t closed-loop on cfg.conns connections: each sends a request as soon as
// the previous one is answered. Requests that start within the warm-up are not counted;
// after warm-up + duration every connection stops.
func runLoad(ctx context.Context, t target, cfg loadConfig) (result, error) {
	if t.conns > 0 {
		cfg.conns = t.conns
	}
	client := newClient(cfg.conns)
	defer client.CloseIdleConnections()
	steps := make([]step, cfg.conns)
	for i := range steps {
		s, err := t.worker(ctx, client, i)
		if err != nil {
			return result{}, fmt.Errorf("%s: prepare connection %d: %w", t.name, i, err)
		}
		steps[i] = s
	}
	start := time.Now().Add(cfg.warmup)
	end := start.Add(cfg.duration)
	latencies := make([][]time.Duration, cfg.conns)
	errs := make([]int, cfg.conns)
	firstErr := make([]error, cfg.conns)
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				err := s(ctx)
				d := time.Since(t0)
				if t0.Before(start) {
					continue
				}
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs[i]++
					if firstErr[i] == nil {
						firstErr[i] = err
					}
					continue
				}
				lat = append(lat, d)
			}
			latencies[i] = lat
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return result{}, err
	}
	var all []time.Duration
	failed := 0
	var sample error
	for i := range latencies {
		all = append(all, latencies[i]...)
		failed += errs[i]
		if sample == nil {
			sample = firstErr[i]
		}
	}
	r := summarize(t.name, all, failed, cfg.duration)
	if sample != nil {
		r.sampleErr = sample.Error()
	}
	return r, nil
}

// errStatus reports an unexpected status.
var errStatus = errors.New("unexpected status")

// send does req and checks its status, reading the body into into (when not nil) or
// discarding it.
func send(client *http.Client, req *http.Request, want int, into *[]byte) error {
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = res.Body.Close() }()
	if into != nil {
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		*into = b
	} else if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("%w: %s %s: %d", errStatus, req.Method, req.URL.Path, res.StatusCode)
	}
	return nil
}
