package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// sampleInterval is how often the child's RSS is read during the load.
const sampleInterval = 100 * time.Millisecond

// memStatus is the memory of a process as /proc/PID/status reports it, in bytes.
type memStatus struct {
	// rss is VmRSS, the resident set now; hwm is VmHWM, its peak since the process began.
	rss, hwm int64
}

// readStatus reads the memory figures of process pid.
func readStatus(pid int) (memStatus, error) {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return memStatus{}, err
	}
	return parseStatus(bytes.NewReader(raw))
}

// parseStatus extracts VmRSS and VmHWM from the text of /proc/PID/status
// ("VmRSS:\t  123456 kB"); both must be present.
func parseStatus(r io.Reader) (memStatus, error) {
	var m memStatus
	found := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		n, err := parseKB(value)
		if err != nil {
			return memStatus{}, fmt.Errorf("proc status: %s: %w", key, err)
		}
		if key == "VmRSS" {
			m.rss = n
		} else {
			m.hwm = n
		}
		found++
	}
	if err := sc.Err(); err != nil {
		return memStatus{}, fmt.Errorf("proc status: %w", err)
	}
	if found != 2 {
		return memStatus{}, fmt.Errorf("proc status: VmRSS or VmHWM missing")
	}
	return m, nil
}

// parseKB parses a "  123456 kB" field into bytes.
func parseKB(field string) (int64, error) {
	digits, ok := strings.CutSuffix(strings.TrimSpace(field), " kB")
	if !ok {
		return 0, fmt.Errorf("%q is not in kB", field)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(digits), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size", field)
	}
	return n << 10, nil
}

// rssSampler reads a process's VmRSS every sampleInterval and keeps the largest.
type rssSampler struct {
	cancel context.CancelFunc
	done   chan struct{}
	// Written by the sampling goroutine, read after done is closed.
	peak    int64
	samples int
	err     error
}

// sampleRSS starts sampling pid until finish is called.
func sampleRSS(ctx context.Context, pid int) *rssSampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &rssSampler{cancel: cancel, done: make(chan struct{})}
	go s.loop(ctx, pid)
	return s
}

func (s *rssSampler) loop(ctx context.Context, pid int) {
	defer close(s.done)
	tick := time.NewTicker(sampleInterval)
	defer tick.Stop()
	for {
		m, err := readStatus(pid)
		if err != nil {
			s.err = err
			return
		}
		s.peak = max(s.peak, m.rss)
		s.samples++
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// finish stops sampling and returns the largest VmRSS seen and the number of samples.
func (s *rssSampler) finish() (peak int64, samples int, err error) {
	s.cancel()
	<-s.done
	return s.peak, s.samples, s.err
}
