package gormdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sync/semaphore"
	"gorm.io/gorm"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// budget names the share of the connection pool an operation draws on. Operations on
// progress and the review log (every answer, and the study queries) draw on the study
// budget; operations on accounts, organizations, decks and cards on the content budget.
// A storm of answers waiting on a locked progress table therefore holds study
// connections only, and reading decks and cards keeps connections of its own.
type budget string

const (
	budgetStudy   budget = "study"
	budgetContent budget = "content"
)

// Retry hints of the database's unavailability: an operation that timed out is worth
// retrying soon; a database that does not answer, a little later.
const (
	timeoutRetryAfter = time.Second
)

// longOperationFactor stretches QueryTimeout for the few operations that are long by
// nature (rescheduling a whole deck when it switches to FSRS).
const longOperationFactor = 15

// errPoolBusy reports that no connection of the operation's budget freed up within
// PoolWaitTimeout.
var errPoolBusy = errors.New("no database connection free within the pool wait bound")

// bounds limit the time and the connections repository operations may take.
type bounds struct {
	queryTimeout time.Duration
	poolWait     time.Duration
	// gates hold one slot per connection of each budget (PostgreSQL only: SQLite has a
	// single connection, which database/sql already queues for).
	gates    map[budget]*semaphore.Weighted
	observer ports.DatabaseObserver
}

// run runs one repository operation of budget b on d. It waits at most poolWait for a
// connection slot of the budget and bounds the whole operation (every statement, every
// retry) by queryTimeout. An operation that runs out of either bound fails with a
// *domain.UnavailableError, reported to the observer; one whose caller went away keeps
// the caller's context error.
func (d *DB) run(ctx context.Context, b budget, fn func(db *gorm.DB) error) error {
	return d.runFor(ctx, b, d.bounds.queryTimeout, fn)
}

// runLong is run with longOperationFactor times the query timeout.
func (d *DB) runLong(ctx context.Context, b budget, fn func(db *gorm.DB) error) error {
	return d.runFor(ctx, b, d.bounds.queryTimeout*longOperationFactor, fn)
}

func (d *DB) runFor(ctx context.Context, b budget, timeout time.Duration, fn func(db *gorm.DB) error) error {
	opCtx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		opCtx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	release, err := d.acquire(opCtx, ctx, b)
	if err != nil {
		return err
	}
	defer release()
	err = fn(d.gorm.WithContext(opCtx))
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return err // the caller's own deadline or cancellation: the error says so already
	case errors.Is(opCtx.Err(), context.DeadlineExceeded):
		d.bounds.observer.DatabaseTimeout(ctx, string(b), ports.DatabaseQueryTimeout)
		return &domain.UnavailableError{
			Store: "database", RetryAfter: timeoutRetryAfter,
			Err: fmt.Errorf("operation exceeded the %s bound: %w", timeout, err),
		}
	case classify(err) == errTimeout:
		// The server's own bound (statement_timeout, lock_timeout) fired first.
		d.bounds.observer.DatabaseTimeout(ctx, string(b), ports.DatabaseQueryTimeout)
	}
	return err
}

// acquire takes a connection slot of budget b for an operation bounded by opCtx, waiting
// at most poolWait; caller is the caller's own context, told apart from the bounds. It
// returns the release function.
func (d *DB) acquire(opCtx, caller context.Context, b budget) (func(), error) {
	gate := d.bounds.gates[b]
	if gate == nil {
		return func() {}, nil
	}
	waitCtx, cancel := opCtx, context.CancelFunc(func() {})
	if d.bounds.poolWait > 0 {
		waitCtx, cancel = context.WithTimeout(opCtx, d.bounds.poolWait)
	}
	defer cancel()
	start := time.Now()
	err := gate.Acquire(waitCtx, 1)
	d.bounds.observer.DatabasePoolWait(caller, string(b), time.Since(start))
	switch {
	case err == nil:
		return func() { gate.Release(1) }, nil
	case caller.Err() != nil:
		return nil, caller.Err()
	}
	d.bounds.observer.DatabaseTimeout(caller, string(b), ports.DatabasePoolWait)
	return nil, &domain.UnavailableError{Store: "database", RetryAfter: timeoutRetryAfter, Err: errPoolBusy}
}

// newBounds sizes the gates of a PostgreSQL pool of maxOpen connections: studyConns for
// the study budget, the rest for the content budget.
func newBounds(cfg Config, maxOpen int, gated bool) bounds {
	b := bounds{queryTimeout: cfg.QueryTimeout, poolWait: cfg.PoolWaitTimeout, observer: cfg.Observer}
	if b.observer == nil {
		b.observer = nopObserver{}
	}
	if gated {
		study := studyConns(cfg.StudyConns, maxOpen)
		b.gates = map[budget]*semaphore.Weighted{
			budgetStudy:   semaphore.NewWeighted(int64(study)),
			budgetContent: semaphore.NewWeighted(int64(max(maxOpen-study, 1))),
		}
	}
	return b
}

// studyConns is the study budget of a pool of maxOpen connections: configured, or half.
func studyConns(configured, maxOpen int) int {
	if configured > 0 {
		return min(configured, maxOpen)
	}
	return max(maxOpen/2, 1)
}

// nopObserver discards the observations.
type nopObserver struct{}

func (nopObserver) DatabasePoolWait(context.Context, string, time.Duration)            {}
func (nopObserver) DatabaseTimeout(context.Context, string, ports.DatabaseTimeoutKind) {}

// extendStatementBounds raises PostgreSQL's per-connection statement_timeout and
// lock_timeout for the rest of transaction tx to factor times the query timeout, for an
// operation run with runLong.
func (d *DB) extendStatementBounds(tx *gorm.DB, factor int) error {
	if d.dialect != DialectPostgres || d.bounds.queryTimeout <= 0 {
		return nil
	}
	bound := d.bounds.queryTimeout * time.Duration(factor)
	ms := strconv.FormatInt((bound + statementTimeoutMargin).Milliseconds(), 10)
	lock := strconv.FormatInt(bound.Milliseconds(), 10)
	// SET takes no parameters; both values are integers formatted here.
	if err := tx.Exec("SET LOCAL statement_timeout = " + ms).Error; err != nil {
		return err
	}
	return tx.Exec("SET LOCAL lock_timeout = " + lock).Error
}
