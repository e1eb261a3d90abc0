package observability_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: the INFO poller, the
// span exporter and the Redis clients must all stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
