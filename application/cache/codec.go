package cache

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"
)

// Layout of an encoded entry, format version 1:
//
//	offset size  field
//	0      2     magic 0xCA 0xCE
//	2      1     format version (1)
//	3      1     flags: bit 0 body is zstd-compressed, bit 1 entry is a "not found" tombstone
//	4      8     logical expiry, Unix milliseconds, big-endian int64
//	12     4     recompute time (XFetch delta), microseconds, big-endian uint32
//	16     …     body: the value as JSON, compressed when the flag says so
//
// A reader accepts only the versions and flags it knows; anything else is ErrCorrupt,
// which the cache treats as a miss. A later format bumps the version and keeps a decoder
// for this one, so entries written by an older deploy stay readable during a rollout.
const (
	codecMagic0     = 0xCA
	codecMagic1     = 0xCE
	codecVersion    = 1
	codecHeaderSize = 16

	codecFlagZstd     = 1 << 0
	codecFlagNotFound = 1 << 1
	codecKnownFlags   = codecFlagZstd | codecFlagNotFound
)

// CompressThreshold is the body size above which a value is stored compressed (when
// compression makes it smaller).
const CompressThreshold = 1024

// maxDecodedSize bounds what one compressed entry may expand to, so a corrupt or hostile
// value cannot exhaust memory.
const maxDecodedSize = 64 << 20

// maxDelta is the largest recompute time the header can carry.
const maxDelta = time.Duration(1<<32-1) * time.Microsecond

// ErrCorrupt reports bytes that are not an entry this codec can read: a foreign value, a
// truncated or damaged one, or a format version it does not know.
var ErrCorrupt = errors.New("cache: corrupt or foreign entry")

// Entry is what the cache stores under one key.
type Entry struct {
	// Value is the JSON encoding of the cached value; empty in a tombstone.
	Value []byte
	// NotFound marks a tombstone: the loader reported domain.ErrNotFound.
	NotFound bool
	// Expiry is when the entry stops being served (millisecond precision).
	Expiry time.Time
	// Delta is how long computing the value took (microsecond precision, at most about
	// 71 minutes); XFetch recomputes earlier the longer it is.
	Delta time.Duration
}

var (
	zstdEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
		return zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault))
	})
	zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
		return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxDecodedSize))
	})
)

// Encode serializes e, compressing a Value longer than CompressThreshold with zstd when
// that makes it smaller.
func Encode(e Entry) ([]byte, error) {
	var flags byte
	body := e.Value
	if e.NotFound {
		flags |= codecFlagNotFound
		body = nil
	}
	if len(body) > CompressThreshold {
		enc, err := zstdEncoder()
		if err != nil {
			return nil, fmt.Errorf("cache codec: zstd encoder: %w", err)
		}
		if packed := enc.EncodeAll(body, nil); len(packed) < len(body) {
			body = packed
			flags |= codecFlagZstd
		}
	}
	out := make([]byte, codecHeaderSize, codecHeaderSize+len(body))
	out[0], out[1], out[2], out[3] = codecMagic0, codecMagic1, codecVersion, flags
	binary.BigEndian.PutUint64(out[4:12], uint64(e.Expiry.UnixMilli()))
	binary.BigEndian.PutUint32(out[12:16], uint32(min(max(e.Delta, 0), maxDelta)/time.Microsecond))
	return append(out, body...), nil
}

// Decode parses data written by Encode. Anything else is ErrCorrupt.
func Decode(data []byte) (Entry, error) {
	if len(data) < codecHeaderSize || data[0] != codecMagic0 || data[1] != codecMagic1 {
		return Entry{}, fmt.Errorf("%w: no entry header", ErrCorrupt)
	}
	if data[2] != codecVersion {
		return Entry{}, fmt.Errorf("%w: format version %d", ErrCorrupt, data[2])
	}
	flags := data[3]
	if flags&^codecKnownFlags != 0 {
		return Entry{}, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	}
	e := Entry{
		NotFound: flags&codecFlagNotFound != 0,
		Expiry:   time.UnixMilli(int64(binary.BigEndian.Uint64(data[4:12]))).UTC(), //nolint:gosec // G115: the field holds an int64's bits
		Delta:    time.Duration(binary.BigEndian.Uint32(data[12:16])) * time.Microsecond,
	}
	body := data[codecHeaderSize:]
	if flags&codecFlagZstd != 0 {
		dec, err := zstdDecoder()
		if err != nil {
			return Entry{}, fmt.Errorf("cache codec: zstd decoder: %w", err)
		}
		if body, err = dec.DecodeAll(body, nil); err != nil {
			return Entry{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	switch {
	case e.NotFound && len(body) > 0:
		return Entry{}, fmt.Errorf("%w: tombstone with a body", ErrCorrupt)
	case !e.NotFound && len(body) == 0:
		return Entry{}, fmt.Errorf("%w: empty body", ErrCorrupt)
	}
	if !e.NotFound {
		e.Value = body
	}
	return e, nil
}
