// Package contract holds the behaviour every implementation of a port must show, as
// exported test suites. A suite takes the *testing.T of the calling test and a factory
// that builds the implementation under test, and runs one named property per subtest
// (in parallel): one behaviour of the port checked by one function, so a failure names
// what broke and `go test -run 'Suite/Property'` reruns it alone. The suites assert
// behaviour the application relies on (errors, ordering, atomicity, concurrency), never
// an implementation's internals.
//
// A team adding an adapter calls the suites of the ports it implements from the adapter's
// own test file, once per backend, for example:
//
//	func TestSQLite_UserRepo(t *testing.T) {
//		contract.UserRepo(t, func(t *testing.T) contract.Repositories { return sqliteRepos(t) })
//	}
//
// Some factories return a harness rather than the bare implementation: the store with the
// time it lives by and the views the properties need into it (a session index, state
// planted beside a cache, the store's atomic steps). Every field of a harness is
// required; a property fails on a harness that leaves one out, since an adapter whose
// harness cannot show what a property looks at cannot be certified by it.
//
// Races are forced, not hoped for. A harness's OnStep lets the suite pause a call at the
// end of any of its atomic steps (a critical section, a round trip to a server) and run a
// competing call whole in that gap, one gap after another, so a store that decides in one
// step and acts in a later one fails on every run rather than on an unlucky one.
//
// Suites that need a real server get it from test/testenv in the adapter's factory, so an
// unreachable backend skips (or, with STUDYTOOL_REQUIRE_BACKENDS=1, fails) the test
// instead of passing it vacuously. test/contract/negative runs the suites against
// deliberately broken adapters and checks that each fails, by name, the property its bug
// breaks; docs/adapters.md walks through adding an adapter.
package contract
