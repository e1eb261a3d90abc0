//go:build linux

package benchproc

import "syscall"

// SysProcAttr puts a child in a process group of its own, so a Ctrl-C in the terminal
// reaches the command alone (which then stops the child with SIGTERM), and makes the
// kernel kill the child if the command dies without stopping it.
func SysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
