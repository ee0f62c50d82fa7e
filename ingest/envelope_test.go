package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

// count returns how many objects a store holds under a prefix.
func count(t *testing.T, s store.Store, prefix string) int {
	t.Helper()
	page, err := s.List(context.Background(), prefix, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(page)
}

// TestChannelData checks what a channel with an envelope adds: the
// envelope archived beside the original, the details in Meta, a second
// submission with the same key answered without being kept again (even
// with other bytes), and expectations that refuse before anything is kept.
func TestChannelData(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	s := p.cfg.Store
	env := []byte("<StandardBusinessDocument/>")
	sub := Submission{Data: fixture(t), Channel: "peppol", ChannelData: ChannelData{
		Envelope: env, Key: "9930:de1 msg-1", Details: map[string]string{"tls_client_serial": "42"},
		Expect: &Expect{LeitwegID: "16071103-0001-17", Specification: invoice.SpecXRechnung},
	}}
	rec, err := p.Submit(ctx, sub)
	if err != nil || rec.Status != StatusRouted {
		t.Fatalf("first: %+v %v", rec, err)
	}
	r, err := p.Envelope(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, env) {
		t.Errorf("envelope kept as %q", got)
	}
	meta, err := p.Meta(ctx, rec.ID)
	if err != nil || meta.Details["tls_client_serial"] != "42" || meta.Key != sub.Key || meta.EnvelopeSHA256 == "" {
		t.Errorf("meta %+v %v", meta, err)
	}

	other := sub
	other.Data = withLeitweg(t, "16071103-0001-17", "B-1")
	again, err := p.Submit(ctx, other)
	if err != nil || again.Status != StatusDuplicate || again.ID != rec.ID {
		t.Fatalf("same key again: %+v %v, want a duplicate of %s", again, err, rec.ID)
	}
	p.Wait() // the markers go after the answers
	if n := count(t, s, "pending/"); n != 0 {
		t.Errorf("%d pending", n)
	}

	for _, c := range []struct {
		name   string
		expect Expect
		reason string
	}{
		{"other Leitweg-ID", Expect{LeitwegID: "16051000-" + leitweg.CheckDigits("16051000")}, RefusedLeitwegID},
		{"other specification", Expect{Specification: invoice.SpecEN16931}, RefusedSpecification},
	} {
		sub := Submission{Data: withLeitweg(t, "16071103-0001-17", "C-"+c.reason), Channel: "peppol", ChannelData: ChannelData{
			Envelope: env, Key: c.name, Expect: &c.expect,
		}}
		_, err := p.Submit(ctx, sub)
		var ref *RefusedError
		if !errors.As(err, &ref) || ref.Reason != c.reason {
			t.Errorf("%s: %v, want refused %s", c.name, err, c.reason)
		}
	}
	// Only the first was kept: nothing of the duplicate or the refused.
	for _, prefix := range []string{"pending/", "ref/peppol/", "rejected/", "clearing/"} {
		want := map[string]int{"ref/peppol/": 1}[prefix]
		if n := count(t, s, prefix); n != want {
			t.Errorf("%s holds %d objects, want %d", prefix, n, want)
		}
	}
}

// TestRecoverEnvelope checks that recovery drops a submission whose
// envelope a power loss cut short (the sender was never acknowledged).
func TestRecoverEnvelope(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	sub := Submission{Data: fixture(t), Channel: "peppol", ChannelData: ChannelData{Envelope: []byte("<sbd/>"), Key: "k"}}
	sum := sha256.Sum256(sub.Data)
	meta := Meta{ID: "0196f000-0000-7000-8000-000000000002", Channel: "peppol", SHA256: hex.EncodeToString(sum[:]), ChannelMeta: sub.meta()}
	if err := keptNotFiled(ctx, p, meta, sub.Data, []byte("<sb")); err != nil {
		t.Fatal(err)
	}
	if n, err := p.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("recover: %d %v, want nothing finished", n, err)
	}
	if _, err := p.Outcome(ctx, meta.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("outcome: %v, want not found", err)
	}
}
