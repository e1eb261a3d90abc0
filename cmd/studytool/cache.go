package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/cacheadmin"
)

func newCacheCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "cache",
		Short: "Administer the cache the service uses (its cache namespace only)",
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.AddCommand(newCacheInvalidateCommand(&asJSON))
	return cmd
}

func newCacheInvalidateCommand(asJSON *bool) *cobra.Command {
	var feature string
	cmd := &cobra.Command{
		Use:   "invalidate [PATTERN | --feature FEATURE]",
		Short: "Delete the cache entries matching PATTERN, or every entry of FEATURE",
		Long: `PATTERN is a glob relative to the cache namespace ({prefix}cache:), with * and ?
only, as the admin endpoint POST /v1/admin/cache/invalidate takes it: user:* deletes
every entry of the user features. It never reaches sessions, progress or another
environment's keys; a pattern with [, ], \ or an empty segment is refused (exit 2).
--feature deletes every version and generation of one feature, named literally.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (feature != "") {
				return usage(cmd, fmt.Errorf("give a PATTERN or --feature, not both"))
			}
			return invalidateCache(cmd, args, feature, *asJSON)
		},
	}
	cmd.Flags().StringVar(&feature, "feature", "", "delete every entry of this feature (e.g. user:profile)")
	return cmd
}

// invalidateCache runs the admin endpoint's invalidation and prints how many entries went.
func invalidateCache(cmd *cobra.Command, args []string, feature string, asJSON bool) error {
	var h *cacheadmin.InvalidateHandler
	var deleted int64
	err := runOperation(cmd, func(ctx context.Context) (err error) {
		if feature != "" {
			deleted, err = h.HandleFeature(ctx, feature)
		} else {
			deleted, err = h.Handle(ctx, args[0])
		}
		return err
	}, fx.Populate(&h))
	switch {
	case isValidation(err):
		return usage(cmd, err)
	case err != nil:
		return err
	case asJSON:
		return json.NewEncoder(cmd.OutOrStdout()).Encode(map[string]int64{"deleted": deleted})
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "deleted %d cache entries\n", deleted)
	return err
}
