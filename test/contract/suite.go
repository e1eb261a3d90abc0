package contract

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// property is one named check of a suite: one behaviour of the port, asserted by one
// function. F is what the suite hands every check: a factory that builds the
// implementation under test, or a fixture the checks share.
type property[F any] struct {
	name  string
	check func(t *testing.T, f F)
}

// runProperties runs each property as a parallel subtest named after it, so a failure
// names the behaviour that broke and `go test -run Suite/Name` runs that one alone.
func runProperties[F any](t *testing.T, f F, properties []property[F]) {
	t.Helper()
	for _, p := range properties {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			p.check(t, f)
		})
	}
}

// requireComplete fails t unless every field of a harness that present names is set:
// a harness that cannot show what a property looks at cannot certify its adapter.
func requireComplete(t *testing.T, harness string, present map[string]bool) {
	t.Helper()
	for _, field := range slices.Sorted(maps.Keys(present)) {
		require.Truef(t, present[field], "%s.%s is required", harness, field)
	}
}
