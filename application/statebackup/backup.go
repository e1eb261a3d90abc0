package statebackup

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/studytool/studytool/ports"
)

// Handler backs up and restores the state keys of store.
type Handler struct {
	store ports.StateKeyStore
	clock ports.Clock
}

// NewHandler builds the handler.
func NewHandler(store ports.StateKeyStore, clock ports.Clock) *Handler {
	return &Handler{store: store, clock: clock}
}

// Progress is told how many keys have been handled so far, and of how many (-1 while
// unknown, as during a backup); it may be nil.
type Progress func(done, total int)

// Backup writes every state key to path, atomically: into a temporary file of the same
// directory, renamed over path once complete and synced. It returns the file's header.
func (h *Handler) Backup(ctx context.Context, path string, progress Progress) (Header, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return Header{}, fmt.Errorf("state backup: %w", err)
	}
	header, err := h.writeTo(ctx, tmp, progress)
	if err == nil {
		err = tmp.Sync()
	}
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return Header{}, fmt.Errorf("state backup: %w", err)
	}
	return header, nil
}

// writeTo streams the records into f after room for the header, then writes the header.
func (h *Handler) writeTo(ctx context.Context, f *os.File, progress Progress) (Header, error) {
	header := Header{Format: formatName, Version: formatVersion, Prefix: h.store.Prefix(), CreatedAt: h.clock.Now().UTC()}
	if _, err := f.Seek(headerSize, io.SeekStart); err != nil {
		return Header{}, err
	}
	sum := sha256.New()
	buf := bufio.NewWriterSize(f, 1<<16)
	out := io.MultiWriter(buf, sum)
	err := h.store.ScanState(ctx, func(k ports.StateKey) error {
		if err := writeRecord(out, k); err != nil {
			return err
		}
		header.Keys++
		if progress != nil {
			progress(header.Keys, -1)
		}
		return nil
	})
	if err != nil {
		return Header{}, err
	}
	if err := buf.Flush(); err != nil {
		return Header{}, err
	}
	header.SHA256 = header.sum(sum)
	block, err := encodeHeader(header)
	if err != nil {
		return Header{}, err
	}
	_, err = f.WriteAt(block, 0)
	return header, err
}
