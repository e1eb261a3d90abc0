package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/test/testenv"
)

// stack selects the stores an app under test runs on.
type stack string

const (
	// stackEmbedded is the default of `make run`: memory stores and a SQLite file.
	stackEmbedded stack = "embedded"
	// stackReal is PostgreSQL and Redis (skipped, or failed under STUDYTOOL_REQUIRE_BACKENDS=1,
	// when they do not answer).
	stackReal stack = "real"
)

var stacks = []stack{stackEmbedded, stackReal}

// app is a running service under test.
type app struct {
	t       *testing.T
	cfg     bootstrap.Config
	baseURL string
	// redis and prefix reach the app's keys on the real stack (nil on the embedded one).
	redis  *redis.Client
	prefix string
}

// startApp builds and starts the whole application on a free loopback port with the
// given stack; extra variables override the defaults. It stops when the test ends.
func startApp(t *testing.T, s stack, extra map[string]string) *app {
	t.Helper()
	environ := map[string]string{
		"APP_ENV":   "test",
		"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t)),
		"LOG_LEVEL": "warn",
	}
	var (
		client *redis.Client
		prefix string
	)
	switch s {
	case stackEmbedded:
		environ["SQLITE_PATH"] = filepath.Join(t.TempDir(), "studytool.db")
	case stackReal:
		client, prefix = testenv.Redis(t)
		opts := client.Options()
		environ["REDIS_URL"] = "redis://" + opts.Addr + "/" + strconv.Itoa(opts.DB)
		environ["REDIS_KEY_PREFIX"] = prefix
		environ["DATABASE_URL"] = testenv.Postgres(t)
	}
	for k, v := range extra {
		environ[k] = v
	}
	cfg, err := bootstrap.Load(environ)
	require.NoError(t, err)
	fxApp := bootstrap.NewApp(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, fxApp.Start(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := fxApp.Stop(ctx); err != nil {
			t.Errorf("stop app: %v", err)
		}
	})
	return &app{t: t, cfg: cfg, baseURL: "http://" + environ["HTTP_ADDR"], redis: client, prefix: prefix}
}

// grant gives email's account perms the way an operator does (`studytool users grant`):
// through the operations graph on the app's database and stores.
func (a *app) grant(email string, perms ...string) {
	a.t.Helper()
	var h *profile.ManagePermissionsHandler
	ops := bootstrap.NewOperationsApp(a.cfg, slog.New(slog.DiscardHandler), fx.Populate(&h))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(a.t, ops.Start(ctx))
	_, err := h.Handle(ctx, profile.SetPermissions{Email: email, Grant: perms})
	require.NoError(a.t, errors.Join(err, ops.Stop(ctx)))
}

// client is an HTTP client of the app with an optional bearer token and a cookie jar.
type client struct {
	app   *app
	http  *http.Client
	token string
	// header is sent with every request (User-Agent, X-Forwarded-For, …).
	header http.Header
}

func (a *app) client() *client {
	jar, err := cookiejar.New(nil)
	require.NoError(a.t, err)
	return &client{app: a, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}, header: http.Header{}}
}

// response is a finished HTTP exchange with its body read.
type response struct {
	*http.Response
	body []byte
}

// json decodes the body into v.
func (r *response) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// problemCode returns the `code` of a problem+json body.
func (r *response) problemCode(t *testing.T) string {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.body)
	var p struct{ Code string }
	r.json(t, &p)
	return p.Code
}

// do sends a request; body may be nil, a string (sent raw) or a value (sent as JSON).
func (c *client) do(method, path string, body any) *response {
	t := c.app.t
	t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.app.baseURL+path, reader)
	require.NoError(t, err)
	for k, v := range c.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return &response{Response: res, body: raw}
}
