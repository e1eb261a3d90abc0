package redisinfo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/studytool/studytool/adapters/shared/redisinfo"
)

const reply = "# Memory\r\nused_memory:1024\r\nmaxmemory:0\r\n\r\n# Stats\r\nevicted_keys:7\r\nbroken:x\r\n" +
	"# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=0\r\ndb9:keys=12,expires=3,avg_ttl=0\r\n"

func TestParse(t *testing.T) {
	t.Parallel()
	info := redisinfo.Parse(reply)
	used, ok := info.Float("used_memory")
	assert.True(t, ok)
	assert.InDelta(t, 1024, used, 0)
	_, ok = info.Float("broken")
	assert.False(t, ok, "a garbled number is no number")
	_, ok = info.Float("missing")
	assert.False(t, ok)
	assert.Equal(t, int64(7), info.Int("evicted_keys"))
	assert.Zero(t, info.Int("broken"))
	assert.Equal(t, int64(12), info.Keys(9))
	assert.Equal(t, int64(3), info.Keys(0))
	assert.Zero(t, info.Keys(5))
}
