package benchproc_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

func TestTailBufferKeepsTheLastBytes(t *testing.T) {
	b := benchproc.NewTailBuffer(8)
	assert.Equal(t, "(no output)", b.String())
	_, _ = b.Write([]byte("hello "))
	_, _ = b.Write([]byte("world\n"))
	assert.Equal(t, "o world", b.String(), "the last 8 bytes, trimmed")

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("xy"))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, "xyxyxyxy", b.String())
}

func TestFreeAddrIsFree(t *testing.T) {
	addr, err := benchproc.FreeAddr(t.Context())
	require.NoError(t, err)
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", addr)
	require.NoError(t, err, "nothing listens on %s", addr)
	require.NoError(t, l.Close())
}

func TestChildAnswersThenStopsOnSIGTERM(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	}))
	defer srv.Close()
	log := benchproc.NewTailBuffer(64) // safe to read while the child writes
	c, err := benchproc.StartChild(t.Context(), "waiter", "/bin/sh",
		[]string{"-c", `trap 'exit 0' TERM; echo trapping; while :; do sleep 0.05; done`}, nil, log)
	require.NoError(t, err)
	assert.Positive(t, c.Pid())
	require.NoError(t, c.WaitAnswering(t.Context(), srv.URL, http.StatusTeapot))
	require.Eventually(t, func() bool { return log.String() == "trapping" }, 10*time.Second, time.Millisecond,
		"the shell handles SIGTERM from now on")
	assert.Contains(t, c.Stop(), "waiter exited cleanly")
}

func TestChildExitDuringStartUpIsReportedWithItsOutput(t *testing.T) {
	addr, err := benchproc.FreeAddr(t.Context())
	require.NoError(t, err)
	var log strings.Builder
	c, err := benchproc.StartChild(t.Context(), "crasher", "/bin/sh", []string{"-c", "echo boom; exit 3"}, nil, &log)
	require.NoError(t, err)
	err = c.WaitAnswering(t.Context(), "http://"+addr+"/readyz", http.StatusOK)
	require.ErrorContains(t, err, "crasher exited during start-up (exit status 3): boom")
	assert.Contains(t, c.Stop(), "crasher: exit status 3")
	assert.Equal(t, "boom\n", log.String(), "the output is copied to the log")
}
