package redisstore

// SessionObserver is told what a SessionStore did, for metrics. Its methods are called
// after the operation succeeded, on the caller's goroutine: they must be cheap and safe
// for concurrent use. memory.SessionObserver has the same methods, so one observer serves
// both stores.
type SessionObserver interface {
	// SessionCreated reports a created session and how many older sessions of its user
	// were evicted to keep within the per-user limit.
	SessionCreated(evicted int)
	// SessionsExpired reports n index entries removed because their session had expired.
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
