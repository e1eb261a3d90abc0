//go:build linux

package redistopo

import "syscall"

// sysProcAttr makes the kernel kill a server when the test binary dies, so a crashed or
// timed-out test run leaves no Redis behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
