package bootstrap

import (
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/studytool/studytool/adapters/argon2"
)

// memoryHeadroom is what the service's own heap may take beside the password-hashing
// budget before the garbage collector works harder to stay under the soft limit.
const memoryHeadroom = 128 << 20

// MemoryLimit is the soft memory limit the service sets when GOMEMLIMIT is not given:
// the hashing budget (PASSWORD_HASH_CONCURRENCY × 64 MiB) plus headroom. Without a limit
// Go lets the heap grow to twice its live size before collecting, so the hashes' 64 MiB
// blocks, garbage as soon as a hash ends, would double the process's memory under load.
func MemoryLimit(cfg Config) int64 {
	return int64(cfg.Auth.PasswordHashConcurrency)*argon2.MemoryPerHash + memoryHeadroom
}

// gcPercent is the garbage collector's target the service sets beside its memory limit,
// unless GOGC is given. The service's live heap is small (about 10 MB), so Go's default
// of 100 collects every few megabytes of garbage: several times a second under load, each
// collection delaying the requests it catches. With the soft limit bounding the heap,
// collecting when it has grown ninefold costs memory that is budgeted anyway (the
// limit still forces a collection near it) and cuts the collections about eightfold (see
// docs/performance.md, "Load").
const gcPercent = 800

// applyMemoryLimit sets MemoryLimit unless the environment sets GOMEMLIMIT (which the Go
// runtime has applied already, "off" included), and with it gcPercent unless GOGC is set,
// and logs both in force. APP_ENV=test sets neither: they are process-wide, and a test
// process runs many applications.
func applyMemoryLimit(cfg Config, logger *slog.Logger) {
	gc := slog.String("gogc", os.Getenv("GOGC"))
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.App.Env != EnvTest {
		debug.SetMemoryLimit(MemoryLimit(cfg))
		if _, set := os.LookupEnv("GOGC"); !set {
			debug.SetGCPercent(gcPercent)
			gc = slog.Int("gogc", gcPercent)
		}
	}
	logger.Info("memory limit", slog.Int64("bytes", debug.SetMemoryLimit(-1)), gc)
}
