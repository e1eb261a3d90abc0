//go:build !linux

package main

import "syscall"

// sysProcAttr has nothing to set outside Linux: the children are stopped by stop() alone.
func sysProcAttr() *syscall.SysProcAttr { return nil }
