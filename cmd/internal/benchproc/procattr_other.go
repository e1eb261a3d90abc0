//go:build !linux

package benchproc

import "syscall"

// SysProcAttr has nothing to set outside Linux.
func SysProcAttr() *syscall.SysProcAttr { return nil }
