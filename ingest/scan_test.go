package ingest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// withEICAR returns the fixture with EICAR as its embedded file (BG-24)
// and another invoice number.
func withEICAR(t testing.TB) []byte {
	t.Helper()
	b := testenv.WithEmbedded(t, fixture(t), []byte(testenv.EICAR))
	return bytes.Replace(b, []byte("RE-2026-0042"), []byte("RE-2026-EICAR"), 1)
}

// TestClamAVSubmit scans with a real clamd: an invoice whose embedded
// file is EICAR is rejected as malware, in no inbox, listed for the
// operators, its original kept; a clean one (XML and PDF) is filed; with
// clamd stopped nothing is kept and the error says: the scanner is
// unavailable (a 503 for the channels).
func TestClamAVSubmit(t *testing.T) {
	ctx := context.Background()
	d := testenv.StartClamd(t, "")
	c, err := clamav.New(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(prometheus.NewRegistry())
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }, Metrics: m, Scanner: c})

	clean, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil || clean.Status != StatusRouted || clean.Outcome.Malware != "" {
		t.Fatalf("clean invoice: %+v, %v", clean, err)
	}
	if meta, _ := p.Meta(ctx, clean.ID); !meta.Scanned {
		t.Error("clean invoice: not marked as scanned")
	}

	for _, c := range []struct {
		name string
		data []byte
	}{
		{"XML with EICAR embedded", withEICAR(t)},
		{"PDF whose XML embeds EICAR", testenv.HybridPDF(t, bytes.Replace(withEICAR(t), []byte("RE-2026-EICAR"), []byte("RE-2026-EICAR-PDF"), 1), "XRECHNUNG")},
		{"PDF with EICAR beside its XML", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "factur-x.xml", Data: bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-EICAR-2"), 1)},
			testenv.EmbeddedFile{Name: "readme.txt", Data: []byte(testenv.EICAR)})},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, err := p.Submit(ctx, Submission{Data: c.data, Channel: "upload"})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != StatusRejected || rec.Accepted || rec.Report.RejectReason != RejectMalware || rec.Outcome.Malware != testenv.EICARSignature {
				t.Fatalf("%s accepted %v reason %q malware %q, want rejected malware %s", rec.Status, rec.Accepted, rec.Report.RejectReason, rec.Outcome.Malware, testenv.EICARSignature)
			}
			if l, err := p.Inbox(ctx, "lk-weimarer-land", "all", "", 100); err != nil || len(l) != 1 {
				t.Errorf("inbox holds %d entries (%v), want the clean one only", len(l), err)
			}
			orc, err := p.Original(ctx, rec.ID)
			if got := readAll(t, orc, err); !bytes.Equal(got, c.data) {
				t.Error("the infected original was not kept for the operators")
			}
			q, err := p.Quarantine(ctx, "", 100)
			if err != nil || len(q) == 0 || q[len(q)-1].ID != rec.ID || q[len(q)-1].Malware != testenv.EICARSignature {
				t.Errorf("quarantine %+v, %v", q, err)
			}
		})
	}
	if got := testutil.ToFloat64(m.Scans.WithLabelValues("infected")); got != 3 {
		t.Errorf("infected scans = %v, want 3", got)
	}
	if got := testutil.ToFloat64(m.Scans.WithLabelValues("clean")); got != 1 {
		t.Errorf("clean scans = %v, want 1", got)
	}

	if err := p.Ready(ctx); err != nil {
		t.Errorf("ready with clamd up: %v", err)
	}
	d.Stop()
	if err := p.Ready(ctx); !errors.Is(err, ErrScanUnavailable) {
		t.Errorf("ready with clamd stopped: %v, want ErrScanUnavailable", err)
	}
	before := keptFiles(t, p)
	if len(before) == 0 {
		t.Fatal("keptFiles sees nothing of what was filed")
	}
	other := bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0043"), 1)
	_, err = p.Submit(ctx, Submission{Data: other, Channel: "upload"})
	if !errors.Is(err, ErrScanUnavailable) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("with clamd stopped: %v, want ErrScanUnavailable", err)
	}
	var nf *NotFiledError
	if errors.As(err, &nf) {
		t.Error("with clamd stopped: kept (NotFiledError)")
	}
	if after := keptFiles(t, p); len(after) != len(before) {
		t.Errorf("with clamd stopped: %d objects kept, was %d", len(after), len(before))
	}
	if got := testutil.ToFloat64(m.Scans.WithLabelValues("error")); got != 1 {
		t.Errorf("scan errors = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Submissions.WithLabelValues("upload", "error")); got != 1 {
		t.Errorf("submission errors = %v, want 1 (the scanner's outage)", got)
	}
}
