package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/cacheadmin"
	"github.com/studytool/studytool/bootstrap"
)

func newCacheCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Administer the cache the service uses (its cache namespace only)",
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.AddCommand(newCacheStatsCommand(&asJSON), newCacheInvalidateCommand(&asJSON), newCacheWarmCommand(&asJSON), newCacheCleanupCommand(&asJSON))
	return cmd
}

func newCacheInvalidateCommand(asJSON *bool) *cobra.Command {
	var feature string
	cmd := &cobra.Command{
		Use:   "invalidate [PATTERN | --feature FEATURE]",
		Short: "Delete the cache entries matching PATTERN, or every entry of FEATURE",
		Long: `PATTERN is a glob relative to the cache namespace ({prefix}cache:), with * and ?
only, as the admin endpoint POST /v1/admin/cache/invalidate takes it: user:* deletes
every entry of the user features. It never reaches sessions, progress or another
environment's keys; a pattern with [, ], \ or an empty segment is refused (exit 2).
--feature deletes every version and generation of one feature, named literally.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (feature != "") {
				return usage(cmd, fmt.Errorf("give a PATTERN or --feature, not both"))
			}
			return invalidateCache(cmd, args, feature, *asJSON)
		},
	}
	cmd.Flags().StringVar(&feature, "feature", "", "delete every entry of this feature (e.g. user:profile)")
	return cmd
}

// invalidateCache runs the admin endpoint's invalidation and prints how many entries went.
func invalidateCache(cmd *cobra.Command, args []string, feature string, asJSON bool) error {
	var h *cacheadmin.InvalidateHandler
	var deleted int64
	err := runOperation(cmd, func(ctx context.Context) (err error) {
		if feature != "" {
			deleted, err = h.HandleFeature(ctx, feature)
		} else {
			deleted, err = h.Handle(ctx, args[0])
		}
		return err
	}, fx.Populate(&h))
	switch {
	case isValidation(err):
		return usage(cmd, err)
	case err != nil:
		return err
	case asJSON:
		return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]int64{"deleted": deleted})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "deleted %d cache entries\n", deleted)
	return err
}

func newCacheCleanupCommand(asJSON *bool) *cobra.Command {
	var oldVersions, dryRun bool
	cmd := &cobra.Command{
		Use:   "cleanup --old-versions [--dry-run]",
		Short: "Delete cache entries of schema versions this release does not use",
		Long: `--old-versions walks the cache namespace once (SCAN, every master on Cluster) and
deletes the entries of each feature whose schema version is not the one this binary
reads and writes: the last step of a rolling deploy that changed a cache schema, run
with the new release once no old process is left. Entries of features this release
does not know and the generation counters are kept. --dry-run only counts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !oldVersions {
				return usage(cmd, fmt.Errorf("say what to clean up: --old-versions"))
			}
			return cleanupCache(cmd, dryRun, *asJSON)
		},
	}
	cmd.Flags().BoolVar(&oldVersions, "old-versions", false, "delete entries of schema versions other than the current ones")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "count the old entries, delete nothing")
	return cmd
}

// cleanupCache runs the cleanup of old schema versions and prints what it found and did.
func cleanupCache(cmd *cobra.Command, dryRun, asJSON bool) error {
	var h *cacheadmin.CleanupOldVersionsHandler
	var result *cacheadmin.Cleanup
	step, finish := stepBar(cmd, "scanning the cache")
	var progress func(int64)
	if step != nil {
		progress = func(scanned int64) { step(int(scanned), -1) }
	}
	err := runOperation(cmd, func(ctx context.Context) (err error) {
		result, err = h.Handle(ctx, dryRun, progress)
		return err
	}, fx.Populate(&h))
	finish()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		return json.NewEncoder(out).Encode(result)
	}
	for _, label := range slices.Sorted(maps.Keys(result.ByFeature)) {
		if _, err := fmt.Fprintf(out, "%s: %d entries\n", label, result.ByFeature[label]); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(out, "scanned %d cache keys: %d of old schema versions, %d deleted\n",
		result.Scanned, result.Old, result.Deleted)
	return err
}

func newCacheWarmCommand(asJSON *bool) *cobra.Command {
	return &cobra.Command{
		Use:   "warm [FEATURE]",
		Short: "Fill the cache from the database with what the service warms at start",
		Long: `Runs the warmers the service runs when it starts, now and to completion: today the
organizations (feature org: the list and each organization). Other features fill on
demand. After ` + "`cache invalidate`" + ` this is the second half of a cache rebuild. On the
embedded in-memory stores the command warms only its own process's cache.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			feature := ""
			if len(args) == 1 {
				feature = args[0]
			}
			var h *cacheadmin.WarmHandler
			var warmed []string
			err := runOperation(cmd, func(ctx context.Context) (err error) {
				warmed, err = h.Handle(ctx, feature)
				return err
			}, fx.Populate(&h))
			switch {
			case isValidation(err):
				return usage(cmd, err)
			case err != nil:
				return err
			case *asJSON:
				return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string][]string{"warmed": warmed})
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "warmed %s\n", strings.Join(warmed, ", "))
			return err
		},
	}
}

func newCacheStatsCommand(asJSON *bool) *cobra.Command {
	var metrics string
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Per feature: keys, memory (sampled with MEMORY USAGE), the spread of TTLs, and the service's hits and misses",
		Long: `Walks the cache namespace once (SCAN, every master on Cluster), counts each feature's
keys over every schema version, and measures up to 200 of them per feature: memory
(MEMORY USAGE, extrapolated to the feature's keys) and remaining TTL (min, median,
max; keys without a TTL are counted apart). Keys of features this release does not
know are listed as (unknown).

It also reads the running service's hit and miss counters per feature from its GET
/metrics (--metrics-url, by default on METRICS_ADDR; 127.0.0.1 when METRICS_ADDR
listens on every interface). They count since that instance started, one instance
only. When the service does not answer, a note says so and the key figures are
printed alone (exit 0).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := bootstrap.LoadFromEnv()
			if err != nil {
				return err
			}
			service := serviceCounters{URL: metrics}
			if service.URL == "" {
				service.URL, err = metricsURL(cfg)
			}
			if err == nil {
				service.Features, err = scrapeCacheCounters(cmd.Context(), service.URL)
			}
			if err != nil {
				service.Error = err.Error()
			}
			var h *cacheadmin.FeatureStatsHandler
			var stats []cacheadmin.FeatureStats
			step, finish := stepBar(cmd, "scanning the cache")
			var progress func(int64)
			if step != nil {
				progress = func(scanned int64) { step(int(scanned), -1) }
			}
			err = runOperation(cmd, func(ctx context.Context) (err error) {
				stats, err = h.Handle(ctx, progress)
				return err
			}, fx.Populate(&h))
			finish()
			if err != nil {
				return err
			}
			return printFeatureStats(cmd.OutOrStdout(), stats, service, *asJSON)
		},
	}
	cmd.Flags().StringVar(&metrics, "metrics-url", "", "the running service's GET /metrics (default http://METRICS_ADDR/metrics)")
	return cmd
}

// serviceCounters is what `cache stats` learned from the running service's /metrics:
// counters per feature, or why there are none.
type serviceCounters struct {
	URL      string
	Features map[string]counters
	// Error says why the service was not read; empty when it was.
	Error string
}

// featureStatsView is what `cache stats --json` prints of a feature: TTLs in seconds,
// and the service's counters when it was read.
type featureStatsView struct {
	cacheadmin.FeatureStats
	TTLMinSeconds    float64  `json:"ttlMinSeconds"`
	TTLMedianSeconds float64  `json:"ttlMedianSeconds"`
	TTLMaxSeconds    float64  `json:"ttlMaxSeconds"`
	Hits             *float64 `json:"hits,omitempty"`
	Misses           *float64 `json:"misses,omitempty"`
	HitRate          *float64 `json:"hitRate,omitempty"`
}

// serviceView is what `cache stats --json` prints of the service it read.
type serviceView struct {
	MetricsURL string `json:"metricsUrl"`
	Reachable  bool   `json:"reachable"`
	Error      string `json:"error,omitempty"`
}

// featureViews joins the key figures and the service's counters per feature; a feature
// with counters and no keys gets a row of its own. Rows are sorted by feature.
func featureViews(stats []cacheadmin.FeatureStats, service serviceCounters) []featureStatsView {
	views := make([]featureStatsView, 0, len(stats))
	seen := make(map[string]bool, len(stats))
	for _, f := range stats {
		seen[f.Feature] = true
		views = append(views, featureStatsView{FeatureStats: f, TTLMinSeconds: f.TTLMin.Seconds(),
			TTLMedianSeconds: f.TTLMedian.Seconds(), TTLMaxSeconds: f.TTLMax.Seconds()})
	}
	for _, feature := range slices.Sorted(maps.Keys(service.Features)) {
		if !seen[feature] {
			views = append(views, featureStatsView{FeatureStats: cacheadmin.FeatureStats{Feature: feature}})
		}
	}
	if service.Error == "" {
		for i := range views {
			c := service.Features[views[i].Feature]
			views[i].Hits, views[i].Misses, views[i].HitRate = &c.Hits, &c.Misses, c.hitRate()
		}
	}
	slices.SortStableFunc(views, func(a, b featureStatsView) int { return strings.Compare(a.Feature, b.Feature) })
	return views
}

func printFeatureStats(out io.Writer, stats []cacheadmin.FeatureStats, service serviceCounters, asJSON bool) error {
	views := featureViews(stats, service)
	if asJSON {
		return json.NewEncoder(out).Encode(struct {
			Features []featureStatsView `json:"features"`
			Service  serviceView        `json:"service"`
		}{views, serviceView{MetricsURL: service.URL, Reachable: service.Error == "", Error: service.Error}})
	}
	w := &stickyWriter{w: out}
	for _, f := range views {
		ttl := "ttl -"
		if f.Sampled > f.NoTTL {
			ttl = fmt.Sprintf("ttl min=%s median=%s max=%s", f.TTLMin.Round(time.Second), f.TTLMedian.Round(time.Second), f.TTLMax.Round(time.Second))
		}
		w.printf("%-14s keys=%d memory~%dB (sampled %d) %s no-ttl=%d", f.Feature, f.Keys, f.MemoryBytes, f.Sampled, ttl, f.NoTTL)
		if f.Hits != nil {
			rate := "-"
			if f.HitRate != nil {
				rate = strconv.FormatFloat(100**f.HitRate, 'f', 1, 64) + "%"
			}
			w.printf(" hits=%.0f misses=%.0f hit-rate=%s", *f.Hits, *f.Misses, rate)
		}
		w.printf("\n")
	}
	w.printf("%d features\n", len(views))
	switch {
	case service.Error != "" && service.URL == "":
		w.printf("hit/miss counters omitted: %s\n", service.Error)
	case service.Error != "":
		w.printf("service not reachable at %s: hit/miss counters omitted (%s)\n", service.URL, service.Error)
	default:
		w.printf("hits and misses: the service at %s, since it started\n", service.URL)
	}
	return w.err
}
