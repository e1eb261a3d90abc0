package statebackup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/studytool/studytool/application/statebackup"
	"github.com/studytool/studytool/ports"
)

// fakeStore is a ports.StateKeyStore over a map.
type fakeStore struct {
	prefix  string
	keys    map[string]ports.StateKey
	scanErr error
}

func (s *fakeStore) Prefix() string { return s.prefix }

func (s *fakeStore) ScanState(_ context.Context, each func(ports.StateKey) error) error {
	for _, k := range s.keys {
		if err := each(k); err != nil {
			return err
		}
	}
	return s.scanErr
}

func (s *fakeStore) RestoreState(_ context.Context, k ports.StateKey, replace bool) (bool, error) {
	if _, ok := s.keys[k.Key]; ok && !replace {
		return false, nil
	}
	s.keys[k.Key] = k
	return true, nil
}

// clock is a settable ports.Clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func newStore() *fakeStore {
	return &fakeStore{prefix: "p:test:", keys: map[string]ports.StateKey{
		"p:test:session:a":     {Key: "p:test:session:a", Dump: []byte("dump a"), TTL: time.Hour},
		"p:test:session:b":     {Key: "p:test:session:b", Dump: []byte("dump b"), TTL: time.Minute},
		"p:test:user:sessions": {Key: "p:test:user:sessions", Dump: []byte("index")},
	}}
}

// TestRoundTrip backs up three keys, restores them into an empty store two minutes
// later and checks the TTLs: less the elapsed time, the expired one skipped, none for
// the key without one; a second restore keeps the existing keys.
func TestRoundTrip(t *testing.T) {
	src, now := newStore(), &clock{now: time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)}
	file := filepath.Join(t.TempDir(), "state.bin")
	header, err := statebackup.NewHandler(src, now).Backup(t.Context(), file, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, header.Keys)
	assert.Equal(t, "p:test:", header.Prefix)
	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")

	dst := &fakeStore{prefix: "p:test:", keys: map[string]ports.StateKey{}}
	now.now = now.now.Add(2 * time.Minute)
	var seen int
	res, err := statebackup.NewHandler(dst, now).Restore(t.Context(), file, false, func(done, total int) { seen = done; assert.Equal(t, 3, total) })
	require.NoError(t, err)
	assert.Equal(t, 2, res.Restored)
	assert.Equal(t, 1, res.Expired)
	assert.Equal(t, 3, seen)
	assert.Equal(t, 58*time.Minute, dst.keys["p:test:session:a"].TTL)
	assert.Zero(t, dst.keys["p:test:user:sessions"].TTL)
	assert.Equal(t, []byte("index"), dst.keys["p:test:user:sessions"].Dump)

	res, err = statebackup.NewHandler(dst, now).Restore(t.Context(), file, false, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Existing, "existing keys are kept")
}

// TestRestoreRefuses checks that a flipped byte anywhere, a truncated file and a backup
// of another prefix are refused before anything is restored.
func TestRestoreRefuses(t *testing.T) {
	now := &clock{now: time.Now()}
	file := filepath.Join(t.TempDir(), "state.bin")
	_, err := statebackup.NewHandler(newStore(), now).Backup(t.Context(), file, nil)
	require.NoError(t, err)
	data, err := os.ReadFile(file)
	require.NoError(t, err)

	for name, edit := range map[string]func([]byte) []byte{
		"header byte": func(b []byte) []byte { b[20] ^= 1; return b },
		"record byte": func(b []byte) []byte { b[len(b)-9] ^= 1; return b },
		"truncated":   func(b []byte) []byte { return b[:len(b)-1] },
		"appended":    func(b []byte) []byte { return append(b, 0) },
	} {
		t.Run(name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad.bin")
			require.NoError(t, os.WriteFile(bad, edit(append([]byte(nil), data...)), 0o600))
			dst := &fakeStore{prefix: "p:test:", keys: map[string]ports.StateKey{}}
			_, err := statebackup.NewHandler(dst, now).Restore(t.Context(), bad, true, nil)
			require.ErrorIs(t, err, statebackup.ErrCorrupt)
			assert.Empty(t, dst.keys, "nothing restored")
		})
	}
	other := &fakeStore{prefix: "q:test:", keys: map[string]ports.StateKey{}}
	_, err = statebackup.NewHandler(other, now).Restore(t.Context(), file, true, nil)
	require.ErrorContains(t, err, `prefix "p:test:"`)
	assert.Empty(t, other.keys)
}

// TestBackupFailureKeepsPreviousFile checks that a failed scan leaves the previous
// backup in place and no temporary file.
func TestBackupFailureKeepsPreviousFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.bin")
	require.NoError(t, os.WriteFile(file, []byte("previous"), 0o600))
	store := newStore()
	store.scanErr = errors.New("connection reset")
	_, err := statebackup.NewHandler(store, &clock{now: time.Now()}).Backup(t.Context(), file, nil)
	require.ErrorContains(t, err, "connection reset")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "previous", string(data))
	entries, err := os.ReadDir(filepath.Dir(file))
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}
