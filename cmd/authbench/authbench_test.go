package main

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// procStatusSample is the memory part of a real /proc/PID/status.
const procStatusSample = `Name:	studytool
Umask:	0022
State:	S (sleeping)
Pid:	19947
VmPeak:	 1733404 kB
VmSize:	 1733404 kB
VmLck:	       0 kB
VmHWM:	  703712 kB
VmRSS:	  473908 kB
RssAnon:	  452012 kB
Threads:	9
`

func TestParseStatus(t *testing.T) {
	t.Parallel()
	m, err := parseStatus(strings.NewReader(procStatusSample))
	require.NoError(t, err)
	assert.Equal(t, memStatus{rss: 473908 << 10, hwm: 703712 << 10}, m)

	for name, text := range map[string]string{
		"VmHWM missing":  "VmRSS:\t  473908 kB\n",
		"VmRSS missing":  "VmHWM:\t  703712 kB\n",
		"not in kB":      "VmRSS:\t  473908 MB\nVmHWM:\t  703712 kB\n",
		"not a number":   "VmRSS:\t  47x908 kB\nVmHWM:\t  703712 kB\n",
		"negative":       "VmRSS:\t  -1 kB\nVmHWM:\t  703712 kB\n",
		"empty document": "",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := parseStatus(strings.NewReader(text))
			assert.Error(t, err)
		})
	}
}

func TestValidRetryAfter(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]bool{
		"1": true, "2": true, "3600": true,
		"": false, "0": false, "00": false, "-1": false, "+2": false, " 2": false, "2 ": false, "1.5": false,
		"Wed, 21 Oct 2015 07:28:00 GMT": false, "9999999999": false,
	} {
		assert.Equal(t, want, validRetryAfter(value), "Retry-After %q", value)
	}
}

func TestTally(t *testing.T) {
	t.Parallel()
	a, b := newTally(), newTally()
	a.add(answer{op: opRegister, status: http.StatusCreated, latency: 3 * time.Millisecond})
	a.add(answer{op: opRegister, status: http.StatusServiceUnavailable, code: codeBusy, retryAfter: "2", latency: 2 * time.Second})
	a.add(answer{op: opLoginRight, status: http.StatusTooManyRequests, code: "rate_limited", retryAfter: "", latency: time.Millisecond})
	b.add(answer{op: opLoginWrong, status: http.StatusUnauthorized, code: "invalid_credentials", latency: time.Millisecond})
	b.add(answer{op: opLoginRight, status: http.StatusServiceUnavailable, code: codeBusy, retryAfter: "0", latency: time.Second})
	b.add(answer{op: opLoginRight, status: http.StatusInternalServerError, code: "internal", latency: time.Millisecond})
	b.addError(errors.New("connection reset"))
	b.addError(errors.New("timeout"))
	a.merge(b)

	assert.Equal(t, []outcome{
		{http.StatusCreated, ""}, {http.StatusUnauthorized, "invalid_credentials"}, {http.StatusTooManyRequests, "rate_limited"},
		{http.StatusInternalServerError, "internal"}, {http.StatusServiceUnavailable, codeBusy},
	}, a.outcomes())
	assert.Equal(t, [numOperations]int{opRegister: 1, opLoginRight: 1}, *a.counts[outcome{http.StatusServiceUnavailable, codeBusy}])
	assert.Equal(t, 2, a.total(outcome{http.StatusServiceUnavailable, codeBusy}))
	assert.Zero(t, a.total(outcome{http.StatusConflict, "email_taken"}))
	assert.Equal(t, 8, a.requests())
	assert.Equal(t, 1, a.unexpected, "the 500")
	assert.Equal(t, 2, a.missingRetryAfter, "the 429 without Retry-After and the 503 with 0")
	assert.Equal(t, 2, a.transportErrors)
	assert.Equal(t, "connection reset", a.firstError)
	assert.False(t, a.answersOK())
}

func TestTally_AnswersOK(t *testing.T) {
	t.Parallel()
	ta := newTally()
	for _, s := range []int{http.StatusOK, http.StatusCreated, http.StatusUnauthorized, http.StatusConflict, http.StatusUnprocessableEntity} {
		ta.add(answer{status: s})
	}
	ta.add(answer{status: http.StatusTooManyRequests, retryAfter: "60"})
	ta.add(answer{status: http.StatusServiceUnavailable, retryAfter: "2"})
	assert.True(t, ta.answersOK())
}

func TestParseMetrics(t *testing.T) {
	t.Parallel()
	text := `# HELP studytool_password_hashes_total Password hashes computed.
# TYPE studytool_password_hashes_total counter
studytool_password_hashes_total 108
studytool_password_hashes_total_other 5
studytool_password_hash_busy_total 1.4e+02
`
	values, err := parseMetrics(strings.NewReader(text), metricHashes, metricBusy)
	require.NoError(t, err)
	assert.Equal(t, map[string]float64{metricHashes: 108, metricBusy: 140}, values)

	_, err = parseMetrics(strings.NewReader("studytool_password_hashes_total 1\n"), metricHashes, metricBusy)
	assert.ErrorContains(t, err, metricBusy+" missing")
}

func TestProblemCode(t *testing.T) {
	t.Parallel()
	assert.Empty(t, problemCode(http.StatusCreated, []byte(`{"user":{}}`)))
	assert.Equal(t, codeBusy, problemCode(http.StatusServiceUnavailable, []byte(`{"status":503,"code":"busy"}`)))
	assert.Equal(t, "?", problemCode(http.StatusBadGateway, []byte(`<html>bad gateway</html>`)))
}
