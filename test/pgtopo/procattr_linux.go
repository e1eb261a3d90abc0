//go:build linux

package pgtopo

import "syscall"

// sysProcAttr runs a process as acct (nil: the test binary's account) and makes the
// kernel send the postmaster SIGQUIT, an immediate shutdown that takes its backends down
// with it, when the test binary dies, so a crashed or timed-out test run leaves no server
// behind. Go sets the parent-death signal after switching the account, which would
// otherwise clear it.
func sysProcAttr(acct *account) *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT}
	if acct != nil {
		attr.Credential = &syscall.Credential{Uid: uint32(acct.uid), Gid: uint32(acct.gid)}
	}
	return attr
}
