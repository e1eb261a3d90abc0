package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requestTimeout bounds one exchange of a Client.
const requestTimeout = 30 * time.Second

// Client is an HTTP client of an app with a cookie jar, headers sent with every request
// and an optional bearer token. Every response it receives from the app is validated
// against openapi.yaml: one the document does not describe fails the test.
type Client struct {
	// HTTP sends the requests; its Jar keeps the cookies the app sets.
	HTTP *http.Client
	// Token, when set, is sent as `Authorization: Bearer`.
	Token string
	// Header is sent with every request (User-Agent, X-Forwarded-For, Origin, …).
	Header http.Header

	t    testing.TB
	base *url.URL
}

// NewClient returns a client of the service at baseURL (http://host:port).
func NewClient(t testing.TB, baseURL string) *Client {
	t.Helper()
	base, err := url.Parse(baseURL)
	require.NoError(t, err)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	transport := &contractTransport{t: t, next: http.DefaultTransport}
	return &Client{
		HTTP:   &http.Client{Jar: jar, Timeout: requestTimeout, Transport: transport},
		Header: http.Header{}, t: t, base: base,
	}
}

// Response is a finished exchange with its body read.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends a request and fails the test when the exchange fails; body may be nil, a
// string (sent raw) or a value (sent as JSON). A body is declared as
// application/json unless Header sets another Content-Type. Do must be called from the
// test's goroutine; see Try.
func (c *Client) Do(method, path string, body any) *Response {
	c.t.Helper()
	res, err := c.Try(method, path, body)
	require.NoError(c.t, err)
	return res
}

// Try is Do returning the error instead of failing the test, so it is safe off the
// test's goroutine.
func (c *Client) Try(method, path string, body any) (*Response, error) {
	reader, err := encode(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base.String()+path, reader)
	if err != nil {
		return nil, err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	return &Response{StatusCode: res.StatusCode, Header: res.Header, Body: raw}, nil
}

func encode(body any) (io.Reader, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case string:
		return bytes.NewBufferString(b), nil
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		return bytes.NewReader(raw), nil
	}
}

// Cookie returns the cookie called name that the jar holds for the app.
func (c *Client) Cookie(name string) (*http.Cookie, bool) {
	for _, cookie := range c.HTTP.Jar.Cookies(c.base) {
		if cookie.Name == name {
			return cookie, true
		}
	}
	return nil, false
}

// SetCookie puts cookie into the jar, as if the app had set it.
func (c *Client) SetCookie(cookie *http.Cookie) {
	c.HTTP.Jar.SetCookies(c.base, []*http.Cookie{cookie})
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// ProblemCode returns the `code` of a problem+json body.
func (r *Response) ProblemCode(t testing.TB) string {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.Body)
	var p struct{ Code string }
	r.JSON(t, &p)
	return p.Code
}

// ProblemFields returns the fields a problem+json body names in its `errors`.
func (r *Response) ProblemFields(t testing.TB) []string {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.Body)
	var p struct{ Errors []struct{ Field string } }
	r.JSON(t, &p)
	fields := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		fields[i] = e.Field
	}
	return fields
}

// Cookies parses the cookies the response sets.
func (r *Response) Cookies() []*http.Cookie {
	return (&http.Response{Header: r.Header}).Cookies()
}
