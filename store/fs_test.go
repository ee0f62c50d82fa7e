package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestFSContract(t *testing.T) {
	runContract(t, func(t *testing.T) Store {
		s, err := OpenFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestFSContractNamedTemp runs the contract on the way Create works where
// files without a name (O_TMPFILE) are not available.
func TestFSContractNamedTemp(t *testing.T) {
	runContract(t, func(t *testing.T) Store {
		s, err := OpenFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s.unnamed = false
		return s
	})
}

// slowReader yields a byte at a time, forever, so that a writer is always
// mid-write when it is killed. Its first read creates the file reading.
type slowReader struct{ reading string }

func (r slowReader) Read(p []byte) (int, error) {
	if _, err := os.Stat(r.reading); err != nil {
		os.WriteFile(r.reading, nil, 0o644)
	}
	time.Sleep(time.Millisecond)
	p[0] = 'x'
	return 1, nil
}

// TestFSKilledMidWrite kills a process while it writes an object and checks
// that nothing partial is visible afterwards.
func TestFSKilledMidWrite(t *testing.T) {
	if dir := os.Getenv("EINGANG_FS_CHILD"); dir != "" {
		s, err := OpenFS(dir)
		if err != nil {
			os.Exit(3)
		}
		s.unnamed = os.Getenv("EINGANG_FS_NAMED") == ""
		s.Create(context.Background(), "archive/k/original", io.LimitReader(slowReader{filepath.Join(dir, "reading")}, 1<<20), 1<<20, CreateOptions{})
		os.Exit(0)
	}
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) { killMidWrite(t, named) })
	}
}

func killMidWrite(t *testing.T, named bool) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFSKilledMidWrite$")
	cmd.Env = append(os.Environ(), "EINGANG_FS_CHILD="+dir)
	if named {
		cmd.Env = append(cmd.Env, "EINGANG_FS_NAMED=1")
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The reader's first read says the child is inside Create, writing.
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "reading")); err == nil {
			break
		}
		if i > 200 {
			cmd.Process.Kill()
			t.Fatal("child did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let it write some bytes
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// A named temporary file is left for the next start to clean; a file
	// without a name vanished with the process.
	tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp", "*", "w-*"))
	if named && len(tmp) == 0 {
		t.Fatal("no temporary file found: the child was not killed mid-write")
	}
	if !named && len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	s, err := OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(context.Background(), "archive/k/original"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("partial object visible: %v", err)
	}
	// The next start is the store's only user: it removes the killed
	// writer's temporary file at once, not after an hour.
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp", "*", "w-*")); len(tmp) != 0 {
		t.Fatalf("temporary files left after the next start: %v", tmp)
	}
	// While another user holds the store, only old ones go.
	young := filepath.Join(dir, ".tmp", "1", "w-young")
	os.MkdirAll(filepath.Dir(young), 0o750)
	if err := os.WriteFile(young, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFS(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(young); err != nil {
		t.Fatalf("a second user of the store removed a young temporary file: %v", err)
	}
	// A new writer can still create the key.
	if err := s.Create(context.Background(), "archive/k/original", strings.NewReader("ok"), 2, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	t.Setenv("EINGANG_S3_ACCESS_KEY", "")
	t.Setenv("EINGANG_S3_SECRET_KEY", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	cases := []struct{ url, want string }{
		{"ftp://x", "unknown scheme"},
		{"file://host/x", "file:///absolute/path"},
		{"file://" + file + "/sub", "not a directory"},
		{"s3://", "no bucket"},
		{"s3://b", "no endpoint"},
		{"s3://b?endpoint=127.0.0.1:1", "no credentials"},
		{"s3://b?endpoint=127.0.0.1:1&secure=maybe", "not a boolean"},
		{"s3://b?endpoint=127.0.0.1:1&mode=relaxed", "compliance or governance"},
	}
	for _, c := range cases {
		_, err := Open(ctx, c.url)
		if err == nil || !strings.Contains(err.Error(), c.want) || errors.Is(err, ErrUnavailable) {
			t.Errorf("Open(%q) = %v, want a configuration error saying %q", c.url, err, c.want)
		}
	}
	if s, err := Open(ctx, "file://"+t.TempDir()); err != nil || s == nil {
		t.Errorf("file URL: %v", err)
	}
}

// TestFSChurn writes (put and create) and deletes objects in one folder
// from many goroutines at once, as the pipeline's pending markers come and
// go: the folder and the one above it are emptied and removed again and
// again while others write into them, and no write may fail for that, nor
// a listing of the folder.
func TestFSChurn(t *testing.T) {
	s, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := Deferred(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 17)
	stop, listed := make(chan struct{}), make(chan struct{})
	go func() { // a reader listing the folder all along
		defer close(listed)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.List(ctx, "churn/in/", "", 100); err != nil {
				errs <- err
				return
			}
		}
	}()
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				key := fmt.Sprintf("churn/in/%d-%d", g, i)
				write := s.Put
				if g%2 == 0 { // Create writes an unnamed file in the folder first
					write = func(ctx context.Context, key string, r io.Reader, size int64) error {
						return s.Create(ctx, key, r, size, CreateOptions{})
					}
				}
				if err := write(ctx, key, strings.NewReader("owner"), 5); err != nil {
					errs <- err
					return
				}
				if err := s.Delete(ctx, key); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-listed
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFSRecycle checks that a deleted object's file is written again by
// the next write instead of being freed, unless it was retained or has
// another name.
func TestFSRecycle(t *testing.T) {
	ctx := context.Background()
	inode := func(t *testing.T, path string) uint64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	free := func(t *testing.T, s *FS) []string {
		names, _ := filepath.Glob(filepath.Join(s.root, ".tmp", "free", "*"))
		return names
	}
	cases := []struct {
		name    string
		prepare func(t *testing.T, s *FS) // writes "a"
		reused  bool
	}{
		{"put", func(t *testing.T, s *FS) {
			if err := s.Put(ctx, "x/a", strings.NewReader("first"), 5); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"created", func(t *testing.T, s *FS) {
			if err := s.Create(ctx, "x/a", strings.NewReader("first"), 5, CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"retained, expired", func(t *testing.T, s *FS) {
			s.now = func() time.Time { return time.Now().AddDate(-1, 0, 0) }
			if err := s.Create(ctx, "x/a", strings.NewReader("first"), 5, CreateOptions{RetainUntil: time.Now().Add(-time.Hour)}); err != nil {
				t.Fatal(err)
			}
			s.now = time.Now
		}, false},
		{"second name", func(t *testing.T, s *FS) {
			if err := s.Put(ctx, "x/a", strings.NewReader("first"), 5); err != nil {
				t.Fatal(err)
			}
			if err := os.Link(s.path("x/a"), filepath.Join(s.root, ".tmp", "w-left")); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := OpenFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s.free.age = 0
			c.prepare(t, s)
			was := inode(t, s.path("x/a"))
			if err := s.Delete(ctx, "x/a"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Stat(ctx, "x/a"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("deleted object still there: %v", err)
			}
			if n := len(free(t, s)); (n == 1) != c.reused {
				t.Fatalf("%d files kept to write again, want reuse %v", n, c.reused)
			}
			if err := s.Put(ctx, "y/b", strings.NewReader("two"), 3); err != nil {
				t.Fatal(err)
			}
			// The same inode says the kept file was written again. A
			// different one where no reuse is wanted proves nothing where
			// the file was unlinked: the filesystem may hand its freed
			// inode number to the new file. Only the file another name
			// still holds must keep its own.
			same := inode(t, s.path("y/b")) == was
			switch {
			case c.reused && !same:
				t.Errorf("the file of the deleted object was not written again")
			case !c.reused && same && c.name == "second name":
				t.Errorf("the file another name holds was written again")
			}
			if b, err := os.ReadFile(s.path("y/b")); err != nil || string(b) != "two" {
				t.Errorf("y/b = %q, %v", b, err)
			}
			if c.name == "second name" {
				if b, _ := os.ReadFile(filepath.Join(s.root, ".tmp", "w-left")); string(b) != "first" {
					t.Errorf("the other name's file was written over: %q", b)
				}
			}
			if n := len(free(t, s)); n != 0 {
				t.Errorf("%d files left to write again", n)
			}
		})
	}
}

// TestFSRetentionRecord checks where the filesystem store keeps an
// object's retention: in the file's attribute, with no file below
// .retention, or there where the filesystem takes no attributes; and that
// a store reads and enforces both.
func TestFSRetentionRecord(t *testing.T) {
	ctx := context.Background()
	until := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	for _, xattr := range []bool{true, false} {
		t.Run(fmt.Sprintf("xattr=%v", xattr), func(t *testing.T) {
			dir := t.TempDir()
			s, err := OpenFS(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !s.xattr {
				t.Fatal("this filesystem takes no user attributes")
			}
			s.xattr, s.legacy = xattr, !xattr
			if err := s.Create(ctx, "a/original", strings.NewReader("data"), 4, CreateOptions{RetainUntil: until}); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(filepath.Join(dir, ".retention", "a", "original"))
			if legacy := err == nil; legacy == xattr {
				t.Errorf("record below .retention: %v, want %v", legacy, !xattr)
			}
			v, err := retentionAttr(s.path("a/original"))
			if (err == nil) != xattr || xattr && v != until.Format(time.RFC3339) {
				t.Errorf("attribute %q, %v", v, err)
			}
			// A store that keeps retention in attributes reads either.
			s2, err := OpenFS(dir)
			if err != nil {
				t.Fatal(err)
			}
			if info, err := s2.Stat(ctx, "a/original"); err != nil || !info.RetainUntil.Equal(until) {
				t.Errorf("Stat: retained until %v, %v; want %v", info.RetainUntil, err, until)
			}
			if err := s2.Delete(ctx, "a/original"); !errors.Is(err, ErrLocked) {
				t.Errorf("Delete: %v, want ErrLocked", err)
			}
			if err := s2.Put(ctx, "a/original", strings.NewReader("x"), 1); !errors.Is(err, ErrLocked) {
				t.Errorf("Put: %v, want ErrLocked", err)
			}
			if fi, err := os.Stat(s.path("a/original")); err != nil || fi.Mode().Perm() != 0o440 {
				t.Errorf("mode %v, %v; want read-only", fi.Mode(), err)
			}
		})
	}
}

// TestFSRecycleReader checks that a reader who opened an object before
// its Delete reads it whole although writes follow: its file rests
// before it is written again.
func TestFSRecycleReader(t *testing.T) {
	ctx := context.Background()
	s, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "x/a", strings.NewReader("first"), 5); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, "x/a")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := s.Delete(ctx, "x/a"); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := s.Put(ctx, fmt.Sprintf("y/%d", i), strings.NewReader("other"), 5); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "first" {
		t.Errorf("the reader read %q, %v; want the deleted object's bytes", b, err)
	}
	s.now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if err := s.Put(ctx, "y/late", strings.NewReader("late"), 4); err != nil {
		t.Fatal(err)
	}
	if n, _ := filepath.Glob(filepath.Join(s.root, ".tmp", "free", "*")); len(n) != 0 {
		t.Errorf("%d rested files not written again", len(n))
	}
}

// TestFSRecycleFull checks that the small files kept to write again are
// freed when a write finds the filesystem full, and that a large one is
// freed at once.
func TestFSRecycleFull(t *testing.T) {
	ctx := context.Background()
	s, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	kept := func() []string {
		names, _ := filepath.Glob(filepath.Join(s.root, ".tmp", "free", "*"))
		return names
	}
	for i, size := range []int{10, maxFreeSize + 1} {
		key := fmt.Sprintf("x/%d", i)
		if err := s.Put(ctx, key, strings.NewReader(strings.Repeat("x", size)), int64(size)); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(kept()); n != 1 {
		t.Fatalf("%d files kept, want the small one", n)
	}
	if err := s.freeIfFull(refusal{syscall.ENOSPC, ErrNoSpace}); !errors.Is(err, ErrNoSpace) {
		t.Fatalf("freeIfFull: %v", err)
	}
	if n := len(kept()); n != 0 {
		t.Errorf("%d files kept on a full filesystem", n)
	}
}
