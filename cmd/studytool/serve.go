package main

import (
	"github.com/spf13/cobra"

	"github.com/studytool/studytool/bootstrap"
)

func newServeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP service until SIGINT or SIGTERM, then drain and exit",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			cfg, err := bootstrap.LoadFromEnv()
			if err != nil {
				return err
			}
			app := bootstrap.NewApp(cfg)
			// Run starts the app, blocks until a signal or fx.Shutdowner, then stops it;
			// it exits the process non-zero when start-up fails.
			app.Run()
			return nil
		},
	}
}
