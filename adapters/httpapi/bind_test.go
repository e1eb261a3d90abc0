package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
)

type cardInput struct {
	Front string `json:"front"`
}

type deckInput struct {
	Name     string      `json:"name" binding:"required"`
	MaxCards int         `json:"maxCards"`
	Grade    uint8       `json:"grade"`
	Cards    []cardInput `json:"cards"`
}

// echo binds with BindJSON and answers the decoded name.
func echo(c *gin.Context) {
	var in deckInput
	if err := httpapi.BindJSON(c, &in); err != nil {
		httpapi.WriteError(c, err)
		return
	}
	c.String(http.StatusOK, in.Name)
}

func bindHarness(t *testing.T) harness {
	t.Helper()
	return newHarness(t, httpapi.RouterConfig{}, routes{"POST /bind": echo})
}

func TestBindJSON(t *testing.T) {
	t.Parallel()
	h := bindHarness(t)
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		field  *httpapi.FieldError
	}{
		{name: "empty body", body: "", status: 400, code: "malformed_json"},
		{name: "truncated", body: `{"name":`, status: 400, code: "malformed_json"},
		{name: "not json", body: `name=x`, status: 400, code: "malformed_json"},
		{name: "second value", body: `{"name":"x"} {}`, status: 400, code: "malformed_json"},
		{name: "trailing garbage", body: `{"name":"x"} garbage`, status: 400, code: "malformed_json"},
		{
			name: "wrong type", body: `{"name":1}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "name", Reason: "must be a string"},
		},
		{
			name: "number out of range", body: `{"name":"x","maxCards":1e400}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "maxCards", Reason: "is out of range"},
		},
		{
			name: "small integer out of range", body: `{"name":"x","grade":300}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "grade", Reason: "is out of range"},
		},
		{
			name: "negative into unsigned", body: `{"name":"x","grade":-1}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "grade", Reason: "is out of range"},
		},
		{
			name: "fraction for integer", body: `{"name":"x","maxCards":1.5}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "maxCards", Reason: "must be an integer"},
		},
		{
			name: "exponent for integer", body: `{"name":"x","maxCards":1e2}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "maxCards", Reason: "must be an integer"},
		},
		{
			name: "nested wrong type", body: `{"name":"x","cards":[{"front":2}]}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "cards.front", Reason: "must be a string"},
		},
		{
			name: "object expected", body: `{"name":"x","cards":{}}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "cards", Reason: "must be an array"},
		},
		{
			name: "array body", body: `[]`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Reason: "The request body must be an object."},
		},
		{
			name: "unknown field", body: `{"name":"x","title":"y"}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "title", Reason: "is not a known field"},
		},
		{
			name: "binding rule names the json field", body: `{}`, status: 422, code: "validation_failed",
			field: &httpapi.FieldError{Field: "name", Reason: "is required"},
		},
		{name: "valid with trailing whitespace", body: "{\"name\":\"deck\"}\n\t ", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(http.MethodPost, "/bind", tt.body)
			require.Equal(t, tt.status, rec.Code, rec.Body.String())
			if tt.status == http.StatusOK {
				assert.Equal(t, "deck", rec.Body.String())
				return
			}
			p := problemOf(t, rec)
			assert.Equal(t, tt.code, p.Code)
			if tt.field != nil {
				assert.Equal(t, []httpapi.FieldError{*tt.field}, p.Errors)
			}
		})
	}
}

func TestBindJSONNamesEveryBadField(t *testing.T) {
	t.Parallel()
	h := bindHarness(t)
	tests := []struct {
		name string
		body string
		want []httpapi.FieldError
	}{
		{
			name: "wrong types and an unknown field",
			body: `{"name":1,"grade":"x","title":"y","maxCards":1.5}`,
			want: []httpapi.FieldError{
				{Field: "grade", Reason: "must be an integer"},
				{Field: "maxCards", Reason: "must be an integer"},
				{Field: "name", Reason: "must be a string"},
				{Field: "title", Reason: "is not a known field"},
			},
		},
		{
			name: "an unknown field and a missing one",
			body: `{"title":"y"}`,
			want: []httpapi.FieldError{
				{Field: "title", Reason: "is not a known field"},
				{Field: "name", Reason: "is required"},
			},
		},
		{
			name: "nested and top-level mismatches",
			body: `{"NAME":"x","cards":[{"front":2}],"grade":300}`,
			want: []httpapi.FieldError{
				{Field: "cards.front", Reason: "must be a string"},
				{Field: "grade", Reason: "is out of range"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := h.do(http.MethodPost, "/bind", tt.body)
			require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
			p := problemOf(t, rec)
			assert.Equal(t, "validation_failed", p.Code)
			assert.Equal(t, tt.want, p.Errors)
		})
	}
}

func TestBindPatchNamesNullsWithTheOtherBadFields(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"PATCH /bind": func(c *gin.Context) {
		var in struct {
			Name  *string `json:"name"`
			Grade *uint8  `json:"grade"`
			Fuzz  *bool   `json:"fuzz"`
		}
		if err := httpapi.BindPatch(c, &in); err != nil {
			httpapi.WriteError(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}})
	rec := h.do(http.MethodPatch, "/bind", `{"name":null,"fuzz":null,"grade":"x","color":"red"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	fields := []string{}
	for _, e := range problemOf(t, rec).Errors {
		fields = append(fields, e.Field)
	}
	assert.Equal(t, []string{"fuzz", "name", "color", "grade"}, fields)

	rec = h.do(http.MethodPatch, "/bind", `{"name":null}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, rec.Body.String())
	assert.Len(t, problemOf(t, rec).Errors, 1)
}

func TestJSONErrorsFromStoredDataAreNotTheClients(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{}, routes{"GET /stored": func(c *gin.Context) {
		var perms []string
		err := json.Unmarshal([]byte(""), &perms) // a damaged column, say
		httpapi.WriteError(c, fmt.Errorf("profile repo: decode permissions: %w", err))
	}})
	rec := h.do(http.MethodGet, "/stored", "")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "internal", problemOf(t, rec).Code)
}

// jsonOfSize returns a valid deckInput document of exactly n bytes.
func jsonOfSize(n int) string {
	const frame = `{"name":""}`
	return `{"name":"` + strings.Repeat("a", n-len(frame)) + `"}`
}

// streamed hides the length so the limit trips while reading, not on Content-Length.
func streamed(body string) io.Reader { return io.MultiReader(strings.NewReader(body)) }

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	h := bindHarness(t)
	limit := int(httpapi.DefaultMaxBodyBytes)
	tests := []struct {
		name   string
		target string
		body   io.Reader
		status int
	}{
		{"exactly the limit is accepted", "/bind", streamed(jsonOfSize(limit)), http.StatusOK},
		{"declared length over the limit", "/bind", strings.NewReader(jsonOfSize(limit + 1)), http.StatusRequestEntityTooLarge},
		{"streamed body over the limit", "/bind", streamed(jsonOfSize(limit + 1)), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tt.target, tt.body)
			req.Header.Set("Content-Type", "application/json")
			rec := h.serve(req)
			require.Equal(t, tt.status, rec.Code)
			if tt.status == http.StatusOK {
				return
			}
			p := problemOf(t, rec)
			assert.Equal(t, "payload_too_large", p.Code)
			assert.Contains(t, p.Detail, "1048576")
		})
	}
}

func TestBodyLimitIsConfigurable(t *testing.T) {
	t.Parallel()
	h := newHarness(t, httpapi.RouterConfig{MaxBodyBytes: 16}, routes{"POST /bind": echo})
	req := httptest.NewRequest(http.MethodPost, "/bind", streamed(`{"name":"seventeen"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := h.serve(req)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Equal(t, "payload_too_large", problemOf(t, rec).Code)
}
