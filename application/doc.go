// Package application holds StudyTool's use-cases, grouped in sub-packages (auth,
// profile, decks, study, cacheadmin). Use-cases depend on domain and ports only; one
// use-case per file, each a handler with Handle(ctx, cmd).
package application

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// NewID returns a fresh UUIDv7 string (RFC 9562): a millisecond timestamp followed by
// random bits, so ids sort by creation time and index well.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	ms := uint64(time.Now().UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(b[0:6], ts[2:8])
	b[6] = (b[6] & 0x0f) | 0x70 // version 7
	b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
