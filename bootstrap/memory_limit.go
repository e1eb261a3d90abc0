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

// applyMemoryLimit sets MemoryLimit unless the environment sets GOMEMLIMIT (which the Go
// runtime has applied already, "off" included), and logs the limit in force. APP_ENV=test
// sets none: the limit is process-wide, and a test process runs many applications.
func applyMemoryLimit(cfg Config, logger *slog.Logger) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.App.Env != EnvTest {
		debug.SetMemoryLimit(MemoryLimit(cfg))
	}
	logger.Info("memory limit", slog.Int64("bytes", debug.SetMemoryLimit(-1)))
}
