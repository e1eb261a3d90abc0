// Package testenv gives tests isolated slices of the real backends: a Redis key prefix of
// their own on a test database number, and a throwaway PostgreSQL database; and it finds
// the Chromium that browser tests drive. A backend that does not answer, or a browser
// that is not installed, skips the test loudly, or fails it when
// STUDYTOOL_REQUIRE_BACKENDS=1 (as CI sets), so no suite passes vacuously.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/redis/go-redis/v9"
)

// Environment variables that point tests at backends.
const (
	// EnvRequire makes an unreachable backend a test failure instead of a skip.
	EnvRequire = "STUDYTOOL_REQUIRE_BACKENDS"
	// EnvRedisURL overrides the Redis server tests use (default redis://127.0.0.1:6379/9).
	EnvRedisURL = "STUDYTOOL_TEST_REDIS_URL"
	// EnvPostgresURL overrides the PostgreSQL server tests create databases on
	// (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
	EnvPostgresURL = "STUDYTOOL_TEST_DATABASE_URL"
)

const (
	defaultRedisURL    = "redis://127.0.0.1:6379/9"
	defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	probeTimeout       = 2 * time.Second
)

// Required reports whether unreachable backends must fail tests.
func Required() bool { return os.Getenv(EnvRequire) == "1" }

// unavailable skips t, or fails it when backends are required.
func unavailable(t testing.TB, backend string, err error) {
	t.Helper()
	missing(t, backend, "unreachable", err)
}

// missing skips t because backend is not there (state says how: "unreachable", "not
// found"), or fails it when backends are required.
func missing(t testing.TB, backend, state string, err error) {
	t.Helper()
	if Required() {
		t.Fatalf("%s is required (%s=1) but %s: %v", backend, EnvRequire, state, err)
	}
	t.Skipf("SKIPPED — %s %s (%v); set %s=1 to make this a failure", backend, state, err, EnvRequire)
}

// chromiumNames are the names Chromium's binary has on PATH: Debian's package
// chromium, and chromium-browser elsewhere.
var chromiumNames = []string{"chromium", "chromium-browser"}

// Chromium returns the path of the Chromium binary for browser tests, found on PATH.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	err := fmt.Errorf("no %s on PATH; Debian: apt-get install chromium", strings.Join(chromiumNames, " or "))
	missing(t, "Chromium", "not found", err)
	return ""
}

// RedisOptions returns the options of the test Redis server: STUDYTOOL_TEST_REDIS_URL,
// else REDIS_URL, else DB 9 of the local server. Tests confine themselves to a prefix of
// their own, so a shared DB is never flushed.
func RedisOptions(t testing.TB) *redis.Options {
	t.Helper()
	raw := os.Getenv(EnvRedisURL)
	if raw == "" {
		raw = os.Getenv("REDIS_URL")
	}
	if raw == "" {
		raw = defaultRedisURL
	}
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("testenv: parse redis url: %v", err)
	}
	return opts
}

// Redis returns a client on the test Redis server and a key prefix unique to this test
// (`t<random>:test:`). Keys under the prefix are removed when the test ends.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opts := RedisOptions(t)
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		unavailable(t, "Redis at "+opts.Addr, err)
	}
	prefix := "t" + randomHex(6) + ":test:"
	t.Cleanup(func() {
		DeletePrefix(t, client, prefix)
		_ = client.Close()
	})
	return client, prefix
}

// DeletePrefix removes every key under prefix with SCAN and UNLINK.
func DeletePrefix(t testing.TB, client redis.UniversalClient, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	batch := make([]string, 0, 500)
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == cap(batch) {
			client.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		client.Unlink(ctx, batch...)
	}
	if err := iter.Err(); err != nil {
		t.Logf("testenv: clean prefix %s: %v", prefix, err)
	}
}

// PostgresAdminURL returns the URL of the PostgreSQL server tests create databases on.
func PostgresAdminURL() string {
	for _, name := range []string{EnvPostgresURL, "DATABASE_URL"} {
		if raw := os.Getenv(name); strings.HasPrefix(raw, "postgres") {
			return raw
		}
	}
	return defaultPostgresURL
}

// Postgres creates an empty database for this test and returns its URL; the database is
// dropped when the test ends.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := PostgresAdminURL()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("testenv: open postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		unavailable(t, "PostgreSQL at "+hostOf(admin), err)
	}
	name := "studytool_test_" + randomHex(6)
	if _, err := db.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		_ = db.Close()
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
		}
		_ = db.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("testenv: parse postgres url: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("testenv: free port: unexpected address %v", l.Addr())
	}
	return addr.Port
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Host
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
