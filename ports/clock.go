package ports

import "time"

// Clock tells the time; tests substitute a controllable one.
type Clock interface {
	// Now returns the current time in UTC.
	Now() time.Time
}
