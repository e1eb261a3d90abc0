// Package studytool holds repository-level assets that the binary embeds.
package studytool

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of the REST API (openapi.yaml at the repository
// root), served at GET /openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
