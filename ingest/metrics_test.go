package ingest

import (
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/eingang/eingang/store"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// dashboardExprs returns the queries of the Grafana dashboard's panels.
func dashboardExprs(t *testing.T) []string {
	data, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	var exprs []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}

// TestDashboard checks that the Grafana dashboard queries exactly the
// metrics NewMetrics registers: every name a query uses exists (with the
// _bucket, _sum and _count series of histograms), and every metric is on
// a panel. TestPrometheusScrapes runs the queries on a real Prometheus.
func TestDashboard(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	// A vector appears in a gathering once it has a child.
	m.Submissions.WithLabelValues("upload", "routed")
	m.RuleFailures.WithLabelValues("BR-01")
	m.InboxPending.WithLabelValues("erfurt")
	m.StoreOps.WithLabelValues("put", "fs")
	m.ChannelErrors.WithLabelValues("upload", "read")
	m.MailsRejected.WithLabelValues("no-invoice")
	m.MailsSent.WithLabelValues("reply", "sent")
	m.MailboxErrors.WithLabelValues("login")
	m.StoreFree.WithLabelValues("bytes")
	m.StoreRefusals.WithLabelValues("no-space")
	m.DirectoryReloads.WithLabelValues("applied")
	m.LoginFailures.WithLabelValues("unknown-token")
	m.Formats.WithLabelValues("pdf", "XRECHNUNG")
	m.PDFRefused.WithLabelValues("no-xml")
	m.Scans.WithLabelValues("clean")
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]dto.MetricType{}
	for _, f := range fams {
		types[f.GetName()] = f.GetType()
	}
	if len(types) != 23 {
		t.Fatalf("gathered %d metrics, want the 23 of Metrics", len(types))
	}
	used := map[string]bool{}
	name := regexp.MustCompile(`eingang_[a-z_]+`)
	for _, e := range dashboardExprs(t) {
		for _, n := range name.FindAllString(e, -1) {
			if _, ok := types[n]; ok {
				used[n] = true
				continue
			}
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(n, "_bucket"), "_sum"), "_count")
			if types[base] == dto.MetricType_HISTOGRAM {
				used[base] = true
				continue
			}
			t.Errorf("the dashboard queries %s, which the gateway does not export (in %s)", n, e)
		}
	}
	for n := range types {
		if !used[n] {
			t.Errorf("metric %s is on no panel of the dashboard", n)
		}
	}
}

// countingRemover is a store that counts the calls of its Remove.
type countingRemover struct {
	store.Store
	removes int
}

func (c *countingRemover) Remove(ctx context.Context, key string) error {
	c.removes++
	return c.Store.Delete(ctx, key)
}

// TestInstrumentStoreRemove: the timed store removes with the wrapped
// store's Remove (the S3 store's batched removal, no look first), not with
// Delete, and times it as op "remove".
func TestInstrumentStoreRemove(t *testing.T) {
	fs, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &countingRemover{Store: fs}
	m := NewMetrics(prometheus.NewRegistry())
	s := InstrumentStore(c, "fs", m)
	ctx := context.Background()
	if err := s.Put(ctx, "pending/x", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if err := store.Remove(ctx, s, "pending/x"); err != nil {
		t.Fatal(err)
	}
	if c.removes != 1 {
		t.Errorf("the wrapped store's Remove ran %d times, want 1", c.removes)
	}
	var h dto.Metric
	if err := m.StoreOps.WithLabelValues("remove", "fs").(prometheus.Histogram).Write(&h); err != nil {
		t.Fatal(err)
	}
	if n := h.GetHistogram().GetSampleCount(); n != 1 {
		t.Errorf("%d removals timed, want 1", n)
	}
}
