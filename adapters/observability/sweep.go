package observability

import "github.com/prometheus/client_golang/prometheus"

// The outcomes of a session index sweep, as the sweeps_total label says them.
const (
	SweepSwept   = "swept"
	SweepSkipped = "skipped" // another replica held the lock
	SweepFailed  = "failed"
)

// The indexes a sweep prunes, as the pruned_total label names them.
const (
	IndexUserSessions  = "user_sessions"
	IndexStudySessions = "study_sessions"
)

// newSweepMetrics returns the families of the scheduled session index sweep.
func newSweepMetrics() (sweeps, pruned *prometheus.CounterVec) {
	sweeps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "session_index", Name: "sweeps_total",
		Help: "Scheduled sweeps of the session indexes, by outcome: swept, skipped (another replica held the lock), failed.",
	}, []string{"outcome"})
	pruned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "session_index", Name: "pruned_total",
		Help: "Entries of expired sessions the scheduled sweep removed, by index: user_sessions, study_sessions.",
	}, []string{"index"})
	return sweeps, pruned
}

// IndexSweep counts one scheduled sweep with its outcome and, when it swept, the entries
// it removed from the users' session and study-session indexes.
func (m *Metrics) IndexSweep(outcome string, userSessions, studySessions int) {
	m.sweeps.WithLabelValues(outcome).Inc()
	m.sweepPruned.WithLabelValues(IndexUserSessions).Add(float64(userSessions))
	m.sweepPruned.WithLabelValues(IndexStudySessions).Add(float64(studySessions))
}
