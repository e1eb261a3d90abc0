//go:build !linux

package pgtopo

import "syscall"

// sysProcAttr runs a process as the test binary's account: outside Linux there is no
// parent-death signal, so a server outlives a test binary that dies without running its
// cleanups, and switching accounts is not supported, so the test binary must not run as
// root (initdb says so if it does).
func sysProcAttr(*account) *syscall.SysProcAttr { return nil }
