package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
)

// harness is a router whose logs land in a buffer. Requests are served synchronously, so
// the buffer needs no locking.
type harness struct {
	router *httpapi.Router
	logs   *bytes.Buffer
}

func newHarness(t *testing.T, cfg httpapi.RouterConfig, registrars ...httpapi.RouteRegistrar) harness {
	t.Helper()
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	router, err := httpapi.NewRouter(cfg, logger, registrars...)
	require.NoError(t, err)
	return harness{router: router, logs: logs}
}

// routes registers handlers on one route each, e.g. routes{"GET /items/:id": h}.
type routes map[string]gin.HandlerFunc

func (rs routes) Register(r gin.IRouter) {
	for spec, h := range rs {
		method, path, _ := strings.Cut(spec, " ")
		r.Handle(method, path, h)
	}
}

func (h harness) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.router.ServeHTTP(rec, req)
	return rec
}

// do sends body, when there is one, as application/json.
func (h harness) do(method, target, body string) *httptest.ResponseRecorder {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return h.serve(req)
}

// logLines parses the JSON log records.
func (h harness) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	dec := json.NewDecoder(bytes.NewReader(h.logs.Bytes()))
	for dec.More() {
		var line map[string]any
		require.NoError(t, dec.Decode(&line))
		lines = append(lines, line)
	}
	return lines
}

// logLine returns the only record with message msg.
func (h harness) logLine(t *testing.T, msg string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, l := range h.logLines(t) {
		if l["msg"] == msg {
			found = append(found, l)
		}
	}
	require.Len(t, found, 1, "log records %q in:\n%s", msg, h.logs.String())
	return found[0]
}

// problemOf asserts rec is a problem+json response and decodes it strictly.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder) httpapi.Problem {
	t.Helper()
	require.Equal(t, httpapi.ProblemContentType, rec.Header().Get("Content-Type"))
	var p httpapi.Problem
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&p))
	require.Equal(t, rec.Code, p.Status, "status in body matches the response")
	require.Equal(t, httpapi.ProblemTypeBase+p.Code, p.Type)
	require.NotEmpty(t, p.Title)
	require.NotEmpty(t, p.Detail)
	return p
}

// failWith is a handler that fails with err the way feature handlers do: WriteError.
func failWith(err error) gin.HandlerFunc {
	return func(c *gin.Context) {
		httpapi.WriteError(c, err)
	}
}
