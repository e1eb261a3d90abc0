package httpapi_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/httpapi"
	"github.com/studytool/studytool/adapters/httpapi/apidocs"
)

// docsHarness is a router serving the real documentation files.
func docsHarness(t *testing.T) harness {
	t.Helper()
	docs, err := httpapi.NewAPIDocs(apidocs.Files())
	require.NoError(t, err)
	return newHarness(t, httpapi.RouterConfig{Security: httpapi.SecurityConfig{HSTS: true}}, docs)
}

// assetURLs returns the src and href attributes of page.
func assetURLs(page string) []string {
	var urls []string
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		urls = append(urls, m[1])
	}
	return urls
}

func TestDocsPage(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	rec := h.do(http.MethodGet, httpapi.DocsPath, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, httpapi.DocsCSP, rec.Header().Get("Content-Security-Policy"))
	assert.Equal(t, "no-cache", rec.Header().Get("Cache-Control"))
	assert.NotEmpty(t, rec.Header().Get("ETag"))
	// The router's own security headers stay.
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	assert.NotEmpty(t, rec.Header().Get("Strict-Transport-Security"))

	page := rec.Body.String()
	assert.Contains(t, page, `data-spec-url="/openapi.yaml"`)
	assert.NotRegexp(t, `<script>|<script [^>]*>[^<]`, page, "no inline script")
	assert.NotContains(t, page, "<style", "no inline style")
	assert.NotContains(t, page, "style=", "no inline style")
}

func TestDocsCSPAllowsOnlyThisOrigin(t *testing.T) {
	t.Parallel()
	directives := map[string]string{}
	for d := range strings.SplitSeq(httpapi.DocsCSP, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = value
	}
	assert.Equal(t, map[string]string{
		"default-src":     "'none'",
		"script-src":      "'self'",
		"style-src":       "'self'",
		"img-src":         "'self' data:",
		"connect-src":     "'self'",
		"base-uri":        "'none'",
		"form-action":     "'none'",
		"frame-ancestors": "'none'",
	}, directives)
}

func TestDocsPageRevalidates(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	etag := h.do(http.MethodGet, httpapi.DocsPath, "").Header().Get("ETag")
	req, err := http.NewRequest(http.MethodGet, httpapi.DocsPath, nil)
	require.NoError(t, err)
	req.Header.Set("If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, h.serve(req).Code)
}

func TestDocsAssetsAreServed(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	urls := assetURLs(h.do(http.MethodGet, httpapi.DocsPath, "").Body.String())
	wantTypes := map[string]string{
		"dist/swagger-ui.css":       "text/css; charset=utf-8",
		"docs.css":                  "text/css; charset=utf-8",
		"dist/favicon-32x32.png":    "image/png",
		"dist/favicon-16x16.png":    "image/png",
		"dist/swagger-ui-bundle.js": "text/javascript; charset=utf-8",
		"init.js":                   "text/javascript; charset=utf-8",
	}
	require.Len(t, urls, len(wantTypes), "assets of the page: %v", urls)
	versioned := regexp.MustCompile(`^/docs/assets/[0-9a-f]{16}/(.+)$`)
	for _, u := range urls {
		m := versioned.FindStringSubmatch(u)
		require.NotNil(t, m, "unversioned asset URL %s", u)
		rec := h.do(http.MethodGet, u, "")
		require.Equal(t, http.StatusOK, rec.Code, u)
		assert.Equal(t, wantTypes[m[1]], rec.Header().Get("Content-Type"), u)
		assert.NotEmpty(t, rec.Body.Bytes(), u)
		assert.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"), u)
		assert.Equal(t, httpapi.DocsCSP, rec.Header().Get("Content-Security-Policy"), u)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), u)
	}
}

func TestDocsLicencesAreServed(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	page := h.do(http.MethodGet, httpapi.DocsPath, "").Body.String()
	prefix := regexp.MustCompile(`/docs/assets/[0-9a-f]{16}/`).FindString(page)
	for _, name := range []string{"dist/LICENSE", "dist/NOTICE", "dist/swagger-ui-bundle.js.LICENSE.txt"} {
		rec := h.do(http.MethodGet, prefix+name, "")
		require.Equal(t, http.StatusOK, rec.Code, name)
		assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"), name)
	}
}

func TestDocsHead(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	rec := h.do(http.MethodHead, httpapi.DocsPath, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, httpapi.DocsCSP, rec.Header().Get("Content-Security-Policy"))
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Empty(t, rec.Body.String())
}

func TestDocsSlashRedirects(t *testing.T) {
	t.Parallel()
	rec := docsHarness(t).do(http.MethodGet, httpapi.DocsPath+"/", "")
	assert.Equal(t, http.StatusMovedPermanently, rec.Code)
	assert.Equal(t, httpapi.DocsPath, rec.Header().Get("Location"))
}

func TestDocsUnknownAssetsAre404(t *testing.T) {
	t.Parallel()
	h := docsHarness(t)
	page := h.do(http.MethodGet, httpapi.DocsPath, "").Body.String()
	prefix := regexp.MustCompile(`/docs/assets/[0-9a-f]{16}/`).FindString(page)
	require.NotEmpty(t, prefix)
	for _, target := range []string{
		"/docs/assets/0000000000000000/init.js", // another version
		prefix + "missing.js",
		prefix + "dist",
		prefix,
		prefix + "../index.html",
	} {
		rec := h.do(http.MethodGet, target, "")
		assert.Equal(t, http.StatusNotFound, rec.Code, target)
		assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"), target)
	}
}

func TestDocsVersionFollowsContent(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{
		"index.html":     {Data: []byte(`<script src="{{.Assets}}/init.js"></script>`)},
		"assets/init.js": {Data: []byte("one")},
	}
	versionOf := func() string {
		docs, err := httpapi.NewAPIDocs(files)
		require.NoError(t, err)
		return newHarness(t, httpapi.RouterConfig{}, docs).do(http.MethodGet, httpapi.DocsPath, "").Header().Get("ETag")
	}
	before := versionOf()
	files["assets/init.js"] = &fstest.MapFile{Data: []byte("two")}
	assert.NotEqual(t, before, versionOf())
}

func TestNewAPIDocsRefusesBrokenFiles(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]fstest.MapFS{
		"template does not parse": {"index.html": {Data: []byte("{{.Assets")}, "assets/init.js": {}},
		"template fails":          {"index.html": {Data: []byte("{{.Missing}}")}, "assets/init.js": {}},
		"no index.html":           {"assets/init.js": {}},
		"no assets":               {"index.html": {Data: []byte("{{.Assets}}")}},
	} {
		_, err := httpapi.NewAPIDocs(files)
		assert.Error(t, err, name)
	}
}
