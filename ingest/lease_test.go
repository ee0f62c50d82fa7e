package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// leaseStores runs test on the filesystem store and on a real MinIO.
func leaseStores(t *testing.T, test func(t *testing.T, s store.Store)) {
	t.Run("fs", func(t *testing.T) {
		s, err := store.OpenFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		test(t, s)
	})
	t.Run("s3", func(t *testing.T) {
		srv, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Stop()
		s, err := store.OpenS3(context.Background(), store.S3Config{Bucket: "lease", Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
		if err != nil {
			t.Fatal(err)
		}
		test(t, s)
	})
}

// gateways returns pipelines on one store, one per instance name; later
// is how far each one's clock runs ahead of the store's.
func gateways(t *testing.T, s store.Store, later time.Duration, names ...string) []*Pipeline {
	t.Helper()
	dir := directory.Sample()
	var out []*Pipeline
	for _, name := range names {
		p := testPipeline(t, Config{
			Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir },
			Instance: name, Timeout: 10 * time.Second, ClockSkew: time.Second,
			Now: func() time.Time { return time.Now().Add(later) },
		})
		out = append(out, p)
	}
	return out
}

func metaOf(t *testing.T, id string, data []byte) Meta {
	sum := sha256.Sum256(data)
	return Meta{ID: id, Channel: "upload", ReceivedAt: time.Now().UTC(), SHA256: hex.EncodeToString(sum[:]), Size: len(data)}
}

// TestLeaseRecoveryLeavesOthersWork plays what lost acknowledged invoices
// on a cluster: gateway b recovers while gateway a is between its pending
// marker and its original. b must leave a's work alone; a then files it
// and its envelope and original are there.
func TestLeaseRecoveryLeavesOthersWork(t *testing.T) {
	leaseStores(t, testLeaseRecoveryLeavesOthersWork)
}

func testLeaseRecoveryLeavesOthersWork(t *testing.T, s store.Store) {
	ctx := context.Background()
	gw := gateways(t, s, 0, "a", "b")
	a, b := gw[0], gw[1]
	data := fixture(t)
	meta := metaOf(t, "0196f000-0000-7000-8000-00000000000a", data)
	// a has written its marker holding the envelope, not yet its original.
	if err := a.mark(ctx, meta.ID, &meta); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("b's recovery: %d %v, want nothing touched", n, err)
	}
	if _, err := b.Meta(ctx, meta.ID); err != nil {
		t.Fatalf("b's recovery removed a's envelope: %v", err)
	}
	if ab, err := b.AbandonedList(ctx, "", 10); err != nil || len(ab) != 0 {
		t.Fatalf("b's recovery abandoned a's work: %+v %v", ab, err)
	}
	if _, err := s.Stat(ctx, pendingKey(meta.ID)); err != nil {
		t.Fatalf("b's recovery dropped a's marker: %v", err)
	}
	// a goes on and is acknowledged.
	if err := a.keep(ctx, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	rec, err := a.file(ctx, meta, data, true)
	if err != nil || rec.Status != StatusRouted {
		t.Fatalf("a files: %+v %v", rec, err)
	}
	if _, err := b.Meta(ctx, meta.ID); err != nil {
		t.Errorf("envelope of an acknowledged invoice: %v", err)
	}
	if r, err := b.Original(ctx, meta.ID); err != nil {
		t.Errorf("original of an acknowledged invoice: %v", err)
	} else {
		r.Close()
	}
}

// TestLeaseTakeover checks the other side of the rule: once the holder's
// lease has run out, exactly one of several gateways recovering at once
// files the submission, and an abandoned one keeps its envelope and is
// listed as abandoned.
func TestLeaseTakeover(t *testing.T) { leaseStores(t, testLeaseTakeover) }

func testLeaseTakeover(t *testing.T, s store.Store) {
	ctx := context.Background()
	dead := gateways(t, s, 0, "dead")[0]
	data := fixture(t)
	kept := metaOf(t, uuid.Must(uuid.NewV7()).String(), data)
	if err := dead.keep(ctx, kept, data, nil); err != nil {
		t.Fatal(err)
	}
	half := metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, "HALF"))
	if err := dead.mark(ctx, half.ID, &half); err != nil {
		t.Fatal(err)
	}

	// The gateways below hold a lease of 3 s (their bound of 2 s and 1 s
	// of clock skew), and their clocks agree with the store's: a clock
	// further off than the skew allowed would see a live claim as run
	// out, which the rule excludes by its premise.
	short := func(names ...string) []*Pipeline {
		gw := gateways(t, s, 0, names...)
		for _, p := range gw {
			p.cfg.Timeout, p.cfg.ClockSkew = 2*time.Second, time.Second
		}
		return gw
	}
	// Within the lease nobody touches either.
	for _, p := range short("b") {
		if n, err := p.Recover(ctx); err != nil || n != 0 {
			t.Fatalf("recovery within the lease: %d %v", n, err)
		}
	}
	// After it, four gateways at once: one files, the others leave it.
	time.Sleep(3500 * time.Millisecond)
	var filed atomic.Int32
	late := short("b", "c", "d", "e")
	var wg sync.WaitGroup
	for _, p := range late {
		p.cfg.OnFiled = func(Outcome) { filed.Add(1) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := p.Recover(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := filed.Load(); n != 1 {
		t.Errorf("filed %d times, want once", n)
	}
	if o, err := late[0].Outcome(ctx, kept.ID); err != nil || o.Status != StatusRouted {
		t.Errorf("taken over: %+v %v", o, err)
	}
	if _, err := s.Stat(ctx, metaKey(half.ID)); err != nil {
		t.Errorf("abandoning removed the envelope: %v", err)
	}
	ab, err := late[0].AbandonedList(ctx, "", 10)
	if err != nil || len(ab) != 1 || ab[0].ID != half.ID || ab[0].Reason != "no original" {
		t.Errorf("abandoned: %+v %v", ab, err)
	}
	st, err := late[0].Stats(ctx, time.Now())
	if err != nil || st.Abandoned != 1 || len(st.RecentAbandoned) != 1 {
		t.Errorf("stats: abandoned %d %+v %v, want 1", st.Abandoned, st.RecentAbandoned, err)
	}
	total := 0
	for _, c := range st.Submissions {
		total += c.Week
	}
	if total != 1 {
		t.Errorf("stats count %d submissions, want the one filed (abandoned ones are none)", total)
	}
	for _, prefix := range []string{pendingPrefix, "claim/" + kept.ID + "/", "claim/" + half.ID + "/"} {
		if left, _ := s.List(ctx, prefix, "", 10); len(left) != 0 {
			t.Errorf("left under %s: %v", prefix, left)
		}
	}
}

// TestLeaseRestart checks that a gateway restarted under its instance name
// takes over its former run's work at once, and another gateway does not.
func TestLeaseRestart(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gw := gateways(t, s, 0, "a", "b", "a")
	former, other, restarted := gw[0], gw[1], gw[2]
	data := fixture(t)
	meta := metaOf(t, "0196f000-0000-7000-8000-000000000003", data)
	if err := former.keep(ctx, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := other.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("another gateway: %d %v, want nothing", n, err)
	}
	if n, err := restarted.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("the restarted gateway: %d %v, want 1", n, err)
	}
}

// TestLeaseDuplicateWaits sends the same bytes to a second gateway while the
// first is still filing them: the copy waits for the first's outcome and
// is answered as its duplicate, and the first is filed once.
func TestLeaseDuplicateWaits(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gw := gateways(t, s, 0, "a", "b")
	a, b := gw[0], gw[1]
	var filed atomic.Int32
	for _, p := range gw {
		p.cfg.OnFiled = func(Outcome) { filed.Add(1) }
	}
	data := fixture(t)
	meta := metaOf(t, "0196f000-0000-7000-8000-000000000004", data)
	if err := a.keep(ctx, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	// a has kept it and recorded its bytes; its filing is under way.
	if first, err := a.firstOf(ctx, ctx, meta); err != nil || first != meta.ID {
		t.Fatalf("dedup record: %s %v", first, err)
	}
	done := make(chan *Receipt, 1)
	go func() {
		rec, err := b.Submit(ctx, Submission{Data: data, Channel: "upload"})
		if err != nil {
			t.Error(err)
		}
		done <- rec
	}()
	select {
	case rec := <-done:
		t.Fatalf("the copy was answered before the first was filed: %+v", rec)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := a.file(ctx, meta, data, true); err != nil {
		t.Fatal(err)
	}
	rec := <-done
	if rec == nil || rec.Status != StatusDuplicate || rec.ID != meta.ID {
		t.Fatalf("the copy: %+v, want a duplicate of %s", rec, meta.ID)
	}
	if n := filed.Load(); n != 1 {
		t.Errorf("filed %d times, want once", n)
	}
	if _, err := b.Outcome(ctx, meta.ID); errors.Is(err, ErrNotFound) {
		t.Error("the first has no outcome")
	}
}

// TestLeaseCopiesOfAbandoned sends the same bytes to four gateways at once
// while the dedup record names a first submission that was abandoned: one
// copy takes its place and is filed once, the others are its duplicates.
func TestLeaseCopiesOfAbandoned(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	gw := gateways(t, s, 0, "a", "b", "c", "d")
	data := fixture(t)
	abandoned := metaOf(t, uuid.Must(uuid.NewV7()).String(), data)
	if err := s.Put(ctx, dedupKey(abandoned.SHA256), strings.NewReader(abandoned.ID), int64(len(abandoned.ID))); err != nil {
		t.Fatal(err)
	}
	var filed atomic.Int32
	ids := make([]string, len(gw))
	var wg sync.WaitGroup
	for i, p := range gw {
		p.cfg.OnFiled = func(Outcome) { filed.Add(1) }
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := p.Submit(ctx, Submission{Data: data, Channel: "upload"})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = rec.ID
		}()
	}
	wg.Wait()
	if n := filed.Load(); n != 1 {
		t.Errorf("filed %d times, want once", n)
	}
	for _, id := range ids {
		if id != ids[0] || id == abandoned.ID {
			t.Fatalf("answered with ids %v, want one, not the abandoned %s", ids, abandoned.ID)
		}
	}
	// The step that decides it, taken by four copies at the same moment
	// (above, the copies that came later found the winner's record):
	// exactly one takes the place of another abandoned first.
	other := metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, "OTHER"))
	winners := make([]string, len(gw))
	for i, p := range gw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			copyMeta := metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, "OTHER"))
			w, err := p.takeOver(ctx, ctx, copyMeta, other.ID)
			if err != nil {
				t.Error(err)
			}
			winners[i] = w
		}()
	}
	wg.Wait()
	for _, w := range winners {
		if w != winners[0] {
			t.Errorf("takeOver answered %v, want one winner", winners)
			break
		}
	}
}
