package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"sync"
	"testing"
	"time"
)

// runContract runs the contract every Store must keep. open returns a
// fresh, empty store for each subtest.
func runContract(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	t.Run("CreateGetStat", func(t *testing.T) {
		s := open(t)
		data := []byte("<Invoice/>")
		if err := s.Create(ctx, "archive/a/original", bytes.NewReader(data), int64(len(data)), CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got := mustGet(t, s, "archive/a/original")
		if !bytes.Equal(got, data) {
			t.Fatalf("got %q", got)
		}
		info, err := s.Stat(ctx, "archive/a/original")
		if err != nil || info.Size != int64(len(data)) || info.Key != "archive/a/original" {
			t.Fatalf("stat %+v, %v", info, err)
		}
		if _, err := s.Get(ctx, "archive/a/missing"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get missing: %v", err)
		}
		if _, err := s.Stat(ctx, "archive/nothing/here"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("stat missing: %v", err)
		}
	})
	t.Run("RemovedBeforeRead", func(t *testing.T) {
		// A key removed between Get and the first read (another gateway
		// finished with it): the bytes, or ErrNotFound, nothing else.
		s := open(t)
		data := []byte(`{"owner":"a"}`)
		if err := s.Put(ctx, "pending/x", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		r, err := s.Get(ctx, "pending/x")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := s.Delete(ctx, "pending/x"); err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil && !errors.Is(err, ErrNotFound) || err == nil && !bytes.Equal(got, data) {
			t.Fatalf("read after removal: %q, %v", got, err)
		}
	})
	t.Run("WriteOnce", func(t *testing.T) {
		s := open(t)
		until := time.Now().Add(24 * time.Hour)
		if err := s.Create(ctx, "orig", bytes.NewReader([]byte("one")), 3, CreateOptions{RetainUntil: until}); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, "orig", bytes.NewReader([]byte("two")), 3, CreateOptions{}); !errors.Is(err, ErrExists) {
			t.Fatalf("overwrite: %v, want ErrExists", err)
		}
		if err := s.Delete(ctx, "orig"); !errors.Is(err, ErrLocked) {
			t.Fatalf("delete retained: %v, want ErrLocked", err)
		}
		if got := mustGet(t, s, "orig"); string(got) != "one" {
			t.Fatalf("after refused overwrite and delete: %q", got)
		}
		info, err := s.Stat(ctx, "orig")
		if err != nil || info.RetainUntil.Unix() != until.Unix() {
			t.Fatalf("retain until %v (%v), want %v", info.RetainUntil, err, until)
		}
	})
	t.Run("PutReplacesAndDelete", func(t *testing.T) {
		s := open(t)
		for _, v := range []string{"new", "acknowledged"} {
			if err := s.Put(ctx, "inbox/x/state", bytes.NewReader([]byte(v)), int64(len(v))); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustGet(t, s, "inbox/x/state"); string(got) != "acknowledged" {
			t.Fatalf("got %q", got)
		}
		if err := s.Delete(ctx, "inbox/x/state"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "inbox/x/state"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.Delete(ctx, "inbox/x/state"); err != nil {
			t.Fatalf("delete absent: %v", err)
		}
	})
	t.Run("RemoveConcurrent", func(t *testing.T) {
		// Removals asked for at once (the S3 store gathers them into
		// multi-object deletes) each take their own key, and only it.
		s := open(t)
		const n = 64
		for i := range n + 1 {
			key := fmt.Sprintf("pending/r%02d", i)
			if err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Every key twice, and one that does not exist.
				errs[i] = errors.Join(Remove(ctx, s, fmt.Sprintf("pending/r%02d", i)), Remove(ctx, s, fmt.Sprintf("pending/r%02d", i/2)), Remove(ctx, s, "pending/none"))
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("remove %d: %v", i, err)
			}
			if _, err := s.Stat(ctx, fmt.Sprintf("pending/r%02d", i)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("removed key %d: %v", i, err)
			}
		}
		if got := mustGet(t, s, fmt.Sprintf("pending/r%02d", n)); string(got) != "x" {
			t.Fatalf("the key nobody removed: %q", got)
		}
	})
	t.Run("DeferredThenSync", func(t *testing.T) {
		s := open(t)
		dctx := Deferred(ctx)
		if err := s.Create(dctx, "archive/d/original", bytes.NewReader([]byte("orig")), 4, CreateOptions{RetainUntil: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.Put(dctx, "pending/d", bytes.NewReader(nil), 0); err != nil {
			t.Fatal(err)
		}
		// Deferred writes keep every other guarantee.
		if err := s.Create(dctx, "archive/d/original", bytes.NewReader([]byte("other")), 5, CreateOptions{}); !errors.Is(err, ErrExists) {
			t.Fatalf("deferred overwrite of an original: %v, want ErrExists", err)
		}
		if err := s.Delete(dctx, "pending/d"); err != nil {
			t.Fatal(err)
		}
		if err := Sync(ctx, s); err != nil {
			t.Fatal(err)
		}
		if got := mustGet(t, s, "archive/d/original"); string(got) != "orig" {
			t.Fatalf("got %q", got)
		}
		if _, err := s.Stat(ctx, "pending/d"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted marker: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, ok := s.(Syncer); ok {
			if err := Sync(cctx, s); !errors.Is(err, context.Canceled) {
				t.Fatalf("sync with canceled context: %v", err)
			}
		}
	})
	t.Run("CreateRace", func(t *testing.T) {
		s := open(t)
		const n = 100
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				body := fmt.Sprintf("writer %d", i)
				errs[i] = s.Create(ctx, "dedup/abc", bytes.NewReader([]byte(body)), int64(len(body)), CreateOptions{})
			}(i)
		}
		close(start)
		wg.Wait()
		winners := 0
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
				winner = i
			case !errors.Is(err, ErrExists):
				t.Errorf("writer %d: %v", i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("%d writers won, want exactly 1", winners)
		}
		if got := mustGet(t, s, "dedup/abc"); string(got) != fmt.Sprintf("writer %d", winner) {
			t.Fatalf("stored %q, winner was %d", got, winner)
		}
	})
	t.Run("ListBodies", func(t *testing.T) {
		// The same objects as List, and where the listing carries an
		// object's content, exactly its content.
		s := open(t)
		small := []byte(`{"seller":"Müller & Söhne"}`)
		put := func(key string, data []byte, opts CreateOptions) {
			t.Helper()
			if err := s.Create(ctx, key, bytes.NewReader(data), int64(len(data)), opts); err != nil {
				t.Fatal(err)
			}
		}
		put("folder/a", small, CreateOptions{})
		put("folder/b", bytes.Repeat([]byte("b"), 4000), CreateOptions{})
		put("folder/c", small, CreateOptions{RetainUntil: time.Now().Add(time.Hour)})
		put("folder/d", nil, CreateOptions{})
		if err := s.Put(ctx, "folder/e", bytes.NewReader(small[:5]), 5); err != nil {
			t.Fatal(err)
		}
		want, err := s.List(ctx, "folder/", "a", 10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ListBodies(ctx, s, "folder/", "a", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) != 4 {
			t.Fatalf("ListBodies %d objects, List %d, want 4", len(got), len(want))
		}
		for i, in := range got {
			if in.Key != want[i].Key || in.Size != want[i].Size {
				t.Errorf("ListBodies %d: %s (%d bytes), List %s (%d bytes)", i, in.Key, in.Size, want[i].Key, want[i].Size)
			}
			if in.Body != nil && !bytes.Equal(in.Body, mustGet(t, s, in.Key)) {
				t.Errorf("%s: listed body %q, stored %q", in.Key, in.Body, mustGet(t, s, in.Key))
			}
		}
	})
	t.Run("ListPaging", func(t *testing.T) {
		s := open(t)
		const n = 10000
		keys := make(chan int)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range keys {
					if err := s.Put(ctx, fmt.Sprintf("inbox/m/new/%06d", i), bytes.NewReader(nil), 0); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
					}
				}
			}()
		}
		for i := n - 1; i >= 0; i-- {
			keys <- i
		}
		close(keys)
		wg.Wait()
		if firstErr != nil {
			t.Fatal(firstErr)
		}
		// Something in a sibling "directory" must not show up.
		s.Put(ctx, "inbox/m/done/000001", bytes.NewReader(nil), 0)
		s.Put(ctx, "inbox/m/new-not/000001", bytes.NewReader(nil), 0)
		seen := 0
		after := ""
		pages := 0
		for {
			page, err := s.List(ctx, "inbox/m/new/", after, 777)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			pages++
			for _, info := range page {
				want := fmt.Sprintf("inbox/m/new/%06d", seen)
				if info.Key != want {
					t.Fatalf("entry %d is %s, want %s", seen, info.Key, want)
				}
				seen++
			}
			after = page[len(page)-1].Key[len("inbox/m/new/"):]
		}
		if seen != n || pages != (n+776)/777 {
			t.Fatalf("listed %d in %d pages, want %d in %d", seen, pages, n, (n+776)/777)
		}
		if page, err := s.List(ctx, "inbox/none/", "", 10); err != nil || len(page) != 0 {
			t.Fatalf("empty prefix: %v %v", page, err)
		}
	})
	t.Run("Stream50MB", func(t *testing.T) {
		s := open(t)
		const size = 50 << 20
		h := sha256.New()
		src := io.TeeReader(io.LimitReader(rand.New(rand.NewSource(1)), size), h)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if err := s.Create(ctx, "archive/big/original", src, size, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		want := h.Sum(nil)
		// A store that buffered the whole object would allocate at least
		// its size; streaming allocates part buffers only.
		if grew := after.TotalAlloc - before.TotalAlloc; grew >= size {
			t.Errorf("writing 50 MB allocated %d MB", grew>>20)
		}
		r, err := s.Get(ctx, "archive/big/original")
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		g := sha256.New()
		n, err := io.Copy(g, r)
		if err != nil || n != size || !bytes.Equal(g.Sum(nil), want) {
			t.Fatalf("read back %d bytes (%v), hash equal %v", n, err, bytes.Equal(g.Sum(nil), want))
		}
	})
	t.Run("ContextCanceled", func(t *testing.T) {
		s := open(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := s.Create(cctx, "archive/c/original", bytes.NewReader([]byte("x")), 1, CreateOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("create with canceled context: %v", err)
		}
		if _, err := s.Stat(ctx, "archive/c/original"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("object visible after canceled create: %v", err)
		}
	})
	t.Run("OddKeys", func(t *testing.T) {
		s := open(t)
		for _, key := range []string{"", "../escape", "a/../../b", "/abs", "a//b", "a/", "a b", "ümlaut", ".hidden", "a/.tmp/x", "a\\b", "a\x00b", "..", "."} {
			if err := s.Create(ctx, key, bytes.NewReader(nil), 0, CreateOptions{}); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("create %q: %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, ErrInvalidKey) {
				t.Errorf("get %q: %v, want ErrInvalidKey", key, err)
			}
		}
		if _, err := s.List(ctx, "../", "", 1); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("list ../: %v", err)
		}
	})
}

func mustGet(t *testing.T, s Store, key string) []byte {
	t.Helper()
	r, err := s.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func TestRetainUntil(t *testing.T) {
	cases := []struct {
		at    string
		years int
		want  string
	}{
		{"2026-11-23T10:00:00Z", 10, "2037-01-01T00:00:00Z"},
		{"2026-01-01T00:00:00Z", 8, "2035-01-01T00:00:00Z"},
		{"2026-12-31T23:59:59+01:00", 10, "2037-01-01T00:00:00Z"}, // 22:59 UTC: still 2026
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		if got := RetainUntil(at, c.years).Format(time.RFC3339); got != c.want {
			t.Errorf("RetainUntil(%s, %d) = %s, want %s", c.at, c.years, got, c.want)
		}
	}
}
