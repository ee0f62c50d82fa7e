package store

import (
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// syncFS flushes the filesystem that holds dir: data, metadata and
// directory entries of every file, with one journal commit.
func syncFS(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	return unix.Syncfs(fd)
}

// openUnnamed opens a new file without a name in dir (O_TMPFILE): it
// appears only when linkUnnamed gives it one, and vanishes if the process
// dies first. Where a Delete removed dir as empty between the look-up and
// the file's making, ext4 answers EPERM ("cannot create files in a deleted
// directory"); that error matches fs.ErrNotExist, as a look-up after the
// removal would, so that the caller makes dir again (inDir).
func openUnnamed(dir string, mode os.FileMode) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, uint32(mode.Perm()))
	if err == unix.EPERM {
		return nil, &os.PathError{Op: "open", Path: dir, Err: deletedDir{err}}
	} else if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), dir+"/(unnamed)"), nil
}

// deletedDir is the error of a file made in a folder removed meanwhile.
type deletedDir struct{ err error }

func (e deletedDir) Error() string        { return e.err.Error() + " (its folder was being removed)" }
func (e deletedDir) Is(target error) bool { return target == fs.ErrNotExist }
func (e deletedDir) Unwrap() error        { return e.err }

// linkUnnamed gives a file from openUnnamed the name dst; it fails with
// an error matching fs.ErrExist when dst exists.
func linkUnnamed(f *os.File, dst string) error {
	return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
}

// retentionName is the extended attribute that holds an object's
// retention date.
const retentionName = "user.eingang.retain-until"

// setRetentionAttr sets the retention attribute to v on f, or where f is
// nil on the file at path.
func setRetentionAttr(f *os.File, path string, v []byte) error {
	if f != nil {
		return unix.Fsetxattr(int(f.Fd()), retentionName, v, 0)
	}
	return unix.Setxattr(path, retentionName, v, 0)
}

// retentionAttr returns the retention attribute of the file at path.
func retentionAttr(path string) (string, error) {
	var buf [64]byte
	n, err := unix.Getxattr(path, retentionName, buf[:])
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// nlink returns the number of names the file of fi has.
func nlink(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 0
}

// statRoom returns the room left on the filesystem of dir.
func statRoom(dir string) (Space, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Space{}, err
	}
	sp := Space{Bytes: st.Bavail * uint64(st.Bsize), Inodes: -1}
	if st.Files > 0 { // some filesystems (btrfs) set no limit and say 0
		sp.Inodes = int64(st.Ffree)
	}
	return sp, nil
}

// lockDir takes the lock of the store at dir (an exclusive flock of
// dir/.lock) and returns its file, which holds it until the process ends;
// nil when another holds it.
func lockDir(dir string) *os.File {
	// Read-only: a file open for writing would keep the filesystem from
	// being remounted read-only.
	f, err := os.OpenFile(dir+"/.lock", os.O_RDONLY|os.O_CREATE, 0o640)
	if err != nil {
		return nil
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil
	}
	return f
}
