package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/domain"
)

// zone loads an IANA time zone or fails the test.
func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// utc parses an RFC 3339 time or fails the test.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return at.UTC()
}

func TestLearnerDay_DueAt(t *testing.T) {
	t.Parallel()
	tokyo := domain.LearnerDay{Location: zone(t, "Asia/Tokyo"), StartHour: domain.DefaultDayStartHour}
	newYork := domain.LearnerDay{Location: zone(t, "America/New_York"), StartHour: domain.DefaultDayStartHour}
	tests := []struct {
		name       string
		day        domain.LearnerDay
		reviewedAt string
		interval   int
		want       string
	}{
		{"an evening answer is due at the next day's start", tokyo, "2026-03-10T21:00:00+09:00", 1, "2026-03-10T19:00:00Z"},
		{"an answer before the day start belongs to the evening before", tokyo, "2026-03-11T02:00:00+09:00", 1, "2026-03-11T04:00:00+09:00"},
		{"an answer at the day start opens a new day", tokyo, "2026-03-11T04:00:00+09:00", 1, "2026-03-12T04:00:00+09:00"},
		{"intervals count learner days", tokyo, "2026-03-10T09:15:00+09:00", 30, "2026-04-09T04:00:00+09:00"},
		{"across the spring change the due hour stays 04:00", newYork, "2026-03-07T21:00:00-05:00", 1, "2026-03-08T04:00:00-04:00"},
		{"across the autumn change the due hour stays 04:00", newYork, "2026-10-31T21:00:00-04:00", 1, "2026-11-01T04:00:00-05:00"},
		{"a zero value counts UTC days from midnight", domain.LearnerDay{}, "2026-03-10T23:59:00Z", 1, "2026-03-11T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.day.DueAt(utc(t, tt.reviewedAt), tt.interval)
			assert.Equal(t, utc(t, tt.want), got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

// TestLearnerDay_EveningAnswerOfferedNextMorning follows a card answered at 21:00 in
// Tokyo with a one-day interval: it is not due again that night, nor before the day
// starts at 04:00, and is offered at 08:00 the next morning.
func TestLearnerDay_EveningAnswerOfferedNextMorning(t *testing.T) {
	t.Parallel()
	day := domain.LearnerDay{Location: zone(t, "Asia/Tokyo"), StartHour: domain.DefaultDayStartHour}
	dueAt := day.DueAt(utc(t, "2026-03-10T21:00:00+09:00"), 1)
	answered := domain.NewProgress("u1", "c1", "d1")
	answered.State, answered.IntervalDays, answered.Reviews = domain.SchedState{Repetitions: 1, EF: 250, IntervalDays: 1}, 1, 1
	answered.DueAt, answered.LastReviewedAt = dueAt, utc(t, "2026-03-10T21:00:00+09:00")
	tests := []struct {
		now  string
		want bool
	}{
		{"2026-03-10T23:30:00+09:00", false},
		{"2026-03-11T03:59:59+09:00", false},
		{"2026-03-11T04:00:00+09:00", true},
		{"2026-03-11T08:00:00+09:00", true},
		{"2026-03-14T08:00:00+09:00", true},
	}
	for _, tt := range tests {
		t.Run(tt.now, func(t *testing.T) {
			t.Parallel()
			now := utc(t, tt.now)
			assert.Equal(t, tt.want, day.DueToday(dueAt, now))
			p := answered
			r, err := p.Apply(domain.Answer{Grade: 4, At: now, Day: day})
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Kind == domain.ReviewReview, "graded only once due by the learner's day")
		})
	}
}

func TestLearnerDay_Start(t *testing.T) {
	t.Parallel()
	in := func(name string, hour int) domain.LearnerDay {
		return domain.LearnerDay{Location: zone(t, name), StartHour: hour}
	}
	tests := []struct {
		name          string
		day           domain.LearnerDay
		at            string
		start, next   string
		lengthInHours float64
	}{
		{"Tokyo after the start hour", in("Asia/Tokyo", 4), "2026-03-10T21:00:00+09:00", "2026-03-10T04:00:00+09:00", "2026-03-11T04:00:00+09:00", 24},
		{"Tokyo before the start hour", in("Asia/Tokyo", 4), "2026-03-11T03:00:00+09:00", "2026-03-10T04:00:00+09:00", "2026-03-11T04:00:00+09:00", 24},
		{"a day starting at midnight", in("Asia/Tokyo", 0), "2026-03-11T03:00:00+09:00", "2026-03-11T00:00:00+09:00", "2026-03-12T00:00:00+09:00", 24},
		{"a day starting at 23:00", in("Asia/Tokyo", 23), "2026-03-11T22:00:00+09:00", "2026-03-10T23:00:00+09:00", "2026-03-11T23:00:00+09:00", 24},
		{"across a month end", in("Asia/Tokyo", 4), "2026-03-01T01:00:00+09:00", "2026-02-28T04:00:00+09:00", "2026-03-01T04:00:00+09:00", 24},
		{"New York, the day the clocks spring forward is 23 hours", in("America/New_York", 4), "2026-03-07T12:00:00-05:00", "2026-03-07T04:00:00-05:00", "2026-03-08T04:00:00-04:00", 23},
		{"New York, the day the clocks fall back is 25 hours", in("America/New_York", 4), "2026-10-31T12:00:00-04:00", "2026-10-31T04:00:00-04:00", "2026-11-01T04:00:00-05:00", 25},
		{"a start hour the clocks skip starts when they jump past it", in("America/New_York", 2), "2026-03-07T12:00:00-05:00", "2026-03-07T02:00:00-05:00", "2026-03-08T03:00:00-04:00", 24},
		{"a start hour the clocks repeat starts the first time", in("America/New_York", 1), "2026-10-31T12:00:00-04:00", "2026-10-31T01:00:00-04:00", "2026-11-01T01:00:00-04:00", 24},
		{"Berlin, a skipped start hour", in("Europe/Berlin", 2), "2026-03-28T12:00:00+01:00", "2026-03-28T02:00:00+01:00", "2026-03-29T03:00:00+02:00", 24},
		{"Berlin, a repeated start hour", in("Europe/Berlin", 2), "2026-10-24T12:00:00+02:00", "2026-10-24T02:00:00+02:00", "2026-10-25T02:00:00+02:00", 24},
		{"Lord Howe, a start hour half skipped", in("Australia/Lord_Howe", 2), "2026-10-03T12:00:00+10:30", "2026-10-03T02:00:00+10:30", "2026-10-04T02:30:00+11:00", 24},
		{"Lord Howe, the day the clocks fall back half an hour", in("Australia/Lord_Howe", 4), "2026-04-04T12:00:00+11:00", "2026-04-04T04:00:00+11:00", "2026-04-05T04:00:00+10:30", 24.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := utc(t, tt.at)
			start, next := tt.day.Start(at), tt.day.NextStart(at)
			assert.Equal(t, utc(t, tt.start), start)
			assert.Equal(t, utc(t, tt.next), next)
			assert.Equal(t, time.UTC, start.Location())
			assert.InDelta(t, tt.lengthInHours, next.Sub(start).Hours(), 1e-9)
		})
	}
}

// TestLearnerDay_DaysTileTime walks every quarter hour across the daylight-saving
// changes of zones east and west of UTC, for every start hour, and checks that each
// instant lies in exactly one learner day and that consecutive days join up.
func TestLearnerDay_DaysTileTime(t *testing.T) {
	t.Parallel()
	changes := map[string][]string{
		"America/New_York":    {"2026-03-07T00:00:00Z", "2026-10-31T00:00:00Z"},
		"Europe/Berlin":       {"2026-03-28T00:00:00Z", "2026-10-24T00:00:00Z"},
		"Australia/Lord_Howe": {"2026-04-03T00:00:00Z", "2026-10-02T00:00:00Z"},
		"Asia/Tokyo":          {"2026-03-09T00:00:00Z"},
	}
	for name, froms := range changes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			loc := zone(t, name)
			for hour := range 24 {
				day := domain.LearnerDay{Location: loc, StartHour: hour}
				for _, from := range froms {
					for at := utc(t, from); at.Before(utc(t, from).Add(72 * time.Hour)); at = at.Add(15 * time.Minute) {
						start, next := day.Start(at), day.NextStart(at)
						require.True(t, !at.Before(start) && at.Before(next), "hour %d at %s: day [%s, %s)", hour, at, start, next)
						require.Equal(t, next, day.Start(next), "hour %d at %s: the next day starts where this one ends", hour, at)
						hours := next.Sub(start).Hours()
						require.True(t, hours >= 22.5 && hours <= 25.5, "hour %d at %s: a day of %g hours", hour, at, hours)
					}
				}
			}
		})
	}
}

func TestLearnerDay_UTCOffsetSeconds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone string
		at   string
		want int
	}{
		{"Asia/Tokyo", "2026-03-10T12:00:00Z", 9 * 3600},
		{"Asia/Kolkata", "2026-03-10T12:00:00Z", 5*3600 + 1800},
		{"America/New_York", "2026-03-07T12:00:00Z", -5 * 3600},
		{"America/New_York", "2026-03-09T12:00:00Z", -4 * 3600},
		{"Australia/Lord_Howe", "2026-07-01T00:00:00Z", 10*3600 + 1800},
		{"Australia/Lord_Howe", "2026-12-01T00:00:00Z", 11 * 3600},
		{"UTC", "2026-03-10T12:00:00Z", 0},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.at, func(t *testing.T) {
			t.Parallel()
			day := domain.LearnerDay{Location: zone(t, tt.zone), StartHour: domain.DefaultDayStartHour}
			assert.Equal(t, tt.want, day.UTCOffsetSeconds(utc(t, tt.at)))
		})
	}
}

func TestParseTimeZone(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"Asia/Tokyo", "UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "America/Port-au-Prince", "Etc/GMT+5"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			loc, err := domain.ParseTimeZone(name)
			require.NoError(t, err)
			assert.Equal(t, name, loc.String())
		})
	}
	rejected := []string{
		"", "Local", "Mars/Olympus_Mons", "asia/tokyo", "Asia/Tokyo ", "Asia Tokyo", "Asia/Tokyo\n",
		"../../etc/passwd", "/usr/share/zoneinfo/UTC", `Asia\Tokyo`, "Europe/Paris%00", "Asia/東京",
		strings.Repeat("A", 65),
	}
	for _, name := range rejected {
		t.Run(fmt.Sprintf("rejects %q", name), func(t *testing.T) {
			t.Parallel()
			_, err := domain.ParseTimeZone(name)
			requireFieldError(t, err, "timeZone")
		})
	}
}

func TestNewLearnerDay(t *testing.T) {
	t.Parallel()
	day, err := domain.NewLearnerDay("Asia/Tokyo", domain.DefaultDayStartHour)
	require.NoError(t, err)
	assert.Equal(t, "Asia/Tokyo", day.Location.String())
	assert.Equal(t, 4, day.StartHour)

	tests := []struct {
		name  string
		zone  string
		hour  int
		field string
	}{
		{"an unknown zone", "Nowhere/Special", 4, "timeZone"},
		{"an hour before midnight", "UTC", -1, "dayStartHour"},
		{"hour 24", "UTC", 24, "dayStartHour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := domain.NewLearnerDay(tt.zone, tt.hour)
			requireFieldError(t, err, tt.field)
		})
	}
	for _, hour := range []int{0, 4, 23} {
		assert.NoError(t, domain.ValidateDayStartHour(hour))
	}
}
