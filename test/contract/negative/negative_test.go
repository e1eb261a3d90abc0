// Package negative_test proves that the contract suites catch what they claim to. It
// runs them against deliberately broken adapters, in-process stores each correct but
// for one realistic bug, and checks that each suite fails, and fails the property that
// names the bug. Every broken adapter has a correct twin that must pass the whole suite,
// so a failure is the bug's and not the harness's.
//
// A suite that fails would fail `go test` itself, so each adapter runs in a child
// process: the test binary run again on that adapter alone (TestAdapterUnderSuite, which
// does nothing elsewhere), whose verbose output names every property that failed.
package negative_test

import (
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/adapters/memory"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
	"github.com/studytool/studytool/test/contract"
)

// childEnv marks the child process that runs one adapter under its suite.
const childEnv = "STUDYTOOL_CONTRACT_NEGATIVE_CHILD"

// epoch is where the fake clocks of the in-process stores start.
var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// adapterCase is one adapter run under its contract suite.
type adapterCase struct {
	name string
	// suite runs the contract suite against the adapter.
	suite func(t *testing.T)
	// breaks is the property the adapter's bug breaks, which the suite must fail; empty
	// for a correct adapter, which must pass every property.
	breaks string
	// mayAlsoBreak are properties that notice the same bug only when the scheduler
	// happens to interleave the right way; the forced property notices it every time.
	mayAlsoBreak []string
}

var adapterCases = []adapterCase{
	{name: "CorrectSessionStore", suite: sessionSuite(func(s *sessionStore) ports.SessionStore { return s })},
	{
		name:   "ValidateRefreshesOnlyWhenRewriting",
		suite:  sessionSuite(func(s *sessionStore) ports.SessionStore { return lazyRefreshStore{s} }),
		breaks: "ValidateKeepsSessionAliveForIdleTimeout",
	},
	{
		name:   "ValidateIgnoresIdleDeadline",
		suite:  sessionSuite(func(s *sessionStore) ports.SessionStore { return idleBlindStore{s} }),
		breaks: "ValidateRefusesSessionIdlePastTimeout",
	},
	{
		name:         "CreateDecidesAndStoresApart",
		suite:        sessionSuite(func(s *sessionStore) ports.SessionStore { return splitCreateStore{s} }),
		breaks:       "LimitHoldsWhenCreationsInterleave",
		mayAlsoBreak: []string{"ConcurrentCreationsKeepTheLimit"},
	},
	{
		name:   "DeleteUserCountsIndexEntries",
		suite:  sessionSuite(func(s *sessionStore) ports.SessionStore { return indexCountStore{s} }),
		breaks: "DeleteUserCountsOnlyLiveSessions",
	},
	{name: "CorrectCacheStore", suite: cacheSuite(func(c sharedCache) ports.CacheStore { return c })},
	{
		name:   "DeletePatternFlushesKeyspace",
		suite:  cacheSuite(func(c sharedCache) ports.CacheStore { return flushingCache{c} }),
		breaks: "DeletePatternSparesStateBesideCache",
	},
	{name: "CorrectProgressCache", suite: progressSuite(func(c *progressCache) ports.ProgressCache { return c })},
	{
		name:         "SetComparesAndWritesApart",
		suite:        progressSuite(func(c *progressCache) ports.ProgressCache { return splitSetCache{c} }),
		breaks:       "OlderVersionLosesWhenWritesInterleave",
		mayAlsoBreak: []string{"RacingWritesKeepTheNewest"},
	},
	{name: "CorrectIdempotencyStore", suite: idempotencySuite(func(s *idempotencyStore) ports.IdempotencyStore { return s })},
	{
		name:         "ClaimLooksAndTakesApart",
		suite:        idempotencySuite(func(s *idempotencyStore) ports.IdempotencyStore { return splitClaimStore{s} }),
		breaks:       "InterleavedClaimsGrantOne",
		mayAlsoBreak: []string{"ConcurrentClaimsGrantOne"},
	},
	{
		name:   "CompleteAndReleaseIgnoreTheToken",
		suite:  idempotencySuite(func(s *idempotencyStore) ports.IdempotencyStore { return tokenBlindStore{s} }),
		breaks: "StaleTokenChangesNothing",
	},
}

// TestSuitesFailBrokenAdapters runs each adapter under its suite in a child process and
// checks the verdict: a correct adapter passes every property; a broken one fails the
// property its bug breaks and no property but those that may notice the same bug.
func TestSuitesFailBrokenAdapters(t *testing.T) {
	for _, c := range adapterCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := runChild(t, c.name)
			failed, passed := verdicts(out, c.name)
			t.Logf("failed: %v", failed)
			if c.breaks == "" {
				require.NoError(t, err, "the correct adapter fails its suite:\n%s", out)
				assert.NotEmpty(t, passed, "no property ran:\n%s", out)
				return
			}
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the suite passes an adapter that breaks %s:\n%s", c.breaks, out)
			require.Equal(t, 1, exit.ExitCode(), "the suite did not fail as tests fail (a panic or a timeout?):\n%s", out)
			assert.Contains(t, failed, c.breaks, "the property that names the bug did not fail:\n%s", out)
			assert.Subset(t, append([]string{c.breaks}, c.mayAlsoBreak...), failed,
				"properties that the bug does not break failed:\n%s", out)
			assert.NotContains(t, passed, c.breaks)
		})
	}
}

// TestAdapterUnderSuite runs the adapters under their suites. It does so only in the
// child processes of TestSuitesFailBrokenAdapters, each of which selects one adapter.
func TestAdapterUnderSuite(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("runs in the child processes of TestSuitesFailBrokenAdapters")
	}
	for _, c := range adapterCases {
		t.Run(c.name, c.suite)
	}
}

// runChild runs the test binary again on the adapter named name alone and returns its
// verbose output and its exit error.
func runChild(t *testing.T, name string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0],
		"-test.run=^TestAdapterUnderSuite$/^"+regexp.QuoteMeta(name)+"$",
		"-test.v", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil && !errors.As(err, new(*exec.ExitError)) {
		t.Fatalf("run the child process: %v", err)
	}
	return string(out), err
}

// verdictLine matches the verdict of the child's verbose output on one property of the
// adapter run under its suite.
var verdictLine = regexp.MustCompile(`(?m)^\s*--- (FAIL|PASS): TestAdapterUnderSuite/([^/\s]+)/([^/\s]+) \(`)

// verdicts returns the properties that failed and those that passed in out for the
// adapter named name, sorted.
func verdicts(out, name string) (failed, passed []string) {
	for _, m := range verdictLine.FindAllStringSubmatch(out, -1) {
		if m[2] != name {
			continue
		}
		if m[1] == "FAIL" {
			failed = append(failed, m[3])
		} else {
			passed = append(passed, m[3])
		}
	}
	slices.Sort(failed)
	slices.Sort(passed)
	return failed, passed
}

// sessionSuite runs the session suite against the store build makes of a fresh
// sessionStore on a fake clock.
func sessionSuite(build func(*sessionStore) ports.SessionStore) func(t *testing.T) {
	return func(t *testing.T) {
		contract.SessionStore(t, func(_ *testing.T, policy domain.SessionPolicy) contract.SessionHarness {
			clk := clock.NewFake(epoch)
			s := newSessionStore(policy, clk)
			return contract.SessionHarness{
				Store: build(s), Now: clk.Now, Sleep: clk.Advance, IndexLen: s.indexLen, OnStep: s.mu.onStep,
			}
		})
	}
}

// cacheSuite runs the cache suite against the store build makes of a fresh sharedCache.
func cacheSuite(build func(sharedCache) ports.CacheStore) func(t *testing.T) {
	return func(t *testing.T) {
		contract.CacheStore(t, func(*testing.T) contract.CacheHarness {
			c := sharedCache{CacheStore: memory.NewCacheStore(clock.System{}), beside: newPlantedState()}
			return contract.CacheHarness{Store: build(c), Plant: c.beside.plant, Planted: c.beside.planted}
		})
	}
}

// idempotencySuite runs the idempotency suite against the store build makes of a fresh
// idempotencyStore on a fake clock.
func idempotencySuite(build func(*idempotencyStore) ports.IdempotencyStore) func(t *testing.T) {
	return func(t *testing.T) {
		contract.IdempotencyStore(t, func(_ *testing.T, policy ports.IdempotencyPolicy) contract.IdempotencyHarness {
			clk := clock.NewFake(epoch)
			s := newIdempotencyStore(policy, clk)
			return contract.IdempotencyHarness{Store: build(s), Sleep: clk.Advance, OnStep: s.mu.onStep}
		})
	}
}

// progressSuite runs the progress cache suite against the cache build makes of a fresh
// progressCache on a fake clock.
func progressSuite(build func(*progressCache) ports.ProgressCache) func(t *testing.T) {
	return func(t *testing.T) {
		contract.ProgressCache(t, func(_ *testing.T, ttl time.Duration) contract.ProgressCacheHarness {
			clk := clock.NewFake(epoch)
			c := newProgressCache(clk, ttl)
			return contract.ProgressCacheHarness{Cache: build(c), Sleep: clk.Advance, OnStep: c.mu.onStep}
		})
	}
}
