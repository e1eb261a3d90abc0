package gormdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/studytool/studytool/adapters/shared/storeerr"
	"github.com/studytool/studytool/domain"
)

// errKind classifies a database error independently of the dialect.
type errKind int

const (
	errOther errKind = iota
	// errUnique is a unique or primary-key violation.
	errUnique
	// errForeignKey is a row that references a missing parent.
	errForeignKey
	// errTransient is a failure that the same transaction may not hit on a second try:
	// SQLite busy/locked, PostgreSQL serialization failure or deadlock.
	errTransient
	// errUnavailable is a lost or refused connection.
	errUnavailable
	// errTimeout is a bound that fired: a deadline, PostgreSQL's statement_timeout or
	// lock_timeout.
	errTimeout
	// errInvalidText is text the database cannot store (a NUL byte, invalid UTF-8).
	errInvalidText
)

// PostgreSQL SQLSTATE codes (and classes) the repositories act on.
const (
	pgUniqueViolation          = "23505"
	pgForeignKeyViolation      = "23503"
	pgSerializationFailure     = "40001"
	pgDeadlockDetected         = "40P01"
	pgConnectionException      = "08" // class: the connection failed or was refused
	pgInsufficientResources    = "53" // class: too many connections, out of memory or disk
	pgOperatorIntervention     = "57" // class: admin or crash shutdown, cannot connect now
	pgSystemError              = "58" // class: I/O errors of the server
	pgQueryCanceled            = "57014"
	pgLockNotAvailable         = "55P03"
	pgCharacterNotInRepertoire = "22021"
	pgUntranslatableCharacter  = "22P05"
)

// lostConnection lists, as pgx and database/sql word them, the failures of a connection
// that died under a statement (the server stopped, the network dropped it). Most have
// no type to match: pgx reports "conn closed" and a cut read as text.
var lostConnection = []string{
	"conn closed", "unexpected eof", "broken pipe", "connection reset", "connection refused",
	"bad connection", "closed pool", "connection is shut down", "server closed the connection",
	"failed to connect", "no connection to the server", "terminating connection",
}

// classify tells what kind of failure err is. GORM's own TranslateError does not know
// modernc's error type, so SQLite's extended result codes are read here directly.
func classify(err error) errKind {
	if err == nil {
		return errOther
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return classifyPostgres(pgErr.Code)
	}
	if liteErr, ok := errors.AsType[*msqlite.Error](err); ok {
		switch code := liteErr.Code(); {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errUnique
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKey
		case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
			return errTransient
		case code&0xff == sqlite3.SQLITE_INTERRUPT:
			return errTimeout
		case code&0xff == sqlite3.SQLITE_IOERR, code&0xff == sqlite3.SQLITE_CANTOPEN, code&0xff == sqlite3.SQLITE_FULL:
			return errUnavailable
		}
		return errOther
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return errTimeout
	}
	if lostConnectionError(err) {
		return errUnavailable
	}
	return errOther
}

// classifyPostgres classifies a PostgreSQL error by its SQLSTATE.
func classifyPostgres(code string) errKind {
	switch {
	case code == pgUniqueViolation:
		return errUnique
	case code == pgForeignKeyViolation:
		return errForeignKey
	case code == pgSerializationFailure, code == pgDeadlockDetected:
		return errTransient
	case code == pgCharacterNotInRepertoire, code == pgUntranslatableCharacter:
		return errInvalidText
	case code == pgQueryCanceled, code == pgLockNotAvailable:
		return errTimeout
	case strings.HasPrefix(code, pgConnectionException), strings.HasPrefix(code, pgInsufficientResources),
		strings.HasPrefix(code, pgOperatorIntervention), strings.HasPrefix(code, pgSystemError):
		return errUnavailable
	}
	return errOther
}

// lostConnectionError reports whether err is a connection that could not be made or
// that broke: by type where the drivers give one, by wording where they do not.
func lostConnectionError(err error) bool {
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	for _, target := range []error{driver.ErrBadConn, sql.ErrConnDone, io.ErrUnexpectedEOF, io.EOF, net.ErrClosed,
		syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, target) {
			return true
		}
	}
	if pgconn.SafeToRetry(err) {
		return true // failed before the statement reached the server
	}
	msg := strings.ToLower(err.Error())
	for _, words := range lostConnection {
		if strings.Contains(msg, words) {
			return true
		}
	}
	return false
}

// translate maps err to the domain's vocabulary: a missing row or a missing referenced
// parent is domain.ErrNotFound, a unique violation domain.ErrConflict, text the database
// cannot store a domain.ValidationError, a lost connection or a lock that could not be
// had (worth retrying later) a domain.UnavailableError.
// Other errors, context errors included, pass unchanged.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.ErrNotFound
	}
	switch classify(err) {
	case errUnique:
		return domain.ErrConflict
	case errForeignKey:
		return domain.ErrNotFound
	case errInvalidText:
		return domain.NewValidationError("", "contains characters that cannot be stored (such as NUL or invalid UTF-8)")
	case errUnavailable, errTransient:
		return storeerr.Unavailable("database", err)
	case errTimeout:
		if errors.Is(err, context.Canceled) {
			return err
		}
		return &domain.UnavailableError{Store: "database", RetryAfter: timeoutRetryAfter, Err: err}
	}
	return err
}

// violates reports whether err is a unique violation of a constraint whose name (or,
// on SQLite, whose column list) mentions column.
func violates(err error, column string) bool {
	if classify(err) != errUnique {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return strings.Contains(pgErr.ConstraintName, column)
	}
	// SQLite: "UNIQUE constraint failed: users.email".
	return strings.Contains(err.Error(), "."+column)
}
