// Package redisinfo parses the reply of Redis's INFO command, which both the cache
// store (for operators' stats) and the metrics poller read.
package redisinfo

import (
	"bufio"
	"strconv"
	"strings"
)

// Info is an INFO reply: field name to raw value, sections merged.
type Info map[string]string

// Parse reads an INFO reply; section headers, blank lines and lines without a colon are
// skipped.
func Parse(reply string) Info {
	info := Info{}
	sc := bufio.NewScanner(strings.NewReader(reply))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if name, value, ok := strings.Cut(line, ":"); ok {
			info[name] = value
		}
	}
	return info
}

// Float returns the numeric field name, and false when it is missing or not a number.
func (i Info) Float(name string) (float64, bool) {
	v, ok := i[name]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// Int returns the integer field name, or 0 when it is missing or garbled: a figure for
// operators, never worth failing a report over.
func (i Info) Int(name string) int64 {
	n, err := strconv.ParseInt(i[name], 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// Keys returns the number of keys INFO keyspace reports for database db
// (`db9:keys=12,expires=3,avg_ttl=0`), 0 when it reports none.
func (i Info) Keys(db int) int64 {
	for field := range strings.SplitSeq(i["db"+strconv.Itoa(db)], ",") {
		if n, ok := strings.CutPrefix(field, "keys="); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return 0
}
