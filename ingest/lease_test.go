package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	mark, err := a.mark(ctx, meta)
	if err != nil {
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
	if err := a.keepOriginal(ctx, mark, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	rec, err := a.file(ctx, meta, data, mark.id, nil)
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
	if _, err := dead.keep(ctx, kept, data, nil); err != nil {
		t.Fatal(err)
	}
	half := metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, "HALF"))
	if _, err := dead.mark(ctx, half); err != nil {
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
	if _, err := former.keep(ctx, meta, data, nil); err != nil {
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
	k, err := a.keep(ctx, meta, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a has kept it and recorded its bytes; its filing is under way.
	if first, err := a.firstOf(ctx, ctx, meta, k.batch.id); err != nil || first.id != meta.ID {
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
	if _, err := a.file(ctx, meta, data, k.batch.id, nil); err != nil {
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
			w, err := p.takeOver(ctx, ctx, copyMeta, copyMeta.ID, other.ID)
			if err != nil {
				t.Error(err)
			}
			winners[i] = w.id
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

// slowMarkers delays the writing of pending markers and counts them, and
// fails the filing (outcome.json) of one submission.
type slowMarkers struct {
	store.Store
	delay   time.Duration
	gate    chan struct{} // if not nil, markers are written once it is closed
	markers atomic.Int32
	failOf  atomic.Value // string: the id whose filing fails
}

func (s *slowMarkers) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	if strings.HasPrefix(key, pendingPrefix) {
		s.markers.Add(1)
		time.Sleep(s.delay)
		if s.gate != nil {
			<-s.gate
		}
	}
	return s.Store.Create(ctx, key, r, size, opts)
}

func (s *slowMarkers) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if id, _ := s.failOf.Load().(string); id != "" && key == outcomeKey(id) {
		return errors.New("the disk is gone")
	}
	return s.Store.Put(ctx, key, r, size)
}

// TestMarkersShared sends submissions at once while each pending marker
// takes a while to write: they share markers (fewer markers than
// submissions), each is filed, and no marker stays.
func TestMarkersShared(t *testing.T) {
	ctx := context.Background()
	fs, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &slowMarkers{Store: fs, delay: 20 * time.Millisecond}
	p := gateways(t, s, 0, "a")[0]
	const n = 32
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := p.Submit(ctx, Submission{Data: numbered(t, fmt.Sprintf("SHARED-%02d", i)), Channel: "upload"})
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = rec.ID
		}()
	}
	wg.Wait()
	p.Wait()
	if m := s.markers.Load(); m >= n/2 {
		t.Errorf("%d markers for %d submissions, want them shared", m, n)
	} else {
		t.Logf("%d markers for %d submissions", m, n)
	}
	for _, id := range ids {
		if o, err := p.Outcome(ctx, id); err != nil || o.Status != StatusRouted {
			t.Errorf("%s: %+v %v", id, o, err)
		}
	}
	if left, _ := s.List(ctx, pendingPrefix, "", 10); len(left) != 0 {
		t.Errorf("markers left: %v", left)
	}
}

// TestMarkerLaterMember follows a submission that is not the first its
// marker lists and whose filing failed: it is pending for its sender,
// its marker stays while the others are filed, and Recover files it and
// removes the marker.
func TestMarkerLaterMember(t *testing.T) {
	ctx := context.Background()
	fs, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &slowMarkers{Store: fs}
	p := gateways(t, s, 0, "a")[0]
	// Two submissions listed in one marker: both come while as many
	// markers as are written at a time (others') are.
	s.gate = make(chan struct{})
	var open sync.Once
	t.Cleanup(func() { open.Do(func() { close(s.gate) }) })
	until := func(what string, cond func() bool) {
		t.Helper()
		for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
			if time.Since(start) > 10*time.Second {
				t.Fatal(what)
			}
		}
	}
	before := make(chan *markBatch, markWrites)
	for i := range markWrites {
		go func() {
			b, err := p.mark(ctx, metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, fmt.Sprint("BEFORE-", i))))
			if err != nil {
				t.Error(err)
			}
			before <- b
		}()
		until("a marker before was never written", func() bool { return len(p.markSlots) == i+1 })
	}
	first := metaOf(t, uuid.Must(uuid.NewV7()).String(), numbered(t, "FIRST"))
	got := make(chan *markBatch, 1)
	go func() {
		b, err := p.mark(ctx, first)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	until("the first's marker was never begun", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.openBatch != nil && p.openBatch.id == first.ID
	})
	var nf *NotFiledError
	late := make(chan error, 1)
	go func() {
		_, err := p.Submit(ctx, Submission{Data: numbered(t, "LATER"), Channel: "upload"})
		late <- err
	}()
	// The later one's id is known once the marker lists it; its filing
	// is to fail.
	var laterID string
	until("the later one was never listed with the first", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		if b := p.batches[first.ID]; b != nil && len(b.metas) == 2 {
			laterID = b.metas[1].ID
			s.failOf.Store(laterID)
		}
		return laterID != ""
	})
	open.Do(func() { close(s.gate) })
	b := <-got
	if err := <-late; !errors.As(err, &nf) || nf.ID != laterID {
		t.Fatalf("the later one: %v, want a NotFiledError for %s", err, laterID)
	}
	if b.id != first.ID || laterID == first.ID {
		t.Fatalf("marker %s, ids %s %s", b.id, first.ID, laterID)
	}
	// The first and the one before return (not filed here: that is
	// tested above), nothing of them written but the markers.
	p.left(ctx, b, true)
	for range markWrites {
		p.left(ctx, <-before, true)
	}
	p.Wait()
	if o, err := p.Follow(ctx, laterID, nf.ReceiptToken); err != nil || o.Status != StatusPending {
		t.Fatalf("the later one, followed: %+v %v, want pending", o, err)
	}
	if _, err := s.Stat(ctx, pendingKey(first.ID)); err != nil {
		t.Fatalf("the marker went with a submission unfiled: %v", err)
	}
	s.failOf.Store("")
	if n, err := p.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("Recover: %d %v, want 1", n, err)
	}
	if o, err := p.Follow(ctx, laterID, nf.ReceiptToken); err != nil || o.Status != StatusRouted {
		t.Errorf("the later one after Recover: %+v %v", o, err)
	}
	// The first, whose Submit left nothing but its listing in the marker,
	// is what a crash before its original leaves: abandoned.
	if ab, err := p.AbandonedList(ctx, "", 10); err != nil || len(ab) != 1 || ab[0].ID != first.ID || ab[0].Reason != "no original" {
		t.Errorf("abandoned: %+v %v, want the first (no original)", ab, err)
	}
	if left, _ := s.List(ctx, pendingPrefix, "", 10); len(left) != 0 {
		t.Errorf("markers left: %v", left)
	}
}

// TestMarkerCrash plays a gateway that died with a marker of three
// submissions: one filed, one kept and recorded as the first of its bytes,
// one not kept at all. A copy of the second sent to another gateway once
// the lease ran out is answered as its duplicate; the restarted gateway
// tells the listeners of the filed one once, abandons the third and
// removes the marker and the claims.
func TestMarkerCrash(t *testing.T) { leaseStores(t, testMarkerCrash) }

func testMarkerCrash(t *testing.T, s store.Store) {
	ctx := context.Background()
	gw := gateways(t, s, 0, "a", "a")
	former, restarted := gw[0], gw[1]
	other := gateways(t, s, time.Minute, "b")[0] // its clock a minute on: the lease ran out
	var told atomic.Int32
	for _, p := range []*Pipeline{restarted, other} {
		p.cfg.OnFiled = func(Outcome) { told.Add(1) }
	}
	var metas []Meta
	var datas [][]byte
	for _, num := range []string{"CRASH-FILED", "CRASH-KEPT", "CRASH-NONE"} {
		data := numbered(t, num)
		datas = append(datas, data)
		metas = append(metas, metaOf(t, uuid.Must(uuid.NewV7()).String(), data))
	}
	batch := metas[0].ID
	if err := former.writeMarker(ctx, batch, metas); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := former.keepOriginal(ctx, &markBatch{id: batch, atWork: 1}, metas[i], datas[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := former.file(ctx, metas[0], datas[0], batch, nil); err != nil {
		t.Fatal(err)
	}
	if first, err := former.firstOf(ctx, ctx, metas[1], batch); err != nil || first.id != metas[1].ID {
		t.Fatal(first, err)
	}
	// The former run dies here.
	rec, err := other.Submit(ctx, Submission{Data: datas[1], Channel: "upload"})
	if err != nil || rec.Status != StatusDuplicate || rec.ID != metas[1].ID {
		t.Fatalf("a copy of the kept one: %+v %v, want a duplicate of %s", rec, err, metas[1].ID)
	}
	if n, err := restarted.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("Recover: %d %v, want none left to file", n, err)
	}
	if n := told.Load(); n != 2 {
		t.Errorf("listeners told %d times, want twice (the filed one, the kept one)", n)
	}
	for i, want := range []Status{StatusRouted, StatusRouted} {
		if o, err := restarted.Outcome(ctx, metas[i].ID); err != nil || o.Status != want {
			t.Errorf("%d: %+v %v", i, o, err)
		}
	}
	if ab, err := restarted.AbandonedList(ctx, "", 10); err != nil || len(ab) != 1 || ab[0].ID != metas[2].ID {
		t.Errorf("abandoned: %+v %v, want the one never kept", ab, err)
	}
	for _, prefix := range []string{pendingPrefix, "claim/"} {
		if left, _ := s.List(ctx, prefix, "", 10); len(left) != 0 {
			t.Errorf("left under %s: %v", prefix, left)
		}
	}
}
