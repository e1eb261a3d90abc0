package memory

// SessionObserver is told what a SessionStore did, for metrics. Its methods are called
// with the store's lock held: they must be cheap, must not call back into the store, and
// must be safe for concurrent use. redisstore.SessionObserver has the same methods, so
// one observer serves both stores.
type SessionObserver interface {
	// SessionCreated reports a created session and how many older sessions of its user
	// were evicted to keep within the per-user limit.
	SessionCreated(evicted int)
	// SessionsExpired reports n expired sessions found and removed.
	SessionsExpired(n int)
}

// SetObserver makes o the store's observer. Call it before the store is shared; a store
// without an observer reports to nobody.
func (s *SessionStore) SetObserver(o SessionObserver) {
	if o == nil {
		o = nopSessionObserver{}
	}
	s.observer = o
}

// nopSessionObserver is the observer of a store nobody observes.
type nopSessionObserver struct{}

func (nopSessionObserver) SessionCreated(int)  {}
func (nopSessionObserver) SessionsExpired(int) {}
