package kosit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
)

// newDaemon starts the daemon on a loopback port with a real http.Server
// (its timeouts included) and stops it when the test ends.
func newDaemon(t testing.TB, cfg Config, readTimeout time.Duration) string {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, NewServer("", NewHandler(cfg), readTimeout), ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

// do sends req and reads the whole answer.
func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		var b []byte
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			return resp, b
		}
	}
	t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	return nil, nil
}

// post posts body as contentType (none where empty).
func post(t testing.TB, url, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	return request(t, "POST", url, contentType, body)
}

// tryPost posts body as XML, for goroutines other than the test's.
func tryPost(url string, body []byte) (int, []byte, error) {
	resp, err := http.Post(url, "application/xml", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func request(t testing.TB, method, url, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return do(t, req)
}

// TestDaemonConformance posts every document of the conformance corpus
// to the daemon: its status is the reference daemon's for the reference
// verdict (200, 406, 422), its report has the structure of report.xsd
// and lists the counted findings of the --all-rules validation, rule id
// and level, in order.
func TestDaemonConformance(t *testing.T) {
	dir, exp := readExpected(t)
	// The corpus's verdicts are release 2026-01-31's.
	v, err := invoice.NewValidator().WithRelease(invoice.Release20260131)
	if err != nil {
		t.Fatal(err)
	}
	url := newDaemon(t, Config{Validator: v}, 0)
	jobs := make(chan expectation)
	var mu sync.Mutex
	failures := 0
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if failures++; failures <= 20 {
			t.Errorf(format, args...)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for e := range jobs {
				data, err := os.ReadFile(filepath.Join(dir, e.File))
				if err != nil {
					fail("%v", err)
					continue
				}
				status, body, err := tryPost(url+"/"+e.File, data)
				if err != nil {
					fail("%s: %v", e.File, err)
					continue
				}
				if status != e.status() {
					fail("%s: status %d, want %d (reference: accepted %v, %s)", e.File, status, e.status(), e.Accepted, e.Reason)
					continue
				}
				s, err := checkReport(body)
				if err != nil {
					fail("%s: report: %v", e.File, err)
					continue
				}
				if s.accepted != e.Accepted || s.matched != (e.Scenario != "") {
					fail("%s: report accepted %v matched %v, reference %v %q", e.File, s.accepted, s.matched, e.Accepted, e.Scenario)
				}
				rep, err := v.Validate(context.Background(), data, invoice.Options{AllRules: true})
				if err != nil {
					fail("%v", err)
					continue
				}
				if want := counted(rep); fmt.Sprint(s.messages) != fmt.Sprint(want) {
					fail("%s: report messages %v, want the counted findings %v", e.File, s.messages, want)
				}
				d := etree.NewDocument()
				if err := d.ReadFromBytes(body); err == nil {
					if ref := d.FindElement("//documentReference"); ref == nil || ref.Text() != filepath.Base(e.File) {
						fail("%s: documentReference is not the last path segment", e.File)
					}
				}
			}
		})
	}
	for _, e := range exp {
		jobs <- e
	}
	close(jobs)
	wg.Wait()
	if failures > 0 {
		t.Fatalf("%d of %d documents differ", failures, len(exp))
	}
	t.Logf("%d documents: status, report structure and messages as expected", len(exp))
}

// TestDaemonBadInput sends what a daemon must refuse or survive.
func TestDaemonBadInput(t *testing.T) {
	url := newDaemon(t, Config{}, 0)
	big := make([]byte, 50<<20)
	copy(big, `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">`)
	for i := 80; i < len(big); i++ {
		big[i] = 'x'
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "a.xml")
	fw.Write([]byte("<x/>"))
	mw.Close()
	for _, c := range []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		bodyHas                         string
	}{
		{"empty body", "POST", "/a.xml", "application/xml", nil, 400, "No content supplied"},
		{"not XML", "POST", "/a.xml", "application/xml", []byte("not xml at all"), 422, `code="XML-`},
		{"DOCTYPE", "POST", "/a.xml", "application/xml", []byte(`<!DOCTYPE Invoice [<!ENTITY e SYSTEM "file:///etc/passwd">]><Invoice>&e;</Invoice>`), 422, `code="XML-DTD"`},
		{"50 MB", "POST", "/big.xml", "application/xml", big, 413, "larger than"},
		{"multipart", "POST", "/a.xml", mw.FormDataContentType(), mp.Bytes(), 400, "No content supplied"},
		{"PUT", "PUT", "/a.xml", "application/xml", []byte("<x/>"), 405, "not supported"},
		{"DELETE", "DELETE", "/", "", nil, 405, "not supported"},
		{"GET of a document path", "GET", "/a.xml", "", nil, 404, ""},
		{"API empty", "POST", "/api/validate", "application/xml", nil, 400, `"code":400`},
		{"API 50 MB", "POST", "/api/validate/minimal", "application/xml", big, 413, `"code":413`},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp, b := request(t, c.method, url+c.path, c.contentType, c.body)
			if resp.StatusCode != c.status || !bytes.Contains(b, []byte(c.bodyHas)) {
				t.Fatalf("%d %.200s, want %d with %q", resp.StatusCode, b, c.status, c.bodyHas)
			}
			// The daemon still answers.
			if resp, _ := post(t, url+"/ok.xml", "application/xml", []byte("<x/>")); resp.StatusCode != 406 {
				t.Fatalf("after %s: %d, want 406", c.name, resp.StatusCode)
			}
		})
	}
}

// TestDaemonSlowClients opens 200 connections that send a request head and
// then trickle their bodies; a document posted meanwhile is answered at
// once, and the slow ones are cut at the read timeout.
func TestDaemonSlowClients(t *testing.T) {
	const readTimeout = 6 * time.Second
	url := newDaemon(t, Config{}, readTimeout)
	addr := strings.TrimPrefix(url, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 200 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /slow.xml HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 100000\r\n\r\n<Invoice")
	}
	start := time.Now()
	resp, _ := post(t, url+"/ok.xml", "application/xml", []byte("<x/>"))
	if resp.StatusCode != 406 || time.Since(start) > readTimeout/2 {
		t.Fatalf("beside 200 slow clients: %d after %v", resp.StatusCode, time.Since(start))
	}
	// Each slow client sends a byte a second: the read timeout ends them.
	var wg sync.WaitGroup
	cut := make(chan time.Duration, len(conns))
	for _, c := range conns {
		wg.Go(func() {
			begin := time.Now()
			buf := make([]byte, 512)
			for time.Since(begin) < 4*readTimeout {
				if _, err := c.Write([]byte(" ")); err != nil {
					cut <- time.Since(begin)
					return
				}
				c.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := c.Read(buf); err != nil && !isTimeout(err) {
					cut <- time.Since(begin)
					return
				}
			}
		})
	}
	wg.Wait()
	close(cut)
	if n := len(cut); n != len(conns) {
		t.Fatalf("%d of %d slow clients were cut by the read timeout", n, len(conns))
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestDaemonBodyBudget fills the body budget with a slow client's bytes:
// the next document is answered 503, and accepted again once the budget
// is free.
func TestDaemonBodyBudget(t *testing.T) {
	h := NewHandler(Config{MaxBytes: 1 << 20, BodyBudget: 64 << 10, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	pr, pw := io.Pipe()
	started := make(chan struct{})
	go func() {
		pw.Write(make([]byte, 60<<10))
		close(started)
	}()
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/slow.xml", pr))
		done <- rec.Code
	}()
	<-started
	for h.budget.Load() > 8<<10 {
		runtime.Gosched()
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/b.xml", bytes.NewReader(make([]byte, 16<<10))))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("over budget: %d, want 503 with Retry-After", rec.Code)
	}
	pw.Close()
	if code := <-done; code != http.StatusUnprocessableEntity {
		t.Fatalf("slow client: %d, want 422 (60 KB of zero bytes)", code)
	}
	if got := h.budget.Load(); got != 64<<10 {
		t.Fatalf("budget after the requests: %d, want %d", got, 64<<10)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/b.xml", strings.NewReader("<x/>")))
	if rec.Code != http.StatusNotAcceptable {
		t.Fatalf("after the budget is free: %d, want 406", rec.Code)
	}

	// A client that declares 32 MB and sends 100 bytes holds what it sent,
	// not what it declared: a 16 MB document beside it is read.
	const budget = 40 << 20
	h = NewHandler(Config{MaxBytes: 32 << 20, BodyBudget: budget, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	pr, pw = io.Pipe()
	go func() {
		req := httptest.NewRequest("POST", "/slow.xml", pr)
		req.ContentLength = 32 << 20
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	pw.Write(make([]byte, 100))
	for h.budget.Load() == budget {
		runtime.Gosched()
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/c.xml", bytes.NewReader(make([]byte, 16<<20))))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("16 MB beside a slow client that declared 32 MB: %d, want 422 (zero bytes)", rec.Code)
	}
	pw.Close()
	<-done
	if got := h.budget.Load(); got != budget {
		t.Fatalf("budget after the requests: %d, want %d", got, budget)
	}
}

// TestDaemonBodyLimit sends bodies over and under the size limit, with a
// declared length and chunked (length unknown until the end).
func TestDaemonBodyLimit(t *testing.T) {
	h := NewHandler(Config{MaxBytes: 1 << 20, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, c := range []struct {
		name    string
		size    int
		chunked bool
		status  int
	}{
		{"declared, over", 1<<20 + 1, false, 413},
		{"chunked, over", 1<<20 + 1, true, 413},
		{"declared, at the limit", 1 << 20, false, 422},
		{"chunked, at the limit", 1 << 20, true, 422},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/a.xml", bytes.NewReader(make([]byte, c.size)))
			if c.chunked {
				req.ContentLength = -1
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("%d, want %d", rec.Code, c.status)
			}
			if got := h.budget.Load(); got != 4<<20 {
				t.Fatalf("budget after the request: %d, want all of it back", got)
			}
		})
	}
}

// TestDaemonServer checks the daemon's GET endpoints, the 2.x API and the
// page.
func TestDaemonServer(t *testing.T) {
	dir, exp := readExpected(t)
	acceptedFile := firstOf(t, exp, func(e expectation) bool { return e.Accepted && strings.HasPrefix(e.File, "xrechnung-testsuite/") })
	rejectedFile := firstOf(t, exp, func(e expectation) bool { return e.Reason == "schematron" && e.Scenario != "" })
	accepted, err := os.ReadFile(filepath.Join(dir, acceptedFile))
	if err != nil {
		t.Fatal(err)
	}
	rejected, err := os.ReadFile(filepath.Join(dir, rejectedFile))
	if err != nil {
		t.Fatal(err)
	}
	url := newDaemon(t, Config{Engine: Engine{Version: "v-test"}}, 0)
	get := func(t *testing.T, path string) (*http.Response, []byte) { return request(t, "GET", url+path, "", nil) }
	t.Run("health", func(t *testing.T) {
		resp, b := get(t, "/server/health")
		d := etree.NewDocument()
		if err := d.ReadFromBytes(b); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		r := d.Root()
		if r.Tag != "health" || r.NamespaceURI() != healthNamespace || r.FindElement("status").Text() != "UP" ||
			r.FindElement("application/version").Text() != "v-test" {
			t.Fatalf("health: %s", b)
		}
		for _, m := range []string{"freeMemory", "maxMemory", "totalMemory"} {
			var n int64
			if _, err := fmt.Sscan(r.FindElement("memory/"+m).Text(), &n); err != nil || n <= 0 {
				t.Errorf("%s: %q", m, r.FindElement("memory/"+m).Text())
			}
		}
	})
	t.Run("config", func(t *testing.T) {
		resp, b := get(t, "/server/config")
		d := etree.NewDocument()
		if err := d.ReadFromBytes(b); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%d %v", resp.StatusCode, err)
		}
		sc := d.Root().SelectElements("scenario")
		if d.Root().NamespaceURI() != NamespaceScenarios || len(sc) != len(configScenarios()) {
			t.Fatalf("config: %d scenarios", len(sc))
		}
		// Each scenario named is one the validator selects.
		for _, s := range sc {
			if s.SelectElement("match") == nil || s.SelectElement("validateWithXmlSchema") == nil {
				t.Errorf("%s: no match or schema", s.SelectElement("name").Text())
			}
		}
	})
	t.Run("api validate", func(t *testing.T) {
		for _, c := range []struct {
			data                           []byte
			acceptance, schema, schematron string
		}{{accepted, "ACCEPTABLE", "true", "true"}, {rejected, "REJECT", "true", "false"}, {[]byte("<a"), "UNDEFINED", "false", "true"}} {
			resp, b := post(t, url+"/api/validate", "application/xml", c.data)
			h := resp.Header
			if resp.StatusCode != 200 || h.Get("X-VALIDATOR-Acceptance") != c.acceptance || h.Get("X-VALIDATOR-Schema-Valid") != c.schema || h.Get("X-VALIDATOR-Schematron-Valid") != c.schematron {
				t.Errorf("%d %v, want %s schema %s schematron %s", resp.StatusCode, h, c.acceptance, c.schema, c.schematron)
			}
			d := etree.NewDocument()
			if err := d.ReadFromBytes(b); err != nil || d.Root().Tag != "reports" || d.Root().NamespaceURI() != NamespaceXVRL || len(d.Root().SelectElements("report")) == 0 {
				t.Errorf("XVRL: %v %.300s", err, b)
			}
		}
	})
	t.Run("api minimal", func(t *testing.T) {
		req, _ := http.NewRequest("POST", url+"/api/validate/minimal", bytes.NewReader(rejected))
		req.Header.Set("Content-Type", "application/xml")
		req.Header.Set("Accept", "application/json")
		resp, b := do(t, req)
		var c Compact
		if err := json.Unmarshal(b, &c); err != nil || resp.Header.Get("Content-Type") != "application/json" || c.Rejected != 1 || len(c.Results) != 1 || c.Results[0].Acceptance != "REJECT" || c.Results[0].ErrorSummary == "" {
			t.Fatalf("JSON: %v %+v", err, c)
		}
		// XML by default, and a multipart upload as the 2.x server takes it.
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		fw, _ := mw.CreateFormFile("file", "upload.xml")
		fw.Write(accepted)
		mw.Close()
		resp, b = post(t, url+"/api/validate/minimal", mw.FormDataContentType(), mp.Bytes())
		d := etree.NewDocument()
		if err := d.ReadFromBytes(b); err != nil || resp.StatusCode != 200 || d.Root().NamespaceURI() != NamespaceCompact ||
			d.Root().SelectAttrValue("acceptable", "") != "1" || d.FindElement("//report").SelectAttrValue("ref", "") != "upload.xml" {
			t.Fatalf("XML: %d %v %.300s", resp.StatusCode, err, b)
		}
	})
	t.Run("quarkus health", func(t *testing.T) {
		for _, p := range []string{"/q/health", "/q/health/live", "/q/health/ready"} {
			resp, b := get(t, p)
			var v struct{ Status string }
			if err := json.Unmarshal(b, &v); err != nil || resp.StatusCode != 200 || v.Status != "UP" {
				t.Errorf("%s: %d %s", p, resp.StatusCode, b)
			}
		}
	})
	t.Run("page", func(t *testing.T) {
		resp, b := get(t, "/")
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`action="/server/ui"`)) {
			t.Fatalf("page: %d", resp.StatusCode)
		}
		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("xml", string(rejected))
		mw.CreateFormFile("file", "")
		mw.Close()
		resp, b = post(t, url+"/server/ui", mw.FormDataContentType(), mp.Bytes())
		rep, _ := invoice.NewValidator().Validate(context.Background(), rejected, invoice.Options{})
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(b, []byte("Ablehnung empfohlen")) {
			t.Fatalf("report page: %d %.300s", resp.StatusCode, b)
		}
		for _, f := range rep.Findings {
			if !bytes.Contains(b, []byte(f.Rule)) {
				t.Errorf("report page lacks %s", f.Rule)
			}
		}
	})
}

// TestDaemonOpenAPI checks the OpenAPI document against the routes: every
// path and method it names is served (not 404 or 405), every route is in
// it, and /q/openapi serves it.
func TestDaemonOpenAPI(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi.json: %v %q", err, doc.OpenAPI)
	}
	h := NewHandler(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			method := strings.ToUpper(m)
			documented[method+" "+p] = true
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(method, strings.ReplaceAll(p, "{document}", "x.xml"), strings.NewReader("<x/>")))
			if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d", method, p, rec.Code)
			}
		}
	}
	for _, r := range routes() {
		method, p, ok := strings.Cut(r.pattern, " ")
		if !ok { // a pattern for any method: the daemon answers GET or POST there
			method, p = "GET", r.pattern
			if p == "/" {
				method, p = "POST", "/{document}"
			}
		}
		p = strings.TrimSuffix(p, "{$}")
		if !documented[method+" "+p] {
			t.Errorf("route %q (%s %s) is not in openapi.json", r.pattern, method, p)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/q/openapi", nil))
	if !bytes.Equal(rec.Body.Bytes(), openAPIDocument) {
		t.Error("/q/openapi does not serve openapi.json")
	}
}

// typical returns the typical invoices of the speed goal: those of the
// XRechnung test suite under 64 KB (no embedded attachment).
func typical(b *testing.B) [][]byte {
	dir, exp := readExpected(b)
	var docs [][]byte
	for _, e := range exp {
		if !strings.HasPrefix(e.File, "xrechnung-testsuite/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			b.Fatal(err)
		}
		if len(data) < 64<<10 {
			docs = append(docs, data)
		}
	}
	return docs
}

// BenchmarkDaemon posts the typical invoices in turn from 16 concurrent
// clients over loopback and reports documents per second. The daemon runs
// in the test process, or where EINGANG_KOSIT_ADDR is set, is the one
// listening there (eingang validate --daemon in a process of its own).
func BenchmarkDaemon(b *testing.B) {
	docs := typical(b)
	url := "http://" + os.Getenv("EINGANG_KOSIT_ADDR")
	if url == "http://" {
		url = newDaemon(b, Config{}, 0)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			resp, err := client.Post(url+"/invoice.xml", "application/xml", bytes.NewReader(docs[i%len(docs)]))
			i++
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 && resp.StatusCode != 406 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "docs/s")
}

// BenchmarkDaemonHandler serves the typical invoices without the network,
// one request per op: B/op is what the daemon allocates per request.
func BenchmarkDaemonHandler(b *testing.B) {
	docs := typical(b)
	h := NewHandler(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/invoice.xml", bytes.NewReader(docs[i%len(docs)])))
		if rec.Code != 200 && rec.Code != 406 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkDaemonLarge serves one 30 MB document per op (a typical
// invoice with 30 MB of base64 attachment): B/op is the memory a request
// near the size limit needs.
func BenchmarkDaemonLarge(b *testing.B) {
	doc := typical(b)[0]
	i := bytes.Index(doc, []byte("<cac:AccountingSupplierParty>"))
	if i < 0 {
		b.Fatal("the first typical invoice is not UBL")
	}
	var big bytes.Buffer
	big.Write(doc[:i])
	big.WriteString(`<cac:AdditionalDocumentReference><cbc:ID>att</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="a.pdf">`)
	big.Write(bytes.Repeat([]byte("QUJD"), 30<<20/4))
	big.WriteString(`</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`)
	big.Write(doc[i:])
	h := NewHandler(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	b.SetBytes(int64(big.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/large.xml", bytes.NewReader(big.Bytes())))
		if rec.Code != 200 && rec.Code != 406 {
			b.Fatalf("status %d: %.300s", rec.Code, rec.Body.Bytes())
		}
	}
}
