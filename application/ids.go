package application

import (
	"encoding/binary"

	"github.com/google/uuid"

	"github.com/studytool/studytool/ports"
)

// NewID returns a fresh UUIDv7 string (RFC 9562) timed by clock: a millisecond timestamp
// followed by random bits, so ids sort by creation time and index well, and tests with a
// fake clock get ids in the order of their fake time.
func NewID(clock ports.Clock) string {
	id := uuid.Must(uuid.NewRandom()) // random bits, version 4 and the RFC 9562 variant
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(clock.Now().UnixMilli()))
	copy(id[0:6], ms[2:8])    // the 48-bit millisecond timestamp
	id[6] = id[6]&0x0f | 0x70 // version 7
	return id.String()
}
