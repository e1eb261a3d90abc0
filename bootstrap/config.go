package bootstrap

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// Environment names the deployment environment. It selects the per-environment defaults
// and is the {env} of the Redis key prefix `studytool:{env}:`.
type Environment string

// The environments APP_ENV accepts.
const (
	EnvDevelopment Environment = "development"
	EnvProduction  Environment = "production"
	EnvTest        Environment = "test"
)

// LogFormat selects the slog handler: JSON for log pipelines, text for people.
type LogFormat string

// The formats LOG_FORMAT accepts.
const (
	LogFormatJSON LogFormat = "json"
	LogFormatText LogFormat = "text"
)

// The dialects DatabaseDialect reports.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// RedisRole names one of the two logical Redis connections of docs/architecture.md
// ("Two Redis roles").
type RedisRole string

const (
	// RoleCache is the connection for cache entries, which the server may evict.
	RoleCache RedisRole = "cache"
	// RoleState is the connection for sessions and study sessions, which it must not.
	RoleState RedisRole = "state"
)

// ErrRedisNotConfigured is returned by RedisClient when no Redis is configured and the
// service runs on its in-memory stores.
var ErrRedisNotConfigured = errors.New("config: redis is not configured")

// environmentDefaults are the defaults that differ per environment (docs/configuration.md,
// "Per-environment defaults"); an explicit, non-empty variable overrides them. Defaults that do not
// depend on the environment are the envDefault tags of the Config fields.
var environmentDefaults = map[Environment]map[string]string{
	EnvDevelopment: {
		"REDIS_CACHE_TTL":              "5m",
		"SESSION_TIMEOUT":              "1h",
		"MAX_SESSIONS_PER_USER":        "10",
		"REDIS_MAX_RETRIES":            "3",
		"LOGIN_RATE_LIMIT_PER_MINUTE":  "100",
		"SESSION_COOKIE_SECURE":        "false",
		"LOG_FORMAT":                   string(LogFormatText),
		"REGISTER_RATE_LIMIT_PER_HOUR": "100",
		"LOGIN_MAX_FAILURES":           "10",
		"LOGIN_ACCOUNT_MAX_FAILURES":   "50",
		"METRICS_ADDR":                 "127.0.0.1:9091",
		"SESSION_SWEEP_INTERVAL":       "10m",
	},
	EnvProduction: {
		"REDIS_CACHE_TTL":              "1h",
		"SESSION_TIMEOUT":              "2h",
		"MAX_SESSIONS_PER_USER":        "5",
		"REDIS_MAX_RETRIES":            "5",
		"LOGIN_RATE_LIMIT_PER_MINUTE":  "10",
		"SESSION_COOKIE_SECURE":        "true",
		"LOG_FORMAT":                   string(LogFormatJSON),
		"REGISTER_RATE_LIMIT_PER_HOUR": "20",
		"LOGIN_MAX_FAILURES":           "5",
		"LOGIN_ACCOUNT_MAX_FAILURES":   "20",
		"METRICS_ADDR":                 ":9091",
		"SESSION_SWEEP_INTERVAL":       "10m",
	},
	EnvTest: {
		"REDIS_CACHE_TTL":              "1m",
		"SESSION_TIMEOUT":              "5m",
		"MAX_SESSIONS_PER_USER":        "2",
		"REDIS_MAX_RETRIES":            "1",
		"LOGIN_RATE_LIMIT_PER_MINUTE":  "1000",
		"SESSION_COOKIE_SECURE":        "false",
		"LOG_FORMAT":                   string(LogFormatText),
		"REGISTER_RATE_LIMIT_PER_HOUR": "10000",
		"LOGIN_MAX_FAILURES":           "20",
		"LOGIN_ACCOUNT_MAX_FAILURES":   "100",
		"METRICS_ADDR":                 "127.0.0.1:0",
		"SESSION_SWEEP_INTERVAL":       "0",
	},
}

// Config is the service configuration, read from environment variables by Load. The
// `env` tag of each field names its variable and `accepts` says what the variable
// accepts; docs/configuration.md lists them all. Config holds secrets: log it through
// String, LogValue or Redacted, never field by field.
type Config struct {
	App           AppConfig
	HTTP          HTTPConfig
	Database      DatabaseConfig
	Redis         RedisConfig
	Session       SessionConfig
	Cache         CacheConfig
	Auth          AuthConfig
	Observability ObservabilityConfig
}

// AppConfig holds process-wide settings.
type AppConfig struct {
	// Env is the deployment environment; it selects the per-environment defaults and the
	// Redis key prefix `studytool:{APP_ENV}:`.
	Env Environment `env:"APP_ENV" envDefault:"development" accepts:"one of development, production, test"`
	// ShutdownTimeout bounds graceful shutdown of the whole application.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"10s" accepts:"a positive duration such as 10s, or a whole number of seconds"`
}

// HTTPConfig configures the HTTP server.
type HTTPConfig struct {
	// Addr is the listen address.
	Addr string `env:"HTTP_ADDR" envDefault:":8080" accepts:"a listen address host:port such as :8080"`
	// TrustedProxies are the IP addresses and CIDR ranges whose forwarding headers are
	// believed when working out a client's address; empty trusts none.
	TrustedProxies []string `env:"TRUSTED_PROXIES" accepts:"a comma-separated list of IP addresses and CIDR ranges"`
	// AllowedOrigins are the web-app origins allowed to call the API from a browser (CORS).
	// State-changing requests from any other site are refused with 403 (cross-origin
	// protection); requests without browser headers (API clients) are not affected.
	AllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS" accepts:"a comma-separated list of origins such as https://app.example.com (scheme, host and port only; no *)"`
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout time.Duration `env:"HTTP_READ_HEADER_TIMEOUT" envDefault:"10s" accepts:"a positive duration such as 10s, or a whole number of seconds"`
	// ReadTimeout bounds reading a whole request, body included, so a client trickling
	// its body cannot hold a connection.
	ReadTimeout time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"30s" accepts:"a positive duration such as 30s, or a whole number of seconds"`
	// WriteTimeout bounds the time from the end of the request's headers to the end of the
	// response. An `Idempotency-Key` claim is held twice as long before a retry may run
	// again.
	WriteTimeout time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"60s" accepts:"a positive duration such as 60s, or a whole number of seconds"`
	// IdleTimeout bounds how long a keep-alive connection waits for its next request.
	IdleTimeout time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"120s" accepts:"a positive duration such as 120s, or a whole number of seconds"`
	// MetricsAddr is the listen address of the Prometheus endpoint, a listener of its own
	// so that /metrics is never reachable through the API's.
	MetricsAddr string `env:"METRICS_ADDR" accepts:"a listen address host:port such as 127.0.0.1:9091"`
	// MaxUploadBytes caps the body of an import (`POST /v1/decks/{deckId}/import`, `POST
	// /v1/decks/import/apkg`); larger is 413. Other request bodies are capped at 1 MiB.
	MaxUploadBytes int64 `env:"HTTP_MAX_UPLOAD_BYTES" envDefault:"33554432" accepts:"a positive number of bytes such as 33554432"`
}

// DatabaseConfig selects and sizes the database of record.
type DatabaseConfig struct {
	// URL selects PostgreSQL (postgres://, postgresql://) or SQLite (sqlite:PATH,
	// sqlite://PATH, file:PATH); empty means the embedded SQLite file at SQLITE_PATH.
	URL string `env:"DATABASE_URL" redact:"url" accepts:"a postgres:// or postgresql:// URL, sqlite:PATH or file:PATH"`
	// SQLitePath is the embedded SQLite file used when DATABASE_URL is empty.
	SQLitePath string `env:"SQLITE_PATH" envDefault:"./studytool.db" accepts:"a file path"`
	// MaxOpenConns is how many connections the service's database operations may hold at
	// once (PostgreSQL), split between the study budget (DB_STUDY_CONNS) and the rest; the
	// pool opens one more, kept for readiness checks.
	MaxOpenConns int `env:"DB_MAX_OPEN_CONNS" envDefault:"10" accepts:"an integer >= 1"`
	// MaxIdleConns caps the pool's idle connections.
	MaxIdleConns int `env:"DB_MAX_IDLE_CONNS" envDefault:"5" accepts:"an integer from 0 to DB_MAX_OPEN_CONNS"`
	// QueryTimeout bounds each database operation of a request, every statement and retry
	// included; past it the request answers 503 `store_unavailable` with `Retry-After`. On
	// PostgreSQL each connection's `lock_timeout` is set to it and `statement_timeout` half
	// a second above, so the server ends a statement whose client cannot. Operators'
	// commands (`studytool migrate`, `progress verify`, …) are not bound by it.
	QueryTimeout time.Duration `env:"DB_QUERY_TIMEOUT" envDefault:"2s" accepts:"a positive duration such as 2s, or a whole number of seconds"`
	// PoolWaitTimeout bounds the wait for a free connection of the operation's budget;
	// past it the request answers 503 at once rather than queueing.
	PoolWaitTimeout time.Duration `env:"DB_POOL_WAIT_TIMEOUT" envDefault:"250ms" accepts:"a positive duration such as 250ms, or a whole number of seconds"`
	// StudyConns is the share of DB_MAX_OPEN_CONNS that operations on progress and the
	// review log may hold; the rest serve accounts, decks and cards, so a storm of
	// answers cannot starve reading decks. 0 means half.
	StudyConns int `env:"DB_STUDY_CONNS" envDefault:"0" accepts:"an integer from 0 (half) to DB_MAX_OPEN_CONNS - 1"`
}

// RedisConfig locates and tunes Redis. In standalone mode the server is REDIS_URL or
// REDIS_HOST:REDIS_PORT; in sentinel and cluster modes it is REDIS_ADDRS. A URL carries
// its own credentials and database number. SessionURL moves the state role to a server
// of its own; see Config.RedisClient.
type RedisConfig struct {
	// URL is the standalone server of both roles as a URL, credentials and database
	// included. Production needs this, REDIS_HOST, or REDIS_MODE with REDIS_ADDRS.
	URL string `env:"REDIS_URL" redact:"url" accepts:"a redis:// or rediss:// URL"`
	// Host is the standalone server's host when REDIS_URL is empty.
	Host string `env:"REDIS_HOST" accepts:"a host name or IP address"`
	// Port is the standalone server's port.
	Port int `env:"REDIS_PORT" envDefault:"6379" accepts:"an integer 1-65535"`
	// Password authenticates to a server given by REDIS_HOST or REDIS_ADDRS.
	Password string `env:"REDIS_PASSWORD" redact:"secret" accepts:"a string"`
	// DB is the database number on a server given by REDIS_HOST or, for sentinel, REDIS_ADDRS.
	DB int `env:"REDIS_DB" envDefault:"0" accepts:"an integer 0-15"`
	// KeyPrefix replaces the key prefix `studytool:{env}:` when set.
	KeyPrefix string `env:"REDIS_KEY_PREFIX" accepts:"a key prefix ending with ':' whose parts hold no whitespace, control or glob characters"`
	// MaxRetries is how often a command that reached Redis and failed in a way worth
	// repeating (lost connection, timeout, `LOADING`, …) is retried, pausing 8–512 ms,
	// exponentially with jitter; 0 disables retries. A server that cannot be reached at all
	// is left to REDIS_ENABLE_OFFLINE_QUEUE.
	MaxRetries int `env:"REDIS_MAX_RETRIES" accepts:"an integer >= 0"`
	// EnableOfflineQueue lets a command that finds Redis unreachable re-dial with the retry
	// backoff and wait for it, at most REDIS_DIAL_TIMEOUT, within its deadline and until
	// the circuit breaker opens; false fails it at once.
	EnableOfflineQueue bool `env:"REDIS_ENABLE_OFFLINE_QUEUE" envDefault:"true" accepts:"true or false"`
	// SessionURL is a standalone server of the state role's own (sessions, study sessions),
	// typically `noeviction` with persistence; empty shares the cache's. It needs a cache
	// Redis as well.
	SessionURL string `env:"SESSION_REDIS_URL" redact:"url" accepts:"a redis:// or rediss:// URL"`
	// Mode is the Redis topology (redisstore.ModeStandalone, ModeSentinel or ModeCluster).
	Mode string `env:"REDIS_MODE" envDefault:"standalone" accepts:"one of standalone, sentinel, cluster"`
	// Addrs are the sentinels (sentinel mode) or seed nodes (cluster mode): required in
	// those modes, refused in standalone.
	Addrs []string `env:"REDIS_ADDRS" accepts:"a comma-separated list of host:port"`
	// SentinelMaster is the master set name Sentinel watches: required in sentinel mode,
	// refused otherwise.
	SentinelMaster string `env:"REDIS_SENTINEL_MASTER" accepts:"a Sentinel master set name"`
	// PoolSize is the connection pool size per node; 0 keeps go-redis's default.
	PoolSize int `env:"REDIS_POOL_SIZE" envDefault:"0" accepts:"an integer >= 0"`
	// MinIdleConns is the number of idle connections kept open per node.
	MinIdleConns int `env:"REDIS_MIN_IDLE_CONNS" envDefault:"0" accepts:"an integer >= 0"`
	// DialTimeout bounds establishing a connection; it also bounds an offline-queued
	// command's wait.
	DialTimeout time.Duration `env:"REDIS_DIAL_TIMEOUT" envDefault:"5s" accepts:"a positive duration such as 5s, or a whole number of seconds"`
	// ReadTimeout bounds waiting for a reply.
	ReadTimeout time.Duration `env:"REDIS_READ_TIMEOUT" envDefault:"3s" accepts:"a positive duration such as 3s, or a whole number of seconds"`
	// WriteTimeout bounds sending a command.
	WriteTimeout time.Duration `env:"REDIS_WRITE_TIMEOUT" envDefault:"3s" accepts:"a positive duration such as 3s, or a whole number of seconds"`
	// SlowOpThreshold is the duration above which a command is logged as slow.
	SlowOpThreshold time.Duration `env:"REDIS_SLOW_OP_THRESHOLD" envDefault:"100ms" accepts:"a positive duration such as 100ms, or a whole number of seconds"`
}

// SessionConfig configures login sessions.
type SessionConfig struct {
	// Timeout is the rolling idle timeout, renewed on activity.
	Timeout time.Duration `env:"SESSION_TIMEOUT" accepts:"a positive duration such as 2h, or a whole number of seconds"`
	// MaxLifetime caps a session's age whatever its activity.
	MaxLifetime time.Duration `env:"SESSION_MAX_LIFETIME" envDefault:"24h" accepts:"a positive duration such as 24h, or a whole number of seconds"`
	// ActivityResolution is how stale the recorded last activity may grow before a
	// request writes it again; it bounds writes per session.
	ActivityResolution time.Duration `env:"SESSION_ACTIVITY_RESOLUTION" envDefault:"60s" accepts:"a positive duration such as 60s, or a whole number of seconds"`
	// MaxPerUser is the number of live sessions per user; a new login evicts the oldest.
	MaxPerUser int `env:"MAX_SESSIONS_PER_USER" accepts:"an integer >= 1"`
	// BindIP rejects a session used from an IP address other than the login's.
	BindIP bool `env:"SESSION_BIND_IP" envDefault:"false" accepts:"true or false"`
	// BindUserAgent rejects a session used with a User-Agent other than the login's.
	BindUserAgent bool `env:"SESSION_BIND_USER_AGENT" envDefault:"false" accepts:"true or false"`
	// CookieSecure adds the Secure attribute to the session and device cookies, which are
	// then named with the `__Host-` prefix (`__Host-studytool_session`, `__Host-
	// studytool_device`), so no subdomain or plain-HTTP page can set them. Production also
	// sends Strict-Transport-Security.
	CookieSecure bool `env:"SESSION_COOKIE_SECURE" accepts:"true or false"`
	// SweepInterval is how often one replica, elected by a Redis lock, prunes the entries
	// of expired sessions from the users' session and study-session indexes, counted by
	// `studytool_session_index_sweeps_total` and `studytool_session_index_pruned_total`; 0
	// turns the sweep off.
	SweepInterval time.Duration `env:"SESSION_SWEEP_INTERVAL" accepts:"0 (off) or a duration of at least 1s such as 10m, or a whole number of seconds"`
}

// CacheConfig tunes the cache.
type CacheConfig struct {
	// DefaultTTL is the TTL of cache entries.
	DefaultTTL time.Duration `env:"REDIS_CACHE_TTL" accepts:"a positive duration such as 5m, or a whole number of seconds"`
	// AppTTL is the TTL of application-level cached reads (profiles, decks); it follows
	// REDIS_CACHE_TTL unless set.
	AppTTL time.Duration `env:"CACHE_APP_TTL,expand" envDefault:"${REDIS_CACHE_TTL}" accepts:"a positive duration such as 5m, or a whole number of seconds"`
	// NegativeTTL is how long a "not found" answer is cached.
	NegativeTTL time.Duration `env:"CACHE_NEGATIVE_TTL" envDefault:"30s" accepts:"a positive duration such as 30s, or a whole number of seconds"`
	// XFetchBeta weighs probabilistic early refresh (XFetch); above 1 refreshes earlier.
	XFetchBeta float64 `env:"CACHE_XFETCH_BETA" envDefault:"1.0" accepts:"a number > 0"`
	// TTLJitter scales each TTL by a random factor within ±this fraction (0.1 = ±10 %), so
	// entries written together do not expire together.
	TTLJitter float64 `env:"CACHE_TTL_JITTER" envDefault:"0.1" accepts:"a number from 0 to 0.5"`
	// Local turns on the in-process tier in front of Redis: sessions are validated, and the
	// features of LOCAL_CACHE_FEATURES read, without a round trip while Redis reports
	// nothing changed (CLIENT TRACKING). It takes effect on a standalone Redis only; behind
	// Sentinel, on a Cluster and with the in-memory stores every read goes to the store.
	Local Switch `env:"LOCAL_CACHE" envDefault:"on" accepts:"on or off"`
	// LocalMaxEntries caps the entries the local tier holds per Redis server.
	LocalMaxEntries int `env:"LOCAL_CACHE_MAX_ENTRIES" envDefault:"100000" accepts:"an integer >= 1"`
	// LocalMaxBytes caps the memory the local tier's entries take per Redis server.
	LocalMaxBytes int64 `env:"LOCAL_CACHE_MAX_BYTES" envDefault:"67108864" accepts:"a positive number of bytes such as 67108864"`
	// LocalFeatures are the cache features whose entries the local tier holds.
	LocalFeatures []string `env:"LOCAL_CACHE_FEATURES" envDefault:"user:profile,decks:list,study:counts" accepts:"a comma-separated list of cache features such as user:profile"`
}

// Switch is a setting that is on or off (`on`/`off`, or `true`/`false`).
type Switch bool

// AuthConfig configures authentication and its defenses.
type AuthConfig struct {
	// LoginRateLimitPerMinute is the number of login attempts allowed per client IP each
	// minute, whatever their outcome.
	LoginRateLimitPerMinute int `env:"LOGIN_RATE_LIMIT_PER_MINUTE" accepts:"an integer >= 1"`
	// LoginFailureWindow is the period over which the login failure limits refill.
	LoginFailureWindow time.Duration `env:"LOGIN_FAILURE_WINDOW" envDefault:"15m" accepts:"a positive duration such as 15m, or a whole number of seconds"`
	// LoginMaxFailures is the number of failed logins allowed per account and client IP in
	// LOGIN_FAILURE_WINDOW; beyond it that client is refused (429) even the right password.
	// Successful logins do not count.
	LoginMaxFailures int `env:"LOGIN_MAX_FAILURES" accepts:"an integer >= 1"`
	// LoginAccountMaxFailures is the number of failed logins allowed per account in
	// LOGIN_FAILURE_WINDOW from clients without a device cookie of the account. A browser
	// that logged in to the account before presents its device cookie and is exempt, so a
	// failure storm from elsewhere cannot lock the owner out.
	LoginAccountMaxFailures int `env:"LOGIN_ACCOUNT_MAX_FAILURES" accepts:"an integer >= 1"`
	// LoginDeviceMaxFailures is the number of failed logins allowed per device cookie in
	// LOGIN_FAILURE_WINDOW.
	LoginDeviceMaxFailures int `env:"LOGIN_DEVICE_MAX_FAILURES" envDefault:"10" accepts:"an integer >= 1"`
	// DeviceCookieSecret signs device cookies: set the same value on every replica. Empty
	// uses a random key per process, so device cookies neither survive a restart nor work
	// across replicas (logged at start-up in production).
	DeviceCookieSecret string `env:"DEVICE_COOKIE_SECRET" redact:"secret" accepts:"a secret of at least 32 bytes"`
	// RegisterRateLimitPerHour is the number of registrations allowed per client IP each
	// hour.
	RegisterRateLimitPerHour int `env:"REGISTER_RATE_LIMIT_PER_HOUR" accepts:"an integer >= 1"`
	// PasswordHashConcurrency is how many password hashes (argon2id, 64 MiB each) may run
	// at once: the memory budget of hashing is this × 64 MiB.
	PasswordHashConcurrency int `env:"PASSWORD_HASH_CONCURRENCY" envDefault:"4" accepts:"an integer from 1 to 256"`
	// PasswordHashWait is the longest a login, registration or password change waits for a
	// hashing slot (first come, first served) before it is answered 503 `busy` with `Retry-
	// After`.
	PasswordHashWait time.Duration `env:"PASSWORD_HASH_WAIT" envDefault:"2s" accepts:"a positive duration such as 2s, or a whole number of seconds"`
}

// ObservabilityConfig configures logs and traces.
type ObservabilityConfig struct {
	// LogLevel is the minimum level logged.
	LogLevel slog.Level `env:"LOG_LEVEL" envDefault:"info" accepts:"one of debug, info, warn, error"`
	// LogFormat is the log encoding.
	LogFormat LogFormat `env:"LOG_FORMAT" accepts:"json or text"`
	// AccessLogSample2xx is the fraction of the access log lines ("http request") of
	// successful (2xx) responses that are written, chosen at random: 1 writes them all,
	// 0.1 one in ten, 0 none. Every other status is always logged. Log lines are buffered
	// in memory and written every 200 ms (or per 32 KiB), so a request is not a write
	// system call; when 1 MiB is waiting, further lines are dropped and counted in
	// studytool_log_records_dropped_total.
	AccessLogSample2xx float64 `env:"ACCESS_LOG_SAMPLE_2XX" envDefault:"1" accepts:"a number from 0 to 1"`
	// OTLPEndpoint is the OpenTelemetry collector; empty disables trace export.
	OTLPEndpoint string `env:"OTEL_EXPORTER_OTLP_ENDPOINT" redact:"url" accepts:"an http:// or https:// URL"`
	// ServiceName names this service in traces.
	ServiceName string `env:"OTEL_SERVICE_NAME" envDefault:"studytool" accepts:"a service name"`
}

// LoadFromEnv loads the configuration from the process environment.
func LoadFromEnv() (Config, error) {
	return Load(env.ToMap(os.Environ()))
}

// Load builds the configuration from environ (variable name to value). An empty value
// counts as unset. It reads APP_ENV first, fills in that environment's defaults, parses
// and validates every variable. An error is one line that names the variable at fault
// and what it accepts; it matches ErrInvalidConfig.
func Load(environ map[string]string) (Config, error) {
	if err := refuseRetired(environ); err != nil {
		return Config{}, err
	}
	appEnv, err := environment(environ)
	if err != nil {
		return Config{}, err
	}
	values := withDefaults(environ, appEnv)
	cfg, err := parse(values)
	if err != nil {
		return Config{}, err
	}
	cfg.normalize()
	if err := cfg.validate(values); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// retiredVariables are variables the service no longer reads, with what replaces them.
// Setting one stops start-up rather than letting an operator believe it still works.
var retiredVariables = map[string]string{
	"BOOTSTRAP_ADMIN_EMAILS": "administrators are made by operators, never by configuration: " +
		"unset it and run `studytool users grant EMAIL admin:cache admin:sessions`",
}

// RetiredError reports a variable the service no longer reads.
type RetiredError struct {
	// Var is the variable's name; Instead says what to do instead.
	Var, Instead string
}

// Error returns one line naming the variable and its replacement.
func (e *RetiredError) Error() string {
	return fmt.Sprintf("config: %s is no longer supported: %s", e.Var, e.Instead)
}

// Unwrap lets errors.Is match ErrInvalidConfig.
func (e *RetiredError) Unwrap() error { return ErrInvalidConfig }

func refuseRetired(environ map[string]string) error {
	for key, instead := range retiredVariables {
		if environ[key] != "" {
			return &RetiredError{Var: key, Instead: instead}
		}
	}
	return nil
}

// environment reads APP_ENV, development when unset.
func environment(environ map[string]string) (Environment, error) {
	raw := environ["APP_ENV"]
	if raw == "" {
		return EnvDevelopment, nil
	}
	if _, ok := environmentDefaults[Environment(raw)]; !ok {
		return "", newInvalidError("APP_ENV", raw, variablesByKey["APP_ENV"].accepts)
	}
	return Environment(raw), nil
}

// withDefaults returns environ without empty values, completed with APP_ENV and the
// defaults of appEnv.
func withDefaults(environ map[string]string, appEnv Environment) map[string]string {
	values := make(map[string]string, len(environ)+len(environmentDefaults[appEnv])+1)
	for key, value := range environ {
		if value != "" {
			values[key] = value
		}
	}
	values["APP_ENV"] = string(appEnv)
	for key, value := range environmentDefaults[appEnv] {
		if _, ok := values[key]; !ok {
			values[key] = value
		}
	}
	return values
}

// parse fills a Config from values. Each group is parsed on its own because env's
// ParseError names the struct field, not the variable: field names are unique within a
// group but not across groups.
func parse(values map[string]string) (Config, error) {
	var cfg Config
	groups := reflect.ValueOf(&cfg).Elem()
	for i := range groups.NumField() {
		group := groups.Field(i)
		opts := env.Options{Environment: values, FuncMap: parsers}
		if err := env.ParseWithOptions(group.Addr().Interface(), opts); err != nil {
			return Config{}, parseError(group.Type(), values, err)
		}
	}
	return cfg, nil
}

// parsers read the types env does not read the way the configuration means them.
var parsers = map[reflect.Type]env.ParserFunc{
	reflect.TypeFor[time.Duration](): parseDuration,
	reflect.TypeFor[Switch]():        parseSwitch,
}

// parseSwitch reads on/off (or true/false, 1/0).
func parseSwitch(v string) (any, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1":
		return Switch(true), nil
	case "off", "false", "0":
		return Switch(false), nil
	}
	return nil, fmt.Errorf("%q is neither on nor off", v)
}

// parseDuration reads a duration as Go writes it (90s, 1h30m) or, as many deployment
// examples write durations, a whole number of seconds (3600).
func parseDuration(v string) (any, error) {
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs > math.MaxInt64/int64(time.Second) || secs < math.MinInt64/int64(time.Second) {
			return nil, fmt.Errorf("%q seconds is out of range", v)
		}
		return time.Duration(secs) * time.Second, nil
	}
	return time.ParseDuration(v)
}

// parseError turns env's error for group into an InvalidError naming the variable.
func parseError(group reflect.Type, values map[string]string, err error) error {
	var pe env.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("config: %w", err)
	}
	field, ok := group.FieldByName(pe.Name)
	if !ok {
		return fmt.Errorf("config: %w", err)
	}
	key := envKey(field)
	return newInvalidError(key, values[key], variablesByKey[key].accepts)
}

// normalize tidies the comma lists: items are trimmed, empty items dropped.
func (c *Config) normalize() {
	c.HTTP.TrustedProxies = cleanList(c.HTTP.TrustedProxies)
	c.Cache.LocalFeatures = cleanList(c.Cache.LocalFeatures)
	c.HTTP.AllowedOrigins = cleanList(c.HTTP.AllowedOrigins)
	c.Redis.Addrs = cleanList(c.Redis.Addrs)
}

func cleanList(items []string) []string {
	var out []string
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// UsesRedis reports whether Redis is configured; without it the service runs on its
// in-memory stores.
func (c Config) UsesRedis() bool {
	return c.Redis.cacheConfigured() || c.Redis.SessionURL != ""
}

// cacheConfigured reports whether the cache role has a server.
func (r RedisConfig) cacheConfigured() bool {
	return r.URL != "" || r.Host != "" || (r.Mode != redisstore.ModeStandalone && len(r.Addrs) > 0)
}

// Embedded reports whether the service runs self-contained: in-memory stores and the
// embedded SQLite file.
func (c Config) Embedded() bool {
	return !c.UsesRedis() && c.Database.URL == ""
}

// DatabaseDialect reports which database DATABASE_URL selects: DialectPostgres or
// DialectSQLite.
func (c Config) DatabaseDialect() string {
	if isPostgresURL(c.Database.URL) {
		return DialectPostgres
	}
	return DialectSQLite
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Keyspace returns the Redis key builder of this deployment: REDIS_KEY_PREFIX, or
// `studytool:{APP_ENV}:` when it is unset.
func (c Config) Keyspace() (keyspace.Keyspace, error) {
	ks, err := keyspace.New(string(c.App.Env), c.Redis.KeyPrefix)
	if err != nil {
		return keyspace.Keyspace{}, fmt.Errorf("config: %w", err)
	}
	return ks, nil
}

// RedisClient returns the connection settings of role, ready for redisstore.NewClient.
// The state role uses SESSION_REDIS_URL when it is set and the cache role's server
// otherwise; pool, retry and timeout settings are shared. It returns
// ErrRedisNotConfigured when the service runs without Redis.
func (c Config) RedisClient(role RedisRole) (redisstore.ClientConfig, error) {
	if role != RoleCache && role != RoleState {
		return redisstore.ClientConfig{}, fmt.Errorf("config: unknown redis role %q", role)
	}
	r := c.Redis
	if !r.cacheConfigured() {
		return redisstore.ClientConfig{}, ErrRedisNotConfigured
	}
	cc := redisstore.ClientConfig{
		Role:         string(role),
		Mode:         r.Mode,
		PoolSize:     r.PoolSize,
		MinIdleConns: r.MinIdleConns,
		MaxRetries:   r.MaxRetries,
		OfflineQueue: r.EnableOfflineQueue,
		DialTimeout:  r.DialTimeout,
		ReadTimeout:  r.ReadTimeout,
		WriteTimeout: r.WriteTimeout,
	}
	switch {
	case role == RoleState && r.SessionURL != "":
		cc.Mode, cc.URL = redisstore.ModeStandalone, r.SessionURL
	case r.URL != "":
		cc.URL = r.URL
	case r.Mode == redisstore.ModeStandalone:
		cc.Addrs = []string{net.JoinHostPort(r.Host, strconv.Itoa(r.Port))}
		cc.Password, cc.DB = r.Password, r.DB
	default:
		cc.Addrs, cc.MasterName = slices.Clone(r.Addrs), r.SentinelMaster
		cc.Password, cc.DB = r.Password, r.DB
	}
	return cc, nil
}
