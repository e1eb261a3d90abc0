package bootstrap

import (
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/domain"
	"github.com/studytool/studytool/ports"
)

// The typed policies and dependency sets the feature modules hand to constructors, made
// from the configuration and the graph.

func sessionPolicy(cfg Config) domain.SessionPolicy {
	return domain.SessionPolicy{
		IdleTimeout:        cfg.Session.Timeout,
		MaxLifetime:        cfg.Session.MaxLifetime,
		ActivityResolution: cfg.Session.ActivityResolution,
		MaxPerUser:         cfg.Session.MaxPerUser,
	}
}

func sessionBinding(cfg Config) auth.Binding {
	return auth.Binding{IP: cfg.Session.BindIP, UserAgent: cfg.Session.BindUserAgent}
}

func loginPolicy(cfg Config) auth.LoginPolicy {
	a := cfg.Auth
	return auth.LoginPolicy{
		PerMinute:         a.LoginRateLimitPerMinute,
		FailureWindow:     a.LoginFailureWindow,
		AccountIPFailures: a.LoginMaxFailures,
		AccountFailures:   a.LoginAccountMaxFailures,
		DeviceFailures:    a.LoginDeviceMaxFailures,
	}
}

func registerPolicy(cfg Config) auth.RegisterPolicy {
	return auth.RegisterPolicy{PerHour: cfg.Auth.RegisterRateLimitPerHour}
}

// newDeviceTokens signs device cookies with DEVICE_COOKIE_SECRET, or with a random key of
// this process when it is unset (said once in the log in production: device cookies then
// do not survive a restart, nor travel between replicas).
func newDeviceTokens(cfg Config, logger *slog.Logger) (*auth.DeviceTokens, error) {
	key := []byte(cfg.Auth.DeviceCookieSecret)
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if cfg.App.Env == EnvProduction {
			logger.Warn("DEVICE_COOKIE_SECRET is unset: device cookies are signed with a key of this process only")
		}
	}
	return auth.NewDeviceTokens(key)
}

func registerUserDeps(users ports.UserRepo, orgs ports.OrganizationRepo, hasher ports.PasswordHasher,
	emails ports.EmailCanonicalizer, blocklist ports.PasswordBlocklist, limiter ports.RateLimiter, clock ports.Clock,
) auth.RegisterUserDeps {
	return auth.RegisterUserDeps{
		Users: users, Orgs: orgs, Hasher: hasher, Emails: emails, Blocklist: blocklist, Limiter: limiter, Clock: clock,
	}
}

func logInDeps(users ports.UserRepo, orgs ports.OrganizationRepo, sessions ports.SessionStore, limiter ports.RateLimiter,
	hasher ports.PasswordHasher, emails ports.EmailCanonicalizer, clock ports.Clock,
) auth.LogInDeps {
	return auth.LogInDeps{
		Users: users, Orgs: orgs, Sessions: sessions, Limiter: limiter, Hasher: hasher, Emails: emails, Clock: clock,
	}
}

func changePasswordDeps(users ports.UserRepo, sessions ports.SessionStore, hasher ports.PasswordHasher,
	blocklist ports.PasswordBlocklist, limiter ports.RateLimiter, clock ports.Clock,
) auth.ChangePasswordDeps {
	return auth.ChangePasswordDeps{
		Users: users, Sessions: sessions, Hasher: hasher, Blocklist: blocklist, Limiter: limiter, Clock: clock,
	}
}

func deleteAccountDeps(users ports.UserRepo, profiles ports.ProfileRepo, progress ports.ProgressRepo,
	copies ports.ProgressCache, sessions ports.SessionStore, studySessions ports.StudySessionStore,
	idempotency ports.IdempotencyStore, hasher ports.PasswordHasher, limiter ports.RateLimiter,
) auth.DeleteAccountDeps {
	return auth.DeleteAccountDeps{
		Users: users, Profiles: profiles, Progress: progress, Copies: copies, Sessions: sessions,
		StudySessions: studySessions, Idempotency: idempotency, Hasher: hasher, Limiter: limiter,
	}
}

// idempotencyRetention is how long the response to a request sent with an
// Idempotency-Key is replayed to its retries (the IETF draft's suggestion).
const idempotencyRetention = 24 * time.Hour

// idempotencyPolicy keeps responses idempotencyRetention and holds a claim twice the
// HTTP write timeout: no request the server still answers outlives it, and a process
// that died mid-request frees its keys by then.
func idempotencyPolicy(cfg Config) ports.IdempotencyPolicy {
	return ports.IdempotencyPolicy{LockTTL: 2 * cfg.HTTP.WriteTimeout, Retention: idempotencyRetention}
}
