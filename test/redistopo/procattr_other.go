//go:build !linux

package redistopo

import "syscall"

// sysProcAttr has no parent-death signal to ask for outside Linux: a server outlives a
// test binary that dies without running its cleanups.
func sysProcAttr() *syscall.SysProcAttr { return nil }
