package application_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/adapters/clock"
	"github.com/studytool/studytool/application"
)

func TestNewIDIsAUUIDv7TimedByTheClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 12, 0, 0, 123e6, time.UTC)
	clk := clock.NewFake(at)
	first := application.NewID(clk)
	id, err := uuid.Parse(first)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(7), id.Version())
	assert.Equal(t, uuid.RFC4122, id.Variant())
	sec, nsec := id.Time().UnixTime()
	assert.Equal(t, at, time.Unix(sec, nsec).UTC(), "the timestamp is the clock's, to the millisecond")

	clk.Advance(time.Millisecond)
	second := application.NewID(clk)
	assert.Less(t, first, second, "ids sort by creation time")
	third, fourth := application.NewID(clk), application.NewID(clk)
	assert.NotEqual(t, third, fourth, "random bits tell ids of one millisecond apart")
}
