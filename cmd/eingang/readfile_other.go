//go:build !linux

package main

import (
	"bytes"
	"os"
)

// readFile reads the file name into buf's spare room (growing it where
// the file is larger) and returns its bytes. regular is for the Linux
// version's sake.
func readFile(name string, buf []byte, regular bool) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := bytes.NewBuffer(buf[:0])
	if _, err := b.ReadFrom(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
