package redisstore

import "github.com/studytool/studytool/ports"

// SetObserver makes o the store's observer. Call it before the store is shared; a store
// without an observer reports to nobody.
func (s *SessionStore) SetObserver(o ports.SessionObserver) {
	if o == nil {
		o = nopSessionObserver{}
	}
	s.observer = o
}

// nopSessionObserver is the observer of a store nobody observes.
type nopSessionObserver struct{}

func (nopSessionObserver) SessionCreated(int)  {}
func (nopSessionObserver) SessionsExpired(int) {}
