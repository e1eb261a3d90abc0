package gormdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// TestTranslate_OutageErrorsAreUnavailable lists what pgx and database/sql report while
// PostgreSQL goes away under a statement, or refuses or limits connections: each must
// answer 503 (domain.ErrStoreUnavailable), none a 500.
func TestTranslate_OutageErrorsAreUnavailable(t *testing.T) {
	t.Parallel()
	wrapped := func(err error) error { return fmt.Errorf("progress repo: record review: %w", err) }
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"unexpected EOF, typed", io.ErrUnexpectedEOF},
		{"unexpected EOF, as text", errors.New("unexpected EOF")},
		{"EOF", io.EOF},
		{"conn closed", errors.New("conn closed")},
		{"failed to deallocate cached statement(s): conn closed", errors.New("failed to deallocate cached statement(s): conn closed")},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}},
		{"connection reset, wrapped by pgconn", fmt.Errorf("read message: %w", syscall.ECONNRESET)},
		{"connection refused", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")},
		{"bad connection", driver.ErrBadConn},
		{"connection done", sql.ErrConnDone},
		{"closed network connection", net.ErrClosed},
		{"admin shutdown", &pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}},
		{"cannot connect now", &pgconn.PgError{Code: "57P03", Message: "the database system is starting up"}},
		{"connection failure", &pgconn.PgError{Code: "08006"}},
		{"too many connections", &pgconn.PgError{Code: "53300"}},
		{"I/O error", &pgconn.PgError{Code: "58030"}},
		{"statement timeout", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}},
		{"lock timeout", &pgconn.PgError{Code: "55P03", Message: "canceling statement due to lock timeout"}},
		{"deadline", context.DeadlineExceeded},
		{"serialization failure", &pgconn.PgError{Code: "40001"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := translate(wrapped(tt.err))
			require.ErrorIs(t, got, domain.ErrStoreUnavailable)
			assert.ErrorIs(t, got, tt.err, "the cause is kept for the log")
		})
	}
}

// TestTranslate_OtherErrorsKeepTheirMeaning: what is not an outage is not made one.
func TestTranslate_OtherErrorsKeepTheirMeaning(t *testing.T) {
	t.Parallel()
	assert.ErrorIs(t, translate(&pgconn.PgError{Code: "23505"}), domain.ErrConflict)
	assert.ErrorIs(t, translate(&pgconn.PgError{Code: "23503"}), domain.ErrNotFound)
	var verr *domain.ValidationError
	assert.ErrorAs(t, translate(&pgconn.PgError{Code: "22021"}), &verr)
	other := &pgconn.PgError{Code: "42P01", Message: "relation does not exist"}
	assert.NotErrorIs(t, translate(other), domain.ErrStoreUnavailable, "a broken schema is the server's bug: 500")
	canceled := fmt.Errorf("timeout: %w", context.Canceled)
	assert.ErrorIs(t, translate(canceled), context.Canceled, "a caller that left is not an outage")
	assert.NotErrorIs(t, translate(canceled), domain.ErrStoreUnavailable)
}
