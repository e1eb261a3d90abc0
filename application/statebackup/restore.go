package statebackup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/studytool/studytool/ports"
)

// RestoreResult counts what a restore did with the keys of a backup.
type RestoreResult struct {
	Header Header
	// Restored keys were written; Expired ones had no TTL left; Existing ones were
	// already present and left alone (without replace).
	Restored, Expired, Existing int
}

// Restore verifies the backup at path (header, prefix, key count and checksum) and only
// then RESTOREs its keys, each with its TTL less the time elapsed since the backup.
// replace overwrites keys that exist.
func (h *Handler) Restore(ctx context.Context, path string, replace bool, progress Progress) (RestoreResult, error) {
	f, err := os.Open(path) //nolint:gosec // the operator names the file to restore
	if err != nil {
		return RestoreResult{}, fmt.Errorf("state restore: %w", err)
	}
	defer func() { _ = f.Close() }() // read only: closing loses nothing
	header, err := h.verify(f)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("state restore: %s: %w", path, err)
	}
	if _, err := f.Seek(headerSize, io.SeekStart); err != nil {
		return RestoreResult{}, fmt.Errorf("state restore: %w", err)
	}
	res, err := h.restoreRecords(ctx, bufio.NewReader(f), header, replace, progress)
	if err != nil {
		return res, fmt.Errorf("state restore: %w", err)
	}
	return res, nil
}

// verify reads the whole file and checks it against its header and this deployment.
func (h *Handler) verify(f io.Reader) (Header, error) {
	header, err := decodeHeader(f)
	if err != nil {
		return Header{}, err
	}
	if header.Prefix != h.store.Prefix() {
		return Header{}, fmt.Errorf("the backup holds keys of prefix %q, this deployment uses %q", header.Prefix, h.store.Prefix())
	}
	sum := sha256.New()
	r := bufio.NewReader(io.TeeReader(f, sum))
	n := 0
	for ; ; n++ {
		_, err := readRecord(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Header{}, err
		}
	}
	if n != header.Keys || header.sum(sum) != header.SHA256 {
		return Header{}, fmt.Errorf("%w: %d records for %d keys, or checksum mismatch", ErrCorrupt, n, header.Keys)
	}
	return header, nil
}

// restoreRecords restores the verified records of r.
func (h *Handler) restoreRecords(ctx context.Context, r *bufio.Reader, header Header, replace bool, progress Progress) (RestoreResult, error) {
	res := RestoreResult{Header: header}
	elapsed := max(h.clock.Now().Sub(header.CreatedAt), 0)
	for done := 1; done <= header.Keys; done++ {
		k, err := readRecord(r)
		if err != nil {
			return res, err
		}
		if err := h.restoreOne(ctx, k, elapsed, replace, &res); err != nil {
			return res, err
		}
		if progress != nil {
			progress(done, header.Keys)
		}
	}
	return res, nil
}

// restoreOne restores k with its TTL less elapsed and counts the outcome in res.
func (h *Handler) restoreOne(ctx context.Context, k ports.StateKey, elapsed time.Duration, replace bool, res *RestoreResult) error {
	if k.TTL > 0 {
		if k.TTL -= elapsed; k.TTL < time.Millisecond {
			res.Expired++
			return nil
		}
	}
	written, err := h.store.RestoreState(ctx, k, replace)
	switch {
	case err != nil:
		return err
	case written:
		res.Restored++
	default:
		res.Existing++
	}
	return nil
}
