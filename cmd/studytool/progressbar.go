package main

import (
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// stepBar returns a step callback that draws a progress bar described by description on
// standard error while standard output is a terminal (a spinner with a count when the
// total is unknown, -1), and finish, which ends it. When
// standard output is not a terminal (a script, a pipe, --json into a file) step is nil
// and nothing is drawn.
func stepBar(cmd *cobra.Command, description string) (step func(done, total int), finish func()) {
	out, ok := cmd.OutOrStdout().(*os.File)
	if !ok || !isatty.IsTerminal(out.Fd()) && !isatty.IsCygwinTerminal(out.Fd()) {
		return nil, func() {}
	}
	var bar *progressbar.ProgressBar
	step = func(done, total int) {
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
				progressbar.OptionSetDescription(description), progressbar.OptionClearOnFinish(),
				progressbar.OptionShowCount())
		}
		_ = bar.Set(done)
	}
	return step, func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}
