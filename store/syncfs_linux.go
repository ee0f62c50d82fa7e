package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS flushes the filesystem that holds dir: data, metadata and
// directory entries of every file, with one journal commit.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
