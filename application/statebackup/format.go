package statebackup

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"time"

	"github.com/studytool/studytool/ports"
)

// File layout: a header block of headerSize bytes (the header as JSON, padded with
// spaces and ended by a newline), then one record per key: the key's length (uint32,
// big-endian) and bytes, the DUMP's length (uint32) and bytes, and the remaining TTL in
// milliseconds when the key was read (int64; 0 for none).
const (
	formatName    = "studytool-state-backup"
	formatVersion = 1
	headerSize    = 1024
	maxKeyLength  = 1 << 20
	maxDumpLength = 512 << 20
)

// ErrCorrupt reports a backup file that is not one, is truncated or fails its checksum.
var ErrCorrupt = errors.New("corrupt state backup")

// Header describes a backup file.
type Header struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Prefix    string    `json:"prefix"`
	CreatedAt time.Time `json:"createdAt"`
	Keys      int       `json:"keys"`
	// SHA256 is the hex SHA-256 of the records followed by the header's other fields
	// (see canonical).
	SHA256 string `json:"sha256"`
}

// canonical is the header's fields the checksum covers, after the records.
func (h Header) canonical() []byte {
	return fmt.Appendf(nil, "\n%s\n%d\n%s\n%s\n%d", h.Format, h.Version, h.Prefix,
		h.CreatedAt.UTC().Format(time.RFC3339Nano), h.Keys)
}

// sum returns the checksum of h given the hash of the records.
func (h Header) sum(records hash.Hash) string {
	records.Write(h.canonical())
	return hex.EncodeToString(records.Sum(nil))
}

// encodeHeader returns the header block of h.
func encodeHeader(h Header) ([]byte, error) {
	body, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("state backup: header: %w", err)
	}
	if len(body) > headerSize-1 {
		return nil, fmt.Errorf("state backup: header of %d bytes exceeds %d", len(body), headerSize-1)
	}
	block := bytes.Repeat([]byte{' '}, headerSize)
	copy(block, body)
	block[headerSize-1] = '\n'
	return block, nil
}

// decodeHeader reads and checks the header block from r.
func decodeHeader(r io.Reader) (Header, error) {
	block := make([]byte, headerSize)
	if _, err := io.ReadFull(r, block); err != nil {
		return Header{}, fmt.Errorf("%w: header: %w", ErrCorrupt, err)
	}
	body := bytes.TrimRight(block[:headerSize-1], " ")
	var h Header
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if block[headerSize-1] != '\n' || dec.Decode(&h) != nil || dec.More() {
		return Header{}, fmt.Errorf("%w: unreadable header", ErrCorrupt)
	}
	if h.Format != formatName || h.Version != formatVersion {
		return Header{}, fmt.Errorf("%w: format %q version %d, want %q version %d", ErrCorrupt, h.Format, h.Version, formatName, formatVersion)
	}
	if h.Keys < 0 || len(h.SHA256) != 2*sha256.Size {
		return Header{}, fmt.Errorf("%w: invalid header", ErrCorrupt)
	}
	return h, nil
}

// writeRecord appends k to w.
func writeRecord(w io.Writer, k ports.StateKey) error {
	buf := make([]byte, 0, 16+len(k.Key)+len(k.Dump))
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(k.Key))) //nolint:gosec // keys are far below 4 GiB
	buf = append(buf, k.Key...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(k.Dump))) //nolint:gosec // Redis values are at most 512 MiB
	buf = append(buf, k.Dump...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(k.TTL.Milliseconds())) //nolint:gosec // a TTL is never negative
	_, err := w.Write(buf)
	return err
}

// readRecord reads one record from r; io.EOF means there is none left.
func readRecord(r *bufio.Reader) (ports.StateKey, error) {
	if _, err := r.Peek(1); err != nil {
		return ports.StateKey{}, err
	}
	key, err := readField(r, maxKeyLength)
	if err != nil {
		return ports.StateKey{}, err
	}
	dump, err := readField(r, maxDumpLength)
	if err != nil {
		return ports.StateKey{}, err
	}
	var ttl [8]byte
	if _, err := io.ReadFull(r, ttl[:]); err != nil {
		return ports.StateKey{}, fmt.Errorf("%w: record TTL: %w", ErrCorrupt, err)
	}
	ms := int64(binary.BigEndian.Uint64(ttl[:])) //nolint:gosec // written from a non-negative int64
	if ms < 0 {
		return ports.StateKey{}, fmt.Errorf("%w: negative TTL", ErrCorrupt)
	}
	return ports.StateKey{Key: string(key), Dump: dump, TTL: time.Duration(ms) * time.Millisecond}, nil
}

// readField reads a length-prefixed field of at most limit bytes.
func readField(r io.Reader, limit uint32) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, fmt.Errorf("%w: record length: %w", ErrCorrupt, err)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > limit {
		return nil, fmt.Errorf("%w: record field of %s bytes", ErrCorrupt, strconv.FormatUint(uint64(size), 10))
	}
	field := make([]byte, size)
	if _, err := io.ReadFull(r, field); err != nil {
		return nil, fmt.Errorf("%w: record: %w", ErrCorrupt, err)
	}
	return field, nil
}
