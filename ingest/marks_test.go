package ingest

import (
	"errors"
	"testing"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// TestMarks: a mark is made once, read back, refused for bad names; a
// receipt is read back by id, and a submission by its channel key.
func TestMarks(t *testing.T) {
	ctx := t.Context()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	rec, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "email", ChannelData: ChannelData{Key: "mail:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := p.Marked(ctx, rec.ID, "delivered-email"); ok || err != nil {
		t.Fatalf("marked before: %v %v", ok, err)
	}
	for i, want := range []bool{true, false} {
		if ok, err := p.Mark(ctx, rec.ID, "delivered-email"); ok != want || err != nil {
			t.Fatalf("mark %d: %v %v, want %v", i, ok, err, want)
		}
	}
	if ok, err := p.Marked(ctx, rec.ID, "delivered-email"); !ok || err != nil {
		t.Fatalf("marked after: %v %v", ok, err)
	}
	for _, bad := range []string{"", "../x", "a/b", "Upper"} {
		if _, err := p.Mark(ctx, rec.ID, bad); !errors.Is(err, ErrNotFound) {
			t.Errorf("mark %q: %v", bad, err)
		}
	}
	if id, err := p.Lookup(ctx, "email", "mail:1"); id != rec.ID || err != nil {
		t.Errorf("lookup: %q %v, want %s", id, err, rec.ID)
	}
	if id, err := p.Lookup(ctx, "email", "mail:2"); id != "" || err != nil {
		t.Errorf("lookup of an unknown key: %q %v", id, err)
	}
	got, err := p.Receipt(ctx, rec.ID)
	if err != nil || got.Status != rec.Status || got.Report == nil || len(got.Findings) != len(rec.Findings) {
		t.Errorf("receipt %+v %v, want %+v", got, err, rec)
	}
	if _, err := p.Receipt(ctx, "01a2377a-f21c-756c-9d6f-cf3042699e69"); !errors.Is(err, ErrNotFound) {
		t.Errorf("receipt of an unknown id: %v", err)
	}
}
