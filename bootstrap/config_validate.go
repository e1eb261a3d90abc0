package bootstrap

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/redisstore"
	"github.com/studytool/studytool/adapters/shared/keyspace"
	"github.com/studytool/studytool/application/cache"
)

// ErrInvalidConfig is matched (errors.Is) by every error Load returns for a bad or
// incomplete environment.
var ErrInvalidConfig = errors.New("invalid configuration")

// InvalidError reports a variable whose value Load does not accept.
type InvalidError struct {
	// Var is the variable's name.
	Var string
	// Value is the offending value, secrets masked.
	Value string
	// Want says what the variable accepts, phrased to follow "must be".
	Want string
}

func newInvalidError(key, value, want string) *InvalidError {
	return &InvalidError{Var: key, Value: redact(variablesByKey[key].redact, value), Want: want}
}

// Error returns one line, e.g. `config: REDIS_PORT="abc": must be an integer 1-65535`.
func (e *InvalidError) Error() string {
	return fmt.Sprintf("config: %s=%q: must be %s", e.Var, e.Value, e.Want)
}

// Unwrap lets errors.Is match ErrInvalidConfig.
func (e *InvalidError) Unwrap() error { return ErrInvalidConfig }

// IncompleteError reports variables production needs but the environment lacks.
type IncompleteError struct {
	// Missing names the missing variables.
	Missing []string
}

// Error returns one line naming what is missing.
func (e *IncompleteError) Error() string {
	return "config: production requires DATABASE_URL and REDIS_URL (or REDIS_HOST, or REDIS_ADDRS with REDIS_MODE); missing: " +
		strings.Join(e.Missing, ", ")
}

// Unwrap lets errors.Is match ErrInvalidConfig.
func (e *IncompleteError) Unwrap() error { return ErrInvalidConfig }

// validator keeps the first failed check.
type validator struct {
	values map[string]string
	err    error
}

// check fails key unless ok, saying what its `accepts` tag says.
func (v *validator) check(key string, ok bool) {
	v.checkWant(key, ok, variablesByKey[key].accepts)
}

// checkWant fails key unless ok, saying it must be want.
func (v *validator) checkWant(key string, ok bool, want string) {
	if ok || v.err != nil {
		return
	}
	v.err = newInvalidError(key, v.values[key], want)
}

// isSet reports whether key was given a value.
func (v *validator) isSet(key string) bool { return v.values[key] != "" }

// validate checks ranges, enums and combinations that parsing cannot; values are the
// variables Load parsed, for messages.
func (c Config) validate(values map[string]string) error {
	v := &validator{values: values}
	c.validateApp(v)
	c.validateObservability(v)
	c.validateDatabase(v)
	c.validateRedis(v)
	c.validateSession(v)
	c.validateCache(v)
	c.validateAuth(v)
	if v.err != nil {
		return v.err
	}
	return c.checkProduction()
}

func (c Config) validateApp(v *validator) {
	h := c.HTTP
	v.check("SHUTDOWN_TIMEOUT", c.App.ShutdownTimeout > 0)
	v.check("HTTP_ADDR", isListenAddr(h.Addr))
	v.check("TRUSTED_PROXIES", all(h.TrustedProxies, isIPOrCIDR))
	v.check("CORS_ALLOWED_ORIGINS", all(h.AllowedOrigins, isOrigin))
	v.check("HTTP_READ_HEADER_TIMEOUT", h.ReadHeaderTimeout > 0)
	v.check("HTTP_READ_TIMEOUT", h.ReadTimeout > 0)
	v.check("HTTP_WRITE_TIMEOUT", h.WriteTimeout > 0)
	v.check("HTTP_MAX_UPLOAD_BYTES", h.MaxUploadBytes > 0)
	v.check("HTTP_IDLE_TIMEOUT", h.IdleTimeout > 0)
	v.check("METRICS_ADDR", isListenAddr(h.MetricsAddr))
	v.checkWant("METRICS_ADDR", h.MetricsAddr != h.Addr || strings.HasSuffix(h.Addr, ":0"),
		"another address than HTTP_ADDR (metrics never share the API listener)")
}

func (c Config) validateObservability(v *validator) {
	o := c.Observability
	v.check("LOG_LEVEL", o.LogLevel == slog.LevelDebug || o.LogLevel == slog.LevelInfo ||
		o.LogLevel == slog.LevelWarn || o.LogLevel == slog.LevelError)
	v.check("LOG_FORMAT", o.LogFormat == LogFormatJSON || o.LogFormat == LogFormatText)
	v.check("ACCESS_LOG_SAMPLE_2XX", o.AccessLogSample2xx >= 0 && o.AccessLogSample2xx <= 1)
	v.check("OTEL_EXPORTER_OTLP_ENDPOINT", o.OTLPEndpoint == "" || isHTTPURL(o.OTLPEndpoint))
}

func (c Config) validateDatabase(v *validator) {
	d := c.Database
	v.check("DATABASE_URL", d.URL == "" || isDatabaseURL(d.URL))
	v.check("DB_MAX_OPEN_CONNS", d.MaxOpenConns >= 1)
	v.check("DB_MAX_IDLE_CONNS", d.MaxIdleConns >= 0 && d.MaxIdleConns <= d.MaxOpenConns)
	v.check("DB_QUERY_TIMEOUT", d.QueryTimeout > 0)
	v.check("DB_POOL_WAIT_TIMEOUT", d.PoolWaitTimeout > 0)
	v.check("DB_STUDY_CONNS", d.StudyConns >= 0 && (d.StudyConns == 0 || d.StudyConns < d.MaxOpenConns))
}

func (c Config) validateRedis(v *validator) {
	r := c.Redis
	v.check("REDIS_URL", r.URL == "" || isRedisURL(r.URL))
	v.check("SESSION_REDIS_URL", r.SessionURL == "" || isRedisURL(r.SessionURL))
	v.checkWant("SESSION_REDIS_URL", r.SessionURL == "" || r.cacheConfigured(),
		"set only together with the cache Redis (REDIS_URL, REDIS_HOST or REDIS_ADDRS)")
	v.check("REDIS_PORT", r.Port >= 1 && r.Port <= 65535)
	v.check("REDIS_DB", r.DB >= 0 && r.DB <= 15)
	_, err := keyspace.New(string(c.App.Env), r.KeyPrefix)
	v.check("REDIS_KEY_PREFIX", err == nil)
	v.check("REDIS_MAX_RETRIES", r.MaxRetries >= 0)
	v.check("REDIS_POOL_SIZE", r.PoolSize >= 0)
	v.check("REDIS_MIN_IDLE_CONNS", r.MinIdleConns >= 0)
	v.check("REDIS_DIAL_TIMEOUT", r.DialTimeout > 0)
	v.check("REDIS_READ_TIMEOUT", r.ReadTimeout > 0)
	v.check("REDIS_WRITE_TIMEOUT", r.WriteTimeout > 0)
	v.check("REDIS_SLOW_OP_THRESHOLD", r.SlowOpThreshold > 0)
	c.validateRedisTopology(v)
}

// validateRedisTopology refuses variables the chosen REDIS_MODE would ignore, so no
// setting is silently dropped.
func (c Config) validateRedisTopology(v *validator) {
	r := c.Redis
	switch r.Mode {
	case redisstore.ModeStandalone:
		v.checkWant("REDIS_ADDRS", len(r.Addrs) == 0, "empty unless REDIS_MODE is sentinel or cluster")
		v.checkWant("REDIS_SENTINEL_MASTER", r.SentinelMaster == "", "empty unless REDIS_MODE=sentinel")
		if r.URL != "" {
			for _, key := range []string{"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_DB"} {
				v.checkWant(key, !v.isSet(key), "empty when REDIS_URL is set (the URL carries it)")
			}
		}
	case redisstore.ModeSentinel, redisstore.ModeCluster:
		in := "REDIS_MODE=" + r.Mode
		v.checkWant("REDIS_ADDRS", len(r.Addrs) > 0, "set when "+in)
		v.check("REDIS_ADDRS", all(r.Addrs, isHostPort))
		for _, key := range []string{"REDIS_URL", "REDIS_HOST", "REDIS_PORT"} {
			v.checkWant(key, !v.isSet(key), "empty when "+in+" (use REDIS_ADDRS)")
		}
		if r.Mode == redisstore.ModeSentinel {
			v.checkWant("REDIS_SENTINEL_MASTER", r.SentinelMaster != "", "set when "+in)
		} else {
			v.checkWant("REDIS_SENTINEL_MASTER", r.SentinelMaster == "", "empty unless REDIS_MODE=sentinel")
			v.checkWant("REDIS_DB", r.DB == 0, "0 when "+in)
		}
	default:
		v.check("REDIS_MODE", false)
	}
}

func (c Config) validateSession(v *validator) {
	s := c.Session
	v.check("SESSION_TIMEOUT", s.Timeout > 0)
	v.check("SESSION_MAX_LIFETIME", s.MaxLifetime > 0)
	v.check("SESSION_ACTIVITY_RESOLUTION", s.ActivityResolution > 0)
	v.check("MAX_SESSIONS_PER_USER", s.MaxPerUser >= 1)
	v.check("SESSION_SWEEP_INTERVAL", s.SweepInterval == 0 || s.SweepInterval >= time.Second)
}

func (c Config) validateCache(v *validator) {
	k := c.Cache
	v.check("REDIS_CACHE_TTL", k.DefaultTTL > 0)
	v.check("CACHE_APP_TTL", k.AppTTL > 0)
	v.check("CACHE_NEGATIVE_TTL", k.NegativeTTL > 0)
	v.check("CACHE_XFETCH_BETA", k.XFetchBeta > 0 && !math.IsInf(k.XFetchBeta, 0))
	v.check("CACHE_TTL_JITTER", k.TTLJitter >= 0 && k.TTLJitter <= 0.5)
	v.check("LOCAL_CACHE_MAX_ENTRIES", k.LocalMaxEntries >= 1)
	v.check("LOCAL_CACHE_MAX_BYTES", k.LocalMaxBytes >= 1)
	v.check("LOCAL_CACHE_FEATURES", all(k.LocalFeatures, func(f string) bool { return cache.ValidateFeature(f) == nil }))
}

func (c Config) validateAuth(v *validator) {
	a := c.Auth
	v.check("LOGIN_RATE_LIMIT_PER_MINUTE", a.LoginRateLimitPerMinute >= 1)
	v.check("LOGIN_FAILURE_WINDOW", a.LoginFailureWindow > 0)
	v.check("LOGIN_MAX_FAILURES", a.LoginMaxFailures >= 1)
	v.check("LOGIN_ACCOUNT_MAX_FAILURES", a.LoginAccountMaxFailures >= 1)
	v.check("LOGIN_DEVICE_MAX_FAILURES", a.LoginDeviceMaxFailures >= 1)
	v.check("DEVICE_COOKIE_SECRET", a.DeviceCookieSecret == "" || len(a.DeviceCookieSecret) >= 32)
	v.check("REGISTER_RATE_LIMIT_PER_HOUR", a.RegisterRateLimitPerHour >= 1)
	v.check("PASSWORD_HASH_CONCURRENCY", a.PasswordHashConcurrency >= 1 && a.PasswordHashConcurrency <= 256)
	v.check("PASSWORD_HASH_WAIT", a.PasswordHashWait > 0)
}

// checkProduction refuses the embedded stores in production.
func (c Config) checkProduction() error {
	if c.App.Env != EnvProduction {
		return nil
	}
	var missing []string
	if c.Database.URL == "" {
		missing = append(missing, "DATABASE_URL")
	}
	if !c.Redis.cacheConfigured() {
		missing = append(missing, "REDIS_URL")
	}
	if len(missing) > 0 {
		return &IncompleteError{Missing: missing}
	}
	return nil
}

func all(items []string, ok func(string) bool) bool {
	for _, item := range items {
		if !ok(item) {
			return false
		}
	}
	return true
}

func isListenAddr(s string) bool {
	_, _, err := net.SplitHostPort(s)
	return err == nil
}

func isHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n > 0
}

func isIPOrCIDR(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// isOrigin accepts a web origin as browsers send it: http or https, a host, an optional
// port, nothing else (no path, query, credentials or wildcard).
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.User == nil && !strings.Contains(u.Host, "*") &&
		s == u.Scheme+"://"+u.Host
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func isRedisURL(s string) bool {
	if !strings.HasPrefix(s, "redis://") && !strings.HasPrefix(s, "rediss://") {
		return false
	}
	_, err := redis.ParseURL(s)
	return err == nil
}

func isDatabaseURL(s string) bool {
	switch {
	case isPostgresURL(s):
		_, err := url.Parse(s)
		return err == nil
	case strings.HasPrefix(s, "sqlite://"):
		return len(s) > len("sqlite://")
	case strings.HasPrefix(s, "sqlite:"):
		return len(s) > len("sqlite:")
	case strings.HasPrefix(s, "file:"):
		return len(s) > len("file:")
	default:
		return false
	}
}
