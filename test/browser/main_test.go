// Package browser_test drives the app's web pages in headless Chromium (chromedp): the
// interactive API documentation at /docs. Without Chromium the tests skip loudly, or
// fail when STUDYTOOL_REQUIRE_BACKENDS=1 (see test/testenv).
package browser_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the browser's
// connection and process must be gone when a test ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
