package benchproc_test

import (
	"net"
	"sync"
	"testing"

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
