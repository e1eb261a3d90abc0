package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/spf13/cobra"

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
			RunE: withSchema(func(ctx context.Context, out io.Writer, schema *bootstrap.Schema, _ []string) error {
				if err := schema.Up(ctx); err != nil {
					return err
				}
				return printVersion(ctx, out, schema)
			}),
		},
		&cobra.Command{
			Use:   "down [N]",
			Short: "Roll back N migrations (all of them when N is omitted)",
			Args:  cobra.MaximumNArgs(1),
			RunE: withSchema(func(ctx context.Context, out io.Writer, schema *bootstrap.Schema, args []string) error {
				steps := 0
				if len(args) == 1 {
					n, err := strconv.Atoi(args[0])
					if err != nil || n < 1 {
						return fmt.Errorf("migrate down: N must be a positive integer, got %q", args[0])
					}
					steps = n
				}
				if err := schema.Down(ctx, steps); err != nil {
					return err
				}
				return printVersion(ctx, out, schema)
			}),
		},
		&cobra.Command{
			Use:   "version",
			Short: "Print the current schema version",
			Args:  cobra.NoArgs,
			RunE: withSchema(func(ctx context.Context, out io.Writer, schema *bootstrap.Schema, _ []string) error {
				return printVersion(ctx, out, schema)
			}),
		},
	)
	return cmd
}

type schemaAction func(ctx context.Context, out io.Writer, schema *bootstrap.Schema, args []string) error

// withSchema loads the configuration, opens the database, runs action and closes it.
func withSchema(action schemaAction) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		cfg, err := bootstrap.LoadFromEnv()
		if err != nil {
			return err
		}
		logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
		ctx := cmd.Context()
		schema, err := bootstrap.OpenSchema(ctx, cfg, logger)
		if err != nil {
			return err
		}
		err = action(ctx, cmd.OutOrStdout(), schema, args)
		if cerr := schema.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close database: %w", cerr)
		}
		return err
	}
}

func printVersion(ctx context.Context, out io.Writer, schema *bootstrap.Schema) error {
	v, dirty, err := schema.Version(ctx)
	if err != nil {
		return err
	}
	state := "clean"
	if dirty {
		state = "dirty"
	}
	_, err = fmt.Fprintf(out, "schema version %d (%s, %s)\n", v, schema.Dialect(), state)
	return err
}
