// Package benchproc holds what the benchmark commands (authbench, loadbench) need to run
// the service as a child process: the binary built, a free loopback address for it to
// listen on, the child started with process attributes that tie its life to the
// command's, waited for until it answers and stopped with SIGTERM, and a buffer keeping
// the tail of its output for error messages.
package benchproc

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
)

// FreeAddr returns a loopback address with a port nothing listens on now.
func FreeAddr(ctx context.Context) (string, error) {
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

// TailBuffer keeps the last bytes written to it, up to its size; a child's two pipes may
// write to it concurrently.
type TailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// NewTailBuffer returns a buffer keeping the last size bytes.
func NewTailBuffer(size int) *TailBuffer { return &TailBuffer{max: size} }

// Write implements io.Writer.
func (b *TailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = slices.Delete(b.buf, 0, over)
	}
	return len(p), nil
}

// String returns what is kept, trimmed, or "(no output)".
func (b *TailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		return "(no output)"
	}
	return strings.TrimSpace(string(b.buf))
}
