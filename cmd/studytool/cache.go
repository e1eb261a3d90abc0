package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/cacheadmin"
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
	return &cobra.Command{
		Use:   "stats",
		Short: "Per feature: keys, memory (sampled with MEMORY USAGE) and the spread of TTLs",
		Long: `Walks the cache namespace once (SCAN, every master on Cluster), counts each feature's
keys over every schema version, and measures up to 200 of them per feature: memory
(MEMORY USAGE, extrapolated to the feature's keys) and remaining TTL (min, median,
max; keys without a TTL are counted apart). Keys of features this release does not
know are listed as (unknown). The running service's hit and miss counters are on its
GET /metrics (METRICS_ADDR) and GET /v1/admin/cache/stats.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h *cacheadmin.FeatureStatsHandler
			var stats []cacheadmin.FeatureStats
			step, finish := stepBar(cmd, "scanning the cache")
			var progress func(int64)
			if step != nil {
				progress = func(scanned int64) { step(int(scanned), -1) }
			}
			err := runOperation(cmd, func(ctx context.Context) (err error) {
				stats, err = h.Handle(ctx, progress)
				return err
			}, fx.Populate(&h))
			finish()
			if err != nil {
				return err
			}
			return printFeatureStats(cmd.OutOrStdout(), stats, *asJSON)
		},
	}
}

// featureStatsView is what `cache stats --json` prints of a feature: TTLs in seconds.
type featureStatsView struct {
	cacheadmin.FeatureStats
	TTLMinSeconds    float64 `json:"ttlMinSeconds"`
	TTLMedianSeconds float64 `json:"ttlMedianSeconds"`
	TTLMaxSeconds    float64 `json:"ttlMaxSeconds"`
}

func printFeatureStats(out io.Writer, stats []cacheadmin.FeatureStats, asJSON bool) error {
	if asJSON {
		views := make([]featureStatsView, len(stats))
		for i, f := range stats {
			views[i] = featureStatsView{FeatureStats: f, TTLMinSeconds: f.TTLMin.Seconds(),
				TTLMedianSeconds: f.TTLMedian.Seconds(), TTLMaxSeconds: f.TTLMax.Seconds()}
		}
		return json.NewEncoder(out).Encode(map[string][]featureStatsView{"features": views})
	}
	for _, f := range stats {
		if _, err := fmt.Fprintf(out, "%-14s keys=%d memory~%dB (sampled %d) ttl min=%s median=%s max=%s no-ttl=%d\n",
			f.Feature, f.Keys, f.MemoryBytes, f.Sampled, f.TTLMin.Round(time.Second), f.TTLMedian.Round(time.Second),
			f.TTLMax.Round(time.Second), f.NoTTL); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(out, "%d features\n", len(stats))
	return err
}
