// Command studytool runs the StudyTool backend (`serve`) and its operations commands
// (`migrate`, `progress`, `users`, `sessions`, `cache`, `keys`, `state`, `config docs`;
// `studytool help` lists them). Configuration comes from environment variables; see
// docs/configuration.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "studytool:", err)
		os.Exit(exitCode(err))
	}
}

// usageError marks a command line the command cannot act on (an unknown permission, a
// missing argument, an unknown flag): exit status 2 rather than 1.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitCode is 2 for a usage error, 1 for any other failure.
func exitCode(err error) int {
	var usage usageError
	if errors.As(err, &usage) {
		return 2
	}
	return 1
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "studytool",
		Short:         "StudyTool backend: spaced-repetition study service",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCommand(), newMigrateCommand(), newProgressCommand(), newUsersCommand(),
		newSessionsCommand(), newCacheCommand(), newKeysCommand(), newStateCommand(), newConfigCommand())
	root.SetFlagErrorFunc(usage)
	checkArgsAsUsage(root)
	return root
}

// usage returns err, about cmd's command line, as a usageError naming the command.
func usage(cmd *cobra.Command, err error) error {
	return usageError{fmt.Errorf("%s: %w", cmd.CommandPath(), err)}
}

// checkArgsAsUsage makes a wrong number of arguments, for cmd and every command below
// it, a usage error; cobra's own argument checks return plain errors.
func checkArgsAsUsage(cmd *cobra.Command) {
	if check := cmd.Args; check != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return usage(cmd, err)
			}
			return nil
		}
	}
	for _, sub := range cmd.Commands() {
		checkArgsAsUsage(sub)
	}
}
