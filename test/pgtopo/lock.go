package pgtopo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Time limits of a Lock: taking it may wait for transactions that use the tables, and
// releasing it waits for the server to end the transaction.
const (
	lockAcquireTimeout = 10 * time.Second
	lockReleaseTimeout = 10 * time.Second
)

// Lock is an ACCESS EXCLUSIVE lock on tables, held by an open transaction on a
// connection of its own. While it is held, every other statement on those tables, reads
// included, waits for it, or fails once its lock_timeout or statement_timeout passes.
type Lock struct {
	tb   testing.TB
	conn *pgx.Conn
	tx   pgx.Tx
	once sync.Once
}

// LockTables connects to the database at url, takes an ACCESS EXCLUSIVE lock on tables
// (names such as "cards" or "public.cards") and returns once it holds it. It releases the
// lock after d, on Release, or when tb ends, whichever comes first. The server may be
// any PostgreSQL server, not only one that Start started.
func LockTables(tb testing.TB, url string, d time.Duration, tables ...string) *Lock {
	tb.Helper()
	if len(tables) == 0 {
		tb.Fatal("pgtopo: lock tables: no table named")
	}
	ctx, cancel := context.WithTimeout(context.Background(), lockAcquireTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("pgtopo: lock tables: %v", err)
	}
	tx, err := lockInTransaction(ctx, conn, tables)
	if err != nil {
		_ = conn.Close(ctx)
		tb.Fatalf("pgtopo: lock tables %s: %v", strings.Join(tables, ", "), err)
	}
	l := &Lock{tb: tb, conn: conn, tx: tx}
	timer := time.AfterFunc(d, l.Release)
	tb.Cleanup(func() {
		timer.Stop()
		l.Release()
	})
	return l
}

// lockInTransaction begins a transaction on conn and locks tables in it.
func lockInTransaction(ctx context.Context, conn *pgx.Conn, tables []string) (pgx.Tx, error) {
	names := make([]string, len(tables))
	for i, table := range tables {
		names[i] = pgx.Identifier(strings.Split(table, ".")).Sanitize()
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+strings.Join(names, ", ")+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		return nil, err
	}
	return tx, nil
}

// Release ends the lock's transaction and closes its connection, and returns once the
// server has released the lock. Only the first call does anything; later and concurrent
// calls wait for it. A failure is logged, not reported: the closed connection ends the
// transaction anyway, as does a server that was stopped meanwhile.
func (l *Lock) Release() {
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), lockReleaseTimeout)
		defer cancel()
		if err := l.tx.Rollback(ctx); err != nil {
			l.tb.Logf("pgtopo: release lock: %v", err)
		}
		_ = l.conn.Close(ctx)
	})
}
