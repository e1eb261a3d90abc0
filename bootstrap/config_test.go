package bootstrap_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/bootstrap"
)

// productionBackends is the least a production environment must configure.
var productionBackends = map[string]string{
	"APP_ENV":      "production",
	"DATABASE_URL": "postgres://studytool@db:5432/studytool",
	"REDIS_HOST":   "redis",
}

func TestLoadConfigDefaultsPerEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		environ map[string]string
		want    func(c *bootstrap.Config)
	}{
		{
			name:    "development when APP_ENV is unset",
			environ: map[string]string{},
			want: func(c *bootstrap.Config) {
				c.App.Env = bootstrap.EnvDevelopment
				c.Cache.DefaultTTL, c.Cache.AppTTL = 5*time.Minute, 5*time.Minute
				c.Session.Timeout, c.Session.MaxPerUser = time.Hour, 10
				c.Redis.MaxRetries = 3
				c.Auth.LoginRateLimitPerMinute = 100
				c.Auth.RegisterRateLimitPerHour, c.Auth.LoginMaxFailures, c.Auth.LoginAccountMaxFailures = 100, 10, 50
				c.HTTP.MetricsAddr = "127.0.0.1:9091"
				c.Session.CookieSecure = false
				c.Session.SweepInterval = 10 * time.Minute
				c.Observability.LogFormat = bootstrap.LogFormatText
			},
		},
		{
			name:    "production",
			environ: productionBackends,
			want: func(c *bootstrap.Config) {
				c.App.Env = bootstrap.EnvProduction
				c.Database.URL = productionBackends["DATABASE_URL"]
				c.Redis.Host = productionBackends["REDIS_HOST"]
				c.Cache.DefaultTTL, c.Cache.AppTTL = time.Hour, time.Hour
				c.Session.Timeout, c.Session.MaxPerUser = 2*time.Hour, 5
				c.Redis.MaxRetries = 5
				c.Auth.LoginRateLimitPerMinute = 10
				c.Auth.RegisterRateLimitPerHour, c.Auth.LoginMaxFailures, c.Auth.LoginAccountMaxFailures = 20, 5, 20
				c.HTTP.MetricsAddr = ":9091"
				c.Session.CookieSecure = true
				c.Session.SweepInterval = 10 * time.Minute
				c.Observability.LogFormat = bootstrap.LogFormatJSON
			},
		},
		{
			name:    "test",
			environ: map[string]string{"APP_ENV": "test"},
			want: func(c *bootstrap.Config) {
				c.App.Env = bootstrap.EnvTest
				c.Cache.DefaultTTL, c.Cache.AppTTL = time.Minute, time.Minute
				c.Session.Timeout, c.Session.MaxPerUser = 5*time.Minute, 2
				c.Redis.MaxRetries = 1
				c.Auth.LoginRateLimitPerMinute = 1000
				c.Auth.RegisterRateLimitPerHour, c.Auth.LoginMaxFailures, c.Auth.LoginAccountMaxFailures = 10000, 20, 100
				c.HTTP.MetricsAddr = "127.0.0.1:0"
				c.Session.CookieSecure = false
				c.Observability.LogFormat = bootstrap.LogFormatText
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := staticDefaults()
			tt.want(&want)

			got, err := bootstrap.Load(tt.environ)

			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// staticDefaults is the configuration every environment shares before its own defaults.
func staticDefaults() bootstrap.Config {
	return bootstrap.Config{
		App: bootstrap.AppConfig{ShutdownTimeout: 10 * time.Second},
		HTTP: bootstrap.HTTPConfig{
			Addr: ":8080", ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxUploadBytes: 32 << 20,
		},
		Database: bootstrap.DatabaseConfig{
			SQLitePath: "./studytool.db", MaxOpenConns: 10, MaxIdleConns: 5,
			QueryTimeout: 2 * time.Second, PoolWaitTimeout: 250 * time.Millisecond,
		},
		Redis: bootstrap.RedisConfig{
			Port:               6379,
			EnableOfflineQueue: true,
			Mode:               redisstore.ModeStandalone,
			DialTimeout:        5 * time.Second,
			ReadTimeout:        3 * time.Second,
			WriteTimeout:       3 * time.Second,
			SlowOpThreshold:    100 * time.Millisecond,
		},
		Session: bootstrap.SessionConfig{MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute},
		Cache: bootstrap.CacheConfig{
			NegativeTTL: 30 * time.Second, XFetchBeta: 1, TTLJitter: 0.1,
			Local: true, LocalMaxEntries: 100000, LocalMaxBytes: 64 << 20, LocalFeatures: []string{"user:profile", "decks:list", "study:counts"},
		},
		Auth: bootstrap.AuthConfig{
			LoginFailureWindow: 15 * time.Minute, LoginDeviceMaxFailures: 10,
			PasswordHashConcurrency: 4, PasswordHashWait: 2 * time.Second,
		},
		Observability: bootstrap.ObservabilityConfig{
			LogLevel:           slog.LevelInfo,
			AccessLogSample2xx: 1,
			ServiceName:        "studytool",
		},
	}
}

func TestLoadConfigExplicitVariablesOverrideDefaults(t *testing.T) {
	t.Parallel()
	environ := map[string]string{
		"APP_ENV":                      "production",
		"SHUTDOWN_TIMEOUT":             "30s",
		"HTTP_ADDR":                    "127.0.0.1:9090",
		"TRUSTED_PROXIES":              "10.0.0.0/8",
		"DATABASE_URL":                 "postgresql://app@db/studytool",
		"SQLITE_PATH":                  "/var/lib/studytool.db",
		"DB_MAX_OPEN_CONNS":            "20",
		"DB_MAX_IDLE_CONNS":            "20",
		"DB_QUERY_TIMEOUT":             "3s",
		"DB_POOL_WAIT_TIMEOUT":         "100ms",
		"DB_STUDY_CONNS":               "8",
		"REDIS_HOST":                   "cache.internal",
		"REDIS_PORT":                   "6380",
		"REDIS_PASSWORD":               "hunter2",
		"REDIS_DB":                     "15",
		"REDIS_KEY_PREFIX":             "acme:prod:",
		"REDIS_MAX_RETRIES":            "0",
		"REDIS_ENABLE_OFFLINE_QUEUE":   "false",
		"SESSION_REDIS_URL":            "rediss://state.internal:6379/1",
		"REDIS_POOL_SIZE":              "50",
		"REDIS_MIN_IDLE_CONNS":         "4",
		"REDIS_DIAL_TIMEOUT":           "2s",
		"REDIS_READ_TIMEOUT":           "500ms",
		"REDIS_WRITE_TIMEOUT":          "750ms",
		"REDIS_SLOW_OP_THRESHOLD":      "20ms",
		"SESSION_TIMEOUT":              "30m",
		"SESSION_MAX_LIFETIME":         "12h",
		"SESSION_SWEEP_INTERVAL":       "5m",
		"SESSION_ACTIVITY_RESOLUTION":  "15s",
		"MAX_SESSIONS_PER_USER":        "1",
		"SESSION_BIND_IP":              "true",
		"SESSION_BIND_USER_AGENT":      "true",
		"SESSION_COOKIE_SECURE":        "false",
		"REDIS_CACHE_TTL":              "10m",
		"CACHE_APP_TTL":                "90s",
		"CACHE_NEGATIVE_TTL":           "5s",
		"CACHE_XFETCH_BETA":            "2.5",
		"CACHE_TTL_JITTER":             "0.5",
		"LOCAL_CACHE":                  "off",
		"LOCAL_CACHE_MAX_ENTRIES":      "500",
		"LOCAL_CACHE_MAX_BYTES":        "1048576",
		"LOCAL_CACHE_FEATURES":         " user:profile , deck:list ",
		"LOGIN_RATE_LIMIT_PER_MINUTE":  "3",
		"LOGIN_FAILURE_WINDOW":         "5m",
		"LOGIN_MAX_FAILURES":           "4",
		"LOGIN_ACCOUNT_MAX_FAILURES":   "40",
		"LOGIN_DEVICE_MAX_FAILURES":    "6",
		"DEVICE_COOKIE_SECRET":         "0123456789abcdef0123456789abcdef",
		"REGISTER_RATE_LIMIT_PER_HOUR": "7",
		"PASSWORD_HASH_CONCURRENCY":    "3",
		"PASSWORD_HASH_WAIT":           "1500ms",
		"CORS_ALLOWED_ORIGINS":         "https://app.example.com, http://localhost:5173",
		"HTTP_READ_HEADER_TIMEOUT":     "3s",
		"HTTP_READ_TIMEOUT":            "20s",
		"HTTP_WRITE_TIMEOUT":           "40s",
		"HTTP_IDLE_TIMEOUT":            "90s",
		"HTTP_MAX_UPLOAD_BYTES":        "1048576",
		"METRICS_ADDR":                 "10.1.2.3:9100",
		"LOG_LEVEL":                    "debug",
		"LOG_FORMAT":                   "text",
		"ACCESS_LOG_SAMPLE_2XX":        "0.25",
		"OTEL_EXPORTER_OTLP_ENDPOINT":  "http://otel:4318",
		"OTEL_SERVICE_NAME":            "studytool-api",
	}
	want := bootstrap.Config{
		App: bootstrap.AppConfig{Env: bootstrap.EnvProduction, ShutdownTimeout: 30 * time.Second},
		HTTP: bootstrap.HTTPConfig{
			Addr:              "127.0.0.1:9090",
			TrustedProxies:    []string{"10.0.0.0/8"},
			AllowedOrigins:    []string{"https://app.example.com", "http://localhost:5173"},
			ReadHeaderTimeout: 3 * time.Second,
			ReadTimeout:       20 * time.Second,
			WriteTimeout:      40 * time.Second,
			IdleTimeout:       90 * time.Second,
			MaxUploadBytes:    1 << 20,
			MetricsAddr:       "10.1.2.3:9100",
		},
		Database: bootstrap.DatabaseConfig{
			URL:             "postgresql://app@db/studytool",
			SQLitePath:      "/var/lib/studytool.db",
			MaxOpenConns:    20,
			MaxIdleConns:    20,
			QueryTimeout:    3 * time.Second,
			PoolWaitTimeout: 100 * time.Millisecond,
			StudyConns:      8,
		},
		Redis: bootstrap.RedisConfig{
			Host:            "cache.internal",
			Port:            6380,
			Password:        "hunter2",
			DB:              15,
			KeyPrefix:       "acme:prod:",
			SessionURL:      "rediss://state.internal:6379/1",
			Mode:            redisstore.ModeStandalone,
			PoolSize:        50,
			MinIdleConns:    4,
			DialTimeout:     2 * time.Second,
			ReadTimeout:     500 * time.Millisecond,
			WriteTimeout:    750 * time.Millisecond,
			SlowOpThreshold: 20 * time.Millisecond,
		},
		Session: bootstrap.SessionConfig{
			Timeout:            30 * time.Minute,
			MaxLifetime:        12 * time.Hour,
			ActivityResolution: 15 * time.Second,
			MaxPerUser:         1,
			BindIP:             true,
			BindUserAgent:      true,
			SweepInterval:      5 * time.Minute,
		},
		Cache: bootstrap.CacheConfig{
			DefaultTTL:      10 * time.Minute,
			AppTTL:          90 * time.Second,
			NegativeTTL:     5 * time.Second,
			XFetchBeta:      2.5,
			TTLJitter:       0.5,
			Local:           false,
			LocalMaxEntries: 500,
			LocalMaxBytes:   1 << 20,
			LocalFeatures:   []string{"user:profile", "deck:list"},
		},
		Auth: bootstrap.AuthConfig{
			LoginRateLimitPerMinute:  3,
			LoginFailureWindow:       5 * time.Minute,
			LoginMaxFailures:         4,
			LoginAccountMaxFailures:  40,
			LoginDeviceMaxFailures:   6,
			DeviceCookieSecret:       "0123456789abcdef0123456789abcdef",
			RegisterRateLimitPerHour: 7,
			PasswordHashConcurrency:  3,
			PasswordHashWait:         1500 * time.Millisecond,
		},
		Observability: bootstrap.ObservabilityConfig{
			LogLevel:           slog.LevelDebug,
			LogFormat:          bootstrap.LogFormatText,
			AccessLogSample2xx: 0.25,
			OTLPEndpoint:       "http://otel:4318",
			ServiceName:        "studytool-api",
		},
	}

	got, err := bootstrap.Load(environ)

	require.NoError(t, err)
	assert.Equal(t, want, got)
	var notOverridden []string
	for name := range got.Redacted() {
		if _, ok := environ[name]; !ok {
			notOverridden = append(notOverridden, name)
		}
	}
	assert.ElementsMatch(t, []string{"REDIS_URL", "REDIS_MODE", "REDIS_ADDRS", "REDIS_SENTINEL_MASTER"}, notOverridden,
		"every variable is overridden here but those that exclude REDIS_HOST (see the topology tests)")
}

func TestLoadConfigEmptyVariableCountsAsUnset(t *testing.T) {
	t.Parallel()
	got, err := bootstrap.Load(map[string]string{"APP_ENV": "", "SESSION_TIMEOUT": "", "HTTP_ADDR": ""})

	require.NoError(t, err)
	assert.Equal(t, bootstrap.EnvDevelopment, got.App.Env)
	assert.Equal(t, time.Hour, got.Session.Timeout)
	assert.Equal(t, ":8080", got.HTTP.Addr)
}

func TestLoadConfigAppTTLFollowsRedisCacheTTL(t *testing.T) {
	t.Parallel()
	got, err := bootstrap.Load(map[string]string{"APP_ENV": "test", "REDIS_CACHE_TTL": "7m"})

	require.NoError(t, err)
	assert.Equal(t, 7*time.Minute, got.Cache.AppTTL)
}

// TestLoadConfigDurationsInWholeSeconds: a duration may be written as a whole number of
// seconds, as deployment examples often write them (SESSION_TIMEOUT=3600).
func TestLoadConfigDurationsInWholeSeconds(t *testing.T) {
	t.Parallel()
	cfg, err := bootstrap.Load(map[string]string{
		"APP_ENV": "development", "REDIS_CACHE_TTL": "300", "SESSION_TIMEOUT": "3600",
		"REDIS_KEY_PREFIX": "pyramid:dev:", "REDIS_PASSWORD": "", "SHUTDOWN_TIMEOUT": "1m30s",
	})
	require.NoError(t, err)
	assert.Equal(t, 300*time.Second, cfg.Cache.DefaultTTL)
	assert.Equal(t, 300*time.Second, cfg.Cache.AppTTL, "CACHE_APP_TTL follows REDIS_CACHE_TTL")
	assert.Equal(t, time.Hour, cfg.Session.Timeout)
	assert.Equal(t, 90*time.Second, cfg.App.ShutdownTimeout, "Go's notation still works")
}

func TestLoadConfigRejectsInvalidValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		environ map[string]string
		wantVar string
	}{
		{"unknown environment", map[string]string{"APP_ENV": "prod"}, "APP_ENV"},
		{"environment in capitals", map[string]string{"APP_ENV": "Production"}, "APP_ENV"},
		{"fraction without unit", map[string]string{"SHUTDOWN_TIMEOUT": "10.5"}, "SHUTDOWN_TIMEOUT"},
		{"zero duration", map[string]string{"SHUTDOWN_TIMEOUT": "0s"}, "SHUTDOWN_TIMEOUT"},
		{"listen address without port", map[string]string{"HTTP_ADDR": "localhost"}, "HTTP_ADDR"},
		{"proxy that is not an address", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "TRUSTED_PROXIES"},
		{"unknown log level", map[string]string{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"log level offset", map[string]string{"LOG_LEVEL": "info+2"}, "LOG_LEVEL"},
		{"unknown log format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"access log sample above 1", map[string]string{"ACCESS_LOG_SAMPLE_2XX": "1.5"}, "ACCESS_LOG_SAMPLE_2XX"},
		{"otlp endpoint without scheme", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "otel:4318"}, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"database scheme", map[string]string{"DATABASE_URL": "mysql://db/studytool"}, "DATABASE_URL"},
		{"sqlite without path", map[string]string{"DATABASE_URL": "sqlite:"}, "DATABASE_URL"},
		{"sqlite URL without path", map[string]string{"DATABASE_URL": "sqlite://"}, "DATABASE_URL"},
		{"postgres URL that does not parse", map[string]string{"DATABASE_URL": "postgres://db:port/x"}, "DATABASE_URL"},
		{"no open connections", map[string]string{"DB_MAX_OPEN_CONNS": "0"}, "DB_MAX_OPEN_CONNS"},
		{"more idle than open", map[string]string{"DB_MAX_OPEN_CONNS": "4", "DB_MAX_IDLE_CONNS": "5"}, "DB_MAX_IDLE_CONNS"},
		{"negative idle", map[string]string{"DB_MAX_IDLE_CONNS": "-1"}, "DB_MAX_IDLE_CONNS"},
		{"no query bound", map[string]string{"DB_QUERY_TIMEOUT": "0s"}, "DB_QUERY_TIMEOUT"},
		{"no pool wait bound", map[string]string{"DB_POOL_WAIT_TIMEOUT": "-1s"}, "DB_POOL_WAIT_TIMEOUT"},
		{"a study budget leaving nothing for content", map[string]string{"DB_MAX_OPEN_CONNS": "4", "DB_MAX_IDLE_CONNS": "4", "DB_STUDY_CONNS": "4"}, "DB_STUDY_CONNS"},
		{"a negative study budget", map[string]string{"DB_STUDY_CONNS": "-1"}, "DB_STUDY_CONNS"},
		{"port not a number", map[string]string{"REDIS_PORT": "abc"}, "REDIS_PORT"},
		{"port too large", map[string]string{"REDIS_PORT": "65536"}, "REDIS_PORT"},
		{"port zero", map[string]string{"REDIS_PORT": "0"}, "REDIS_PORT"},
		{"database number too large", map[string]string{"REDIS_DB": "16"}, "REDIS_DB"},
		{"redis URL scheme", map[string]string{"REDIS_URL": "http://redis:6379"}, "REDIS_URL"},
		{"redis URL database", map[string]string{"REDIS_URL": "redis://redis:6379/x"}, "REDIS_URL"},
		{"session redis URL scheme", map[string]string{"REDIS_HOST": "r", "SESSION_REDIS_URL": "unix:///tmp/r.sock"}, "SESSION_REDIS_URL"},
		{"session redis without cache redis", map[string]string{"SESSION_REDIS_URL": "redis://state:6379"}, "SESSION_REDIS_URL"},
		{"key prefix without colon", map[string]string{"REDIS_KEY_PREFIX": "acme"}, "REDIS_KEY_PREFIX"},
		{"key prefix with glob", map[string]string{"REDIS_KEY_PREFIX": "acme*:"}, "REDIS_KEY_PREFIX"},
		{"negative retries", map[string]string{"REDIS_MAX_RETRIES": "-1"}, "REDIS_MAX_RETRIES"},
		{"offline queue not a bool", map[string]string{"REDIS_ENABLE_OFFLINE_QUEUE": "yes"}, "REDIS_ENABLE_OFFLINE_QUEUE"},
		{"negative pool", map[string]string{"REDIS_POOL_SIZE": "-5"}, "REDIS_POOL_SIZE"},
		{"negative idle redis conns", map[string]string{"REDIS_MIN_IDLE_CONNS": "-1"}, "REDIS_MIN_IDLE_CONNS"},
		{"negative dial timeout", map[string]string{"REDIS_DIAL_TIMEOUT": "-1s"}, "REDIS_DIAL_TIMEOUT"},
		{"read timeout not a duration", map[string]string{"REDIS_READ_TIMEOUT": "soon"}, "REDIS_READ_TIMEOUT"},
		{"zero write timeout", map[string]string{"REDIS_WRITE_TIMEOUT": "0"}, "REDIS_WRITE_TIMEOUT"},
		{"zero slow threshold", map[string]string{"REDIS_SLOW_OP_THRESHOLD": "0ms"}, "REDIS_SLOW_OP_THRESHOLD"},
		{"unknown mode", map[string]string{"REDIS_MODE": "replica"}, "REDIS_MODE"},
		{"sentinel without addresses", map[string]string{"REDIS_MODE": "sentinel", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_ADDRS"},
		{"sentinel without master", map[string]string{"REDIS_MODE": "sentinel", "REDIS_ADDRS": "s1:26379"}, "REDIS_SENTINEL_MASTER"},
		{"cluster address without port", map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000,n2"}, "REDIS_ADDRS"},
		{"cluster on a database other than 0", map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000", "REDIS_DB": "2"}, "REDIS_DB"},
		{"cluster with a host", map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000", "REDIS_HOST": "r"}, "REDIS_HOST"},
		{"cluster with a master name", map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINEL_MASTER"},
		{"standalone with addresses", map[string]string{"REDIS_HOST": "r", "REDIS_ADDRS": "n1:7000"}, "REDIS_ADDRS"},
		{"standalone with a master name", map[string]string{"REDIS_HOST": "r", "REDIS_SENTINEL_MASTER": "m"}, "REDIS_SENTINEL_MASTER"},
		{"URL and host", map[string]string{"REDIS_URL": "redis://a:6379", "REDIS_HOST": "b"}, "REDIS_HOST"},
		{"URL and password", map[string]string{"REDIS_URL": "redis://a:6379", "REDIS_PASSWORD": "p"}, "REDIS_PASSWORD"},
		{"zero session timeout", map[string]string{"SESSION_TIMEOUT": "0s"}, "SESSION_TIMEOUT"},
		{"lifetime not a duration", map[string]string{"SESSION_MAX_LIFETIME": "1d"}, "SESSION_MAX_LIFETIME"},
		{"negative activity resolution", map[string]string{"SESSION_ACTIVITY_RESOLUTION": "-1m"}, "SESSION_ACTIVITY_RESOLUTION"},
		{"no sessions per user", map[string]string{"MAX_SESSIONS_PER_USER": "0"}, "MAX_SESSIONS_PER_USER"},
		{"bind IP not a bool", map[string]string{"SESSION_BIND_IP": "on"}, "SESSION_BIND_IP"},
		{"bind user agent not a bool", map[string]string{"SESSION_BIND_USER_AGENT": "2"}, "SESSION_BIND_USER_AGENT"},
		{"cookie secure not a bool", map[string]string{"SESSION_COOKIE_SECURE": "always"}, "SESSION_COOKIE_SECURE"},
		{"cache TTL not a duration", map[string]string{"REDIS_CACHE_TTL": "5 minutes"}, "REDIS_CACHE_TTL"},
		{"seconds out of range", map[string]string{"SESSION_TIMEOUT": "99999999999999"}, "SESSION_TIMEOUT"},
		{"negative seconds", map[string]string{"SESSION_TIMEOUT": "-60"}, "SESSION_TIMEOUT"},
		{"negative sweep interval", map[string]string{"SESSION_SWEEP_INTERVAL": "-1m"}, "SESSION_SWEEP_INTERVAL"},
		{"sweep interval under a second", map[string]string{"SESSION_SWEEP_INTERVAL": "10ms"}, "SESSION_SWEEP_INTERVAL"},
		{"zero app TTL", map[string]string{"CACHE_APP_TTL": "0s"}, "CACHE_APP_TTL"},
		{"negative negative TTL", map[string]string{"CACHE_NEGATIVE_TTL": "-30s"}, "CACHE_NEGATIVE_TTL"},
		{"zero beta", map[string]string{"CACHE_XFETCH_BETA": "0"}, "CACHE_XFETCH_BETA"},
		{"beta not a number", map[string]string{"CACHE_XFETCH_BETA": "NaN"}, "CACHE_XFETCH_BETA"},
		{"infinite beta", map[string]string{"CACHE_XFETCH_BETA": "+Inf"}, "CACHE_XFETCH_BETA"},
		{"jitter above half", map[string]string{"CACHE_TTL_JITTER": "0.6"}, "CACHE_TTL_JITTER"},
		{"negative jitter", map[string]string{"CACHE_TTL_JITTER": "-0.1"}, "CACHE_TTL_JITTER"},
		{"local cache neither on nor off", map[string]string{"LOCAL_CACHE": "maybe"}, "LOCAL_CACHE"},
		{"no local entries", map[string]string{"LOCAL_CACHE_MAX_ENTRIES": "0"}, "LOCAL_CACHE_MAX_ENTRIES"},
		{"no local bytes", map[string]string{"LOCAL_CACHE_MAX_BYTES": "0"}, "LOCAL_CACHE_MAX_BYTES"},
		{"local feature with a glob", map[string]string{"LOCAL_CACHE_FEATURES": "user:*"}, "LOCAL_CACHE_FEATURES"},
		{"local feature in the reserved generation namespace", map[string]string{"LOCAL_CACHE_FEATURES": "user:profile,gen:user:profile"}, "LOCAL_CACHE_FEATURES"},
		{"no login attempts", map[string]string{"LOGIN_RATE_LIMIT_PER_MINUTE": "0"}, "LOGIN_RATE_LIMIT_PER_MINUTE"},
		{"login limit not a number", map[string]string{"LOGIN_RATE_LIMIT_PER_MINUTE": "ten"}, "LOGIN_RATE_LIMIT_PER_MINUTE"},
		{"origin with a path", map[string]string{"CORS_ALLOWED_ORIGINS": "https://app.example.com/"}, "CORS_ALLOWED_ORIGINS"},
		{"wildcard origin", map[string]string{"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS"},
		{"origin without scheme", map[string]string{"CORS_ALLOWED_ORIGINS": "app.example.com"}, "CORS_ALLOWED_ORIGINS"},
		{"metrics on the API listener", map[string]string{"HTTP_ADDR": ":8080", "METRICS_ADDR": ":8080"}, "METRICS_ADDR"},
		{"short device secret", map[string]string{"DEVICE_COOKIE_SECRET": "too short"}, "DEVICE_COOKIE_SECRET"},
		{"no hashing slot", map[string]string{"PASSWORD_HASH_CONCURRENCY": "0"}, "PASSWORD_HASH_CONCURRENCY"},
		{"zero hashing wait", map[string]string{"PASSWORD_HASH_WAIT": "0s"}, "PASSWORD_HASH_WAIT"},
		{"zero registrations", map[string]string{"REGISTER_RATE_LIMIT_PER_HOUR": "0"}, "REGISTER_RATE_LIMIT_PER_HOUR"},
		{"zero login failures", map[string]string{"LOGIN_MAX_FAILURES": "0"}, "LOGIN_MAX_FAILURES"},
		{"zero read timeout", map[string]string{"HTTP_READ_TIMEOUT": "0s"}, "HTTP_READ_TIMEOUT"},
		{"zero upload limit", map[string]string{"HTTP_MAX_UPLOAD_BYTES": "0"}, "HTTP_MAX_UPLOAD_BYTES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := bootstrap.Load(tt.environ)

			require.Error(t, err)
			require.ErrorIs(t, err, bootstrap.ErrInvalidConfig)
			var invalid *bootstrap.InvalidError
			require.ErrorAs(t, err, &invalid)
			assert.Equal(t, tt.wantVar, invalid.Var)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "config: "+tt.wantVar+"="), "message %q names the variable first", msg)
			assert.Contains(t, msg, ": must be ")
			assert.NotContains(t, msg, "\n")
		})
	}
}

func TestLoadConfigErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		environ map[string]string
		want    string
	}{
		{map[string]string{"REDIS_PORT": "abc"}, `config: REDIS_PORT="abc": must be an integer 1-65535`},
		{map[string]string{"APP_ENV": "prod"}, `config: APP_ENV="prod": must be one of development, production, test`},
		{
			map[string]string{"REDIS_MODE": "sentinel", "REDIS_SENTINEL_MASTER": "m"},
			`config: REDIS_ADDRS="": must be set when REDIS_MODE=sentinel`,
		},
		{
			map[string]string{"REDIS_URL": "redis://a:6379", "REDIS_DB": "3"},
			`config: REDIS_DB="3": must be empty when REDIS_URL is set (the URL carries it)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			_, err := bootstrap.Load(tt.environ)

			require.EqualError(t, err, tt.want)
		})
	}
}

func TestLoadConfigProductionRequiresBackends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		environ     map[string]string
		wantMissing []string
	}{
		{"nothing configured", map[string]string{}, []string{"DATABASE_URL", "REDIS_URL"}},
		{"no database", map[string]string{"REDIS_URL": "redis://r:6379"}, []string{"DATABASE_URL"}},
		{"no redis", map[string]string{"DATABASE_URL": "postgres://db/s"}, []string{"REDIS_URL"}},
		{"complete with REDIS_URL", map[string]string{"DATABASE_URL": "postgres://db/s", "REDIS_URL": "redis://r:6379"}, nil},
		{"complete with REDIS_HOST", map[string]string{"DATABASE_URL": "postgres://db/s", "REDIS_HOST": "r"}, nil},
		{
			"complete with a cluster",
			map[string]string{"DATABASE_URL": "postgres://db/s", "REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000"},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			environ := map[string]string{"APP_ENV": "production"}
			for k, v := range tt.environ {
				environ[k] = v
			}

			cfg, err := bootstrap.Load(environ)

			if tt.wantMissing == nil {
				require.NoError(t, err)
				assert.False(t, cfg.Embedded())
				return
			}
			require.ErrorIs(t, err, bootstrap.ErrInvalidConfig)
			var incomplete *bootstrap.IncompleteError
			require.ErrorAs(t, err, &incomplete)
			assert.Equal(t, tt.wantMissing, incomplete.Missing)
			assert.True(t, strings.HasSuffix(err.Error(), "missing: "+strings.Join(tt.wantMissing, ", ")), err.Error())
		})
	}
}

func TestLoadConfigProductionRefusalMessage(t *testing.T) {
	t.Parallel()
	_, err := bootstrap.Load(map[string]string{"APP_ENV": "production"})

	require.EqualError(t, err, "config: production requires DATABASE_URL and REDIS_URL "+
		"(or REDIS_HOST, or REDIS_ADDRS with REDIS_MODE); missing: DATABASE_URL, REDIS_URL")
}

func TestLoadConfigRefusesTheRetiredAdminVariable(t *testing.T) {
	t.Parallel()
	_, err := bootstrap.Load(map[string]string{"BOOTSTRAP_ADMIN_EMAILS": "root@example.com"})

	require.ErrorIs(t, err, bootstrap.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "BOOTSTRAP_ADMIN_EMAILS")
	assert.Contains(t, err.Error(), "studytool users grant", "the message says what replaces it")
	assert.NotContains(t, err.Error(), "\n")
}

func TestLoadConfigCommaLists(t *testing.T) {
	t.Parallel()
	got, err := bootstrap.Load(map[string]string{
		"TRUSTED_PROXIES":       " 10.0.0.0/8, 192.168.1.7 ,,fd00::/8",
		"CORS_ALLOWED_ORIGINS":  "https://a.example.com, ,http://localhost:3000",
		"REDIS_MODE":            "sentinel",
		"REDIS_ADDRS":           "s1:26379, s2:26379,[fd00::3]:26379",
		"REDIS_SENTINEL_MASTER": "mymaster",
	})

	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.0.0/8", "192.168.1.7", "fd00::/8"}, got.HTTP.TrustedProxies)
	assert.Equal(t, []string{"https://a.example.com", "http://localhost:3000"}, got.HTTP.AllowedOrigins)
	assert.Equal(t, []string{"s1:26379", "s2:26379", "[fd00::3]:26379"}, got.Redis.Addrs)
}

func TestConfigRedisClientPerRole(t *testing.T) {
	t.Parallel()
	shared := redisstore.ClientConfig{
		Mode:         redisstore.ModeStandalone,
		MaxRetries:   3,
		OfflineQueue: true,
		DialTimeout:  5 * time.Second,
		ReadTimeout:  3 * time.Second,
		WriteTimeout: 3 * time.Second,
	}
	with := func(role bootstrap.RedisRole, edit func(*redisstore.ClientConfig)) redisstore.ClientConfig {
		cc := shared
		cc.Role = string(role)
		edit(&cc)
		return cc
	}
	tests := []struct {
		name      string
		environ   map[string]string
		wantCache redisstore.ClientConfig
		wantState redisstore.ClientConfig
	}{
		{
			name:    "host shared by both roles",
			environ: map[string]string{"REDIS_HOST": "redis", "REDIS_PORT": "6380", "REDIS_PASSWORD": "pw", "REDIS_DB": "4"},
			wantCache: with(bootstrap.RoleCache, func(cc *redisstore.ClientConfig) {
				cc.Addrs, cc.Password, cc.DB = []string{"redis:6380"}, "pw", 4
			}),
			wantState: with(bootstrap.RoleState, func(cc *redisstore.ClientConfig) {
				cc.Addrs, cc.Password, cc.DB = []string{"redis:6380"}, "pw", 4
			}),
		},
		{
			name:      "state on its own server",
			environ:   map[string]string{"REDIS_URL": "redis://cache:6379/0", "SESSION_REDIS_URL": "rediss://:pw@state:6379/1"},
			wantCache: with(bootstrap.RoleCache, func(cc *redisstore.ClientConfig) { cc.URL = "redis://cache:6379/0" }),
			wantState: with(bootstrap.RoleState, func(cc *redisstore.ClientConfig) { cc.URL = "rediss://:pw@state:6379/1" }),
		},
		{
			name:      "offline queue off for both roles",
			environ:   map[string]string{"REDIS_URL": "redis://cache:6379/0", "SESSION_REDIS_URL": "redis://state:6379/0", "REDIS_ENABLE_OFFLINE_QUEUE": "false"},
			wantCache: with(bootstrap.RoleCache, func(cc *redisstore.ClientConfig) { cc.URL, cc.OfflineQueue = "redis://cache:6379/0", false }),
			wantState: with(bootstrap.RoleState, func(cc *redisstore.ClientConfig) { cc.URL, cc.OfflineQueue = "redis://state:6379/0", false }),
		},
		{
			name: "sentinel with its state on a URL",
			environ: map[string]string{
				"REDIS_MODE": "sentinel", "REDIS_ADDRS": "s1:26379,s2:26379", "REDIS_SENTINEL_MASTER": "main",
				"REDIS_PASSWORD": "pw", "SESSION_REDIS_URL": "redis://state:6379",
				"REDIS_POOL_SIZE": "20", "REDIS_MIN_IDLE_CONNS": "2",
			},
			wantCache: with(bootstrap.RoleCache, func(cc *redisstore.ClientConfig) {
				cc.Mode, cc.Addrs, cc.MasterName, cc.Password = redisstore.ModeSentinel, []string{"s1:26379", "s2:26379"}, "main", "pw"
				cc.PoolSize, cc.MinIdleConns = 20, 2
			}),
			wantState: with(bootstrap.RoleState, func(cc *redisstore.ClientConfig) {
				cc.URL = "redis://state:6379"
				cc.PoolSize, cc.MinIdleConns = 20, 2
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := bootstrap.Load(tt.environ)
			require.NoError(t, err)

			cache, err := cfg.RedisClient(bootstrap.RoleCache)
			require.NoError(t, err)
			state, err := cfg.RedisClient(bootstrap.RoleState)
			require.NoError(t, err)

			assert.Equal(t, tt.wantCache, cache)
			assert.Equal(t, tt.wantState, state)
		})
	}
}

func TestConfigRedisClientWithoutRedis(t *testing.T) {
	t.Parallel()
	cfg, err := bootstrap.Load(map[string]string{})
	require.NoError(t, err)

	_, err = cfg.RedisClient(bootstrap.RoleState)
	require.ErrorIs(t, err, bootstrap.ErrRedisNotConfigured)

	_, err = cfg.RedisClient("queue")
	require.Error(t, err)
	assert.NotErrorIs(t, err, bootstrap.ErrRedisNotConfigured)
}

func TestConfigDatabaseAndEmbedded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		environ      map[string]string
		wantDialect  string
		wantRedis    bool
		wantEmbedded bool
	}{
		{"embedded", map[string]string{}, bootstrap.DialectSQLite, false, true},
		{"embedded elsewhere", map[string]string{"SQLITE_PATH": "/data/st.db"}, bootstrap.DialectSQLite, false, true},
		{"sqlite URL", map[string]string{"DATABASE_URL": "sqlite:/data/st.db"}, bootstrap.DialectSQLite, false, false},
		{"sqlite URL with slashes", map[string]string{"DATABASE_URL": "sqlite:///data/st.db"}, bootstrap.DialectSQLite, false, false},
		{"file URI", map[string]string{"DATABASE_URL": "file:/data/st.db?_pragma=busy_timeout(5000)"}, bootstrap.DialectSQLite, false, false},
		{"postgres", map[string]string{"DATABASE_URL": "postgres://db/s"}, bootstrap.DialectPostgres, false, false},
		{"postgresql", map[string]string{"DATABASE_URL": "postgresql://db/s"}, bootstrap.DialectPostgres, false, false},
		{"redis only", map[string]string{"REDIS_HOST": "r"}, bootstrap.DialectSQLite, true, false},
		{"cluster only", map[string]string{"REDIS_MODE": "cluster", "REDIS_ADDRS": "n1:7000"}, bootstrap.DialectSQLite, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := bootstrap.Load(tt.environ)
			require.NoError(t, err)

			assert.Equal(t, tt.wantDialect, cfg.DatabaseDialect())
			assert.Equal(t, tt.wantRedis, cfg.UsesRedis())
			assert.Equal(t, tt.wantEmbedded, cfg.Embedded())
		})
	}
}

func TestConfigKeyspacePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		environ map[string]string
		want    string
	}{
		{map[string]string{"APP_ENV": "test"}, "studytool:test:"},
		{map[string]string{"APP_ENV": "test", "REDIS_KEY_PREFIX": "acme:st:"}, "acme:st:"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			cfg, err := bootstrap.Load(tt.environ)
			require.NoError(t, err)

			ks, err := cfg.Keyspace()

			require.NoError(t, err)
			assert.Equal(t, tt.want, ks.Prefix())
		})
	}
}

func TestConfigRedactionHidesSecrets(t *testing.T) {
	t.Parallel()
	cfg, err := bootstrap.Load(map[string]string{
		"APP_ENV":                     "production",
		"DATABASE_URL":                "postgres://app:dbsecret@db/s?sslmode=require&password=qsecret",
		"REDIS_URL":                   "rediss://default:urlsecret@cache:6380/2",
		"SESSION_REDIS_URL":           "redis://:statesecret@state:6379",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "https://user:otelsecret@otel:4318",
	})
	require.NoError(t, err)
	withPassword, err := bootstrap.Load(map[string]string{"REDIS_HOST": "cache", "REDIS_PASSWORD": "pwsecret"})
	require.NoError(t, err)
	secrets := []string{"dbsecret", "qsecret", "urlsecret", "statesecret", "otelsecret", "pwsecret"}

	redacted := cfg.Redacted()
	assert.Equal(t, "rediss://default:xxxxx@cache:6380/2", redacted["REDIS_URL"])
	assert.Equal(t, "postgres://app:xxxxx@db/s?password=xxxxx&sslmode=require", redacted["DATABASE_URL"])
	assert.Equal(t, "xxxxx", withPassword.Redacted()["REDIS_PASSWORD"])
	assert.Empty(t, cfg.Redacted()["REDIS_PASSWORD"], "an unset password reads as unset")
	assert.Equal(t, "cache", withPassword.Redacted()["REDIS_HOST"], "other values are shown")

	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("config", "config", cfg, "other", withPassword)
	require.True(t, json.Valid(logged.Bytes()))
	for _, out := range []string{cfg.String(), withPassword.String(), logged.String()} {
		for _, secret := range secrets {
			assert.NotContains(t, out, secret)
		}
	}
	assert.Contains(t, logged.String(), `"REDIS_URL":"rediss://default:xxxxx@cache:6380/2"`)
}

func TestLoadConfigErrorHidesSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		environ map[string]string
	}{
		{"invalid redis URL", map[string]string{"REDIS_URL": "redis://:topsecret@cache:6379/notanumber"}},
		{"unparseable redis URL", map[string]string{"REDIS_URL": "redis://:topsecret%zz@cache:6379"}},
		{"password beside a URL", map[string]string{"REDIS_URL": "redis://cache:6379", "REDIS_PASSWORD": "topsecret"}},
		{"invalid database URL", map[string]string{"DATABASE_URL": "postgres://u:topsecret@db:port/s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := bootstrap.Load(tt.environ)

			var invalid *bootstrap.InvalidError
			require.ErrorAs(t, err, &invalid)
			assert.NotContains(t, err.Error(), "topsecret")
			assert.NotContains(t, invalid.Value, "topsecret")
		})
	}
}

func TestConfigDocumentationListsEveryVariable(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/configuration.md")
	require.NoError(t, err)

	cfg, err := bootstrap.Load(map[string]string{})
	require.NoError(t, err)
	for name := range cfg.Redacted() {
		assert.Contains(t, string(doc), "| `"+name+"` |", "docs/configuration.md has a row for %s", name)
	}
}

func TestLoadConfigFromProcessEnvironment(t *testing.T) {
	t.Setenv("APP_ENV", "test")
	t.Setenv("HTTP_ADDR", ":9999")

	cfg, err := bootstrap.LoadFromEnv()

	require.NoError(t, err)
	assert.Equal(t, bootstrap.EnvTest, cfg.App.Env)
	assert.Equal(t, ":9999", cfg.HTTP.Addr)
}
