package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/keys"
	"github.com/studytool/studytool/bootstrap"
)

// errNoRedis refuses the commands that work on Redis keys (keys, state) on the embedded
// in-memory stores, which live in the server's own process.
var errNoRedis = errors.New("REDIS_URL is not set: the in-memory stores live in the server's process, out of reach of this command")

func newKeysCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Report on and clean up the Redis keyspace under REDIS_KEY_PREFIX (both roles, every Cluster master)",
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.AddCommand(newKeysReportCommand(&asJSON), newKeysCleanupCommand(&asJSON))
	return cmd
}

func newKeysReportCommand(asJSON *bool) *cobra.Command {
	return &cobra.Command{
		Use:   "report",
		Short: "Count the keys per schema pattern, with sampled bytes and keys missing their TTL",
		Long: `SCANs every key under the prefix on the cache and state Redis (every master on a
Cluster) and groups them by schema pattern: cache entries per feature and schema
version, sessions, session indexes, study sessions and their indexes, progress copies,
rate limits, idempotency records and indexes, and unknown keys. Bytes are MEMORY USAGE
of up to 100 keys per group, extrapolated to the group. NO TTL counts keys without a
TTL in a family whose keys always carry one. It only reads.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h *keys.ReportHandler
			var report *keys.Report
			err := runKeysOperation(cmd, func(ctx context.Context) (err error) {
				bar := newScanBar(cmd, "scanning keys")
				defer bar.finish()
				report, err = h.Handle(ctx, bar.add)
				return err
			}, fx.Populate(&h))
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(report)
			}
			return printReport(cmd.OutOrStdout(), report)
		},
	}
}

func newKeysCleanupCommand(asJSON *bool) *cobra.Command {
	c := keys.Cleanup{Rate: 1000, Batch: keys.DefaultBatch}
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "List (or with --apply delete) orphaned keys and index entries",
		Long: `Finds, by reason: session-index entries whose session is gone (dangling-index-entry),
sessions their user's index does not list (session-outside-index), keys of deleted
users, study sessions of deleted decks and progress copies of deleted cards (the
database is asked), keys without a TTL in families that always have one (no-ttl), and,
with --unknown only, keys under the prefix that fit no layout (unknown).
Without --apply it only lists. With --apply it removes them: UNLINK in pipelines of
--batch keys, at most --rate keys per second, so other clients' latency stays flat.
Sessions are judged against their owners' indexes as they are after the scan, so a
login during the run is not taken for an orphan. Read the dry run before applying.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.Rate <= 0 || c.Batch <= 0 {
				return usage(cmd, errors.New("--rate and --batch must be positive"))
			}
			var h *keys.CleanupHandler
			var result *keys.CleanupResult
			err := runKeysOperation(cmd, func(ctx context.Context) (err error) {
				bar := newScanBar(cmd, "scanning keys")
				defer bar.finish()
				result, err = h.Handle(ctx, c, bar.add)
				return err
			}, fx.Populate(&h))
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(result)
			}
			return printCleanup(cmd.OutOrStdout(), result)
		},
	}
	cmd.Flags().BoolVar(&c.Apply, "apply", false, "delete what is listed (default: dry run)")
	cmd.Flags().BoolVar(&c.Unknown, "unknown", false, "include keys under the prefix that fit no layout of the schema")
	cmd.Flags().Float64Var(&c.Rate, "rate", c.Rate, "at most this many keys deleted per second")
	cmd.Flags().IntVar(&c.Batch, "batch", c.Batch, "keys per UNLINK pipeline")
	return cmd
}

// runKeysOperation is runOperation for the key commands, which need Redis.
func runKeysOperation(cmd *cobra.Command, fn func(ctx context.Context) error, populate fx.Option) error {
	cfg, err := bootstrap.LoadFromEnv()
	if err != nil {
		return err
	}
	if !cfg.UsesRedis() {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), errNoRedis)
	}
	return runOperation(cmd, fn, populate)
}

// scanBar shows the keys scanned so far on a terminal; elsewhere it is silent.
type scanBar struct{ bar *progressbar.ProgressBar }

// newScanBar returns a spinner counting keys on standard error when standard output is
// a terminal, and a silent bar otherwise.
func newScanBar(cmd *cobra.Command, description string) scanBar {
	out, ok := cmd.OutOrStdout().(*os.File)
	if !ok || !isTerminal(out) {
		return scanBar{}
	}
	return scanBar{bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(cmd.ErrOrStderr()),
		progressbar.OptionSetDescription(description),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("keys"),
		progressbar.OptionShowIts(),
		progressbar.OptionClearOnFinish(),
	)}
}

func (b scanBar) add(n int) {
	if b.bar != nil {
		_ = b.bar.Add(n)
	}
}

func (b scanBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}

// printReport prints the report as a table.
func printReport(out io.Writer, r *keys.Report) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	w := &stickyWriter{w: tw}
	w.printf("ROLE\tFAMILY\tPATTERN\tKEYS\tSAMPLED\tBYTES (EST.)\tNO TTL\t\n")
	for _, g := range r.Groups {
		w.printf("%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", g.Role, g.Family, g.Pattern, g.Keys, g.SampledKeys, g.EstimatedBytes, g.NoTTL)
	}
	w.printf("total\t\t\t%d\t\t\t\t\n", r.Keys)
	if w.err != nil {
		return w.err
	}
	return tw.Flush()
}

// printCleanup prints the items grouped by reason, and what was (or would be) done.
func printCleanup(out io.Writer, r *keys.CleanupResult) error {
	w := &stickyWriter{w: out}
	var reason keys.Reason
	for _, it := range r.Items {
		if it.Reason != reason {
			reason = it.Reason
			w.printf("%s:\n", reason)
		}
		if it.Member != "" {
			w.printf("  %s %s entry %s\n", it.Role, it.Key, it.Member)
			continue
		}
		w.printf("  %s %s\n", it.Role, it.Key)
	}
	verb := "would remove"
	if r.Applied {
		verb = "removed"
	}
	w.printf("%s %d items\n", verb, len(r.Items))
	return w.err
}

// stickyWriter prints until a write fails and keeps that first error.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) printf(format string, args ...any) {
	if s.err == nil {
		_, s.err = fmt.Fprintf(s.w, format, args...)
	}
}
