// Package contract holds the behaviour every implementation of a port must show, as
// exported test suites. A suite takes the *testing.T of the calling test and a factory
// that builds the implementation under test, calls the factory, and runs its checks as
// subtests (in parallel where the port allows it). The suites assert behaviour the
// application relies on — errors, ordering, atomicity, concurrency — never an
// implementation's internals.
//
// A team adding an adapter calls the suites of the ports it implements from the adapter's
// own test file, once per backend, for example:
//
//	func TestSQLite_UserRepo(t *testing.T) {
//		contract.UserRepo(t, func(t *testing.T) contract.Repositories { return sqliteRepos(t) })
//	}
//
// Suites that need a real server get it from test/testenv in the adapter's factory, so an
// unreachable backend skips (or, with STUDYTOOL_REQUIRE_BACKENDS=1, fails) the test
// instead of passing it vacuously.
package contract
