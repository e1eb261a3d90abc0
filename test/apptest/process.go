package apptest

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/testenv"
)

// processStartTimeout bounds how long a child server may take to answer /healthz.
const processStartTimeout = 60 * time.Second

// processStopTimeout bounds how long a child server may take to exit after SIGTERM.
const processStopTimeout = 30 * time.Second

// BuildStudytool compiles the studytool command into a temporary directory of t and
// returns the binary's path.
func BuildStudytool(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "studytool")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/studytool/studytool/cmd/studytool")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// Run is a finished studytool command.
type Run struct {
	// Stdout and Stderr are what the command wrote to each; Output is both, interleaved.
	Stdout, Stderr, Output string
	// ExitCode is the command's exit status.
	ExitCode int
}

// RunStudytool runs the studytool binary bin with args and the configuration environ
// (see processEnv) and waits for it. Only a command that cannot be run fails t; its exit
// status is in the result.
func RunStudytool(t testing.TB, bin string, environ map[string]string, args ...string) Run {
	t.Helper()
	var stdout, stderr, output lockedBuffer
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Env = processEnv(environ)
	cmd.Stdout = io.MultiWriter(&stdout, &output)
	cmd.Stderr = io.MultiWriter(&stderr, &output)
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err, "run studytool %s", strings.Join(args, " "))
	}
	return Run{Stdout: stdout.String(), Stderr: stderr.String(), Output: output.String(), ExitCode: cmd.ProcessState.ExitCode()}
}

// processEnv is the whole environment of a child process: APP_ENV=test, LOG_LEVEL=warn,
// environ and extra (KEY=value), and nothing inherited, so no variable of the
// developer's shell leaks in.
func processEnv(environ map[string]string, extra ...string) []string {
	env := []string{"APP_ENV=test", "LOG_LEVEL=warn"}
	for _, k := range slices.Sorted(maps.Keys(environ)) {
		env = append(env, k+"="+environ[k])
	}
	return append(env, extra...)
}

// Process is a studytool server running as a child process.
type Process struct {
	// BaseURL is http://host:port of its API.
	BaseURL string

	cmd    *exec.Cmd
	output *lockedBuffer
	done   chan struct{}
}

// StartProcess runs `studytool serve` with environ on a free port and waits until it
// answers /healthz. The process is killed when t ends.
func StartProcess(t testing.TB, bin string, environ map[string]string) *Process {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cmd := exec.Command(bin, "serve")
	cmd.Env = processEnv(environ, "HTTP_ADDR="+addr)
	p := &Process{BaseURL: "http://" + addr, cmd: cmd, output: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	require.NoError(t, cmd.Start())
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.Kill(t) })
	p.awaitHealthy(t)
	return p
}

// awaitHealthy polls /healthz until it answers 200; the process exiting or the start
// timeout fails t.
func (p *Process) awaitHealthy(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(processStartTimeout)
	for {
		if p.healthy(t) {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("studytool exited during start-up: %s", p.output)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("studytool did not answer /healthz within %s: %s", processStartTimeout, p.output)
		}
	}
}

func (p *Process) healthy(t testing.TB) bool {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.BaseURL+"/healthz", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// Client returns a new client of the process's API for t.
func (p *Process) Client(t testing.TB) *Client {
	t.Helper()
	return NewClient(t, p.BaseURL)
}

// Kill sends SIGKILL and waits for the process to be gone.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Logf("kill studytool: %v", err)
	}
	<-p.done
}

// Output returns what the process has written to its standard output and error so far.
func (p *Process) Output() string { return p.output.String() }

// Stop sends SIGTERM and waits for the process to drain and exit, killing it after
// processStopTimeout.
func (p *Process) Stop(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("stop studytool: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(processStopTimeout):
		t.Errorf("studytool did not exit within %s of SIGTERM", processStopTimeout)
		p.Kill(t)
	}
}
