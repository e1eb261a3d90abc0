package domain

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// minFuzzedInterval is the shortest interval, in days, that is fuzzed: shorter ones have
// no room to move without becoming a same-day or a next-day review.
const minFuzzedInterval = 2.5

// fuzzBand is a band of interval lengths [start, end) and the fuzz, in days, that each
// day of an interval within the band adds.
type fuzzBand struct{ start, end, factor float64 }

// fuzzBands are Anki's: fuzz grows with the interval, but ever more slowly.
var fuzzBands = [...]fuzzBand{
	{start: minFuzzedInterval, end: 7, factor: 0.15},
	{start: 7, end: 20, factor: 0.10},
	{start: 20, end: math.Inf(1), factor: 0.05},
}

// FuzzRange returns the whole-day range [lo, hi] over which an interval (in days,
// fractional) is spread, as Anki spreads it so that cards learned together do not stay
// due together forever. The range is the interval ± delta, rounded (halves away from
// zero), where delta is 1 plus, for each band, its factor times the part of the interval
// that lies in the band (15 % of the days from 2.5 to 7, 10 % of those from 7 to 20, 5 %
// of those beyond). lo is at least 2, hi at most maxInterval, and lo ≤ hi. An interval
// under 2.5 days is not fuzzed: both bounds are the interval rounded, within
// [1, maxInterval].
func FuzzRange(interval float64, maxInterval int) (lo, hi int) {
	if !(interval >= minFuzzedInterval) { // also catches NaN
		days := roundDays(interval, 1, maxInterval)
		return days, days
	}
	delta := 1.0
	for _, b := range fuzzBands {
		delta += b.factor * max(min(interval, b.end)-b.start, 0)
	}
	hi = roundDays(interval+delta, 1, maxInterval)
	lo = min(roundDays(interval-delta, 2, maxInterval), hi)
	return lo, hi
}

// FuzzInterval picks a whole number of days within FuzzRange(interval, maxInterval),
// each equally likely over uniformly distributed seeds. The pick depends on seed alone,
// so that replaying or retrying a review schedules the same day; FuzzSeed derives it.
func FuzzInterval(interval float64, maxInterval int, seed uint64) int {
	lo, hi := FuzzRange(interval, maxInterval)
	// The high word of seed·span is ⌊seed·span / 2⁶⁴⌋, in [0, span): every day is picked by
	// ⌊2⁶⁴/span⌋ or ⌈2⁶⁴/span⌉ seeds, as uniform as 64 bits allow.
	span := uint64(hi-lo) + 1 //nolint:gosec // G115: FuzzRange returns lo <= hi
	pick, _ := bits.Mul64(seed, span)
	return lo + int(pick) //nolint:gosec // G115: pick < span, the length of an int range
}

// FuzzSeed derives the seed of a review's fuzz from the card and the number of reviews
// it had before (SHA-256, so that consecutive reviews and similar card ids give
// unrelated picks): the same review always gets the same pick, the next one a fresh one.
func FuzzSeed(cardID string, reviewCount int) uint64 {
	sum := sha256.Sum256([]byte(cardID + "\x00" + strconv.Itoa(reviewCount)))
	return binary.BigEndian.Uint64(sum[:8])
}
