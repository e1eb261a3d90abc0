package example_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the repository's root, seen from this package's directory.
const repoRoot = "../../.."

// quotedBlock matches a Go block of the guide with the comment that names its source:
// an HTML comment `<!-- quoted from PATH -->` on the line before the fence.
var quotedBlock = regexp.MustCompile("(?s)<!-- quoted from (\\S+) -->\n```go\n(.*?)```")

// TestGuideQuotesTheCode keeps docs/adapters.md from drifting away from the code it
// walks through: every Go block of the guide names its source file and appears in it
// verbatim.
func TestGuideQuotesTheCode(t *testing.T) {
	t.Parallel()
	guide, err := os.ReadFile(filepath.Join(repoRoot, "docs", "adapters.md"))
	require.NoError(t, err)
	blocks := quotedBlock.FindAllStringSubmatch(string(guide), -1)
	require.Len(t, blocks, strings.Count(string(guide), "```go"), "every Go block names its source")
	var stale []string
	for _, block := range blocks {
		source, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(block[1])))
		require.NoError(t, err)
		if !strings.Contains(string(source), block[2]) {
			stale = append(stale, block[1]+":\n"+block[2])
		}
	}
	assert.Empty(t, stale, "docs/adapters.md quotes code that its source no longer holds")
}
