//go:build !linux

package main

import "syscall"

// sysProcAttr has nothing to set outside Linux, where the benchmark cannot read the
// child's memory from /proc anyway.
func sysProcAttr() *syscall.SysProcAttr { return nil }
