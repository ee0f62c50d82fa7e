package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestReadFile reads regular files of sizes around the buffer's, into
// buffers of several sizes, and a pipe (a FIFO) written in pieces: each
// is read whole, a short read of the pipe being no end.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 4096, 64<<10 - 1, 64 << 10, 64<<10 + 1, 3 << 20} {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		name := filepath.Join(dir, fmt.Sprintf("f%d.xml", size))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, buf := range [][]byte{nil, make([]byte, 10), make([]byte, 0, 64<<10), make([]byte, 0, 1<<20)} {
			got, err := readFile(name, buf, true)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%d bytes into a buffer of %d: got %d bytes, %v", size, cap(buf), len(got), err)
			}
		}
	}

	fifo := filepath.Join(dir, "pipe.xml")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	files, special, err := collect([]string{dir})
	if err != nil || len(files) != 8 || !special[fifo] || len(special) != 1 {
		t.Fatalf("collect: %d files, special %v, %v; want 8 and the FIFO alone special", len(files), special, err)
	}
	data := bytes.Repeat([]byte("<x>pipe</x>\n"), 20000)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1000)
			f.Write(rest[:n])
			rest = rest[n:]
			time.Sleep(time.Millisecond)
		}
	}()
	got, err := readFile(fifo, nil, !special[fifo])
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("the pipe: got %d bytes of %d, %v", len(got), len(data), err)
	}
	if _, err := readFile(filepath.Join(dir, "missing.xml"), nil, true); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v", err)
	}
}
