package observability_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/adapters/observability"
)

func TestIndexSweepCounters(t *testing.T) {
	t.Parallel()
	m := newMetrics(t)
	m.IndexSweep(observability.SweepSwept, 2, 3)
	m.IndexSweep(observability.SweepSkipped, 0, 0)
	m.IndexSweep(observability.SweepSwept, 1, 0)

	families := gather(t, m)
	sweeps, pruned := "studytool_session_index_sweeps_total", "studytool_session_index_pruned_total"
	assert.InDelta(t, 2, value(series(families, sweeps, map[string]string{"outcome": "swept"})), 0)
	assert.InDelta(t, 1, value(series(families, sweeps, map[string]string{"outcome": "skipped"})), 0)
	assert.InDelta(t, 3, value(series(families, pruned, map[string]string{"index": "user_sessions"})), 0)
	assert.InDelta(t, 3, value(series(families, pruned, map[string]string{"index": "study_sessions"})), 0)
}
