package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/studytool/studytool/bootstrap"
)

func newServeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the HTTP service until SIGINT or SIGTERM, then drain and exit",
		Long: "Run the HTTP service until SIGINT or SIGTERM, then drain and exit.\n\n" +
			"It is configured by these environment variables (docs/configuration.md explains them):\n\n" +
			variablesHelp(),
		Args: cobra.NoArgs,
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

// variablesHelp lists every configuration variable with its defaults and what it accepts.
func variablesHelp() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, v := range bootstrap.Variables() {
		defaults := ""
		if v.Defaults != "" {
			defaults = " (default " + v.Defaults + ")"
		}
		_, _ = fmt.Fprintf(w, "  %s\t%s%s\n", v.Name, v.Accepts, defaults)
	}
	_ = w.Flush()
	return b.String()
}
