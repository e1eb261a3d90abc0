package observability

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/keyspace"
)

// Command labels of batched work.
const (
	pipelineCommand = "pipeline"
	multiCommand    = "multi"
)

// maxLoggedShapes bounds the distinct key shapes one slow pipeline logs.
const maxLoggedShapes = 5

// RedisHookConfig configures the hook of one Redis connection.
type RedisHookConfig struct {
	// Role labels the connection's metrics and log lines: RoleCache, RoleState or
	// RoleShared.
	Role string
	// Keyspace shapes keys for the slow-operation log (keyspace.Keyspace.Shape).
	Keyspace keyspace.Keyspace
	// SlowThreshold is the duration above which a command is logged as slow and counted
	// in redis_slow_commands_total; zero or less disables both.
	SlowThreshold time.Duration
	// Logger receives the slow-operation log at warn level.
	Logger *slog.Logger
}

// RedisHook is a go-redis hook that times every command and pipeline into
// redis_command_duration_seconds and logs the slow ones. A slow-operation line holds the
// role, the command name, the shape of its key (dynamic parts replaced by `*`) and the
// duration: never a value, another argument, or a key's ids and tokens.
type RedisHook struct {
	metrics *Metrics
	cfg     RedisHookConfig
}

var _ redis.Hook = (*RedisHook)(nil)

// NewRedisHook returns the hook for one connection; add it with client.AddHook.
func NewRedisHook(m *Metrics, cfg RedisHookConfig) *RedisHook {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &RedisHook{metrics: m, cfg: cfg}
}

// DialHook leaves dialing untouched.
func (h *RedisHook) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook times one command.
func (h *RedisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		elapsed := time.Since(start)
		name := cmd.Name()
		h.metrics.redisDuration.WithLabelValues(h.cfg.Role, name).Observe(elapsed.Seconds())
		if h.slow(elapsed) {
			h.metrics.redisSlow.WithLabelValues(h.cfg.Role, name).Inc()
			h.logSlow(ctx, name, elapsed, h.shapes([]redis.Cmder{cmd}), 1)
		}
		return err
	}
}

// ProcessPipelineHook times a pipeline or transaction as one operation: the latency of
// a command inside a batch is the batch's.
func (h *RedisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		elapsed := time.Since(start)
		name := pipelineCommand
		if len(cmds) > 0 && cmds[0].Name() == multiCommand {
			name = multiCommand
		}
		h.metrics.redisDuration.WithLabelValues(h.cfg.Role, name).Observe(elapsed.Seconds())
		if h.slow(elapsed) {
			h.metrics.redisSlow.WithLabelValues(h.cfg.Role, name).Inc()
			h.logSlow(ctx, name, elapsed, h.shapes(cmds), len(cmds))
		}
		return err
	}
}

func (h *RedisHook) slow(elapsed time.Duration) bool {
	return h.cfg.SlowThreshold > 0 && elapsed >= h.cfg.SlowThreshold
}

func (h *RedisHook) logSlow(ctx context.Context, command string, elapsed time.Duration, shapes []string, size int) {
	attrs := []slog.Attr{
		slog.String("role", h.cfg.Role),
		slog.String("command", command),
		slog.String("keyPattern", strings.Join(shapes, ",")),
		slog.Duration("duration", elapsed),
		slog.Duration("threshold", h.cfg.SlowThreshold),
	}
	if command == pipelineCommand || command == multiCommand {
		attrs = append(attrs, slog.Int("commands", size))
	}
	h.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "slow redis operation", attrs...)
}

// shapes returns the distinct shapes of the keys cmds touch, at most maxLoggedShapes.
func (h *RedisHook) shapes(cmds []redis.Cmder) []string {
	var out []string
	for _, cmd := range cmds {
		key, ok := firstKey(cmd)
		if !ok {
			continue
		}
		shape := h.cfg.Keyspace.Shape(key)
		if !slices.Contains(out, shape) {
			out = append(out, shape)
		}
		if len(out) == maxLoggedShapes {
			break
		}
	}
	return out
}

// keylessCommands take no key, so their first argument is not one.
var keylessCommands = map[string]bool{
	"acl": true, "auth": true, "bgsave": true, "client": true, "cluster": true,
	"command": true, "config": true, "dbsize": true, "debug": true, "discard": true,
	"echo": true, "exec": true, "failover": true, "flushall": true, "flushdb": true,
	"function": true, "hello": true, "info": true, "keys": true, "lastsave": true,
	"latency": true, "memory": true, "module": true, "multi": true, "object": true,
	"ping": true, "psubscribe": true, "publish": true, "punsubscribe": true, "quit": true,
	"randomkey": true, "readonly": true, "readwrite": true, "replicaof": true, "role": true,
	"save": true, "scan": true, "script": true, "select": true, "sentinel": true,
	"slowlog": true, "spublish": true, "ssubscribe": true, "subscribe": true,
	"sunsubscribe": true, "swapdb": true, "time": true, "unsubscribe": true, "wait": true,
}

// scriptCommands carry their keys after the script and the key count.
var scriptCommands = map[string]bool{
	"eval": true, "evalsha": true, "eval_ro": true, "evalsha_ro": true,
	"fcall": true, "fcall_ro": true,
}

// firstKey returns the first key cmd names, if it names one.
func firstKey(cmd redis.Cmder) (string, bool) {
	args := cmd.Args()
	name := cmd.Name()
	pos := 1
	switch {
	case keylessCommands[name]:
		return "", false
	case scriptCommands[name]:
		if len(args) < 4 || numKeys(args[2]) < 1 {
			return "", false
		}
		pos = 3
	}
	if len(args) <= pos {
		return "", false
	}
	key, ok := args[pos].(string)
	return key, ok
}

// numKeys reads the key count of a script call, which go-redis passes as an int.
func numKeys(arg any) int {
	switch n := arg.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case string:
		v, err := strconv.Atoi(n)
		if err != nil {
			return 0
		}
		return v
	}
	return 0
}
