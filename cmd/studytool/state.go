package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"go.uber.org/fx"

	"github.com/studytool/studytool/application/statebackup"
	"github.com/studytool/studytool/bootstrap"
)

func newStateCommand() *cobra.Command {
	var asJSON, replace bool
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Back up and restore the state Redis (sessions, indexes, study sessions, idempotency records)",
		Long: `The state Redis role is SESSION_REDIS_URL, or REDIS_URL when it is not set. A backup holds
every key under REDIS_KEY_PREFIX except the cache's (cache entries and progress copies),
each as DUMP gives it with its remaining TTL, in a file with a header and a SHA-256
checksum. A restore checks the whole file first and restores nothing when it is corrupt
or of another prefix.`,
	}
	cmd.PersistentFlags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	restore := &cobra.Command{
		Use:   "restore FILE",
		Short: "Restore the keys of a backup with the TTL they have left (expired ones are skipped)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRestore(cmd, args[0], replace, asJSON)
		},
	}
	restore.Flags().BoolVar(&replace, "replace", false, "overwrite keys that exist (otherwise they are skipped)")
	cmd.AddCommand(&cobra.Command{
		Use:   "backup FILE",
		Short: "Write every state key, with its remaining TTL, to FILE (atomically)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBackup(cmd, args[0], asJSON)
		},
	}, restore)
	return cmd
}

// backupView is what `state backup` prints.
type backupView struct {
	File      string    `json:"file"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"createdAt"`
	Keys      int       `json:"keys"`
	SHA256    string    `json:"sha256"`
}

// runBackup runs `state backup FILE`.
func runBackup(cmd *cobra.Command, file string, asJSON bool) error {
	var h *statebackup.Handler
	var header statebackup.Header
	bar := newProgressBar(cmd, "backing up", asJSON)
	err := runStateOperation(cmd, func(ctx context.Context) (err error) {
		header, err = h.Backup(ctx, file, bar.set)
		return err
	}, fx.Populate(&h))
	bar.finish()
	if err != nil {
		return err
	}
	v := backupView{File: file, Prefix: header.Prefix, CreatedAt: header.CreatedAt, Keys: header.Keys, SHA256: header.SHA256}
	if asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(v)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "backed up %d keys of prefix %s to %s (sha256 %s)\n", v.Keys, v.Prefix, v.File, v.SHA256)
	return err
}

// restoreView is what `state restore` prints.
type restoreView struct {
	File     string `json:"file"`
	Prefix   string `json:"prefix"`
	Keys     int    `json:"keys"`
	Restored int    `json:"restored"`
	Expired  int    `json:"expired"`
	Existing int    `json:"existing"`
}

// runRestore runs `state restore FILE`.
func runRestore(cmd *cobra.Command, file string, replace, asJSON bool) error {
	var h *statebackup.Handler
	var res statebackup.RestoreResult
	bar := newProgressBar(cmd, "restoring", asJSON)
	err := runStateOperation(cmd, func(ctx context.Context) (err error) {
		res, err = h.Restore(ctx, file, replace, bar.set)
		return err
	}, fx.Populate(&h))
	bar.finish()
	if err != nil {
		return err
	}
	v := restoreView{File: file, Prefix: res.Header.Prefix, Keys: res.Header.Keys, Restored: res.Restored, Expired: res.Expired, Existing: res.Existing}
	if asJSON {
		return json.NewEncoder(cmd.OutOrStdout()).Encode(v)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "restored %d of %d keys from %s (%d expired, %d existing skipped)\n",
		v.Restored, v.Keys, v.File, v.Expired, v.Existing)
	return err
}

// runStateOperation is runOperation after checking that the configuration uses Redis.
func runStateOperation(cmd *cobra.Command, fn func(ctx context.Context) error, populate fx.Option) error {
	cfg, err := bootstrap.LoadFromEnv()
	if err != nil {
		return err
	}
	if !cfg.UsesRedis() {
		return fmt.Errorf("%s: %w", cmd.CommandPath(), errNoRedis)
	}
	return runOperation(cmd, fn, populate)
}

// progressBar is a progress bar on standard error while standard output is a terminal, and
// nothing otherwise.
type progressBar struct{ bar *progressbar.ProgressBar }

// newProgressBar returns a bar, of unknown length until told one, described by what;
// none when asJSON or when standard output is not a terminal.
func newProgressBar(cmd *cobra.Command, what string, asJSON bool) progressBar {
	if asJSON || !writesToTerminal(cmd.OutOrStdout()) {
		return progressBar{}
	}
	return progressBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(cmd.ErrOrStderr()),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)}
}

// writesToTerminal reports whether w is a terminal.
func writesToTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isTerminal(f) || isatty.IsCygwinTerminal(f.Fd()))
}

// set moves the bar to done of total (-1: unknown).
func (p progressBar) set(done, total int) {
	if p.bar == nil {
		return
	}
	if total >= 0 && p.bar.GetMax() != total {
		p.bar.ChangeMax(total)
	}
	_ = p.bar.Set(done)
}

// finish clears the bar.
func (p progressBar) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Exit()
	}
}
