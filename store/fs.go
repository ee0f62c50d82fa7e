package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FS is the filesystem store: objects are files below a root directory.
// Writes go to a file without a name in the object's directory (Create,
// where O_TMPFILE works) or to a temporary file under root/.tmp, are made
// durable, and appear under their key by an atomic link (Create: fails if
// the key exists) or rename (Put), which is made durable in turn before
// the call returns. A process killed mid-write leaves at most a temporary file,
// never a partial object. Durability comes from group commit: concurrent
// writers share one flush of the filesystem (syncfs) per round instead of
// an fsync per file and directory.
//
// A Delete does not free the file of an object that was never retained:
// it moves it to root/.tmp/free, and a write a minute later or more fills
// it again (see recycle).
//
// Retention is recorded with the file, in its extended attribute
// user.eingang.retain-until (RFC 3339), set before the file gets its name;
// where the filesystem has no user attributes, and for objects written
// before 2026-12-07, in root/.retention/<key>. The store enforces it
// (Delete and Put refuse); the files of retained objects are read-only.
// Anyone with shell access to the directory can still remove them: for
// legally unalterable storage use S3 with object lock.
//
// A full filesystem or quota (ENOSPC, EDQUOT) makes errors match
// ErrNoSpace, a read-only one (EROFS) ErrReadOnly, and these and I/O
// errors (EIO) match ErrUnavailable. A folder a Delete or a failed write
// leaves empty is removed.
type FS struct {
	root    string
	now     func() time.Time
	group   *groupSync
	seq     atomic.Uint32 // picks the temporary directory
	unnamed bool          // Create writes files without a name (O_TMPFILE) and links them
	xattr   bool          // retention is kept in the files' extended attribute
	legacy  bool          // root/.retention may hold retention records
	lock    *os.File      // holds the store's lock while this FS is its only user
	free    freeFiles     // files below root/.tmp/free that writeTemp fills again
}

// freeFiles holds the files of deleted objects, oldest first, until they
// are written again.
type freeFiles struct {
	age   time.Duration // how long a file rests before it is written again
	seq   atomic.Uint64 // names the files
	mu    sync.Mutex
	files []freeFile
}

type freeFile struct {
	name string
	at   time.Time
}

// maxFree is how many files of deleted objects an FS keeps: most of a
// minute's worth at 1,500 deletions a second. Only small ones are kept
// (markers, entries), so that a Delete frees room, and all are freed
// when the filesystem is full.
const (
	maxFree     = 1 << 16
	maxFreeSize = 8 << 10
)

// tmpShards is the number of directories below root/.tmp.
const tmpShards = 32

// OpenFS opens (and creates) a filesystem store at dir.
func OpenFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("store: fs: empty directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: fs %s: %w", dir, err)
	}
	for _, d := range []string{abs, filepath.Join(abs, ".tmp"), filepath.Join(abs, ".tmp", "free"), filepath.Join(abs, ".retention")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("store: fs %s: %w", dir, err)
		}
	}
	s := &FS{root: abs, now: time.Now, group: &groupSync{dir: abs}, free: freeFiles{age: time.Minute}}
	if err := s.Ping(context.Background()); err != nil {
		return nil, err
	}
	// Temporary files are leftovers of writers that died. Where this
	// process holds the store's lock, no other process writes here, and
	// every temporary file is one; else only old ones are surely.
	if s.lock = lockDir(abs); s.lock != nil {
		s.cleanTemp(0)
	} else {
		s.cleanTemp(time.Hour)
	}
	s.unnamed = s.probeUnnamed()
	s.xattr = s.probeXattr()
	if names, _ := os.ReadDir(filepath.Join(abs, ".retention")); len(names) > 0 || !s.xattr {
		s.legacy = true
	}
	return s, nil
}

// refusal is an error of a filesystem that takes no writes now.
type refusal struct {
	err  error
	kind error // ErrNoSpace, ErrReadOnly, or nil for an I/O error
}

func (e refusal) Error() string { return e.err.Error() }

func (e refusal) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err, ErrUnavailable}
	}
	return []error{e.err, e.kind, ErrUnavailable}
}

// classify marks the errors of a filesystem that cannot take writes (full,
// over quota, read-only, failing) as the store's ErrNoSpace, ErrReadOnly
// and ErrUnavailable, keeping the system's error in the chain.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT):
		return refusal{err, ErrNoSpace}
	case errors.Is(err, syscall.EROFS):
		return refusal{err, ErrReadOnly}
	case errors.Is(err, syscall.EIO):
		return refusal{err, nil}
	}
	return err
}

// inDir runs op, which makes an entry in dir. Should a Delete have removed
// dir as empty meanwhile, it makes dir again and runs op once more, as
// often as that happens (a folder such as pending/ that writers fill and
// empty all the time can lose that race more than once), up to a bound.
// After the first try again it waits a little longer each time, 0.25 s
// in all at most: a removal in progress (ext4 answers EPERM while the
// folder is marked removed, and its removal can wait on the journal)
// outlasts a hundred tries at once, which once failed a create.
func inDir(dir string, op func() error) error {
	err := op()
	for try := 0; errors.Is(err, fs.ErrNotExist) && try < 100; try++ {
		if err := makeDir(dir); err != nil {
			return err
		}
		time.Sleep(time.Duration(try) * 50 * time.Microsecond)
		err = op()
	}
	return err
}

// makeDir makes dir and the folders above it. A Delete removes folders it
// empties while others make folders in them, and os.MkdirAll then fails:
// with EEXIST where another writer made a folder and it was removed before
// MkdirAll looked again, with ENOENT where a folder above was removed
// before the next was made in it. Then it tries again, up to a bound.
func makeDir(dir string) error {
	err := os.MkdirAll(dir, 0o750)
	for try := 0; (errors.Is(err, fs.ErrExist) || errors.Is(err, fs.ErrNotExist)) && try < 100; try++ {
		err = os.MkdirAll(dir, 0o750)
	}
	return err
}

// prune removes the folders above key that are empty, deepest first, up
// to the root.
func (s *FS) prune(key string) {
	for dir := path.Dir(key); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if syscall.Rmdir(s.path(dir)) != nil {
			return
		}
	}
}

// probeUnnamed reports whether files without a name can be written and
// linked here (Linux O_TMPFILE on a filesystem that supports it, /proc
// mounted).
func (s *FS) probeUnnamed() bool {
	f, err := openUnnamed(filepath.Join(s.root, ".tmp"), 0o640)
	if err != nil {
		return false
	}
	defer f.Close()
	probe := filepath.Join(s.root, ".tmp", fmt.Sprintf("probe-%d", time.Now().UnixNano()))
	if err := linkUnnamed(f, probe); err != nil {
		return false
	}
	os.Remove(probe)
	return true
}

// probeXattr reports whether files here take the retention attribute.
func (s *FS) probeXattr() bool {
	f, err := os.CreateTemp(filepath.Join(s.root, ".tmp"), "probe-*")
	if err != nil {
		return false
	}
	defer os.Remove(f.Name())
	defer f.Close()
	return setRetentionAttr(f, "", []byte(time.Time{}.Format(time.RFC3339))) == nil
}

// Root returns the store's directory.
func (s *FS) Root() string { return s.root }

func (s *FS) path(key string) string { return filepath.Join(s.root, filepath.FromSlash(key)) }

// cleanTemp removes temporary files older than age: leftovers of writers
// that died.
func (s *FS) cleanTemp(age time.Duration) {
	filepath.WalkDir(filepath.Join(s.root, ".tmp"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil && s.now().Sub(fi.ModTime()) > age {
			os.Remove(path)
		}
		return nil
	})
}

// copyTo copies r into f, checking the size where it is known (>= 0).
func copyTo(ctx context.Context, f *os.File, r io.Reader, size int64) error {
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("read %d bytes, expected %d", n, size)
	}
	return err
}

// stage writes r where Create gives it its name afterwards: into a file
// without a name in dir where the filesystem allows (nothing to clean up
// if the process dies), else into a temporary file; with a retention
// date in attr, that goes with the file. link names it and fails with an
// error matching fs.ErrExist when the name is taken; discard releases
// what link did not take.
func (s *FS) stage(ctx context.Context, dir string, r io.Reader, size int64, mode fs.FileMode, attr []byte) (link func(dst string) error, discard func(), err error) {
	// The attribute is set while the file is writable: user attributes
	// need write permission on it.
	if !s.unnamed {
		tmp, err := s.writeTemp(ctx, r, size, 0o640)
		if err == nil && attr != nil {
			err = setRetentionAttr(nil, tmp, attr)
		}
		if err == nil && mode != 0o640 {
			err = os.Chmod(tmp, mode)
		}
		if err != nil {
			os.Remove(tmp)
			return nil, nil, err
		}
		return func(dst string) error { return os.Link(tmp, dst) }, func() { os.Remove(tmp) }, nil
	}
	var f *os.File
	err = inDir(dir, func() (err error) {
		f, err = openUnnamed(dir, 0o640)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	err = copyTo(ctx, f, r, size)
	if err == nil && attr != nil {
		err = setRetentionAttr(f, "", attr)
	}
	if err == nil && mode != 0o640 {
		err = f.Chmod(mode)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return func(dst string) error { return linkUnnamed(f, dst) }, func() { f.Close() }, nil
}

// writeTemp copies r into a temporary file and returns its path: a file
// a Delete left to be written again where there is one, else a new one.
// The caller makes it durable with s.durable or Sync.
func (s *FS) writeTemp(ctx context.Context, r io.Reader, size int64, mode fs.FileMode) (string, error) {
	var f *os.File
	if name := s.free.take(s.now()); name != "" {
		f, _ = openFile(name, syscall.O_WRONLY|syscall.O_TRUNC)
	}
	if f == nil {
		// Writers spread over tmpShards directories: concurrent creations in
		// one directory contend for its lock.
		n := s.seq.Add(1)
		dir := filepath.Join(s.root, ".tmp", strconv.Itoa(int(n%tmpShards)))
		var err error
		for try := 0; try < 100; try++ {
			name := filepath.Join(dir, fmt.Sprintf("w-%d-%d-%d", os.Getpid(), n, try))
			f, err = openFile(name, syscall.O_RDWR|syscall.O_CREAT|syscall.O_EXCL)
			if errors.Is(err, fs.ErrNotExist) && try == 0 {
				if err = os.MkdirAll(dir, 0o750); err != nil {
					break
				}
				continue
			}
			if !errors.Is(err, fs.ErrExist) { // else a name a former process with this pid left
				break
			}
		}
		if err != nil {
			return "", err
		}
	}
	name := f.Name()
	err := copyTo(ctx, f, r, size)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		unlink(name)
		return "", err
	}
	return name, nil
}

// openFile opens a file as os.OpenFile does, without registering it with
// the network poller first (four system calls fewer for a regular file).
func openFile(name string, flag int) (*os.File, error) {
	fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), name), nil
}

// rename renames a file as os.Rename does, without first looking whether
// to is a folder (never one here).
func rename(from, to string) error {
	if err := syscall.Rename(from, to); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// unlink removes a file; os.Remove tries to remove a folder of that
// name too where that fails.
func unlink(name string) error {
	if err := syscall.Unlink(name); err != nil {
		return &fs.PathError{Op: "unlink", Path: name, Err: err}
	}
	return nil
}

// recycle moves the file at path, of an object being deleted that was
// never retained, below root/.tmp/free for writeTemp to fill again, and
// reports whether it is gone from path. Freeing it instead would be
// dearer than it looks: on ext4 without a journal (as on the machines
// this was measured on) every inode allocation steps over each inode
// freed in the last seconds, and the pending marker that every
// submission removes made that most of the store's CPU time. A file
// another name still links to (a temporary name a killed writer left)
// is not written again, nor one over 8 KiB (its room is freed). Nor is any file before it has rested a minute: a
// reader that opened the object before the Delete reads on from its file
// (a Get's caller reads what it opened at once).
func (s *FS) recycle(path string) bool {
	if s.free.full() {
		return false
	}
	name := filepath.Join(s.root, ".tmp", "free", fmt.Sprintf("f-%d-%d", os.Getpid(), s.free.seq.Add(1)))
	if err := rename(path, name); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			os.MkdirAll(filepath.Dir(name), 0o750) // for the next one
		}
		return false
	}
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() || nlink(fi) != 1 || fi.Size() > maxFreeSize || !s.free.put(name, s.now()) {
		unlink(name)
	}
	return true
}

func (f *freeFiles) full() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.files) >= maxFree
}

// put adds a file that rests from now on; false if there are enough.
func (f *freeFiles) put(name string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.files) >= maxFree {
		return false
	}
	f.files = append(f.files, freeFile{name, now})
	return true
}

// drain removes every file kept.
func (f *freeFiles) drain() {
	f.mu.Lock()
	files := f.files
	f.files = nil
	f.mu.Unlock()
	for _, ff := range files {
		unlink(ff.name)
	}
}

// take returns the oldest file that has rested long enough, "" if none.
func (f *freeFiles) take(now time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.files) == 0 || now.Sub(f.files[0].at) < f.age {
		return ""
	}
	name := f.files[0].name
	f.files[0] = freeFile{}
	f.files = f.files[1:]
	return name
}

// Create implements Store.
func (s *FS) Create(ctx context.Context, key string, r io.Reader, size int64, opts CreateOptions) error {
	err := s.create(ctx, key, r, size, opts)
	if err != nil && !errors.Is(err, ErrExists) {
		s.prune(key) // the folders made for it, if nothing else is in them
	}
	return s.freeIfFull(classify(err))
}

// freeIfFull frees the files kept to write again where err says the filesystem
// is full, so that the next write finds their room, and returns err.
func (s *FS) freeIfFull(err error) error {
	if errors.Is(err, ErrNoSpace) {
		s.free.drain()
	}
	return err
}

func (s *FS) create(ctx context.Context, key string, r io.Reader, size int64, opts CreateOptions) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	dst := s.path(key)
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("store: create %s: %w", key, ErrExists)
	}
	if err := makeDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("store: create %s: %w", key, err)
	}
	mode := fs.FileMode(0o640)
	if !opts.RetainUntil.IsZero() {
		mode = 0o440
	}
	var attr []byte // the retention, kept with the file where it can be
	if !opts.RetainUntil.IsZero() && s.xattr {
		attr = []byte(opts.RetainUntil.UTC().Format(time.RFC3339))
	}
	link, discard, err := s.stage(ctx, filepath.Dir(dst), r, size, mode, attr)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", key, err)
	}
	defer discard()
	if err := s.durable(ctx); err != nil {
		return fmt.Errorf("store: create %s: sync: %w", key, err)
	}
	retention := filepath.Join(s.root, ".retention", filepath.FromSlash(key))
	legacy := !opts.RetainUntil.IsZero() && attr == nil
	if legacy {
		// Record the retention before the object appears, so that no
		// retained object is ever visible without it.
		if err := s.putFile(ctx, retention, strings.NewReader(opts.RetainUntil.UTC().Format(time.RFC3339)), true); err != nil {
			return fmt.Errorf("store: create %s: retention: %w", key, err)
		}
	}
	if err := inDir(filepath.Dir(dst), func() error { return link(dst) }); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store: create %s: %w", key, ErrExists)
		}
		if legacy {
			os.Remove(retention) // no object took it
		}
		return fmt.Errorf("store: create %s: %w", key, err)
	}
	if err := s.durable(ctx); err != nil {
		return fmt.Errorf("store: create %s: sync: %w", key, err)
	}
	return nil
}

// durable waits until earlier writes are durable, unless ctx defers that
// to a later Sync.
func (s *FS) durable(ctx context.Context) error {
	if deferred(ctx) {
		return ctx.Err()
	}
	return s.group.Sync(ctx)
}

// Sync implements Syncer: it returns when every earlier write is durable.
func (s *FS) Sync(ctx context.Context) error {
	if err := s.group.Sync(ctx); err != nil {
		return classify(fmt.Errorf("store: fs %s: sync: %w", s.root, err))
	}
	return nil
}

// putFile atomically writes path. With keepLater, an existing file is kept
// when it holds a later (retention) date.
func (s *FS) putFile(ctx context.Context, path string, r io.Reader, keepLater bool) error {
	if keepLater {
		if old, err := os.ReadFile(path); err == nil {
			b, _ := io.ReadAll(r)
			if string(old) >= string(b) {
				return nil
			}
			r = strings.NewReader(string(b))
		}
	}
	if err := makeDir(filepath.Dir(path)); err != nil {
		return err
	}
	tmp, err := s.writeTemp(ctx, r, -1, 0o640)
	if err != nil {
		return err
	}
	if err := s.durable(ctx); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := rename(tmp, path); err != nil {
		unlink(tmp)
		return err
	}
	return s.durable(ctx)
}

// Put implements Store.
func (s *FS) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	err := s.put(ctx, key, r, size)
	if err != nil {
		s.prune(key)
	}
	return s.freeIfFull(classify(err))
}

func (s *FS) put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: put: %w", err)
	}
	if until := s.retention(key); s.now().Before(until) {
		return fmt.Errorf("store: put %s: %w until %s", key, ErrLocked, until.Format(time.DateOnly))
	}
	dst := s.path(key)
	if err := makeDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	if size == 0 {
		// An empty object (a marker) needs no temporary file: truncation
		// to nothing is atomic.
		if n, _ := r.Read(make([]byte, 1)); n > 0 {
			return fmt.Errorf("store: put %s: more than 0 bytes to read", key)
		}
		err := inDir(filepath.Dir(dst), func() error {
			f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
			if err == nil {
				err = f.Close()
			}
			return err
		})
		if err == nil {
			err = s.durable(ctx)
		}
		if err != nil {
			return fmt.Errorf("store: put %s: %w", key, err)
		}
		return nil
	}
	tmp, err := s.writeTemp(ctx, r, size, 0o640)
	if err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	if err := s.durable(ctx); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("store: put %s: sync: %w", key, err)
	}
	if err := inDir(filepath.Dir(dst), func() error { return rename(tmp, dst) }); err != nil {
		unlink(tmp)
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	if err := s.durable(ctx); err != nil {
		return fmt.Errorf("store: put %s: sync: %w", key, err)
	}
	return nil
}

// Get implements Store.
func (s *FS) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: get %s: %w", key, err)
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		return nil, classify(fmt.Errorf("store: get %s: %w", key, notFound(err)))
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("store: get %s: %w", key, ErrNotFound)
	}
	return f, nil
}

func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return ErrNotFound
	}
	return err
}

// retention returns the date key is retained until, zero if none: from
// its file's attribute, else from root/.retention.
func (s *FS) retention(key string) time.Time {
	if s.xattr {
		if v, err := retentionAttr(s.path(key)); err == nil {
			t, _ := time.Parse(time.RFC3339, v)
			return t
		}
	}
	if !s.legacy {
		return time.Time{}
	}
	b, err := os.ReadFile(filepath.Join(s.root, ".retention", filepath.FromSlash(key)))
	if err != nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, strings.TrimSpace(string(b)))
	return t
}

// Stat implements Store.
func (s *FS) Stat(ctx context.Context, key string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, fmt.Errorf("store: stat: %w", err)
	}
	fi, err := os.Stat(s.path(key))
	if err != nil || !fi.Mode().IsRegular() {
		if err == nil {
			err = ErrNotFound
		}
		return Info{}, fmt.Errorf("store: stat %s: %w", key, notFound(err))
	}
	return Info{Key: key, Size: fi.Size(), Modified: fi.ModTime(), RetainUntil: s.retention(key)}, nil
}

// Delete implements Store. Folders it leaves empty are removed.
func (s *FS) Delete(ctx context.Context, key string) error {
	err := s.delete(ctx, key)
	if err == nil {
		s.prune(key)
	}
	return classify(err)
}

func (s *FS) delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	until := s.retention(key)
	if s.now().Before(until) {
		if _, err := os.Stat(s.path(key)); err == nil {
			return fmt.Errorf("store: delete %s: %w until %s", key, ErrLocked, until.Format(time.DateOnly))
		}
	}
	if !until.IsZero() || !s.recycle(s.path(key)) {
		if err := unlink(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: delete %s: %w", key, err)
		}
	}
	if s.legacy {
		unlink(filepath.Join(s.root, ".retention", filepath.FromSlash(key)))
	}
	if err := s.durable(ctx); err != nil {
		return fmt.Errorf("store: delete %s: sync: %w", key, err)
	}
	return nil
}

// List implements Store.
func (s *FS) List(ctx context.Context, prefix, after string, limit int) ([]Info, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: list %s: %w", prefix, err)
	}
	dir := s.root
	if prefix != "" {
		dir = s.path(strings.TrimSuffix(prefix, "/"))
	}
	f, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, classify(fmt.Errorf("store: list %s: %w", prefix, err))
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // removed as empty while it was read
	} else if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", prefix, err)
	}
	sort.Strings(names)
	i := sort.SearchStrings(names, after)
	if i < len(names) && names[i] == after {
		i++
	}
	var out []Info
	for _, name := range names[i:] {
		if limit > 0 && len(out) >= limit {
			break
		}
		if name[0] == '.' {
			continue
		}
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		out = append(out, Info{Key: prefix + name, Size: fi.Size(), Modified: fi.ModTime()})
	}
	return out, nil
}

// Ping implements Store: the directory must take a file with a block of
// data (an empty file needs no room, and is made on a full disk too).
func (s *FS) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(filepath.Join(s.root, ".tmp"), "ping-*")
	if err != nil {
		return classify(fmt.Errorf("store: fs %s: not writable: %w", s.root, err))
	}
	_, err = f.Write(make([]byte, 4096))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	os.Remove(f.Name())
	if err != nil {
		return classify(fmt.Errorf("store: fs %s: not writable: %w", s.root, err))
	}
	return nil
}

// Space implements Spacer: the room left on the store's filesystem for
// an unprivileged writer.
func (s *FS) Space(ctx context.Context) (Space, error) {
	sp, err := statRoom(s.root)
	if err != nil {
		return sp, fmt.Errorf("store: fs %s: statfs: %w", s.root, err)
	}
	return sp, nil
}
