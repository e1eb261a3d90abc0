package benchproc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

const (
	// StartTimeout bounds a child's start-up (migrations, the login handler's dummy hash).
	StartTimeout = 60 * time.Second
	// StopTimeout is how long a child may drain after SIGTERM before it is killed; the
	// service's own SHUTDOWN_TIMEOUT is 10 s.
	StopTimeout = 20 * time.Second
	// outputTail is how much of a child's output is kept for error messages.
	outputTail = 16 << 10
)

// BuildStudytool compiles the studytool command into dir and returns the binary's path.
func BuildStudytool(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "studytool")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "github.com/studytool/studytool/cmd/studytool") //nolint:gosec // G204: bin is a path in our own temporary directory
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/studytool: %w: %s", err, out)
	}
	return bin, nil
}

// Child is a process a benchmark command runs: the service, or a reference server.
type Child struct {
	name   string
	cmd    *exec.Cmd
	cancel context.CancelFunc
	output *TailBuffer
	done   chan struct{}
}

// StartChild runs binary with args and exactly env (nothing inherited unless env says
// so), copying its output to log when log is not nil; name is how messages call it.
// Cancelling ctx, or calling Stop, sends it SIGTERM; it is killed if it has not exited
// StopTimeout later, and also when this process dies.
func StartChild(ctx context.Context, name, binary string, args, env []string, log io.Writer) (*Child, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, binary, args...) //nolint:gosec // G204: the binary is ours (built or named by the caller)
	cmd.Env = env
	cmd.SysProcAttr = SysProcAttr()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = StopTimeout
	c := &Child{name: name, cmd: cmd, cancel: cancel, output: NewTailBuffer(outputTail), done: make(chan struct{})}
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

// Pid is the child's process id.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// WaitAnswering polls GET url until it answers want, the child exits or StartTimeout
// passes.
func (c *Child) WaitAnswering(ctx context.Context, url string, want int) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(StartTimeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
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
			return fmt.Errorf("%s did not answer %s with %d within %s: %s", c.name, url, want, StartTimeout, c.output)
		}
	}
}

// Stop sends SIGTERM (unless the child has exited), waits for the exit and describes it.
func (c *Child) Stop() string {
	start := time.Now()
	c.cancel()
	<-c.done
	took := time.Since(start).Round(time.Millisecond)
	if state := c.cmd.ProcessState; !state.Success() {
		return fmt.Sprintf("%s: %s after %s; output: %s", c.name, state, took, c.output)
	}
	return fmt.Sprintf("%s exited cleanly %s after SIGTERM", c.name, took)
}
