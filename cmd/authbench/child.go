package main

import (
	"context"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"

	"github.com/studytool/studytool/cmd/internal/benchproc"
)

// child is `studytool serve` running as a child process, with the environment it was
// given and where it serves.
type child struct {
	*benchproc.Child
	// env is the child's whole environment.
	env        map[string]string
	baseURL    string
	metricsURL string
}

// startChild runs `binary serve` with exactly env (nothing inherited, so no GOGC or
// GOMEMLIMIT of the caller's shell changes the figures), copying its output to log when
// log is not nil (see benchproc.StartChild).
func startChild(ctx context.Context, binary string, env map[string]string, log io.Writer) (*child, error) {
	c, err := benchproc.StartChild(ctx, "studytool", binary, []string{"serve"}, sortedEnv(env), log)
	if err != nil {
		return nil, err
	}
	return &child{
		Child: c, env: env,
		baseURL: "http://" + env["HTTP_ADDR"], metricsURL: "http://" + env["METRICS_ADDR"] + "/metrics",
	}, nil
}

// childEnv is the child's whole environment: the real stack, every limit stated, and
// extra on top.
func childEnv(o options, httpAddr, metricsAddr, keyPrefix string) map[string]string {
	env := map[string]string{
		"APP_ENV":                      "development",
		"LOG_LEVEL":                    "warn",
		"HTTP_ADDR":                    httpAddr,
		"METRICS_ADDR":                 metricsAddr,
		"TRUSTED_PROXIES":              "127.0.0.1",
		"DATABASE_URL":                 o.databaseURL,
		"REDIS_URL":                    o.redisURL,
		"REDIS_KEY_PREFIX":             keyPrefix,
		"PASSWORD_HASH_CONCURRENCY":    strconv.Itoa(o.hashConcurrency),
		"PASSWORD_HASH_WAIT":           o.hashWait.String(),
		"REGISTER_RATE_LIMIT_PER_HOUR": strconv.Itoa(o.registerPerHour),
		"LOGIN_RATE_LIMIT_PER_MINUTE":  strconv.Itoa(o.loginsPerMinute),
		// The failure limits, at production's defaults.
		"LOGIN_FAILURE_WINDOW":       "15m",
		"LOGIN_MAX_FAILURES":         "5",
		"LOGIN_ACCOUNT_MAX_FAILURES": "20",
		"LOGIN_DEVICE_MAX_FAILURES":  "10",
	}
	maps.Copy(env, o.extraEnv)
	return env
}

// sortedEnv returns env as sorted KEY=VALUE strings.
func sortedEnv(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	slices.Sort(list)
	return list
}

// redactedEnv is sortedEnv with the passwords of URL values hidden, for the report.
func redactedEnv(env map[string]string) []string {
	shown := maps.Clone(env)
	for k, v := range shown {
		if u, err := url.Parse(v); err == nil && u.User != nil {
			shown[k] = u.Redacted()
		}
	}
	return sortedEnv(shown)
}
