package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-isatty"
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
		newMigrateDownCommand(),
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

// newMigrateDownCommand rolls back N migrations, or with --all every one of them after a
// confirmation: typed on a terminal, or --yes (which production always requires).
func newMigrateDownCommand() *cobra.Command {
	var all, yes bool
	cmd := &cobra.Command{
		Use:   "down N | --all",
		Short: "Roll back N migrations, or every one with --all (asks first; --yes to skip)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			steps, err := downSteps(args, all)
			if err != nil {
				return usage(cmd, err)
			}
			return withSchema(func(ctx context.Context, out io.Writer, schema *bootstrap.Schema, _ []string) error {
				if all {
					if err := confirmDropAll(cmd, schema, yes); err != nil {
						return err
					}
				}
				if err := schema.Down(ctx, steps); err != nil {
					return err
				}
				return printVersion(ctx, out, schema)
			})(cmd, args)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "roll back every migration (drops every table)")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation of --all")
	return cmd
}

// downSteps reads how many migrations to roll back: N, or 0 (all) with --all.
func downSteps(args []string, all bool) (int, error) {
	switch {
	case all && len(args) == 1:
		return 0, errors.New("give either N or --all, not both")
	case all:
		return 0, nil
	case len(args) == 0:
		return 0, errors.New("give the number of migrations to roll back, or --all")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("the count must be a positive integer, got %q", args[0])
	}
	return n, nil
}

// confirmDropAll asks on a terminal before every migration is rolled back; without a
// terminal, and always in production, --yes is the confirmation.
func confirmDropAll(cmd *cobra.Command, schema *bootstrap.Schema, yes bool) error {
	if yes {
		return nil
	}
	if schema.Production() {
		return usage(cmd, errors.New("--all in production needs --yes"))
	}
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		return usage(cmd, errors.New("--all without a terminal to confirm on needs --yes"))
	}
	prompt := "Roll back every migration of the " + schema.Dialect() + " database, dropping every table? Type yes: "
	if _, err := io.WriteString(cmd.ErrOrStderr(), prompt); err != nil {
		return fmt.Errorf("migrate down --all: %w", err)
	}
	answer, _ := bufio.NewReader(in).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		return errors.New("migrate down --all: not confirmed; nothing changed")
	}
	return nil
}

// isTerminal reports whether f is a terminal (not a pipe, a file or /dev/null).
func isTerminal(f *os.File) bool { return isatty.IsTerminal(f.Fd()) }

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
