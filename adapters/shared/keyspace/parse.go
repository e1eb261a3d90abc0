package keyspace

import "strings"

// Family names the layout of a key of the schema (see the package comment).
type Family string

// The families of the key schema; FamilyUnknown is a key under the prefix that fits
// none of them.
const (
	FamilyCache             Family = "cache"
	FamilySession           Family = "session"
	FamilyUserSessions      Family = "user-sessions"
	FamilyStudySession      Family = "study-session"
	FamilyStudySessionIndex Family = "study-session-index"
	FamilyProgress          Family = "progress"
	FamilyRateLimit         Family = "ratelimit"
	FamilyIdempotency       Family = "idempotency-record"
	FamilyIdempotencyIndex  Family = "idempotency-index"
	FamilyUnknown           Family = "unknown"
)

// Parsed is a key of the schema taken apart: its family, its pattern (Shape) and the
// ids it names. Fields a family has no part for are empty.
type Parsed struct {
	Family  Family
	Pattern string
	UserID  string
	// ID is the session id, study-session id or idempotency digest.
	ID     string
	CardID string
}

// Parse takes key apart. ok is false for a key outside the prefix; a key under the
// prefix that fits no layout, or whose ids are not valid segments, is FamilyUnknown.
func (k Keyspace) Parse(key string) (p Parsed, ok bool) {
	rest, ok := strings.CutPrefix(key, k.prefix)
	if !ok {
		return Parsed{}, false
	}
	p = Parsed{Family: FamilyUnknown, Pattern: k.Shape(key)}
	if p.Pattern == k.prefix+Wildcard {
		return p, true
	}
	head, tail, _ := strings.Cut(rest, ":")
	family, ids := classify(head, tail)
	if family == FamilyUnknown || !validSegments(ids) {
		return Parsed{Family: FamilyUnknown, Pattern: k.prefix + Wildcard}, true
	}
	p.Family = family
	fillIDs(&p, ids)
	return p, true
}

// classify returns the family of a key whose Shape fits a layout, given the first
// segment after the prefix and the rest, and the key's dynamic parts.
func classify(head, tail string) (Family, []string) {
	parts := strings.Split(tail, ":")
	switch head {
	case "session":
		return FamilySession, parts
	case "progress":
		return FamilyProgress, parts
	case "user":
		return FamilyUserSessions, parts[1:]
	case "study":
		if len(parts) == 2 {
			return FamilyStudySessionIndex, parts[1:]
		}
		return FamilyStudySession, parts[1:]
	case "idempotency":
		if len(parts) == 1 {
			return FamilyIdempotencyIndex, parts
		}
		return FamilyIdempotency, parts
	case "ratelimit":
		return FamilyRateLimit, nil
	case "cache":
		return FamilyCache, nil
	}
	return FamilyUnknown, nil
}

// fillIDs sets p's ids from the dynamic parts of its key, in schema order.
func fillIDs(p *Parsed, ids []string) {
	switch p.Family {
	case FamilySession:
		p.ID = ids[0]
	case FamilyUserSessions, FamilyStudySessionIndex, FamilyIdempotencyIndex:
		p.UserID = ids[0]
	case FamilyStudySession, FamilyIdempotency:
		p.UserID, p.ID = ids[0], ids[1]
	case FamilyProgress:
		p.UserID, p.CardID = ids[0], ids[1]
	}
}

func validSegments(ids []string) bool {
	for _, id := range ids {
		if ValidateSegment(id) != nil {
			return false
		}
	}
	return true
}
