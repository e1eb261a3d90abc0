package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// DeleteAccount is the command to erase UserID's account, confirmed with the password.
// Check, when set, is the client's precondition on the profile as stored (an
// If-Match); its error refuses the deletion.
type DeleteAccount struct {
	UserID   string
	Password string
	Check    func(*domain.Profile) error
}

// DeleteAccountHandler erases accounts with everything of them.
type DeleteAccountHandler struct {
	users    ports.UserRepo
	profiles ports.ProfileRepo
	progress ports.ProgressRepo
	copies   ports.ProgressCache
	sessions ports.SessionStore
	study    ports.StudySessionStore
	idem     ports.IdempotencyStore
	check    passwordCheck
}

// DeleteAccountDeps are the ports DeleteAccountHandler works with.
type DeleteAccountDeps struct {
	Users         ports.UserRepo
	Profiles      ports.ProfileRepo
	Progress      ports.ProgressRepo
	Copies        ports.ProgressCache
	Sessions      ports.SessionStore
	StudySessions ports.StudySessionStore
	Idempotency   ports.IdempotencyStore
	Hasher        ports.PasswordHasher
	Limiter       ports.RateLimiter
}

// NewDeleteAccountHandler builds the handler; wrong passwords count against the same
// per-user limit as a password change's.
func NewDeleteAccountHandler(deps DeleteAccountDeps, policy LoginPolicy) *DeleteAccountHandler {
	return &DeleteAccountHandler{
		users: deps.Users, profiles: deps.Profiles, progress: deps.Progress, copies: deps.Copies, sessions: deps.Sessions,
		study: deps.StudySessions, idem: deps.Idempotency,
		check: passwordCheck{
			hasher: deps.Hasher, limiter: deps.Limiter,
			limit: ports.RateLimit{Rate: policy.AccountFailures, Burst: policy.AccountFailures, Period: policy.FailureWindow},
		},
	}
}

// Handle checks the password (a wrong one is a ValidationError for "password"), then
// erases the account. It ends the user's sessions first, so nothing the user still has
// open writes while the rest goes: then the user's row and everything that hangs off it
// in the database (one transaction), the cached profile, deck list and counts (through
// the cached repository), the progress copies, the study sessions and the kept
// responses of Idempotency-Key requests. A failure after
// the database commit is returned — the account is gone, and what is left in Redis
// expires with its TTL — so the caller may retry, which then answers not found.
func (h *DeleteAccountHandler) Handle(ctx context.Context, cmd DeleteAccount) error {
	user, err := h.users.GetByID(ctx, cmd.UserID)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if cmd.Check != nil {
		profile, err := h.profiles.GetProfile(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		if err := cmd.Check(profile); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
	}
	if err := h.check.verify(ctx, user, "password", cmd.Password); err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	studied, err := h.progress.StudiedCards(ctx, user.ID)
	if err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	if _, err := h.sessions.DeleteUser(ctx, user.ID); err != nil {
		return fmt.Errorf("delete account: end sessions: %w", err)
	}
	if err := h.users.Delete(ctx, user.ID); err != nil {
		return fmt.Errorf("delete account: %w", err)
	}
	detached := context.WithoutCancel(ctx) // the account is gone: finish the clean-up
	err = errors.Join(h.copies.DeleteMany(detached, user.ID, studied), h.study.DeleteUser(detached, user.ID),
		h.idem.DeleteUser(detached, user.ID))
	if err != nil {
		return fmt.Errorf("delete account: account deleted, some of its data in Redis expires later: %w", err)
	}
	return nil
}
