// Package observe gives the stores' observers their defaults: a store built without an
// observer reports to nobody, through the no-op observer here, so no store writes its
// own.
package observe

import "github.com/studytool/studytool/ports"

// Sessions returns o, or an observer that ignores every report when o is nil.
func Sessions(o ports.SessionObserver) ports.SessionObserver {
	if o == nil {
		return nopSessions{}
	}
	return o
}

type nopSessions struct{}

func (nopSessions) SessionCreated(int)  {}
func (nopSessions) SessionsExpired(int) {}
