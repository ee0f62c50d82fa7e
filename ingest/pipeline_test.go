package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

func fixture(t testing.TB) []byte {
	b, err := os.ReadFile("../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withLeitweg returns the fixture with another BT-10 (and a distinct
// invoice number, so that dedup does not hide it).
func withLeitweg(t testing.TB, id, number string) []byte {
	b := bytes.Replace(fixture(t), []byte("<cbc:BuyerReference>16071103-0001-17<"), []byte("<cbc:BuyerReference>"+id+"<"), 1)
	return bytes.Replace(b, []byte("RE-2026-0042"), []byte(number), 1)
}

// testPipeline returns New(cfg), failing tb on an error. At tb's end it
// waits for the removals of pending markers that Submit leaves running
// (Pipeline.Wait), before tb's folders are removed.
func testPipeline(tb testing.TB, cfg Config) *Pipeline {
	tb.Helper()
	p, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Wait)
	return p
}

// keptNotFiled keeps a submission as Submit does and leaves it pending, as
// a Submit that failed to file it does (a *NotFiledError): for Recover.
func keptNotFiled(ctx context.Context, p *Pipeline, meta Meta, data, envelope []byte) error {
	b, err := p.keep(ctx, meta, data, envelope)
	if err == nil {
		p.left(ctx, b.batch, false)
	}
	return err
}

func newPipeline(t testing.TB) (*Pipeline, *Metrics) {
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(prometheus.NewRegistry())
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }, Metrics: m})
	return p, m
}

func TestSubmitRoutes(t *testing.T) {
	ctx := context.Background()
	p, m := newPipeline(t)
	valid := "09162000-" + leitweg.CheckDigits("09162000")
	cases := []struct {
		name   string
		data   []byte
		status Status
		muni   string
		reason string
	}{
		{"routed", fixture(t), StatusRouted, "lk-weimarer-land", ""},
		{"duplicate", fixture(t), StatusDuplicate, "lk-weimarer-land", ""},
		{"wrong check digits", withLeitweg(t, "16071103-0001-18", "A-1"), StatusClearing, "", "check digits"},
		{"malformed", withLeitweg(t, "Stadtverwaltung", "A-2"), StatusClearing, "", "malformed"},
		{"unknown municipality", withLeitweg(t, valid, "A-3"), StatusClearing, "", "no municipality"},
		{"not xml", []byte("plain text, no xml inside"), StatusRejected, "", ""},
	}
	var firstID string
	for _, c := range cases {
		rec, err := p.Submit(ctx, Submission{Data: c.data, Channel: "upload"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if rec.Status != c.status || rec.Outcome.Municipality != c.muni {
			t.Errorf("%s: status %s municipality %q, want %s %q (findings %v)", c.name, rec.Status, rec.Outcome.Municipality, c.status, c.muni, rec.Findings)
		}
		if c.reason != "" && !bytes.Contains([]byte(rec.Outcome.ClearingReason), []byte(c.reason)) {
			t.Errorf("%s: clearing reason %q, want %q", c.name, rec.Outcome.ClearingReason, c.reason)
		}
		switch c.name {
		case "routed":
			firstID = rec.ID
			if rec.ReceiptToken == "" {
				t.Error("no receipt token")
			}
		case "duplicate":
			// The sender of a copy (whose first answer may have been
			// lost) gets the first's outcome and a token to follow it.
			if rec.ID != firstID || rec.ReceiptToken == "" || !rec.Accepted || rec.Report == nil {
				t.Errorf("duplicate: id %s token %q accepted %v report %v, want the first id %s, its outcome, report and a token", rec.ID, rec.ReceiptToken, rec.Accepted, rec.Report != nil, firstID)
			}
			if o, err := p.Follow(ctx, firstID, rec.ReceiptToken); err != nil || o.Status != StatusRouted {
				t.Errorf("following the first with the duplicate's token: %+v %v", o, err)
			}
		}
	}
	// The original is byte-identical and retained.
	r, err := p.Original(ctx, firstID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, fixture(t)) {
		t.Error("original differs")
	}
	if info, err := p.cfg.Store.Stat(ctx, originalKey(firstID)); err != nil || info.RetainUntil.Year() != time.Now().Year()+11 {
		t.Errorf("retention: %+v %v", info, err)
	}
	// Inbox, ack, metrics.
	list, err := p.Inbox(ctx, "lk-weimarer-land", "new", "", 10)
	if err != nil || len(list) != 1 || list[0].ID != firstID || list[0].InvoiceNumber != "RE-2026-0042" || list[0].Total != "1190.00" {
		t.Fatalf("inbox: %+v %v", list, err)
	}
	if got := testutil.ToFloat64(m.InboxPending.WithLabelValues("lk-weimarer-land")); got != 1 {
		t.Errorf("pending gauge %v", got)
	}
	if _, err := p.InboxEntry(ctx, "erfurt", firstID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another municipality sees the entry: %v", err)
	}
	if _, err := p.Acknowledge(ctx, "erfurt", firstID); !errors.Is(err, ErrNotFound) {
		t.Errorf("another municipality acknowledges: %v", err)
	}
	for i := 0; i < 2; i++ {
		if o, err := p.Acknowledge(ctx, "lk-weimarer-land", firstID); err != nil || o.AcknowledgedAt.IsZero() {
			t.Fatalf("ack %d: %+v %v", i, o, err)
		}
	}
	if list, _ := p.Inbox(ctx, "lk-weimarer-land", "new", "", 10); len(list) != 0 {
		t.Errorf("still new after ack: %v", list)
	}
	if list, _ := p.Inbox(ctx, "lk-weimarer-land", "all", "", 10); len(list) != 1 {
		t.Errorf("all: %v", list)
	}
	if got := testutil.ToFloat64(m.InboxPending.WithLabelValues("lk-weimarer-land")); got != 0 {
		t.Errorf("pending gauge after ack %v", got)
	}
	// Clearing: three entries; route one by hand.
	cl, err := p.Clearing(ctx, "", 10)
	if err != nil || len(cl) != 3 {
		t.Fatalf("clearing: %d %v", len(cl), err)
	}
	if _, err := p.RouteClearing(ctx, cl[0].ID, "erfurt"); err != nil {
		t.Fatal(err)
	}
	if list, _ := p.Inbox(ctx, "erfurt", "new", "", 10); len(list) != 1 || list[0].ID != cl[0].ID {
		t.Errorf("erfurt inbox after manual routing: %v", list)
	}
	if got := testutil.ToFloat64(m.Clearing); got != 2 {
		t.Errorf("clearing gauge %v", got)
	}
	if got := testutil.ToFloat64(m.Submissions.WithLabelValues("upload", "clearing")); got != 3 {
		t.Errorf("submissions{clearing} %v", got)
	}
}

// TestRecover interrupts a submission after its original was kept and
// checks that Recover files it exactly once.
func TestRecover(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	data := fixture(t)
	sum := sha256.Sum256(data)
	meta := Meta{ID: "0196f000-0000-7000-8000-000000000001", Channel: "upload", ReceivedAt: time.Now().UTC(), SHA256: hex.EncodeToString(sum[:])}
	if err := keptNotFiled(ctx, p, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	if o, err := p.Outcome(ctx, meta.ID); err != nil || o.Status != StatusPending {
		t.Fatalf("before recovery: %+v %v", o, err)
	}
	for i, want := range []int{1, 0} {
		n, err := p.Recover(ctx)
		if err != nil || n != want {
			t.Fatalf("recover round %d: %d %v, want %d", i, n, err, want)
		}
	}
	list, err := p.Inbox(ctx, "lk-weimarer-land", "new", "", 10)
	if err != nil || len(list) != 1 || list[0].ID != meta.ID {
		t.Fatalf("inbox after recovery: %+v %v", list, err)
	}
}

// TestRecoverHalfWritten plays what a power loss can leave of deferred
// writes: Recover abandons submissions whose keeping was cut short (never
// acknowledged) and refiles one whose outcome is garbled, without error.
func TestRecoverHalfWritten(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	s := p.cfg.Store
	data := fixture(t)
	sum := sha256.Sum256(data)
	good := hex.EncodeToString(sum[:])
	put := func(key, v string) {
		t.Helper()
		if err := s.Put(ctx, key, strings.NewReader(v), int64(len(v))); err != nil {
			t.Fatal(err)
		}
	}
	id := func(n int) string { return fmt.Sprintf("0196f000-0000-7000-8000-%012d", n) }
	// 1: marker only. 2: marker and a garbled envelope. 3: envelope, no
	// original. 4: original shorter than the envelope's hash says.
	// Each marker names a former run of this instance (a crash).
	former := `{"owner":"` + p.cfg.Instance + `","run":"former"}`
	put(pendingKey(id(1)), former)
	put(pendingKey(id(2)), former)
	put(metaKey(id(2)), `{"id":"`)
	for _, n := range []int{3, 4} {
		meta := Meta{ID: id(n), Channel: "upload", ReceivedAt: time.Now().UTC(), SHA256: good}
		b, _ := json.Marshal(meta)
		put(pendingKey(id(n)), former)
		put(metaKey(id(n)), string(b))
	}
	if err := s.Create(ctx, originalKey(id(4)), bytes.NewReader(data[:100]), 100, store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// 6: marker holding the envelope (as keep writes it), no original.
	b6, _ := json.Marshal(marker{Owner: p.cfg.Instance, Run: "former", Meta: &Meta{ID: id(6), Channel: "upload", SHA256: good}})
	put(pendingKey(id(6)), string(b6))
	// 5: kept completely, filed, but the outcome was cut short.
	meta := Meta{ID: id(5), Channel: "upload", ReceivedAt: time.Now().UTC(), SHA256: good}
	if err := keptNotFiled(ctx, p, meta, data, nil); err != nil {
		t.Fatal(err)
	}
	put(outcomeKey(id(5)), `{"id":"0196`)
	n, err := p.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("recover: %d %v, want 1 refiled", n, err)
	}
	if left, _ := s.List(ctx, pendingPrefix, "", 10); len(left) != 0 {
		t.Errorf("markers left: %v", left)
	}
	if o, err := p.Outcome(ctx, id(5)); err != nil || o.Status != StatusRouted {
		t.Errorf("refiled outcome: %+v %v", o, err)
	}
	// Abandoning archives the envelope that only the marker held.
	var m Meta
	if err := getJSON(ctx, s, metaKey(id(6)), &m); err != nil || m.ID != id(6) || m.SHA256 != good {
		t.Errorf("abandoned envelope: %+v %v", m, err)
	}
	if ab, err := p.AbandonedList(ctx, "", 10); err != nil || len(ab) != 5 {
		t.Errorf("abandoned: %+v %v, want 1, 2, 3, 4 and 6", ab, err)
	}
}

// downStore is a store that cannot be reached.
type downStore struct{ store.Store }

func (downStore) Put(context.Context, string, io.Reader, int64) error {
	return fmt.Errorf("down: %w", store.ErrUnavailable)
}

func (downStore) Get(context.Context, string) (io.ReadCloser, error) {
	return nil, fmt.Errorf("down: %w", store.ErrUnavailable)
}

func (downStore) List(context.Context, string, string, int) ([]store.Info, error) {
	return nil, fmt.Errorf("down: %w", store.ErrUnavailable)
}

func (downStore) Ping(context.Context) error { return fmt.Errorf("down: %w", store.ErrUnavailable) }

// TestUnavailable checks that a channel tells an outage of the store by
// ingest.ErrUnavailable alone, on every kind of call, and that readiness
// says so.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	up, _ := newPipeline(t)
	p := testPipeline(t, Config{Store: downStore{up.cfg.Store}, Validator: up.cfg.Validator, Directory: up.cfg.Directory})
	if err := up.Ready(ctx); err != nil {
		t.Errorf("ready: %v", err)
	}
	id := "0196f000-0000-7000-8000-000000000001"
	_, submit := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	_, inbox := p.Inbox(ctx, "erfurt", "new", "", 10)
	_, outcome := p.Outcome(ctx, id)
	_, view := p.View(ctx, id, "de")
	for name, err := range map[string]error{"submit": submit, "inbox": inbox, "outcome": outcome, "view": view, "ready": p.Ready(ctx)} {
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s: %v, want ErrUnavailable wrapping the store's error", name, err)
		}
	}
	if _, err := up.Outcome(ctx, id); errors.Is(err, ErrUnavailable) {
		t.Errorf("a missing id is an outage: %v", err)
	}
}

// TestView checks that the view renders the original with the validator's
// limits.
func TestView(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	rec, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	page, err := p.View(ctx, rec.ID, "de")
	if err != nil || !bytes.Contains(page, []byte(`<span id="number">RE-2026-0042</span>`)) {
		t.Fatalf("view: %v\n%s", err, page)
	}
	if _, err := p.View(ctx, "0196f000-0000-7000-8000-000000000001", "de"); !errors.Is(err, ErrNotFound) {
		t.Errorf("view of a missing id: %v, want ErrNotFound", err)
	}
	small := invoice.NewValidator().WithLimits(invoice.Limits{MaxBytes: 1 << 20, MaxDepth: 256, MaxElements: 10})
	q := testPipeline(t, Config{Store: p.cfg.Store, Validator: small, Directory: p.cfg.Directory})
	if _, err := q.View(ctx, rec.ID, "de"); !errors.Is(err, ErrNoView) {
		t.Errorf("view beyond the validator's limits: %v, want ErrNoView", err)
	}
}
