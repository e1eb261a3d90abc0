//go:build !linux

package pgtopo

import "os"

// baseDir is the directory that servers' directories are made in.
func baseDir() string { return os.TempDir() }
