// Package apidocs holds the files of the interactive API documentation served at /docs:
// the page (index.html, an html/template whose .Assets is the URL prefix of the assets),
// the script that starts Swagger UI on it (assets/init.js), a stylesheet of ours
// (assets/docs.css), and Swagger UI itself in assets/dist, vendored from the npm package
// swagger-ui-dist by scripts/vendor-swagger-ui.sh (see docs/api-docs.md and VENDORED).
package apidocs

import (
	"embed"
	"io/fs"
)

// files holds index.html and everything under assets/.
//
//go:embed index.html assets
var files embed.FS

// Files returns the documentation's files: index.html and the assets/ directory.
func Files() fs.FS { return files }
