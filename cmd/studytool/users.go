package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/bootstrap"
	"github.com/studytool/studytool/domain"
)

func newUsersCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Look up accounts and manage their permissions (the database and Redis the service uses)",
		Long: `Administrators are made here, by an operator, never by registration or configuration.
The permissions are admin:cache and admin:sessions. A grant or revoke is seen by the
user's live sessions on their next request: the cached permissions are invalidated in
Redis. (On the embedded in-memory stores a running server keeps its own cache: it sees
the change within CACHE_APP_TTL.)`,
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the account as JSON")
	cmd.AddCommand(
		&cobra.Command{
			Use:   "show EMAIL",
			Short: "Print an account's id, email, creation time and permissions",
			Args:  cobra.ExactArgs(1),
			RunE: withPermissions(func(ctx context.Context, h *profile.ManagePermissionsHandler, args []string) (*domain.User, error) {
				return h.Find(ctx, args[0])
			}, &asJSON),
		},
		&cobra.Command{
			Use:   "grant EMAIL PERMISSION...",
			Short: "Grant permissions (admin:cache, admin:sessions) to an account",
			Args:  cobra.MinimumNArgs(2),
			RunE: withPermissions(func(ctx context.Context, h *profile.ManagePermissionsHandler, args []string) (*domain.User, error) {
				return h.Handle(ctx, profile.SetPermissions{Email: args[0], Grant: args[1:]})
			}, &asJSON),
		},
		&cobra.Command{
			Use:   "revoke EMAIL PERMISSION...",
			Short: "Revoke permissions from an account",
			Args:  cobra.MinimumNArgs(2),
			RunE: withPermissions(func(ctx context.Context, h *profile.ManagePermissionsHandler, args []string) (*domain.User, error) {
				return h.Handle(ctx, profile.SetPermissions{Email: args[0], Revoke: args[1:]})
			}, &asJSON),
		},
	)
	return cmd
}

type permissionsAction func(ctx context.Context, h *profile.ManagePermissionsHandler, args []string) (*domain.User, error)

// withPermissions runs action on the operations graph and prints the account it returns.
func withPermissions(action permissionsAction, asJSON *bool) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		var h *profile.ManagePermissionsHandler
		var user *domain.User
		err := runOperation(cmd, func(ctx context.Context) (err error) {
			user, err = action(ctx, h, args)
			return err
		}, fx.Populate(&h))
		switch {
		case errors.Is(err, domain.ErrNotFound):
			return fmt.Errorf("%s: no account has the email %q", cmd.CommandPath(), args[0])
		case isValidation(err):
			return usage(cmd, err)
		case err != nil:
			return err
		}
		return printUser(cmd.OutOrStdout(), user, *asJSON)
	}
}

// runOperation starts the operations graph (logging warnings and errors to standard
// error), runs fn and stops the graph.
func runOperation(cmd *cobra.Command, fn func(ctx context.Context) error, populate fx.Option) error {
	cfg, err := bootstrap.LoadFromEnv()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	app := bootstrap.NewOperationsApp(cfg, logger, populate)
	ctx := cmd.Context()
	if err := app.Start(ctx); err != nil {
		return err
	}
	err = fn(ctx)
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.App.ShutdownTimeout)
	defer cancel()
	return errors.Join(err, app.Stop(stopCtx))
}

func isValidation(err error) bool {
	var v *domain.ValidationError
	return errors.As(err, &v)
}

// userView is what `users` prints of an account: never its password hash.
type userView struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	CreatedAt   time.Time `json:"createdAt"`
	Permissions []string  `json:"permissions"`
}

func printUser(out io.Writer, u *domain.User, asJSON bool) error {
	v := userView{ID: u.ID, Email: u.Email, CreatedAt: u.CreatedAt.UTC(), Permissions: u.Permissions}
	if v.Permissions == nil {
		v.Permissions = []string{}
	}
	if asJSON {
		return json.NewEncoder(out).Encode(v)
	}
	perms := strings.Join(v.Permissions, ", ")
	if perms == "" {
		perms = "(none)"
	}
	_, err := fmt.Fprintf(out, "id:          %s\nemail:       %s\ncreated:     %s\npermissions: %s\n",
		v.ID, v.Email, v.CreatedAt.Format(time.RFC3339), perms)
	return err
}
