package main_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/test/apptest"
)

// TestServeHelpListsTheConfiguration: an operator finds every variable, with what it
// accepts and its default, in `serve --help`, without the docs at hand.
func TestServeHelpListsTheConfiguration(t *testing.T) {
	t.Parallel()
	run := apptest.RunStudytool(t, apptest.BuildStudytool(t), nil, "serve", "--help")
	require.Zero(t, run.ExitCode, "output: %s", run.Output)
	vars := bootstrap.Variables()
	require.NotEmpty(t, vars)
	for _, v := range vars {
		assert.Contains(t, run.Stdout, "  "+v.Name+" ", "serve --help lists %s", v.Name)
	}
	assert.Regexp(t, `HTTP_ADDR +a listen address host:port such as :8080 \(default :8080\)`, run.Stdout)
	assert.Contains(t, run.Stdout, "SESSION_TIMEOUT", "a per-environment default")
	assert.Contains(t, run.Stdout, "development: 1h, production: 2h, test: 5m")
}
