package apptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/studytool/studytool"
)

// contract is the router over openapi.yaml that every response a Client sees is
// validated against; it is loaded once per test binary.
var contract = sync.OnceValues(loadContract)

// loadContract parses the embedded openapi.yaml and routes requests to its operations.
func loadContract() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(studytool.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	// The documentation page (GET /docs) is HTML, which the validator reads as a string.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	// The document's one server is "/", the server that serves it; routing by path alone
	// matches any host the tests start the app on.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.yaml: %w", err)
	}
	return router, nil
}

// metricsPath is served by the metrics listener (METRICS_ADDR), which is not part of the
// API: its responses are not validated against openapi.yaml.
const metricsPath = "/metrics"

// contractTransport validates every response against openapi.yaml, failing the test
// (without stopping it) on a response the document does not describe.
type contractTransport struct {
	t    testing.TB
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper. The response body is read in full, validated
// and handed on unchanged.
func (c *contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(req)
	if err != nil || req.URL.Path == metricsPath {
		return res, err
	}
	body, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err := validateResponse(req, res, body); err != nil {
		c.t.Errorf("openapi.yaml does not describe %s %s → %d: %v", req.Method, req.URL.RequestURI(), res.StatusCode, err)
	}
	return res, nil
}

// validateResponse checks status, headers and body of res against the operation of req.
// Unmatched paths answered 404, methods the path lacks answered 405 and CORS preflights
// are the router's own answers, not operations, and pass.
func validateResponse(req *http.Request, res *http.Response, body []byte) error {
	router, err := contract()
	if err != nil {
		return err
	}
	if req.Method == http.MethodOptions {
		return nil
	}
	route, params, err := router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrPathNotFound) && res.StatusCode == http.StatusNotFound,
		errors.Is(err, routers.ErrMethodNotAllowed) && res.StatusCode == http.StatusMethodNotAllowed:
		return nil
	case err != nil:
		return fmt.Errorf("no operation: %w", err)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
		},
		Status:  res.StatusCode,
		Header:  res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.WithoutCancel(req.Context()), input)
}
