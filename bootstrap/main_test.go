package bootstrap_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: an application the
// tests start and stop must close its Redis clients, database pool and pollers.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
