package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/studytool/studytool/bootstrap"
)

// newConfigCommand groups the commands about the configuration itself.
func newConfigCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Describe the configuration variables",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "docs",
		Short: "Print docs/configuration.md, generated from the configuration's definition",
		Long: "Print docs/configuration.md, generated from the configuration's definition:\n" +
			"  studytool config docs > docs/configuration.md",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			doc, err := bootstrap.ConfigurationDoc()
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), doc)
			return err
		},
	})
	return cmd
}
