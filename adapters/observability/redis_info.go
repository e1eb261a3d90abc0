package observability

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/studytool/studytool/adapters/shared/redisinfo"
)

// DefaultInfoInterval is how often the INFO poller reads each server when its config
// leaves the interval zero.
const DefaultInfoInterval = 15 * time.Second

// InfoPollerConfig configures an InfoPoller.
type InfoPollerConfig struct {
	// Interval is the time between two polls; zero means DefaultInfoInterval.
	Interval time.Duration
	// Timeout bounds one poll of one role; zero means half the interval.
	Timeout time.Duration
	// Logger receives poll failures, once per failure streak.
	Logger *slog.Logger
}

// InfoPoller reads INFO memory and stats from each Redis role on an interval and serves
// the last figures as redis_up, redis_memory_used_bytes, redis_memory_max_bytes and
// redis_evicted_keys_total. On Redis Cluster the figures are summed over the masters.
// Start and Stop bound its one goroutine.
type InfoPoller struct {
	clients []RedisClient
	cfg     InfoPollerConfig

	up, used, limit, evicted *prometheus.Desc

	// pollMu serializes polls; failing, the roles whose last poll failed (so a failure
	// is logged once per streak), belongs to it.
	pollMu  sync.Mutex
	failing map[string]bool

	// mu guards last, the figures served, and the lifecycle fields.
	mu      sync.Mutex
	last    map[string]redisInfo
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// redisInfo is what one poll of one role found.
type redisInfo struct {
	up                 bool
	used, max, evicted float64
}

// NewInfoPoller returns a poller of clients and registers its metrics with m. It does
// not poll until Start or Poll.
func NewInfoPoller(m *Metrics, cfg InfoPollerConfig, clients ...RedisClient) (*InfoPoller, error) {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInfoInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = cfg.Interval / 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "redis", name), help, []string{"role"}, nil)
	}
	p := &InfoPoller{
		clients: clients,
		cfg:     cfg,
		up:      desc("up", "1 when the last INFO poll of the role's Redis answered, 0 when it failed."),
		used:    desc("memory_used_bytes", "Memory the role's Redis uses (INFO used_memory)."),
		limit:   desc("memory_max_bytes", "The role's Redis maxmemory; 0 means no limit."),
		evicted: desc("evicted_keys_total", "Keys the role's Redis evicted under maxmemory (INFO evicted_keys)."),
		failing: make(map[string]bool),
		last:    make(map[string]redisInfo),
		done:    make(chan struct{}),
	}
	if err := m.Register(p); err != nil {
		return nil, err
	}
	return p, nil
}

// Start polls at once and then on every interval, in a goroutine of its own, and
// returns immediately. The polls carry ctx's values but not its deadline or
// cancellation (a start context ends when start-up does); Stop ends them. Calling Start
// again, or after Stop, does nothing.
func (p *InfoPoller) Start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.stopped {
		return
	}
	p.started = true
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.cancel = cancel
	go p.run(ctx)
}

// Stop ends the polling goroutine, cancelling a poll in flight, and waits for it to
// return or for ctx to end.
func (p *InfoPoller) Stop(ctx context.Context) error {
	p.mu.Lock()
	running := p.started && !p.stopped
	p.stopped = true
	p.mu.Unlock()
	if !running {
		return nil
	}
	p.cancel()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("redis info poller: stop: %w", ctx.Err())
	}
}

func (p *InfoPoller) run(ctx context.Context) {
	defer close(p.done)
	ticker := time.NewTicker(p.cfg.Interval)
	defer ticker.Stop()
	for {
		p.Poll(ctx)
		select {
		case <-ticker.C:
		case <-ctx.Done():
			return
		}
	}
}

// Poll reads every role once and keeps the figures for the next scrape. A role that
// does not answer is reported down with its last figures.
func (p *InfoPoller) Poll(ctx context.Context) {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	for _, rc := range p.clients {
		pollCtx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
		info, err := readInfo(pollCtx, rc.Client)
		cancel()
		if err != nil && ctx.Err() != nil {
			return // stopping: the failure is ours, not the server's
		}
		p.mu.Lock()
		if err != nil {
			info = p.last[rc.Role]
			info.up = false
		}
		p.last[rc.Role] = info
		p.mu.Unlock()
		p.logTransition(ctx, rc.Role, err)
	}
}

// logTransition logs the first failure of a streak and the recovery that ends it.
func (p *InfoPoller) logTransition(ctx context.Context, role string, err error) {
	switch {
	case err != nil && !p.failing[role]:
		p.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "redis info poll failed",
			slog.String("role", role), slog.Any("error", err))
	case err == nil && p.failing[role]:
		p.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "redis info poll recovered", slog.String("role", role))
	}
	p.failing[role] = err != nil
}

// Describe implements prometheus.Collector.
func (p *InfoPoller) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.up, p.used, p.limit, p.evicted} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the figures of the last poll of each role
// polled so far.
func (p *InfoPoller) Collect(ch chan<- prometheus.Metric) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for role, info := range p.last {
		up := 0.0
		if info.up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(p.up, prometheus.GaugeValue, up, role)
		ch <- prometheus.MustNewConstMetric(p.used, prometheus.GaugeValue, info.used, role)
		ch <- prometheus.MustNewConstMetric(p.limit, prometheus.GaugeValue, info.max, role)
		ch <- prometheus.MustNewConstMetric(p.evicted, prometheus.CounterValue, info.evicted, role)
	}
}

// readInfo reads one role's figures; on a cluster, summed over the masters.
func readInfo(ctx context.Context, client redis.UniversalClient) (redisInfo, error) {
	cluster, ok := client.(*redis.ClusterClient)
	if !ok {
		return readNodeInfo(ctx, client)
	}
	var (
		mu  sync.Mutex
		sum = redisInfo{up: true}
	)
	err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		info, err := readNodeInfo(ctx, node)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		sum.used += info.used
		sum.max += info.max
		sum.evicted += info.evicted
		return nil
	})
	if err != nil {
		return redisInfo{}, err
	}
	return sum, nil
}

// readNodeInfo reads INFO memory and stats from one server.
func readNodeInfo(ctx context.Context, client redis.UniversalClient) (redisInfo, error) {
	raw, err := client.Info(ctx, "memory", "stats").Result()
	if err != nil {
		return redisInfo{}, fmt.Errorf("redis info: %w", err)
	}
	parsed := redisinfo.Parse(raw)
	info := redisInfo{up: true}
	for name, target := range map[string]*float64{"used_memory": &info.used, "maxmemory": &info.max, "evicted_keys": &info.evicted} {
		v, ok := parsed.Float(name)
		if !ok {
			return redisInfo{}, fmt.Errorf("redis info: %s missing or not a number", name)
		}
		*target = v
	}
	return info, nil
}
