package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// errProgressDisagrees makes `progress rebuild` exit non-zero when stored progress and
// the review log disagree, so a scheduled check can alert on it.
var errProgressDisagrees = errors.New("stored progress disagrees with the review log")

func newProgressCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "progress",
		Short: "Inspect learning progress (DATABASE_URL, or the embedded SQLite file)",
	}
	var userID string
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Recompute progress from the review log and report every stored row that disagrees",
		Long: `Replays the review log (the data of record) through the SM-2 scheduler, one
(user, card) at a time in commit order, and compares the result with the stored
progress. Every row that differs or is missing is reported; the command then exits
with status 1. It only reads: progress and its review are committed in one
transaction, so a disagreement is a defect or a manual edit for a person to look at,
not something to overwrite blindly.`,
		Args: cobra.NoArgs,
		RunE: withDatabase(func(ctx context.Context, out io.Writer, db *gormdb.DB, _ []string) error {
			return rebuildProgress(ctx, out, gormdb.NewReviewRepo(db), gormdb.NewProgressRepo(db), userID)
		}),
	}
	rebuild.Flags().StringVar(&userID, "user", "", "check only this user's progress (default: every user)")
	cmd.AddCommand(rebuild)
	return cmd
}

// rebuildProgress replays userID's review log (everyone's when userID is "") and
// reports to out every stored progress row that differs from the replay.
func rebuildProgress(ctx context.Context, out io.Writer, reviews ports.ReviewRepo, progress ports.ProgressRepo, userID string) error {
	log, err := reviews.ListByUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("progress rebuild: %w", err)
	}
	replayed, err := domain.Replay(log)
	if err != nil {
		return fmt.Errorf("progress rebuild: %w", err)
	}
	disagree := 0
	for i := range replayed {
		want := &replayed[i]
		stored, err := progress.Get(ctx, want.UserID, want.CardID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			disagree++
			if _, err := fmt.Fprintf(out, "user %s card %s: no stored progress; the log gives %s\n",
				want.UserID, want.CardID, describeProgress(want)); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("progress rebuild: %w", err)
		}
		if sameProgress(stored, want) {
			continue
		}
		disagree++
		if _, err := fmt.Fprintf(out, "user %s card %s: stored %s; the log gives %s\n",
			want.UserID, want.CardID, describeProgress(stored), describeProgress(want)); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(out, "checked %d progress rows against %d reviews: %d disagree\n",
		len(replayed), len(log), disagree); err != nil {
		return err
	}
	if disagree > 0 {
		return fmt.Errorf("progress rebuild: %d rows: %w", disagree, errProgressDisagrees)
	}
	return nil
}

// sameProgress compares the scheduling state of two progress rows (not their version,
// which counts commits, drills included).
func sameProgress(a, b *domain.Progress) bool {
	return a.DeckID == b.DeckID && a.State == b.State && a.Lapses == b.Lapses &&
		a.DueAt.Equal(b.DueAt) && a.LastReviewedAt.Equal(b.LastReviewedAt)
}

func describeProgress(p *domain.Progress) string {
	return fmt.Sprintf("n=%d ef=%.2f interval=%dd due=%s last=%s lapses=%d deck=%s",
		p.State.Repetitions, p.State.EF.Float(), p.State.IntervalDays,
		p.DueAt.UTC().Format(time.RFC3339Nano), p.LastReviewedAt.UTC().Format(time.RFC3339Nano),
		p.Lapses, p.DeckID)
}
