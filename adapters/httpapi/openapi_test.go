package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
)

func TestOpenAPIIsServed(t *testing.T) {
	t.Parallel()
	spec := "openapi: 3.1.0\ninfo:\n  title: StudyTool\n"
	h := newHarness(t, httpapi.RouterConfig{}, httpapi.OpenAPISpec(spec))
	rec := h.do(http.MethodGet, "/openapi.yaml", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, httpapi.OpenAPIContentType, rec.Header().Get("Content-Type"))
	assert.Equal(t, spec, rec.Body.String())
}
