package main_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/studytool/studytool/test/redistopo"
)

// TestMain stops the Redis Cluster the tests share, then fails the package when a test
// left a goroutine behind.
func TestMain(m *testing.M) {
	code := redistopo.Run(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}
