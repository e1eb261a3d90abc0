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

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/domain"
)

// sessionsPageSize is how many sessions one page of `sessions list` asks the store for.
const sessionsPageSize = 100

func newSessionsCommand() *cobra.Command {
	var asJSON bool
	var sessionID string
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List and revoke an account's login sessions (the Redis the service uses)",
		Long: `Sessions live in the session store the service uses: on the embedded in-memory
stores a command sees only its own process, so these commands are for Redis.`,
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	list := &cobra.Command{
		Use:   "list EMAIL",
		Short: "Print an account's live sessions, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return listSessions(cmd, args[0], asJSON)
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke EMAIL",
		Short: "End every live session of an account, or only the one given by --id",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return revokeSessions(cmd, args[0], sessionID, asJSON)
		},
	}
	revoke.Flags().StringVar(&sessionID, "id", "", "end only this session (an id printed by `sessions list`)")
	cmd.AddCommand(list, revoke)
	return cmd
}

// sessionsDeps are the use-cases the sessions commands run.
type sessionsDeps struct {
	fx.In
	Accounts  *profile.ManagePermissionsHandler
	List      *auth.ListSessionsHandler
	RevokeOne *auth.RevokeSessionHandler
	RevokeAll *auth.RevokeUserSessionsHandler
}

// withAccount runs fn on the operations graph with the account of email, and turns an
// unknown email into a clear failure and an invalid one into a usage error.
func withAccount(cmd *cobra.Command, email string, fn func(ctx context.Context, d sessionsDeps, u *domain.User) error) error {
	var d sessionsDeps
	var lookup error
	err := runOperation(cmd, func(ctx context.Context) error {
		u, err := d.Accounts.Find(ctx, email)
		if err != nil {
			lookup = err
			return err
		}
		return fn(ctx, d, u)
	}, fx.Populate(&d))
	switch {
	case lookup != nil && errors.Is(err, domain.ErrNotFound):
		return fmt.Errorf("%s: no account has the email %q", cmd.CommandPath(), email)
	case lookup != nil && isValidation(err):
		return usage(cmd, err)
	}
	return err
}

// listSessions prints every live session of email's account.
func listSessions(cmd *cobra.Command, email string, asJSON bool) error {
	var all []domain.Session
	err := withAccount(cmd, email, func(ctx context.Context, d sessionsDeps, u *domain.User) error {
		page := domain.Page{Limit: sessionsPageSize}
		for {
			list, next, err := d.List.Handle(ctx, auth.ListSessions{UserID: u.ID, Page: page})
			if err != nil {
				return err
			}
			all = append(all, list...)
			if next == "" {
				return nil
			}
			page.After = next
		}
	})
	if err != nil {
		return err
	}
	return printSessions(cmd.OutOrStdout(), all, asJSON)
}

// revokeSessions ends email's session id, or all of its sessions when id is "".
func revokeSessions(cmd *cobra.Command, email, id string, asJSON bool) error {
	revoked := 0
	var missing bool
	err := withAccount(cmd, email, func(ctx context.Context, d sessionsDeps, u *domain.User) error {
		if id == "" {
			n, err := d.RevokeAll.Handle(ctx, u.ID)
			revoked = n
			return err
		}
		err := d.RevokeOne.Handle(ctx, auth.RevokeSession{UserID: u.ID, SessionID: id})
		if errors.Is(err, domain.ErrNotFound) {
			missing = true
			return nil
		}
		revoked = 1
		return err
	})
	switch {
	case err != nil:
		return err
	case missing:
		return fmt.Errorf("%s: %q is not a live session of %s", cmd.CommandPath(), id, email)
	case asJSON:
		return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]int{"revoked": revoked})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "revoked %d sessions\n", revoked)
	return err
}

// sessionView is what `sessions list` prints of a session: never its token.
type sessionView struct {
	ID           string    `json:"id"`
	CreatedAt    time.Time `json:"createdAt"`
	LastActivity time.Time `json:"lastActivity"`
	ExpiresAt    time.Time `json:"expiresAt"`
	IPAddress    string    `json:"ipAddress"`
	UserAgent    string    `json:"userAgent"`
}

func printSessions(out io.Writer, list []domain.Session, asJSON bool) error {
	views := make([]sessionView, 0, len(list))
	for _, s := range list {
		views = append(views, sessionView{
			ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastActivity: s.LastActivity.UTC(),
			ExpiresAt: s.ExpiresAt.UTC(), IPAddress: s.IPAddress, UserAgent: s.UserAgent,
		})
	}
	if asJSON {
		return json.NewEncoder(out).Encode(views)
	}
	for _, v := range views {
		if _, err := fmt.Fprintf(out, "%s  created %s  last used %s  expires %s  %s  %q\n", v.ID,
			v.CreatedAt.Format(time.RFC3339), v.LastActivity.Format(time.RFC3339),
			v.ExpiresAt.Format(time.RFC3339), v.IPAddress, v.UserAgent); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(out, "%d live sessions\n", len(views))
	return err
}
