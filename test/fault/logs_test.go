package fault_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/test/apptest"
	"github.com/studytool/studytool/test/redistopo"
)

// TestFault_JSONLogsDuringRedisOutage: with LOG_FORMAT=json every line the service
// writes while its Redis servers are down is a JSON record, go-redis's own messages
// included, and the warning each request logs is collapsed into a line per interval.
func TestFault_JSONLogsDuringRedisOutage(t *testing.T) {
	cache := redistopo.Standalone(t, redistopo.Options{})
	state := redistopo.Standalone(t, redistopo.Options{})
	proc := apptest.StartProcess(t, apptest.BuildStudytool(t), map[string]string{
		"LOG_FORMAT":        "json",
		"SQLITE_PATH":       filepath.Join(t.TempDir(), "studytool.db"),
		"REDIS_URL":         "redis://" + cache.Addr() + "/0",
		"SESSION_REDIS_URL": "redis://" + state.Addr() + "/0",
	})
	client := &http.Client{Timeout: requestTimeout}
	t.Cleanup(client.CloseIdleConnections)
	svc := &service{baseURL: proc.BaseURL, http: client}
	token := svc.signUp(t, "logs@example.com")
	cardID := svc.studiedCard(t, token)
	tr := startTraffic(t, svc, token, []string{"/v1/decks", "/v1/progress/" + cardID})

	require.NoError(t, cache.Kill())
	cacheDown := runFor(tr, phase)
	require.NoError(t, state.Kill())
	stateDown := runFor(tr, phase)
	tr.stop()
	proc.Stop(t)

	requests := len(cacheDown) + len(stateDown)
	lines := strings.Split(strings.TrimSpace(proc.Output()), "\n")
	var repeated int
	for _, line := range lines {
		var record struct {
			Msg      string
			Repeated int
		}
		require.NoError(t, json.Unmarshal([]byte(line), &record), "a line that is not JSON: %q", line)
		if record.Repeated > 0 {
			repeated++
		}
	}
	t.Logf("%d requests during the outages, %d log lines, %d of them counts of repeats", requests, len(lines), repeated)
	assert.NotZero(t, repeated, "repeated warnings are counted")
	assert.Less(t, len(lines)*10, requests, "far fewer lines than requests")
}
