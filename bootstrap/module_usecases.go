package bootstrap

import (
	"crypto/rand"
	"log/slog"

	"go.uber.org/fx"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
	"github.com/studytool/studytool/ports"
)

// AuthModule provides the authentication and session use-cases.
var AuthModule = fx.Module("auth",
	fx.Provide(
		func(cfg Config) auth.Binding {
			return auth.Binding{IP: cfg.Session.BindIP, UserAgent: cfg.Session.BindUserAgent}
		},
		loginPolicy,
		func(cfg Config) auth.RegisterPolicy {
			return auth.RegisterPolicy{PerHour: cfg.Auth.RegisterRateLimitPerHour}
		},
		newDeviceTokens,
		registerUserDeps,
		auth.NewRegisterUserHandler,
		logInDeps,
		auth.NewLogInHandler,
		changePasswordDeps,
		auth.NewChangePasswordHandler,
		auth.NewAuthenticateHandler,
		auth.NewLogOutHandler,
		auth.NewRevokeUserSessionsHandler,
		auth.NewListSessionsHandler,
		auth.NewRevokeSessionHandler,
	),
)

// ProfileModule provides the profile use-cases.
var ProfileModule = fx.Module("profile",
	fx.Provide(
		profile.NewGetProfileHandler,
		profile.NewUpdateProfileHandler,
	),
)

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

// newDeviceTokens signs device cookies with DEVICE_COOKIE_SECRET, or with a random key of
// this process when it is unset (said once in the log: device cookies then do not
// survive a restart, nor travel between replicas).
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
