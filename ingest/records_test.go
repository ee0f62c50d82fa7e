package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
	"github.com/minio/minio-go/v7"
)

// failingGets is a store whose Get of the keys in fail fails as an
// outage does.
type failingGets struct {
	store.Store
	fail map[string]bool
}

func (s failingGets) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if s.fail[key] {
		return nil, fmt.Errorf("down: %w", store.ErrUnavailable)
	}
	return s.Store.Get(ctx, key)
}

// TestReadRecords reads more records than are read at once, in their
// order, with records gone or cut short left out where skip says so and
// any other error failing the whole.
func TestReadRecords(t *testing.T) {
	ctx := context.Background()
	fs, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var infos, withBodies []store.Info
	var want []string
	failing := map[string]bool{}
	for i := range 150 {
		key := fmt.Sprintf("r/%03d", i)
		infos = append(infos, store.Info{Key: key})
		withBodies = append(withBodies, store.Info{Key: key})
		switch {
		case i%50 == 7: // never written: gone
		case i%50 == 8:
			if err := fs.Put(ctx, key, strings.NewReader(`{"id":`), 6); err != nil { // cut short
				t.Fatal(err)
			}
		default:
			if err := putJSON(ctx, fs, key, Outcome{ID: key}); err != nil {
				t.Fatal(err)
			}
			want = append(want, key)
			if i%2 == 0 { // listed with its body: never read
				withBodies[i].Body = []byte(`{"id":"` + key + `"}`)
				failing[key] = true
			}
		}
	}
	for _, tc := range []struct {
		name    string
		st      store.Store
		infos   []store.Info
		skip    func(error) bool
		want    []string
		wantErr error
	}{
		{"gone left out", fs, infos, gone, want, nil},
		{"missing fails where skip keeps it", fs, infos, func(err error) bool { return corrupt(err) }, nil, store.ErrNotFound},
		{"an outage fails", failingGets{fs, map[string]bool{"r/120": true}}, infos, gone, nil, store.ErrUnavailable},
		{"listed bodies not read", failingGets{fs, failing}, withBodies, gone, want, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readRecords[Outcome](ctx, tc.st, tc.infos, tc.skip)
			if !errors.Is(err, tc.wantErr) || tc.wantErr == nil && err != nil {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			var ids []string
			for _, o := range got {
				ids = append(ids, o.ID)
			}
			if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %d records %v..., want %d", len(ids), ids[:min(3, len(ids))], len(tc.want))
			}
		})
	}
}

// TestListsOneRequest checks on a real MinIO that a page of an inbox and
// of the clearing list is one request (their entries come with the
// listing), and that what they list is what was filed.
func TestListsOneRequest(t *testing.T) {
	srv, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	next, err := minio.DefaultTransport(false)
	if err != nil {
		t.Fatal(err)
	}
	counter := &testenv.Requests{Next: next}
	ctx := context.Background()
	s, err := store.OpenS3(ctx, store.S3Config{Bucket: "lists", Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Transport: counter})
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	var ids []string
	for i := range 4 {
		rec, err := p.Submit(ctx, Submission{Data: bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(fmt.Sprintf("RE-L-%d", i)), 1), Channel: "upload"})
		if err != nil || rec.Status != StatusRouted {
			t.Fatalf("submit %d: %v %v", i, rec.Status, err)
		}
		ids = append(ids, rec.ID)
	}
	acked, err := p.Acknowledge(ctx, "lk-weimarer-land", ids[1])
	if err != nil {
		t.Fatal(err)
	}
	valid := "09162000-" + leitweg.CheckDigits("09162000")
	rec, err := p.Submit(ctx, Submission{Data: withLeitweg(t, valid, "A-3"), Channel: "upload"})
	if err != nil || rec.Status != StatusClearing {
		t.Fatalf("submit for clearing: %v %v", rec.Status, err)
	}
	p.Wait() // the markers' removals, which would count
	for _, c := range []struct {
		name string
		list func() ([]Outcome, error)
		want []string
	}{
		{"new", func() ([]Outcome, error) { return p.Inbox(ctx, "lk-weimarer-land", "new", "", 50) }, []string{ids[0], ids[2], ids[3]}},
		{"acknowledged", func() ([]Outcome, error) { return p.Inbox(ctx, "lk-weimarer-land", "acknowledged", "", 50) }, []string{ids[1]}},
		{"clearing", func() ([]Outcome, error) { return p.Clearing(ctx, "", 50) }, []string{rec.ID}},
	} {
		counter.Reset()
		got, err := c.list()
		if err != nil {
			t.Fatal(err)
		}
		if n := counter.Count(); n != 1 {
			t.Errorf("%s: %d requests, want 1", c.name, n)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d entries, want %d", c.name, len(got), len(c.want))
		}
		for i, o := range got {
			if o.ID != c.want[i] {
				t.Errorf("%s %d: %s, want %s", c.name, i, o.ID, c.want[i])
			}
			want, err := p.InboxEntry(ctx, o.Municipality, o.ID)
			if c.name == "clearing" {
				want, err = p.Outcome(ctx, o.ID)
			}
			if err != nil || !reflect.DeepEqual(o, want) {
				t.Errorf("%s %d: listed %+v, stored %+v (%v)", c.name, i, o, want, err)
			}
		}
	}
	if got, _ := p.Inbox(ctx, "lk-weimarer-land", "acknowledged", "", 50); len(got) == 1 && !got[0].AcknowledgedAt.Equal(acked.AcknowledgedAt) {
		t.Errorf("acknowledged at %v, want %v", got[0].AcknowledgedAt, acked.AcknowledgedAt)
	}

	// The figures' count and an invoice's audit history read their
	// records from the listings alone: a gateway whose Gets of them fail
	// counts and reads them all the same.
	for i := range 2 {
		if err := p.Audit(ctx, AuditRecord{Actor: "test", Action: fmt.Sprintf("view %d", i), IDs: []string{ids[0]}}); err != nil {
			t.Fatal(err)
		}
	}
	blind := testPipeline(t, Config{Store: noGets{s, []string{"inbox/", "clearing/", "audit-by-invoice/"}}, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	st, err := blind.RefreshFigures(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	counted := map[Status]int{}
	for _, c := range st.Submissions {
		counted[c.Status] += c.Today
	}
	if counted[StatusRouted] != 4 || counted[StatusClearing] != 1 {
		t.Errorf("counted today %v, want 4 routed and 1 in clearing", counted)
	}
	hist, err := blind.History(ctx, ids[0])
	if err != nil || len(hist) != 2 || hist[1].Action != "view 1" {
		t.Errorf("history: %+v, %v; want the two records", hist, err)
	}
}

// noGets is a store whose Gets below the prefixes fail as an outage.
type noGets struct {
	store.Store
	prefixes []string
}

func (s noGets) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	for _, p := range s.prefixes {
		if strings.HasPrefix(key, p) {
			return nil, fmt.Errorf("get %s: %w", key, store.ErrUnavailable)
		}
	}
	return s.Store.Get(ctx, key)
}

// ListBodies passes the listing with bodies on: a wrapper that embeds
// the store hides it.
func (s noGets) ListBodies(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	return store.ListBodies(ctx, s.Store, prefix, after, limit)
}
