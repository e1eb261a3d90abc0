package bootstrap_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/bootstrap"
)

// TestGraphsValidate checks that every way the application can be assembled resolves:
// the embedded default, production on PostgreSQL and Redis, and a separate state Redis.
func TestGraphsValidate(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"embedded": {"APP_ENV": "development"},
		"production": {
			"APP_ENV":      "production",
			"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
			"REDIS_URL":    "redis://127.0.0.1:6379/0",
		},
		"separate state redis": {
			"APP_ENV":           "production",
			"DATABASE_URL":      "postgres://postgres@127.0.0.1:5432/test",
			"REDIS_HOST":        "127.0.0.1",
			"SESSION_REDIS_URL": "redis://127.0.0.1:6380/0",
		},
	}
	for name, environ := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg, err := bootstrap.Load(environ)
			require.NoError(t, err)
			require.NoError(t, fx.ValidateApp(bootstrap.Options(cfg)))
		})
	}
}
