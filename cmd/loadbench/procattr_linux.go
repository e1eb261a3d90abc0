//go:build linux

package main

import "syscall"

// sysProcAttr puts a child in a process group of its own, so a Ctrl-C in the terminal
// reaches this command alone (which then stops a child with SIGTERM), and makes the
// kernel kill a child if this command dies without stopping it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
