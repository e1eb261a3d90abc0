package gormdb

import (
	"database/sql/driver"
	"errors"
	"net"
	"strings"

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
	// errInvalidText is text the database cannot store (a NUL byte, invalid UTF-8).
	errInvalidText
)

// PostgreSQL SQLSTATE codes the repositories act on.
const (
	pgUniqueViolation          = "23505"
	pgForeignKeyViolation      = "23503"
	pgSerializationFailure     = "40001"
	pgDeadlockDetected         = "40P01"
	pgConnectionException      = "08" // class
	pgAdminShutdown            = "57P01"
	pgCannotConnectNow         = "57P03"
	pgCharacterNotInRepertoire = "22021"
	pgUntranslatableCharacter  = "22P05"
)

// classify tells what kind of failure err is. GORM's own TranslateError does not know
// modernc's error type, so SQLite's extended result codes are read here directly.
func classify(err error) errKind {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case pgErr.Code == pgUniqueViolation:
			return errUnique
		case pgErr.Code == pgForeignKeyViolation:
			return errForeignKey
		case pgErr.Code == pgSerializationFailure, pgErr.Code == pgDeadlockDetected:
			return errTransient
		case pgErr.Code == pgCharacterNotInRepertoire, pgErr.Code == pgUntranslatableCharacter:
			return errInvalidText
		case strings.HasPrefix(pgErr.Code, pgConnectionException),
			pgErr.Code == pgAdminShutdown, pgErr.Code == pgCannotConnectNow:
			return errUnavailable
		}
		return errOther
	}
	if liteErr, ok := errors.AsType[*msqlite.Error](err); ok {
		switch code := liteErr.Code(); {
		case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errUnique
		case code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKey
		case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
			return errTransient
		}
		return errOther
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return errUnavailable
	}
	if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, driver.ErrBadConn) {
		return errUnavailable
	}
	return errOther
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
