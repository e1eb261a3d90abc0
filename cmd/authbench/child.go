package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

const (
	// startTimeout bounds the child's start-up (migrations, the login handler's dummy hash).
	startTimeout = 60 * time.Second
	// stopTimeout is how long the child may drain after SIGTERM before it is killed; the
	// child's own SHUTDOWN_TIMEOUT is 10 s.
	stopTimeout = 20 * time.Second
	// outputTail is how much of the child's output is kept for error messages.
	outputTail = 16 << 10
)

// buildStudytool compiles the studytool command into dir and returns the binary's path.
func buildStudytool(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "studytool")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/studytool/studytool/cmd/studytool") //nolint:gosec // G204: bin is a path in our own temporary directory
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/studytool: %w: %s", err, out)
	}
	return bin, nil
}

// child is `studytool serve` running as a child process.
type child struct {
	cmd *exec.Cmd
	// env is the child's whole environment.
	env        map[string]string
	cancel     context.CancelFunc
	baseURL    string
	metricsURL string
	output     *benchproc.TailBuffer
	done       chan struct{}
}

// startChild runs `binary serve` with exactly env (nothing inherited, so no GOGC or
// GOMEMLIMIT of the caller's shell changes the figures), copying its output to log when
// log is not nil. Cancelling ctx, or calling stop, sends it SIGTERM; it is killed if it
// has not exited stopTimeout later, and also when this process dies.
func startChild(ctx context.Context, binary string, env map[string]string, log io.Writer) (*child, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, binary, "serve")
	cmd.Env = sortedEnv(env)
	cmd.SysProcAttr = benchproc.SysProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopTimeout
	c := &child{
		cmd: cmd, env: env, cancel: cancel, output: benchproc.NewTailBuffer(outputTail), done: make(chan struct{}),
		baseURL: "http://" + env["HTTP_ADDR"], metricsURL: "http://" + env["METRICS_ADDR"] + "/metrics",
	}
	cmd.Stdout = c.output
	if log != nil {
		cmd.Stdout = io.MultiWriter(c.output, log)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		close(c.done)
	}()
	return c, nil
}

// pid is the child's process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// waitReady polls GET /readyz until it answers 200, the child exits or startTimeout passes.
func (c *child) waitReady(ctx context.Context, client *http.Client) error {
	deadline := time.Now().Add(startTimeout)
	for !c.ready(ctx, client) {
		select {
		case <-c.done:
			return fmt.Errorf("studytool exited during start-up (%s): %s", c.cmd.ProcessState, c.output)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("studytool was not ready within %s: %s", startTimeout, c.output)
		}
	}
	return nil
}

func (c *child) ready(ctx context.Context, client *http.Client) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+"/readyz", http.NoBody)
	if err != nil {
		return false
	}
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// stop sends SIGTERM (unless the child has exited), waits for the exit and describes it.
func (c *child) stop() string {
	start := time.Now()
	c.cancel()
	<-c.done
	state := c.cmd.ProcessState
	if state.Success() {
		return fmt.Sprintf("exited cleanly %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	}
	return fmt.Sprintf("%s after %s; output: %s", state, time.Since(start).Round(time.Millisecond), c.output)
}

// childEnv is the child's whole environment: the real stack, every limit stated, and
// extra on top.
func childEnv(o options, httpAddr, metricsAddr, keyPrefix string) map[string]string {
	env := map[string]string{
		"APP_ENV":                      "development",
		"LOG_LEVEL":                    "warn",
		"HTTP_ADDR":                    httpAddr,
		"METRICS_ADDR":                 metricsAddr,
		"TRUSTED_PROXIES":              "127.0.0.1",
		"DATABASE_URL":                 o.databaseURL,
		"REDIS_URL":                    o.redisURL,
		"REDIS_KEY_PREFIX":             keyPrefix,
		"PASSWORD_HASH_CONCURRENCY":    strconv.Itoa(o.hashConcurrency),
		"PASSWORD_HASH_WAIT":           o.hashWait.String(),
		"REGISTER_RATE_LIMIT_PER_HOUR": strconv.Itoa(o.registerPerHour),
		"LOGIN_RATE_LIMIT_PER_MINUTE":  strconv.Itoa(o.loginsPerMinute),
		// The failure limits, at production's defaults.
		"LOGIN_FAILURE_WINDOW":       "15m",
		"LOGIN_MAX_FAILURES":         "5",
		"LOGIN_ACCOUNT_MAX_FAILURES": "20",
		"LOGIN_DEVICE_MAX_FAILURES":  "10",
	}
	maps.Copy(env, o.extraEnv)
	return env
}

// sortedEnv returns env as sorted KEY=VALUE strings.
func sortedEnv(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	slices.Sort(list)
	return list
}

// redactedEnv is sortedEnv with the passwords of URL values hidden, for the report.
func redactedEnv(env map[string]string) []string {
	shown := maps.Clone(env)
	for k, v := range shown {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			shown[k] = u.Redacted()
		}
	}
	return sortedEnv(shown)
}
