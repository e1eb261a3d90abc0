package contract

import "testing"

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
