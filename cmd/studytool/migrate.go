package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/studytool/studytool/adapters/gormdb"
	"github.com/studytool/studytool/bootstrap"
)

func newMigrateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Manage the database schema (DATABASE_URL, or the embedded SQLite file)",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "up",
			Short: "Apply every pending migration",
			Args:  cobra.NoArgs,
			RunE: withDatabase(func(ctx context.Context, out io.Writer, db *gormdb.DB, _ []string) error {
				if err := db.MigrateUp(ctx); err != nil {
					return err
				}
				return printVersion(ctx, out, db)
			}),
		},
		&cobra.Command{
			Use:   "down [N]",
			Short: "Roll back N migrations (all of them when N is omitted)",
			Args:  cobra.MaximumNArgs(1),
			RunE: withDatabase(func(ctx context.Context, out io.Writer, db *gormdb.DB, args []string) error {
				steps := 0
				if len(args) == 1 {
					n, err := strconv.Atoi(args[0])
					if err != nil || n < 1 {
						return fmt.Errorf("migrate down: N must be a positive integer, got %q", args[0])
					}
					steps = n
				}
				if err := db.MigrateDown(ctx, steps); err != nil {
					return err
				}
				return printVersion(ctx, out, db)
			}),
		},
		&cobra.Command{
			Use:   "version",
			Short: "Print the current schema version",
			Args:  cobra.NoArgs,
			RunE: withDatabase(func(ctx context.Context, out io.Writer, db *gormdb.DB, _ []string) error {
				return printVersion(ctx, out, db)
			}),
		},
	)
	return cmd
}

type dbAction func(ctx context.Context, out io.Writer, db *gormdb.DB, args []string) error

// withDatabase loads the configuration, opens the database, runs action and closes it.
func withDatabase(action dbAction) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := bootstrap.LoadFromEnv()
		if err != nil {
			return err
		}
		logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
		ctx := cmd.Context()
		db, err := gormdb.Open(ctx, cfg.GormConfig(logger))
		if err != nil {
			return err
		}
		err = action(ctx, cmd.OutOrStdout(), db, args)
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close database: %w", cerr)
		}
		return err
	}
}

func printVersion(ctx context.Context, out io.Writer, db *gormdb.DB) error {
	v, dirty, err := db.MigrateVersion(ctx)
	if err != nil {
		return err
	}
	state := "clean"
	if dirty {
		state = "dirty"
	}
	_, err = fmt.Fprintf(out, "schema version %d (%s, %s)\n", v, db.Dialect(), state)
	return err
}
