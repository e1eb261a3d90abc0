package browser_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/testenv"
)

// browserTimeout bounds a whole browser session: start, page loads and clicks. The
// tests share two cores with the race detector and other packages.
const browserTimeout = 3 * time.Minute

// openAPIMethods are the keys of an OpenAPI path item that are operations.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operationCount is what an OpenAPI document declares and what Swagger UI shows of it.
type operationCount struct {
	// Operations are the (path, method) pairs; Heads those whose method is HEAD.
	Operations, Heads int
	// Blocks is one per operation and tag: Swagger UI lists an operation under each of
	// its tags, and under "default" when it has none.
	Blocks int
}

// countOperations counts the operations of the OpenAPI document at file.
func countOperations(t *testing.T, file string) operationCount {
	t.Helper()
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	var n operationCount
	for _, item := range doc.Paths {
		for method, node := range item {
			if !slices.Contains(openAPIMethods, method) {
				continue // parameters, summary, servers…
			}
			var op struct {
				Tags []string `yaml:"tags"`
			}
			require.NoError(t, node.Decode(&op))
			n.Operations++
			n.Blocks += max(1, len(op.Tags))
			if method == "head" {
				n.Heads++
			}
		}
	}
	return n
}

// cspViolations collects, from the first script of every document on, the
// Content-Security-Policy violations of the page into window.__cspViolations.
const cspViolations = `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
	window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));`

// newBrowser starts headless Chromium for t and returns the context of its first tab;
// the browser is closed when t ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := testenv.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		// The browser opens pages of the app under test only; its sandbox needs user
		// namespaces or a setuid helper, which containers and root (CI) often lack.
		chromedp.NoSandbox,
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		if err := chromedp.Cancel(tabCtx); err != nil {
			t.Logf("close browser: %v", err)
		}
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	_, err := chromedp.Call(tabCtx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspViolations})
	require.NoError(t, err, "start %s", bin)
	return tabCtx
}

// screenshot writes the whole page as name.png, and the element sel as name-part.png,
// into the test's artifact directory (kept with `go test -artifacts -outputdir DIR`)
// and logs their paths.
func screenshot(ctx context.Context, t *testing.T, name, sel, part string) {
	t.Helper()
	shots := []struct {
		file string
		take chromedp.Action[[]byte]
	}{
		{name + ".png", chromedp.FullScreenshot(100)}, // 100: PNG
		{name + "-" + part + ".png", chromedp.Screenshot(chromedp.CSS(sel))},
	}
	for _, shot := range shots {
		png, err := chromedp.Run(ctx, shot.take)
		require.NoError(t, err)
		path := filepath.Join(t.ArtifactDir(), shot.file)
		require.NoError(t, os.WriteFile(path, png, 0o600))
		t.Logf("screenshot: %s", path)
	}
}

// openDocs opens the documentation of app and waits until Swagger UI shows the
// operation block sel.
func openDocs(ctx context.Context, t *testing.T, app *apptest.App, sel string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(app.BaseURL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	))
}

// tryItOut runs "Try it out" → "Execute" on the operation block op and returns the
// status and the body of the response that Swagger UI shows.
func tryItOut(ctx context.Context, t *testing.T, op string) (status, body string) {
	t.Helper()
	response := op + " .live-responses-table tbody .response"
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(op+" .opblock-summary-control")),
		chromedp.Click(chromedp.CSS(op+" .try-out__btn")),
		chromedp.Click(chromedp.CSS(op+" .execute")),
		chromedp.WaitVisible(chromedp.CSS(response+" .response-col_status")),
	))
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(response+" .response-col_status")))
	require.NoError(t, err)
	body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(response+" .response-col_description pre")))
	require.NoError(t, err)
	return status, body
}

// assertNoCSPViolations fails t when the page reported Content-Security-Policy
// violations.
func assertNoCSPViolations(ctx context.Context, t *testing.T) {
	t.Helper()
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations`))
	require.NoError(t, err)
	assert.Empty(t, violations, "Content-Security-Policy violations")
}

// TestDocsShowEveryOperationAndTryItOut opens /docs on the embedded stack, checks that
// Swagger UI lists every operation of openapi.yaml under the page's CSP, and runs "Try
// it out" → "Execute" on GET /healthz.
func TestDocsShowEveryOperationAndTryItOut(t *testing.T) {
	ctx := newBrowser(t)
	app := apptest.Start(t, apptest.Embedded, nil)
	want := countOperations(t, filepath.Join("..", "..", "openapi.yaml"))
	t.Logf("openapi.yaml: %d operations (%d of them HEAD), %d blocks expected (one per operation and tag)",
		want.Operations, want.Heads, want.Blocks)

	health := "#operations-operations-getHealth"
	openDocs(ctx, t, app, health)
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#swagger-ui .opblock").length`))
	require.NoError(t, err)
	assert.Equal(t, want.Blocks, shown, "operation blocks Swagger UI shows")
	errs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#swagger-ui .errors-wrapper").length`))
	require.NoError(t, err)
	assert.Zero(t, errs, "Swagger UI reports errors in the document")

	status, body := tryItOut(ctx, t, health)
	assert.Equal(t, "200", status, "status of the executed GET /healthz")
	assert.JSONEq(t, `{"status": "ok"}`, body)
	screenshot(ctx, t, "docs", health, "healthz")
	assertNoCSPViolations(ctx, t)
}

// TestDocsAuthorizeWithToken gives Swagger UI a login's token through "Authorize" and
// runs GET /v1/me with it.
func TestDocsAuthorizeWithToken(t *testing.T) {
	ctx := newBrowser(t)
	app := apptest.Start(t, apptest.Embedded, nil)
	client := app.Client()
	client.Register("docs@example.com")
	token := client.Login("docs@example.com").Token

	profile := "#operations-profile-getProfile"
	bearer := ".modal-ux .auth-container:has(#auth-bearer-value)"
	openDocs(ctx, t, app, profile)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".auth-wrapper .authorize")),
		chromedp.SendKeys(chromedp.CSS(bearer+" #auth-bearer-value"), token),
		chromedp.Click(chromedp.CSS(bearer+" button[type=submit]")),
		// Authorized, the scheme shows "Logout" in place of the field.
		chromedp.WaitVisible(chromedp.CSS(".modal-ux .auth-container button[aria-label='Remove authorization']")),
		chromedp.Click(chromedp.CSS(".modal-ux .close-modal")),
		chromedp.WaitNotPresent(chromedp.CSS(".modal-ux")),
	))
	status, body := tryItOut(ctx, t, profile)
	assert.Equal(t, "200", status, "status of the executed GET /v1/me")
	assert.Contains(t, body, `"docs@example.com"`)
	assertNoCSPViolations(ctx, t)
}
