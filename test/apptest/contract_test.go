package apptest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValidateResponse checks the validation every Client applies: what openapi.yaml
// describes passes, a body, header or status it does not describe fails, and the
// router's own answers to paths and methods the document lacks pass.
func TestValidateResponse(t *testing.T) {
	t.Parallel()
	page := `{"items":[],"nextCursor":null}`
	tests := []struct {
		name, method, target string
		status               int
		header               http.Header
		body                 string
		ok                   bool
	}{
		{"described page", http.MethodGet, "/v1/decks?limit=2", 200, listHeader(), page, true},
		{"HEAD of a page", http.MethodHead, "/v1/decks", 200, listHeader(), "", true},
		{"body without nextCursor", http.MethodGet, "/v1/decks", 200, listHeader(), `{"items":[]}`, false},
		{"missing ETag", http.MethodGet, "/v1/decks", 200, without(listHeader(), "ETag"), page, false},
		{"undescribed status", http.MethodGet, "/v1/decks", http.StatusTeapot, listHeader(), page, false},
		{"unknown path answered 404", http.MethodGet, "/v1/nope", 404, listHeader(), "", true},
		{"unknown path answered 200", http.MethodGet, "/v1/nope", 200, listHeader(), page, false},
		{"method the path lacks answered 405", http.MethodPut, "/v1/decks", 405, listHeader(), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "http://127.0.0.1:8080"+tt.target, nil)
			err := validateResponse(req, &http.Response{StatusCode: tt.status, Header: tt.header}, []byte(tt.body))
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

// listHeader is the header of a list page as the app sends it.
func listHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Request-ID", "req-1")
	h.Set("ETag", `"abc"`)
	h.Set("Cache-Control", "private, no-cache")
	return h
}

func without(h http.Header, name string) http.Header {
	h.Del(name)
	return h
}
