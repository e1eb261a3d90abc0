package bootstrap_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/bootstrap"
)

// TestConfigurationDocIsCurrent: docs/configuration.md is what the configuration's
// definition generates. When this fails, run
// `go run ./cmd/studytool config docs > docs/configuration.md` and commit the result.
func TestConfigurationDocIsCurrent(t *testing.T) {
	t.Parallel()
	want, err := bootstrap.ConfigurationDoc()
	require.NoError(t, err)
	got, err := os.ReadFile("../docs/configuration.md")
	require.NoError(t, err)
	require.Equal(t, want, string(got),
		"docs/configuration.md is stale: run `go run ./cmd/studytool config docs > docs/configuration.md`")
}
