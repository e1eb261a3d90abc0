package httpapi_test

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/mocks"
	"github.com/studytool/studytool/ports"
)

// idemStack is a router with authenticated routes behind the idempotency middleware
// and an anonymous one, over in-memory sessions.
type idemStack struct {
	harness
	sessions *memory.SessionStore
	// handler answers the authenticated POST /v1/items; runs counts its calls.
	handler gin.HandlerFunc
	runs    atomic.Int32
}

// newIdemStack builds the stack over store; handler answers POST /v1/items.
func newIdemStack(t *testing.T, store ports.IdempotencyStore, handler gin.HandlerFunc) *idemStack {
	t.Helper()
	clk := clock.System{}
	s := &idemStack{handler: handler, sessions: memory.NewSessionStore(domain.SessionPolicy{
		IdleTimeout: time.Hour, MaxLifetime: 24 * time.Hour, ActivityResolution: time.Minute, MaxPerUser: 5,
	}, clk, nil)}
	authn := httpapi.NewAuthenticator(auth.NewAuthenticateHandler(s.sessions, clk, auth.Binding{}), nil,
		httpapi.CookieConfig{}, httpapi.NewIdempotency(store))
	s.harness = newHarness(t, httpapi.RouterConfig{}, httpapi.RegistrarFunc(func(r gin.IRouter) {
		r.POST("/v1/items", authn.Required(), func(c *gin.Context) {
			s.runs.Add(1)
			s.handler(c)
		})
		r.POST("/v1/anonymous", func(c *gin.Context) {
			s.runs.Add(1)
			c.Status(http.StatusNoContent)
		})
	}))
	return s
}

// created answers 201 with a fresh id, a Location and a JSON body.
func created(c *gin.Context) {
	id := uuid.NewString()
	c.Header("Location", "/v1/items/"+id)
	c.Header("ETag", `"`+id+`"`)
	c.JSON(http.StatusCreated, gin.H{"id": id})
}

// token creates a session of a new user and returns its bearer token.
func (s *idemStack) token(t *testing.T) string {
	t.Helper()
	raw := make([]byte, 32)
	_, err := rand.Read(raw)
	require.NoError(t, err)
	token := base64.RawURLEncoding.EncodeToString(raw)
	_, err = s.sessions.Create(t.Context(), &domain.Session{
		ID: auth.SessionID(token), UserID: uuid.NewString(), OrganizationID: domain.DefaultOrganizationID,
		OrganizationType: domain.OrgORG, CreatedAt: time.Now().UTC(),
	})
	require.NoError(t, err)
	return token
}

// post sends a JSON POST with token (none when empty) and the Idempotency-Key values.
func (s *idemStack) post(token, target, body string, keys ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, k := range keys {
		req.Header.Add(httpapi.IdempotencyKeyHeader, k)
	}
	return s.serve(req)
}

func newMemoryIdempotency() *memory.IdempotencyStore {
	return memory.NewIdempotencyStore(ports.IdempotencyPolicy{LockTTL: time.Minute, Retention: 24 * time.Hour}, clock.System{})
}

func TestIdempotency_RetryReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), created)
	token := s.token(t)

	first := s.post(token, "/v1/items", `{"name":"a"}`, "key-1")
	require.Equal(t, http.StatusCreated, first.Code, first.Body.String())
	assert.Empty(t, first.Header().Get(httpapi.IdempotentReplayedHeader))
	again := s.post(token, "/v1/items", `{"name":"a"}`, "key-1")

	assert.Equal(t, int32(1), s.runs.Load(), "the handler ran once")
	assert.Equal(t, http.StatusCreated, again.Code)
	assert.Equal(t, first.Body.String(), again.Body.String())
	for _, h := range []string{"Content-Type", "Location", "ETag"} {
		assert.Equal(t, first.Header().Get(h), again.Header().Get(h), h)
	}
	assert.Equal(t, "true", again.Header().Get(httpapi.IdempotentReplayedHeader))
}

func TestIdempotency_WithoutKeyEveryRequestRuns(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, mocks.NewIdempotencyStore(t), created) // the store is never asked
	token := s.token(t)
	for range 2 {
		require.Equal(t, http.StatusCreated, s.post(token, "/v1/items", `{}`).Code)
	}
	assert.Equal(t, int32(2), s.runs.Load())
}

func TestIdempotency_KeyReusedForAnotherRequestIs422(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), created)
	token := s.token(t)
	require.Equal(t, http.StatusCreated, s.post(token, "/v1/items", `{"name":"a"}`, "key-1").Code)

	for _, target := range []string{"/v1/items", "/v1/items?copy=1"} {
		res := s.post(token, target, `{"name":"b"}`, "key-1")
		assert.Equal(t, http.StatusUnprocessableEntity, res.Code, target)
		assert.Equal(t, "idempotency_key_reused", problemOf(t, res).Code, target)
	}
	assert.Equal(t, int32(1), s.runs.Load())
}

func TestIdempotency_KeysAreScopedByUser(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), created)
	alice := s.post(s.token(t), "/v1/items", `{}`, "shared")
	bob := s.post(s.token(t), "/v1/items", `{}`, "shared")
	require.Equal(t, http.StatusCreated, alice.Code)
	require.Equal(t, http.StatusCreated, bob.Code)
	assert.Empty(t, bob.Header().Get(httpapi.IdempotentReplayedHeader))
	assert.NotEqual(t, alice.Body.String(), bob.Body.String())
	assert.Equal(t, int32(2), s.runs.Load())
}

func TestIdempotency_DuplicateWhileTheFirstRunsIs409(t *testing.T) {
	t.Parallel()
	entered, finish := make(chan struct{}), make(chan struct{})
	s := newIdemStack(t, newMemoryIdempotency(), func(c *gin.Context) {
		close(entered)
		<-finish
		created(c)
	})
	token := s.token(t)
	var first *httptest.ResponseRecorder
	var wg sync.WaitGroup
	wg.Go(func() { first = s.post(token, "/v1/items", `{}`, "key-1") })
	<-entered

	dup := s.post(token, "/v1/items", `{}`, "key-1")
	assert.Equal(t, http.StatusConflict, dup.Code)
	assert.Equal(t, "request_in_progress", problemOf(t, dup).Code)
	assert.Equal(t, "1", dup.Header().Get("Retry-After"))
	other := s.post(token, "/v1/items", `{"other":true}`, "key-1")
	assert.Equal(t, "idempotency_key_reused", problemOf(t, other).Code, "another body is refused even while the first runs")

	close(finish)
	wg.Wait()
	require.Equal(t, http.StatusCreated, first.Code)
	after := s.post(token, "/v1/items", `{}`, "key-1")
	assert.Equal(t, first.Body.String(), after.Body.String())
	assert.Equal(t, int32(1), s.runs.Load())
}

// TestIdempotency_OnlyFinalOutcomesAreKept: a 2xx or a client error is replayed; a
// server failure, a rate limit or a panic releases the key, so the retry runs again.
func TestIdempotency_OnlyFinalOutcomesAreKept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler gin.HandlerFunc
		kept    bool
	}{
		{"201", created, true},
		{"204", func(c *gin.Context) { c.Status(http.StatusNoContent) }, true},
		{"404", func(c *gin.Context) { httpapi.WriteError(c, domain.ErrNotFound) }, true},
		{"422", func(c *gin.Context) { httpapi.WriteError(c, domain.NewValidationError("name", "is required")) }, true},
		{"429", func(c *gin.Context) { httpapi.WriteError(c, &domain.RateLimitedError{RetryAfter: time.Second}) }, false},
		{"500", func(c *gin.Context) { httpapi.WriteError(c, errors.New("boom")) }, false},
		{"503", func(c *gin.Context) { httpapi.WriteError(c, storeerr.Unavailable("db", errors.New("down"))) }, false},
		{"panic", func(*gin.Context) { panic("boom") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newIdemStack(t, newMemoryIdempotency(), tt.handler)
			token := s.token(t)
			first := s.post(token, "/v1/items", `{}`, "key-1")
			again := s.post(token, "/v1/items", `{}`, "key-1")
			if tt.kept {
				assert.Equal(t, int32(1), s.runs.Load())
				assert.Equal(t, first.Code, again.Code)
				assert.Equal(t, first.Body.String(), again.Body.String())
				assert.Equal(t, "true", again.Header().Get(httpapi.IdempotentReplayedHeader))
				return
			}
			assert.Equal(t, int32(2), s.runs.Load(), "the retry runs again")
			assert.Empty(t, again.Header().Get(httpapi.IdempotentReplayedHeader))
		})
	}
}

func TestIdempotency_MalformedKeyIs422NamingTheHeader(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), created)
	token := s.token(t)
	for name, keys := range map[string][]string{
		"empty":         {""},
		"too long":      {strings.Repeat("k", 256)},
		"not ASCII":     {"ключ"},
		"control":       {"a\x01b"},
		"sent twice":    {"a", "b"},
		"DEL character": {"a\x7f"},
	} {
		for _, who := range []struct{ token, target string }{{token, "/v1/items"}, {"", "/v1/anonymous"}} {
			res := s.post(who.token, who.target, `{}`, keys...)
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s on %s", name, who.target)
			p := problemOf(t, res)
			assert.Equal(t, "validation_failed", p.Code)
			require.Len(t, p.Errors, 1)
			assert.Equal(t, httpapi.IdempotencyKeyHeader, p.Errors[0].Field)
		}
	}
	assert.Zero(t, s.runs.Load())
	for _, ok := range []string{"k", strings.Repeat("k", 255), `"sf-string" with spaces ~!`} {
		assert.Equal(t, http.StatusCreated, s.post(token, "/v1/items", `{}`, ok).Code, "%q", ok)
	}
}

func TestIdempotency_AnonymousPOSTsIgnoreTheKey(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, mocks.NewIdempotencyStore(t), created) // the store is never asked
	for range 2 {
		res := s.post("", "/v1/anonymous", `{}`, "key-1")
		require.Equal(t, http.StatusNoContent, res.Code)
		assert.Empty(t, res.Header().Get(httpapi.IdempotentReplayedHeader))
	}
	assert.Equal(t, int32(2), s.runs.Load())
}

func TestIdempotency_StoreUnavailableIs503AndNothingRuns(t *testing.T) {
	t.Parallel()
	store := mocks.NewIdempotencyStore(t)
	store.EXPECT().Claim(mock.Anything, mock.Anything, "key-1", mock.Anything).
		Return(ports.IdempotencyClaim{}, storeerr.Unavailable("redis", errors.New("connection refused")))
	s := newIdemStack(t, store, created)

	res := s.post(s.token(t), "/v1/items", `{}`, "key-1")
	assert.Equal(t, http.StatusServiceUnavailable, res.Code)
	assert.Equal(t, "store_unavailable", problemOf(t, res).Code)
	assert.NotEmpty(t, res.Header().Get("Retry-After"))
	assert.Zero(t, s.runs.Load())
}

func TestIdempotency_HandlerSeesTheWholeBody(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), func(c *gin.Context) {
		var body struct{ Name string }
		if err := httpapi.BindJSON(c, &body); err != nil {
			httpapi.WriteError(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"name": body.Name})
	})
	res := s.post(s.token(t), "/v1/items", `{"name":"read twice"}`, "key-1")
	require.Equal(t, http.StatusCreated, res.Code, res.Body.String())
	assert.JSONEq(t, `{"name":"read twice"}`, res.Body.String())
}

// TestIdempotency_AbsentBodyStaysAbsent: a keyed POST without a body reaches the
// handler as one without a key does, so BindJSON refuses both alike.
func TestIdempotency_AbsentBodyStaysAbsent(t *testing.T) {
	t.Parallel()
	s := newIdemStack(t, newMemoryIdempotency(), func(c *gin.Context) {
		var body struct{ Name string }
		if err := httpapi.BindJSON(c, &body); err != nil {
			httpapi.WriteError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	})
	token := s.token(t)
	for _, contentType := range []string{"", "text/plain", "application/json"} {
		codes := make([]string, 2)
		for i, key := range []string{"", "key-" + contentType} {
			req := httptest.NewRequest(http.MethodPost, "/v1/items", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			if contentType != "" {
				req.Header.Set("Content-Type", contentType)
			}
			if key != "" {
				req.Header.Set(httpapi.IdempotencyKeyHeader, key)
			}
			codes[i] = problemOf(t, s.serve(req)).Code
		}
		assert.Equal(t, codes[0], codes[1], "Content-Type %q", contentType)
	}
}
