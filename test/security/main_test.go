// Package security_test is the acceptance suite of a security review's findings: one
// test per finding, each driving the whole application over HTTP (test/apptest) and
// failing on the code the review reported on. A test whose name ends in _Postgres or
// _Postgres_Redis also runs on the real stack, which test/testenv skips loudly (or fails
// under STUDYTOOL_REQUIRE_BACKENDS=1) when the server does not answer; the embedded
// stack runs wherever the finding applies to it.
package security_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
