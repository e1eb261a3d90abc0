package gormdb_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind, also when a test
// skipped for a missing backend had already started something.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
