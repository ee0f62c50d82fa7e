package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// BenchmarkMillion measures the read side and recovery over an archive of
// many invoices (EINGANG_BENCH_INVOICES, default 1,000,000) spread over 600
// municipalities and the past year, written through the store directly
// (their inbox entries; a tenth of each municipality's invoices
// not yet acknowledged): an inbox page (50 entries) of a random
// municipality, a search of one's new invoices for an invoice number,
// the operators' figures as /ops reads them (and the
// background count behind them, first and again), and recovery at start
// with 20 submissions pending. On the filesystem store, or with
// EINGANG_BENCH_S3 set on a MinIO it starts (EINGANG_MINIO). With
// EINGANG_BENCH_KEEP naming a folder, the archive is written there once
// and measured again by later runs (<folder>.filled records how many
// invoices it holds): filling a MinIO takes most of an hour.
//
//	EINGANG_BENCH_DATA=$PWD/.bench-data go test -run '^$' -bench Million -benchtime 1x -timeout 60m ./ingest
func BenchmarkMillion(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("EINGANG_BENCH_INVOICES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var err error
	ctx := context.Background()
	dir, filled := testenv.BenchDir(b), false
	if keep := os.Getenv("EINGANG_BENCH_KEEP"); keep != "" {
		dir = keep
		got, _ := os.ReadFile(keep + ".filled")
		filled = strings.TrimSpace(string(got)) == strconv.Itoa(n)
		if names, _ := os.ReadDir(keep); !filled && len(names) > 0 {
			b.Fatalf("%s holds an archive that is not of %d invoices (%s.filled): remove it", keep, n, keep)
		}
	}
	var s store.Store
	if os.Getenv("EINGANG_BENCH_S3") != "" {
		// The same on a MinIO started for it (fewer invoices: writing a
		// million objects to it takes most of an hour here).
		srv, err := testenv.StartMinIO(testenv.MinIOBinary(b), testenv.FreeAddr(b), dir)
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Stop()
		if s, err = store.OpenS3(ctx, store.S3Config{Bucket: "million", Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}); err != nil {
			b.Fatal(err)
		}
	} else if s, err = store.OpenFS(dir); err != nil {
		b.Fatal(err)
	}
	var yaml strings.Builder
	yaml.WriteString("municipalities:\n")
	for m := range 600 {
		fmt.Fprintf(&yaml, "  - id: m%03d\n    name: Gemeinde %03d\n    leitweg_ids: [\"16%06d\"]\n", m, m, m)
	}
	d, err := directory.Parse([]byte(yaml.String()))
	if err != nil {
		b.Fatal(err)
	}
	p := testPipeline(b, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return d }, Instance: "bench"})

	if !filled {
		start := time.Now()
		fill(b, s, n)
		b.Logf("%d invoices written in %s", n, time.Since(start).Round(time.Second))
		if keep := os.Getenv("EINGANG_BENCH_KEEP"); keep != "" {
			os.WriteFile(keep+".filled", []byte(strconv.Itoa(n)), 0o644)
		}
	}
	for i := range 20 {
		id := newID(time.Now(), uint64(i))
		// A former run of this instance left them: recovery takes them at once.
		put := func(key, v string) {
			if err := s.Put(ctx, key, strings.NewReader(v), int64(len(v))); err != nil {
				b.Fatal(err)
			}
		}
		put(pendingKey(id), `{"owner":"bench","run":"former"}`)
	}

	b.ResetTimer()
	for range b.N {
		var pages []time.Duration
		for range 200 {
			m := fmt.Sprintf("m%03d", rand.IntN(600))
			t0 := time.Now()
			list, err := p.Inbox(ctx, m, "new", "", 50)
			if err != nil || len(list) == 0 {
				b.Fatalf("inbox %s: %d %v", m, len(list), err)
			}
			pages = append(pages, time.Since(t0))
		}
		slices.Sort(pages)
		// Searches of a municipality's new invoices for an invoice
		// number: each reads all its new entries (167 here).
		var searches []time.Duration
		for range 50 {
			m := rand.IntN(600)
			k := rand.IntN(max(n/6000, 1))
			t0 := time.Now()
			found, _, err := p.SearchInbox(ctx, fmt.Sprintf("m%03d", m), InboxQuery{Number: fmt.Sprintf("RE-%d", m+6000*k)})
			if err != nil || len(found) == 0 {
				b.Fatalf("search m%03d for RE-%d: %d found, %v", m, m+6000*k, len(found), err)
			}
			searches = append(searches, time.Since(t0))
		}
		slices.Sort(searches)
		// The figures: counted the first time (the week's past days
		// are then kept), counted again (today only), and read as /ops
		// serves them.
		t0 := time.Now()
		st, err := p.RefreshFigures(ctx, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		first := time.Since(t0)
		t0 = time.Now()
		if _, err := p.RefreshFigures(ctx, time.Now()); err != nil {
			b.Fatal(err)
		}
		again := time.Since(t0)
		var reads []time.Duration
		for range 100 {
			t0 = time.Now()
			if _, err := p.Figures(ctx, time.Now(), time.Minute); err != nil {
				b.Fatal(err)
			}
			reads = append(reads, time.Since(t0))
		}
		slices.Sort(reads)
		t0 = time.Now()
		if _, err := p.Recover(ctx); err != nil {
			b.Fatal(err)
		}
		recovery := time.Since(t0)
		b.ReportMetric(float64(pages[len(pages)*99/100].Microseconds())/1000, "page-p99-ms")
		b.ReportMetric(float64(searches[len(searches)*99/100].Microseconds())/1000, "search-p99-ms")
		b.ReportMetric(float64(reads[len(reads)*99/100].Microseconds())/1000, "ops-p99-ms")
		b.ReportMetric(float64(first.Milliseconds()), "count-first-ms")
		b.ReportMetric(float64(again.Milliseconds()), "count-again-ms")
		b.ReportMetric(float64(recovery.Milliseconds()), "recovery-ms")
		b.Logf("figures: truncated %v, clearing %d, %d municipalities with a backlog", st.Truncated, st.Clearing, len(st.Backlog))
	}
}

// newID returns a UUIDv7 of time t with n in its random bits.
func newID(t time.Time, n uint64) string {
	var u uuid.UUID
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint64(u[0:8], ms<<16)
	u[6] = 0x70 | byte(n>>56&0x0f)
	binary.BigEndian.PutUint64(u[8:16], n)
	u[8] = 0x80 | u[8]&0x3f
	return u.String()
}

// fill writes n filed invoices' inbox entries (what the read side lists
// and reads; the other objects of a filing are not read by it).
func fill(b *testing.B, s store.Store, n int) {
	ctx := store.Deferred(context.Background())
	now := time.Now()
	var wg sync.WaitGroup
	workers := 8
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				at := now.Add(-time.Duration(n-i) * (365 * 24 * time.Hour / time.Duration(n)))
				id := newID(at, uint64(i))
				m := fmt.Sprintf("m%03d", i%600)
				state := "acknowledged"
				if (i/600)%10 == 0 {
					state = "new"
				}
				o := Outcome{ID: id, Status: StatusRouted, Accepted: true, Municipality: m, Channel: "upload",
					ReceivedAt: at, FiledAt: at, Seller: "Muster Bau GmbH", InvoiceNumber: "RE-" + strconv.Itoa(i), Total: "119.00", Currency: "EUR"}
				if err := putJSON(ctx, s, inboxKey(m, state, id), o); err != nil {
					errs <- err
					return
				}
				if i%10000 == w {
					if err := store.Sync(context.Background(), s); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	if err := store.Sync(context.Background(), s); err != nil {
		b.Fatal(err)
	}
}
