package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

const (
	// startTimeout bounds a child's start-up (migrations, the login handler's dummy hash).
	startTimeout = 60 * time.Second
	// stopTimeout is how long a child may drain after SIGTERM before it is killed.
	stopTimeout = 20 * time.Second
	// outputTail is how much of a child's output is kept for error messages.
	outputTail = 16 << 10
)

// buildStudytool compiles the studytool command into dir and returns the binary's path.
func buildStudytool(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "studytool")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "github.com/studytool/studytool/cmd/studytool") //nolint:gosec // G204: bin is a path in our own temporary directory
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/studytool: %w: %s", err, out)
	}
	return bin, nil
}

// child is a process the harness runs: the service or the reference.
type child struct {
	name    string
	cmd     *exec.Cmd
	cancel  context.CancelFunc
	baseURL string
	output  *benchproc.TailBuffer
	done    chan struct{}
}

// startChild runs binary with args and exactly env, serving on addr, copying its output
// to log when log is not nil. Cancelling ctx, or calling stop, sends it SIGTERM; it is
// killed if it has not exited stopTimeout later, and also when this process dies.
func startChild(ctx context.Context, name, binary string, args, env []string, addr string, log io.Writer) (*child, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, binary, args...) //nolint:gosec // G204: the binary is ours (built or named by the caller)
	cmd.Env = env
	cmd.SysProcAttr = benchproc.SysProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopTimeout
	c := &child{
		name: name, cmd: cmd, cancel: cancel, baseURL: "http://" + addr,
		output: benchproc.NewTailBuffer(outputTail), done: make(chan struct{}),
	}
	cmd.Stdout = c.output
	if log != nil {
		cmd.Stdout = io.MultiWriter(c.output, log)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = cmd.Wait() // the exit status is read from cmd.ProcessState
		close(c.done)
	}()
	return c, nil
}

// waitAnswering polls GET path until it answers want, the child exits or startTimeout
// passes.
func (c *child) waitAnswering(ctx context.Context, path string, want int) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+path, http.NoBody)
		if err != nil {
			return err
		}
		if res, err := client.Do(req); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == want {
				return nil
			}
		}
		select {
		case <-c.done:
			return fmt.Errorf("%s exited during start-up (%s): %s", c.name, c.cmd.ProcessState, c.output)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s within %s: %s", c.name, path, startTimeout, c.output)
		}
	}
}

// stop sends SIGTERM (unless the child has exited), waits for the exit and describes it.
func (c *child) stop() string {
	start := time.Now()
	c.cancel()
	<-c.done
	state := c.cmd.ProcessState
	if state.Success() {
		return fmt.Sprintf("%s exited cleanly %s after SIGTERM", c.name, time.Since(start).Round(time.Millisecond))
	}
	return fmt.Sprintf("%s: %s after %s; output: %s", c.name, state, time.Since(start).Round(time.Millisecond), c.output)
}
