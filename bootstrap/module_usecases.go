package bootstrap

import (
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/auth"
	"github.com/studytool/studytool/application/profile"
)

// AuthModule provides the authentication and session use-cases.
var AuthModule = fx.Module("auth",
	fx.Provide(
		func(cfg Config) auth.Binding {
			return auth.Binding{IP: cfg.Session.BindIP, UserAgent: cfg.Session.BindUserAgent}
		},
		func(cfg Config) auth.LoginPolicy {
			return auth.LoginPolicy{PerMinute: cfg.Auth.LoginRateLimitPerMinute}
		},
		fx.Annotate(auth.NewRegisterUserHandler, fx.ParamTags("", "", "", "", `name:"adminEmails"`)),
		fx.Annotate(func(cfg Config) []string { return cfg.Auth.BootstrapAdminEmails }, fx.ResultTags(`name:"adminEmails"`)),
		auth.NewLogInHandler,
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
