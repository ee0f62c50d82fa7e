package main

import (
	"io/fs"

	"golang.org/x/sys/unix"
)

// readFile reads the file name into buf's spare room (growing it where
// the file is larger) and returns its bytes. It reads with the plain
// system calls (open, read, close): os.Open adds four fcntl and an
// epoll_ctl per file, and a look at the file's size another call, a tenth
// of a corpus run's time together. Of a regular file, a read that leaves
// room in buf has reached the end (only there does such a read return less
// than asked for); of anything else (a pipe), only a read that returns
// nothing has.
func readFile(name string, buf []byte, regular bool) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	buf = buf[:0]
	if cap(buf) < 64<<10 {
		buf = make([]byte, 0, 64<<10)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := cap(buf) - len(buf)
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		buf = buf[:len(buf)+n]
		if n == 0 || regular && n < room {
			return buf, nil
		}
	}
}
