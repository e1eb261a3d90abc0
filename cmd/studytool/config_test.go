package main_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/test/apptest"
)

// TestConfigDocsPrintsTheGeneratedDocument: `studytool config docs` prints what
// docs/configuration.md is generated from, on standard output only.
func TestConfigDocsPrintsTheGeneratedDocument(t *testing.T) {
	t.Parallel()
	want, err := bootstrap.ConfigurationDoc()
	require.NoError(t, err)
	run := apptest.RunStudytool(t, apptest.BuildStudytool(t), nil, "config", "docs")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	assert.Equal(t, want, run.Stdout+"\n", "RunStudytool trims the trailing newline")
	assert.Empty(t, run.Stderr)
}
