package e2e_test

import (
	"bytes"
	"database/sql"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/test/testenv"
)

// TestStudyReviewSurvivesSIGKILL acknowledges a review with 200, kills the server
// process with SIGKILL at once, starts it again, and finds the review and its progress
// there. `studytool progress verify` then agrees with the stored progress, and reports
// a row edited behind the scheduler's back.
func TestStudyReviewSurvivesSIGKILL(t *testing.T) {
	bin := buildStudytool(t)
	for _, s := range stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			environ, dbCfg, _, _ := studyEnviron(t, s)

			server := startProcess(t, bin, environ)
			alice, aliceID := studyUser(t, server.app(t), "crash@example.com")
			deckID, cards := createStudyDeck(t, alice, 2)
			sess := startStudy(t, alice, deckID, 2)
			acked := answerCard(t, alice, sess.ID, cards[0].ID, 4)
			server.kill(t) // on the 200, before anything else can happen

			server = startProcess(t, bin, environ)
			c := server.app(t).client()
			c.token = login(t, c, "crash@example.com").Token
			got := progressOf(t, c, cards[0].ID)
			assert.Equal(t, acked.Progress, got, "the acknowledged review survived the crash")
			requireProgressBody(t, got, cards[0].ID, 1, 250, 1, 0)

			out, err := runStudytool(bin, environ, "progress", "verify", "--user", aliceID)
			require.NoError(t, err, "output: %s", out)
			assert.Contains(t, out, "checked 1 progress rows against 1 reviews: 0 disagree")

			tamper(t, dbCfg, cards[0].ID)
			out, err = runStudytool(bin, environ, "progress", "verify")
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "output: %s", out)
			assert.Equal(t, 1, exit.ExitCode())
			assert.Contains(t, out, "user "+aliceID+" card "+cards[0].ID+": stored n=8")
			assert.Contains(t, out, "the log gives n=1 ef=2.50 interval=1d")
			assert.Contains(t, out, "1 disagree")
			t.Logf("verify report:\n%s", out)
		})
	}
}

// buildStudytool compiles the studytool command into a temporary directory.
func buildStudytool(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "studytool")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/studytool/studytool/cmd/studytool").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// process is a studytool server running as a child process.
type process struct {
	cmd     *exec.Cmd
	baseURL string
	output  *lockedBuffer
	done    chan struct{}
}

// startProcess runs `studytool serve` with environ on a free port and waits until it
// answers /healthz. The process is killed when the test ends.
func startProcess(t *testing.T, bin string, environ map[string]string) *process {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
	cmd := exec.Command(bin, "serve")
	cmd.Env = processEnv(environ, "HTTP_ADDR="+addr)
	p := &process{cmd: cmd, baseURL: "http://" + addr, output: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.output, p.output
	require.NoError(t, cmd.Start())
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill(t) })

	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(p.baseURL + "/healthz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("studytool exited during start-up: %s", p.output)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("studytool did not answer /healthz within 60 s: %s", p.output)
		}
	}
}

// app returns the process as an app for the HTTP helpers.
func (p *process) app(t *testing.T) *app {
	t.Helper()
	return &app{t: t, baseURL: p.baseURL}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *process) kill(t *testing.T) {
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

// runStudytool runs a studytool command with environ and returns its combined output.
func runStudytool(bin string, environ map[string]string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = processEnv(environ)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// processEnv is the whole environment of a child process: the test configuration and
// nothing inherited, so no variable of the developer's shell leaks in.
func processEnv(environ map[string]string, extra ...string) []string {
	env := []string{"APP_ENV=test", "LOG_LEVEL=warn"}
	for k, v := range environ {
		env = append(env, k+"="+v)
	}
	return append(env, extra...)
}

// tamper raises a progress row's repetitions by 7 behind the application's back.
func tamper(t *testing.T, cfg gormdb.Config, cardID string) {
	t.Helper()
	driver, dsn, query := "pgx", cfg.URL, "UPDATE progress SET repetitions = repetitions + 7 WHERE card_id = $1"
	if cfg.URL == "" {
		driver, dsn, query = "sqlite", cfg.SQLitePath, "UPDATE progress SET repetitions = repetitions + 7 WHERE card_id = ?"
	}
	db, err := sql.Open(driver, dsn)
	require.NoError(t, err)
	defer db.Close()
	res, err := db.ExecContext(t.Context(), query, cardID)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

// lockedBuffer collects a child process's output from its two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
