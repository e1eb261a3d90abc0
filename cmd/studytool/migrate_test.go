package main_test

import (
	"maps"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
)

// schemaVersion matches what the migrate commands print.
var schemaVersion = regexp.MustCompile(`schema version (\d+) \(`)

// TestMigrateDownNeedsACountOrConfirmation_Postgres: `migrate down` rolls back only as far
// as it is told. Without a count it is a usage error that changes nothing; --all needs a
// confirmation, which without a terminal (and always in production) is --yes.
func TestMigrateDownNeedsACountOrConfirmation_Postgres(t *testing.T) {
	bin := apptest.BuildStudytool(t)
	for _, s := range apptest.Stacks {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			b := apptest.NewBackends(t, s)
			migrate := func(environ map[string]string, args ...string) apptest.Run {
				t.Helper()
				env := maps.Clone(b.Environ)
				maps.Copy(env, environ)
				return apptest.RunStudytool(t, bin, env, append([]string{"migrate"}, args...)...)
			}
			version := func() string {
				t.Helper()
				run := migrate(nil, "version")
				require.Zero(t, run.ExitCode, "output: %s", run.Output)
				m := schemaVersion.FindStringSubmatch(run.Stdout)
				require.NotNil(t, m, "stdout: %s", run.Stdout)
				return m[1]
			}
			run := migrate(nil, "up")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			latest := version()
			require.NotEqual(t, "0", latest)

			for _, tc := range []struct {
				name    string
				environ map[string]string
				args    []string
				message string
			}{
				{"no count", nil, []string{"down"}, "give the number of migrations to roll back, or --all"},
				{"a count that is not one", nil, []string{"down", "zero"}, `the count must be a positive integer, got "zero"`},
				{"a count and --all", nil, []string{"down", "1", "--all"}, "give either N or --all, not both"},
				{"--all without a terminal", nil, []string{"down", "--all"}, "--all without a terminal to confirm on needs --yes"},
			} {
				run := migrate(tc.environ, tc.args...)
				assert.Equal(t, 2, run.ExitCode, "%s: %s", tc.name, run.Output)
				assert.Contains(t, run.Stderr, tc.message, tc.name)
				assert.Equal(t, latest, version(), "%s changed the schema", tc.name)
			}
			if s == apptest.Real {
				run := migrate(map[string]string{"APP_ENV": "production"}, "down", "--all")
				assert.Equal(t, 2, run.ExitCode, "output: %s", run.Output)
				assert.Contains(t, run.Stderr, "--all in production needs --yes")
				assert.Equal(t, latest, version())
			}

			run = migrate(nil, "down", "1")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.NotEqual(t, latest, version(), "down 1 rolls one back")
			run = migrate(nil, "down", "--all", "--yes")
			require.Zero(t, run.ExitCode, "output: %s", run.Output)
			assert.Equal(t, "0", version())
		})
	}
}
