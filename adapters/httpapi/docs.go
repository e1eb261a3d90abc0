package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Paths of the interactive API documentation.
const (
	// DocsPath is the documentation page.
	DocsPath = "/docs"
	// docsAssetsPath is the prefix of the page's assets; the next path segment is the
	// assets' version, so an asset's URL changes whenever its content does.
	docsAssetsPath = DocsPath + "/assets"
)

// DocsCSP is the Content-Security-Policy of the documentation: scripts, styles and
// fetches from this origin only, no inline script and no inline <style> (Swagger UI sets
// element styles through the CSSOM, which style-src does not govern), images from this
// origin and data: URLs (the icons in Swagger UI's stylesheet), and no framing. It is
// set by the handlers, after the router's middleware, so it is the one a page gets.
const DocsCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Cache-Control of the documentation: the page is revalidated on every use (its ETag
// is the assets' version); an asset's URL names its version, so it may be kept a year.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// assetTypes maps an asset's file extension to its media type; LICENSE and NOTICE have
// none.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".png": "image/png",
	".txt": "text/plain; charset=utf-8",
	"":     "text/plain; charset=utf-8",
}

// APIDocs serves the interactive API documentation (Swagger UI) on the OpenAPI document
// at /openapi.yaml: the page at GET /docs (/docs/ redirects there) and its assets under
// /docs/assets/<version>/.
type APIDocs struct {
	page    []byte
	version string
	assets  fs.FS
}

var _ RouteRegistrar = (*APIDocs)(nil)

// NewAPIDocs builds the documentation from files (see package apidocs): the template
// index.html, rendered once, and the assets under assets/.
func NewAPIDocs(files fs.FS) (*APIDocs, error) {
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		return nil, fmt.Errorf("api docs: %w", err)
	}
	version, err := assetsVersion(assets)
	if err != nil {
		return nil, fmt.Errorf("api docs: %w", err)
	}
	tmpl, err := template.ParseFS(files, "index.html")
	if err != nil {
		return nil, fmt.Errorf("api docs: %w", err)
	}
	var page bytes.Buffer
	data := struct{ Assets, Spec string }{Assets: docsAssetsPath + "/" + version, Spec: "/openapi.yaml"}
	if err := tmpl.Execute(&page, data); err != nil {
		return nil, fmt.Errorf("api docs: render index.html: %w", err)
	}
	return &APIDocs{page: page.Bytes(), version: version, assets: assets}, nil
}

// assetsVersion returns the first 16 hex digits of a SHA-256 over every asset's path and
// content.
func assetsVersion(assets fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(assets, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := fs.ReadFile(assets, name)
		if err != nil {
			return err
		}
		h.Write(fmt.Appendf(nil, "%s\x00%d\x00", name, len(content)))
		h.Write(content)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hash assets: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// Register implements RouteRegistrar.
func (d *APIDocs) Register(r gin.IRouter) {
	r.GET(DocsPath, d.servePage)
	r.GET(DocsPath+"/", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, DocsPath) })
	r.GET(docsAssetsPath+"/:version/*file", d.serveAsset)
}

// servePage answers the page, or 304 when the client's copy is current.
func (d *APIDocs) servePage(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheRevalidate)
	h.Set("ETag", `"`+d.version+`"`)
	serveDocs(c, d.page)
}

// serveAsset answers an asset of the current version; any other version is 404, so a
// stale page never gets an asset that it would then cache for a year.
func (d *APIDocs) serveAsset(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	content, err := fs.ReadFile(d.assets, name)
	if c.Param("version") != d.version || err != nil {
		notFoundHandler(c)
		return
	}
	ctype, ok := assetTypes[path.Ext(name)]
	if !ok {
		ctype = "application/octet-stream"
	}
	h := c.Writer.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheImmutable)
	serveDocs(c, content)
}

// serveDocs writes content under the documentation's CSP, with net/http answering
// conditional and range requests.
func serveDocs(c *gin.Context, content []byte) {
	c.Writer.Header().Set("Content-Security-Policy", DocsCSP)
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(content))
}
