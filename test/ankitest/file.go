package ankitest

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// readFile returns the content of the file at path.
func readFile(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	return raw
}
