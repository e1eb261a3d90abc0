package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/progress"
	"github.com/studytool/studytool/domain"
)

// errProgressDisagrees makes `progress verify` exit non-zero when stored progress and
// the review log disagree, so a scheduled check can alert on it.
var errProgressDisagrees = errors.New("stored progress disagrees with the review log")

func newProgressCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "progress",
		Short: "Check and rebuild learning progress from the review log (the database the service uses)",
	}
	var userID string
	verify := &cobra.Command{
		Use:   "verify",
		Short: "Recompute progress from the review log and report every stored row that disagrees",
		Long: `Replays the review log (the data of record) through the scheduler, one (user, card)
at a time in commit order, and compares the result with the stored progress. Every row
that differs or is missing is reported; the command then exits with status 1. It only
reads: progress and its review are committed in one transaction, so a disagreement is
a defect or a manual edit for a person to look at.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h *progress.VerifyProgressHandler
			var result *progress.Verification
			err := runOperation(cmd, func(ctx context.Context) (err error) {
				result, err = h.Handle(ctx, userID)
				return err
			}, fx.Populate(&h))
			if err != nil {
				return err
			}
			return reportVerification(cmd.OutOrStdout(), result, "progress verify")
		},
	}
	verify.Flags().StringVar(&userID, "user", "", "check only this user's progress (default: every user)")
	cmd.AddCommand(verify, newProgressRebuildCommand())
	return cmd
}

func newProgressRebuildCommand() *cobra.Command {
	var userID string
	var apply, asJSON bool
	cmd := &cobra.Command{
		Use:   "rebuild [--user ID] --apply",
		Short: "Rewrite stored progress that disagrees with the review log",
		Long: `Replays the review log as verify does and, with --apply, rewrites every stored
progress row that differs or is missing, in one transaction per user, and drops the
cached Redis copies of those rows. A row answered meanwhile fails its user's rewrite
with nothing written (run the command again). Running it twice changes nothing the
second time. Without --apply it only reports, as verify does, and exits 1 when a row
disagrees.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var h *progress.RebuildProgressHandler
			var result *progress.Rebuild
			step, finish := stepBar(cmd, "rebuilding progress")
			err := runOperation(cmd, func(ctx context.Context) (err error) {
				result, err = h.Handle(ctx, userID, apply, step)
				return err
			}, fx.Populate(&h))
			finish()
			if err != nil {
				return err
			}
			return reportRebuild(cmd.OutOrStdout(), result, asJSON)
		},
	}
	cmd.Flags().StringVar(&userID, "user", "", "rebuild only this user's progress (default: every user)")
	cmd.Flags().BoolVar(&apply, "apply", false, "rewrite the disagreeing rows (default: only report them)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the totals as JSON")
	return cmd
}

// rebuildReport is what `progress rebuild --json` prints.
type rebuildReport struct {
	Reviews        int  `json:"reviews"`
	Rows           int  `json:"rows"`
	Disagreements  int  `json:"disagreements"`
	Applied        bool `json:"applied"`
	RewrittenRows  int  `json:"rewrittenRows"`
	RewrittenUsers int  `json:"rewrittenUsers"`
}

// reportRebuild prints what the rebuild found and did; without --apply it reports and
// fails as verify does.
func reportRebuild(out io.Writer, r *progress.Rebuild, asJSON bool) error {
	if asJSON {
		err := json.NewEncoder(out).Encode(rebuildReport{
			Reviews: r.Reviews, Rows: r.Verification.Rows, Disagreements: len(r.Disagreements),
			Applied: r.Applied, RewrittenRows: r.Rows, RewrittenUsers: r.Users,
		})
		if err == nil && !r.Applied && len(r.Disagreements) > 0 {
			err = fmt.Errorf("progress rebuild: %d rows: %w", len(r.Disagreements), errProgressDisagrees)
		}
		return err
	}
	if !r.Applied {
		return reportVerification(out, r.Verification, "progress rebuild")
	}
	_, err := fmt.Fprintf(out, "checked %d progress rows against %d reviews: rewrote %d rows of %d users\n",
		r.Verification.Rows, r.Reviews, r.Rows, r.Users)
	return err
}

// reportVerification prints every disagreement and the totals, and fails, in the name of
// command, when there is a disagreement.
func reportVerification(out io.Writer, v *progress.Verification, command string) error {
	for _, d := range v.Disagreements {
		stored := "no stored progress"
		if d.Stored != nil {
			stored = "stored " + describeProgress(d.Stored)
		}
		if _, err := fmt.Fprintf(out, "user %s card %s: %s; the log gives %s\n",
			d.FromLog.UserID, d.FromLog.CardID, stored, describeProgress(&d.FromLog)); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(out, "checked %d progress rows against %d reviews: %d disagree\n",
		v.Rows, v.Reviews, len(v.Disagreements)); err != nil {
		return err
	}
	if n := len(v.Disagreements); n > 0 {
		return fmt.Errorf("%s: %d rows: %w", command, n, errProgressDisagrees)
	}
	return nil
}

func describeProgress(p *domain.Progress) string {
	return fmt.Sprintf("n=%d ef=%.2f interval=%dd scheduled=%dd stability=%.4f difficulty=%.4f due=%s last=%s lapses=%d reviews=%d leech=%t deck=%s",
		p.State.Repetitions, p.State.EF.Float(), p.State.IntervalDays, p.IntervalDays, p.Memory.Stability, p.Memory.Difficulty,
		p.DueAt.UTC().Format(time.RFC3339Nano), p.LastReviewedAt.UTC().Format(time.RFC3339Nano),
		p.Lapses, p.Reviews, p.Leech, p.DeckID)
}
