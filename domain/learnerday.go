package domain

import (
	"strings"
	"time"

	// The time-zone database is embedded so that a learner's zone resolves wherever the
	// binary runs, including a static binary in an image without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// DefaultDayStartHour is the hour a learner's day starts at unless they choose another,
// as in Anki: studying past midnight still counts for the evening's day, and cards due
// "tomorrow" are waiting when the learner gets up.
const DefaultDayStartHour = 4

// DefaultTimeZone is a new learner's time zone until they set their own.
const DefaultTimeZone = "UTC"

// maxTimeZoneLength bounds a time-zone name; the longest IANA name has 32 characters.
const maxTimeZoneLength = 64

// LearnerDay is how a learner divides time into days: in their time zone, each day
// starts at StartHour (0–23) o'clock rather than at midnight. Intervals count these
// days, so a card due in one day is due when the learner's next day starts, whatever
// the hour it was answered at. The zero value is a day in UTC starting at midnight.
type LearnerDay struct {
	Location  *time.Location
	StartHour int
}

// NewLearnerDay returns the learner day of the IANA time zone named timeZone starting at
// startHour, or the ValidationError of ParseTimeZone or ValidateDayStartHour.
func NewLearnerDay(timeZone string, startHour int) (LearnerDay, error) {
	loc, err := ParseTimeZone(timeZone)
	if err != nil {
		return LearnerDay{}, err
	}
	if err := ValidateDayStartHour(startHour); err != nil {
		return LearnerDay{}, err
	}
	return LearnerDay{Location: loc, StartHour: startHour}, nil
}

// ParseTimeZone resolves an IANA time-zone name such as "Asia/Tokyo" or "UTC". An empty
// name, "Local" (the server's zone, not the learner's), a name with characters no IANA
// name has, or an unknown name yields a ValidationError for "timeZone".
func ParseTimeZone(name string) (*time.Location, error) {
	if name == "Local" || !isZoneName(name) {
		return nil, NewValidationError("timeZone", "must be an IANA time zone name such as Europe/Paris")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, NewValidationError("timeZone", "is not a known IANA time zone")
	}
	return loc, nil
}

// isZoneName reports whether name could be an IANA zone name: ASCII letters, digits and
// "/_-+" ("America/Port-au-Prince", "Etc/GMT+5"), not starting with "/". It keeps file
// paths and odd input away from the time-zone database lookup.
func isZoneName(name string) bool {
	if name == "" || len(name) > maxTimeZoneLength || name[0] == '/' {
		return false
	}
	for _, c := range name {
		if !isZoneNameRune(c) {
			return false
		}
	}
	return true
}

// isZoneNameRune reports whether c may appear in an IANA zone name.
func isZoneNameRune(c rune) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	default:
		return strings.ContainsRune("/_-+", c)
	}
}

// ValidateDayStartHour reports a ValidationError for "dayStartHour" unless hour is an
// hour of the day, 0 to 23.
func ValidateDayStartHour(hour int) error {
	if hour < 0 || hour > 23 {
		return NewValidationError("dayStartHour", "must be an integer from 0 to 23")
	}
	return nil
}

// Start returns when the learner day containing t started, in UTC.
func (d LearnerDay) Start(t time.Time) time.Time {
	return d.startOf(d.dateOf(t))
}

// NextStart returns when the learner day after the one containing t starts, in UTC.
func (d LearnerDay) NextStart(t time.Time) time.Time {
	year, month, day := d.dateOf(t)
	return d.startOf(year, month, day+1)
}

// DueAt returns when a card answered at reviewedAt with an interval of intervalDays
// falls due, in UTC: the start of the learner day intervalDays days after the one
// reviewedAt belongs to. Counting calendar days in the learner's zone keeps the due hour
// across daylight-saving changes, where adding 24-hour days would shift it.
func (d LearnerDay) DueAt(reviewedAt time.Time, intervalDays int) time.Time {
	year, month, day := d.dateOf(reviewedAt)
	return d.startOf(year, month, day+intervalDays)
}

// DaysBetween returns how many learner days lie between the day of earlier and the day
// of later: 0 on the same learner day, 1 for the next one. A zero earlier (never
// reviewed) gives 0.
func (d LearnerDay) DaysBetween(earlier, later time.Time) int {
	if earlier.IsZero() {
		return 0
	}
	y1, m1, d1 := d.dateOf(earlier)
	y2, m2, d2 := d.dateOf(later)
	from := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	to := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	return int(to.Sub(from).Hours() / 24)
}

// DueToday reports whether a card due at dueAt is due on the learner's day containing
// now: it falls due before the next day starts, whether earlier today or on a past day.
func (d LearnerDay) DueToday(dueAt, now time.Time) bool {
	return dueAt.Before(d.NextStart(now))
}

// UTCOffsetSeconds returns the learner's offset from UTC at t, in seconds east of UTC
// (32400 in Tokyo), as the review log records it for an optimizer.
func (d LearnerDay) UTCOffsetSeconds(t time.Time) int {
	_, offset := t.In(d.location()).Zone()
	return offset
}

// location is the learner's zone, UTC when none is set.
func (d LearnerDay) location() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}

// dateOf returns the calendar date, in the learner's zone, on which the learner day
// containing t started: t's own date, or the day before when t comes before that date's
// start hour. The day may be 0, which time.Date reads as the last day of the month before.
func (d LearnerDay) dateOf(t time.Time) (year int, month time.Month, day int) {
	year, month, day = t.In(d.location()).Date()
	if t.Before(d.startOf(year, month, day)) {
		day--
	}
	return year, month, day
}

// startOf returns, in UTC, when the learner day dated year-month-day starts: the first
// instant at which the learner's clock shows that date at StartHour o'clock or later.
// That is StartHour o'clock, except where a daylight-saving change skips that hour (the
// day then starts when the clocks jump past it) or repeats it (the day starts the first
// time it is shown). time.Date resolves such times to either side of the change, so
// startOf settles which one. Dates out of range (day 0, day 32) are normalized.
func (d LearnerDay) startOf(year int, month time.Month, day int) time.Time {
	t := time.Date(year, month, day, d.StartHour, 0, 0, 0, d.location())
	wanted := time.Date(year, month, day, d.StartHour, 0, 0, 0, time.UTC)
	zoneStart, zoneEnd := t.ZoneBounds()
	switch shown := wallClock(t); {
	case shown.Before(wanted): // skipped hour, resolved to before the jump
		t = zoneEnd
	case shown.After(wanted): // skipped hour, resolved to after the jump
		t = zoneStart
	default:
		t = firstShowing(t, zoneStart)
	}
	return t.UTC()
}

// firstShowing returns the earlier instant showing the same wall-clock time as t when
// the clocks fell back at zoneStart (the start of t's zone period) and showed that time
// before, and t otherwise.
func firstShowing(t, zoneStart time.Time) time.Time {
	if zoneStart.IsZero() {
		return t
	}
	_, before := zoneStart.Add(-time.Second).Zone()
	_, after := t.Zone()
	if earlier := t.Add(time.Duration(after-before) * time.Second); earlier.Before(zoneStart) {
		return earlier
	}
	return t
}

// wallClock returns the date and time t shows in its own location, as a UTC time, so
// that wall-clock readings compare directly.
func wallClock(t time.Time) time.Time {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	return time.Date(year, month, day, hour, minute, second, t.Nanosecond(), time.UTC)
}
