package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// numbered is the fixture with its own invoice number.
func numbered(t testing.TB, number string) []byte {
	return bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(number), 1)
}

// tmpfsPipeline runs a pipeline on a store on a tmpfs of size bytes.
func tmpfsPipeline(t *testing.T, size int64, cfg Config) (*Pipeline, *Metrics, string) {
	mnt := testenv.Tmpfs(t, size)
	s, err := store.OpenFS(filepath.Join(mnt, "store"))
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(prometheus.NewRegistry())
	dir := directory.Sample()
	cfg.Store, cfg.Validator, cfg.Metrics = s, invoice.NewValidator(), m
	cfg.Directory = func() *directory.Directory { return dir }
	return testPipeline(t, cfg), m, mnt
}

// TestFullDisk sends invoices from eight senders into a store on a real
// filesystem of 2 MB until it is full. Every failure is ErrUnavailable;
// one that says the invoice was kept (NotFiledError) is filed once there
// is room again, one that does not is never filed. No original is left
// without its envelope and no folder empty. Readiness says what uploads
// meet: not ready below the floor and after a refused write, ready again
// once a submission is kept.
func TestFullDisk(t *testing.T) {
	ctx := context.Background()
	p, m, mnt := tmpfsPipeline(t, 2<<20, Config{MinFreeBytes: 512 << 10, MinFreeInodes: -1})
	if err := p.Ready(ctx); err != nil {
		t.Fatalf("ready on an empty store: %v", err)
	}
	var mu sync.Mutex
	kept := map[string]string{} // invoice number -> id of a NotFiledError
	lost := map[string]error{}  // invoice number -> error of a submission not accepted
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 1000; i += 8 {
				num := fmt.Sprintf("FULL-%04d", i)
				_, err := p.Submit(ctx, Submission{Data: numbered(t, num), Channel: "upload"})
				if err == nil {
					continue
				}
				mu.Lock()
				var nf *NotFiledError
				switch {
				case !errors.Is(err, ErrUnavailable):
					t.Errorf("%s: %v, want ErrUnavailable", num, err)
				case errors.As(err, &nf):
					kept[num] = nf.ID
				default:
					lost[num] = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(lost) == 0 {
		t.Fatal("the store never filled up")
	}
	t.Logf("%d submissions not accepted, %d kept but not filed", len(lost), len(kept))
	for num, err := range lost {
		if !errors.Is(err, store.ErrNoSpace) {
			t.Errorf("%s: %v, want store.ErrNoSpace in the chain", num, err)
		}
		break
	}
	if err := p.Ready(ctx); err == nil {
		t.Error("ready on a full store")
	}
	if got := testutil.ToFloat64(m.Ready); got != 0 {
		t.Errorf("eingang_ready %v on a full store", got)
	}
	if got := testutil.ToFloat64(m.StoreRefusals.WithLabelValues("no-space")); got == 0 {
		t.Error("no refusal counted")
	}
	checkTidy(t, filepath.Join(mnt, "store"))

	// Room again: the refused write still counts for a while, until a
	// submission is kept.
	testenv.Remount(t, mnt, "size=64m")
	if err := p.Ready(ctx); err == nil || !strings.Contains(err.Error(), "refused a write") {
		t.Errorf("ready right after a refused write: %v", err)
	}
	if _, err := p.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Submit(ctx, Submission{Data: numbered(t, "FULL-AFTER"), Channel: "upload"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Ready(ctx); err != nil {
		t.Errorf("not ready with room again: %v", err)
	}
	// What the answers said is true: the kept ones are filed, the others
	// nowhere.
	filed := map[string]string{}
	after := ""
	for {
		list, err := p.Inbox(ctx, "lk-weimarer-land", "new", after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 0 {
			break
		}
		for _, o := range list {
			filed[o.InvoiceNumber] = o.ID
		}
		after = list[len(list)-1].ID
	}
	for num, id := range kept {
		if filed[num] != id {
			t.Errorf("%s was answered as kept (%s) but is not filed (%q)", num, id, filed[num])
		}
	}
	for num, err := range lost {
		if id, ok := filed[num]; ok {
			t.Errorf("%s was answered as not accepted (%v) but is filed as %s", num, err, id)
		}
	}
	p.Wait() // the markers go after the answers
	if pending, _ := p.cfg.Store.List(ctx, pendingPrefix, "", 10); len(pending) != 0 {
		t.Errorf("%d submissions pending", len(pending))
	}
}

// checkTidy fails where the store holds an original without its envelope
// (in its filing, in meta.json, or in its pending marker) or an empty
// folder.
func checkTidy(t *testing.T, root string) {
	t.Helper()
	marked := map[string]bool{} // the submissions the pending markers list with their envelopes
	markers, _ := os.ReadDir(filepath.Join(root, "pending"))
	for _, e := range markers {
		b, err := os.ReadFile(filepath.Join(root, "pending", e.Name()))
		var m marker
		if err == nil && json.Unmarshal(b, &m) == nil {
			for _, id := range m.members(e.Name()) {
				marked[id] = m.meta(id) != nil
			}
		}
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		names, _ := os.ReadDir(path)
		if len(names) == 0 && path != root {
			t.Errorf("empty folder %s", path)
		}
		if _, err := os.Stat(filepath.Join(path, "original")); err == nil {
			found := marked[filepath.Base(path)]
			for _, p := range []string{filepath.Join(path, "outcome.json"), filepath.Join(path, "meta.json")} {
				if _, err := os.Stat(p); err == nil {
					found = true
				}
			}
			if !found {
				t.Errorf("original without envelope in %s", path)
			}
		}
		return nil
	})
}

// TestReadOnly turns the store's filesystem read-only: a submission is
// not accepted (ErrUnavailable, store.ErrReadOnly) and the pipeline is not
// ready; writable again, it takes submissions.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	p, m, mnt := tmpfsPipeline(t, 8<<20, Config{MinFreeBytes: 1 << 20})
	if _, err := p.Submit(ctx, Submission{Data: numbered(t, "RO-1"), Channel: "upload"}); err != nil {
		t.Fatal(err)
	}
	testenv.Remount(t, mnt, "ro")
	_, err := p.Submit(ctx, Submission{Data: numbered(t, "RO-2"), Channel: "upload"})
	var nf *NotFiledError
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, store.ErrReadOnly) || errors.As(err, &nf) {
		t.Errorf("submit to a read-only store: %v, want ErrUnavailable and store.ErrReadOnly, nothing kept", err)
	}
	if err := p.Ready(ctx); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("ready on a read-only store: %v", err)
	}
	if got := testutil.ToFloat64(m.StoreRefusals.WithLabelValues("read-only")); got == 0 {
		t.Error("no read-only refusal counted")
	}
	testenv.Remount(t, mnt, "rw")
	if _, err := p.Submit(ctx, Submission{Data: numbered(t, "RO-2"), Channel: "upload"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Ready(ctx); err != nil {
		t.Errorf("not ready when writable again: %v", err)
	}
}

// faultStore fails the first write whose key ends in suffix, as a full
// disk does.
type faultStore struct {
	store.Store
	suffix string
	mu     sync.Mutex
	done   bool
}

func (f *faultStore) fail(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done || !strings.HasSuffix(key, f.suffix) {
		return false
	}
	f.done = true
	return true
}

func (f *faultStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if f.fail(key) {
		return fmt.Errorf("store: put %s: %w", key, store.ErrNoSpace)
	}
	return f.Store.Put(ctx, key, r, size)
}

func (f *faultStore) Sync(ctx context.Context) error { return store.Sync(ctx, f.Store) }

// TestRetryAfterNotFiled fails a submission between its dedup record and
// its filing. Its answer says it was kept, with an id and a token; the
// same bytes sent again file it before the answer, which carries its
// outcome, and both tokens follow it.
func TestRetryAfterNotFiled(t *testing.T) {
	ctx := context.Background()
	up, _ := newPipeline(t)
	p := testPipeline(t, Config{Store: &faultStore{Store: up.cfg.Store, suffix: "/outcome.json"}, Validator: up.cfg.Validator, Directory: up.cfg.Directory})
	_, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	var nf *NotFiledError
	if !errors.As(err, &nf) || !errors.Is(err, ErrUnavailable) || nf.ID == "" || nf.ReceiptToken == "" {
		t.Fatalf("submit failing after dedup: %v, want a NotFiledError with id and token", err)
	}
	if o, err := p.Follow(ctx, nf.ID, nf.ReceiptToken); err != nil || o.Status != StatusPending {
		t.Fatalf("status of the kept submission: %+v %v, want pending", o, err)
	}
	rec, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusDuplicate || rec.ID != nf.ID || rec.Outcome.Municipality != "lk-weimarer-land" || rec.ReceiptToken == "" {
		t.Fatalf("the retry: %+v, want a duplicate of %s with its municipality and a token", rec, nf.ID)
	}
	// Filed before the answer, without Recover.
	if list, err := p.Inbox(ctx, "lk-weimarer-land", "new", "", 10); err != nil || len(list) != 1 || list[0].ID != nf.ID {
		t.Fatalf("inbox after the retry: %+v %v", list, err)
	}
	for _, tok := range []string{nf.ReceiptToken, rec.ReceiptToken} {
		if o, err := p.Follow(ctx, nf.ID, tok); err != nil || o.Status != StatusRouted {
			t.Errorf("follow with %s: %+v %v", tok, o, err)
		}
	}
	if _, err := p.Follow(ctx, nf.ID, "rct_guessed"); !errors.Is(err, ErrNotFound) {
		t.Errorf("follow with a wrong token: %v, want ErrNotFound", err)
	}
	if n, err := p.Recover(ctx); err != nil || n != 0 {
		t.Errorf("recover after the retry: %d %v, want nothing left", n, err)
	}
}

// TestSubmitOutlivesCaller hands a submission over with a context that is
// already cancelled (the sender's connection closed once the document was
// read): it is kept and filed all the same.
func TestSubmitOutlivesCaller(t *testing.T) {
	p, _ := newPipeline(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil || rec.Status != StatusRouted {
		t.Fatalf("submit after the caller went away: %+v %v", rec, err)
	}
}

// TestConcurrentCopies sends one invoice 50 times at once: it is filed
// once, every answer carries its outcome, and the inbox gauge counts it
// once.
func TestConcurrentCopies(t *testing.T) {
	ctx := context.Background()
	p, m := newPipeline(t)
	ids := make([]string, 50)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
			if err != nil || rec.Outcome.Municipality != "lk-weimarer-land" {
				t.Errorf("copy %d: %+v %v", i, rec, err)
				return
			}
			ids[i] = rec.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("answers name %s and %s", ids[0], id)
		}
	}
	if list, _ := p.Inbox(ctx, "lk-weimarer-land", "new", "", 100); len(list) != 1 {
		t.Errorf("%d entries in the inbox", len(list))
	}
	if got := testutil.ToFloat64(m.InboxPending.WithLabelValues("lk-weimarer-land")); got != 1 {
		t.Errorf("inbox gauge %v", got)
	}
}
