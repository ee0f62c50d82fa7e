package ingest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// TestOnFiled checks that listeners hear of invoices filed in an inbox,
// by the pipeline and from clearing, and of nothing else; and that View
// renders a filed invoice.
func TestOnFiled(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard []Outcome
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir },
		OnFiled: func(o Outcome) { mu.Lock(); heard = append(heard, o); mu.Unlock() }})
	routed, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range [][]byte{fixture(t), []byte("<x/>"), withLeitweg(t, "16071103-0001-18", "A-1")} {
		if _, err := p.Submit(ctx, Submission{Data: data, Channel: "upload"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(heard) != 1 || heard[0].ID != routed.ID || heard[0].Municipality != "lk-weimarer-land" {
		t.Fatalf("heard %+v, want only %s", heard, routed.ID)
	}
	clearing, err := p.Clearing(ctx, "", 10)
	if err != nil || len(clearing) != 1 {
		t.Fatalf("clearing %v %v", clearing, err)
	}
	if _, err := p.RouteClearing(ctx, clearing[0].ID, "erfurt"); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 2 || heard[1].ID != clearing[0].ID || heard[1].Municipality != "erfurt" {
		t.Fatalf("after routing from clearing heard %+v", heard)
	}
	page, err := p.View(ctx, routed.ID, "de")
	if err != nil || !bytes.Contains(page, []byte("RE-2026-0042")) {
		t.Fatalf("view: %v\n%.300s", err, page)
	}
	if _, err := p.View(ctx, "nope", "de"); err == nil {
		t.Error("view of an unknown id: no error")
	}
}
