package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	validator "github.com/pb33f/libopenapi-validator"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

type env struct {
	srv                *httptest.Server
	tokA, tokB, tokOps string
	tokAudA, tokAudB   string // auditors of A (weimarer-land) and B (erfurt)
	// addr, when set, is the client address of every request with a
	// token; else each such request comes from an address of its own, so
	// that the API's throttle of unknown tokens stays out of the way.
	addr  string
	calls atomic.Int64
	pipe  *ingest.Pipeline
	api   validator.Validator // checks every answer of do against openapi.json
}

func fixture(t testing.TB) []byte {
	b, err := os.ReadFile("../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newEnv(t testing.TB, maxBody int64, rate float64) *env {
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newEnvStore(t, st, maxBody, rate)
}

// newEnvStore is newEnv on the given store.
func newEnvStore(t testing.TB, st store.Store, maxBody int64, rate float64) *env {
	return newEnvWith(t, st, maxBody, rate, nil)
}

// newEnvWith is newEnvStore with the pipeline's configuration changed by
// configure, if not nil.
func newEnvWith(t testing.TB, st store.Store, maxBody int64, rate float64, configure func(*ingest.Config)) *env {
	e := &env{api: apiValidator(t)}
	var hA, hB, hOps, hAudA, hAudB string
	e.tokA, hA, _ = directory.NewToken()
	e.tokB, hB, _ = directory.NewToken()
	e.tokOps, hOps, _ = directory.NewToken()
	e.tokAudA, hAudA, _ = directory.NewToken()
	e.tokAudB, hAudB, _ = directory.NewToken()
	dir, err := directory.Parse([]byte(fmt.Sprintf(`
municipalities:
  - {id: weimarer-land, name: Landkreis Weimarer Land, leitweg_ids: ["16071"], tokens_sha256: [%q], tokens: [{name: Prüfung A, sha256: %q, role: auditor}]}
  - {id: erfurt, name: Landeshauptstadt Erfurt, leitweg_ids: ["16051000"], tokens_sha256: [%q], tokens: [{name: Prüfung B, sha256: %q, role: auditor}]}
operators:
  tokens_sha256: [%q]
`, hA, hAudA, hB, hAudB, hOps)))
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := ingest.NewMetrics(reg)
	v := invoice.NewValidator()
	cfg := ingest.Config{Store: st, Validator: v, Directory: func() *directory.Directory { return dir }, Metrics: m}
	if configure != nil {
		configure(&cfg)
	}
	e.pipe, err = ingest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pipe.Wait) // the removals of pending markers Submit leaves running
	// The test's client is a trusted proxy: do names the client address
	// (env.addr).
	local, _ := ParseTrustedProxies([]string{"127.0.0.0/8", "::1"})
	e.srv = httptest.NewServer(New(Config{Pipeline: e.pipe, Directory: func() *directory.Directory { return dir }, Gatherer: reg, MaxBody: maxBody, UploadRate: rate, UploadBurst: 2, TrustedProxies: local, Metrics: m}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) do(t testing.TB, method, path, token, ctype string, body []byte) (*http.Response, []byte) {
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		addr := e.addr
		if addr == "" {
			n := e.calls.Add(1)
			addr = fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
		}
		req.Header.Set("X-Forwarded-For", addr)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkAnswer(t, e.api, req, resp, b)
	return resp, b
}

type upload struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	Accepted     bool    `json:"accepted"`
	Municipality *string `json:"municipality"`
	ReceiptToken string  `json:"receipt_token"`
	Reason       string  `json:"reason"`
	Code         string  `json:"code"`
}

func decode(t testing.TB, b []byte) upload {
	var u upload
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return u
}

func TestUpload(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	doc := fixture(t)
	resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", doc)
	u := decode(t, body)
	if resp.StatusCode != 201 || u.Status != "routed" || u.Municipality == nil || *u.Municipality != "weimarer-land" || u.ReceiptToken == "" {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", "text/xml; charset=utf-8", doc)
	if d := decode(t, body); resp.StatusCode != 200 || d.Status != "duplicate" || d.ID != u.ID {
		t.Fatalf("duplicate: %d %s", resp.StatusCode, body)
	}
	// multipart, with another invoice number, to clearing (unknown Leitweg-ID)
	other := bytes.Replace(bytes.Replace(doc, []byte("RE-2026-0042"), []byte("RE-9"), 1), []byte("<cbc:BuyerReference>16071103-0001-17"), []byte("<cbc:BuyerReference>16071103-0001-18"), 1)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	fw, _ := mw.CreateFormFile("file", "re-9.xml")
	fw.Write(other)
	mw.WriteField("sender", "buchhaltung@example.org")
	mw.Close()
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", mw.FormDataContentType(), mp.Bytes())
	if c := decode(t, body); resp.StatusCode != 201 || c.Status != "clearing" || !strings.Contains(c.Reason, "check digits") {
		t.Fatalf("clearing: %d %s", resp.StatusCode, body)
	}
	// rejected
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", []byte("<Invoice>broken"))
	if r := decode(t, body); resp.StatusCode != 422 || r.Status != "rejected" || r.Accepted {
		t.Fatalf("rejected: %d %s", resp.StatusCode, body)
	}
	// bad requests
	for _, c := range []struct {
		ctype string
		body  []byte
		code  int
		pcode string
	}{
		{"image/png", []byte("\x89PNG"), 415, "unsupported-media-type"},
		{"application/pdf", []byte("%PDF"), 422, "not-pdf"}, // hybrid PDFs: TestHybridUpload
		{"", doc, 415, "unsupported-media-type"},
		{"application/xml", nil, 400, "empty-body"},
		{"application/xml", bytes.Repeat([]byte("x"), 2<<20), 413, "too-large"},
		{"multipart/form-data; boundary=zzz", []byte("--zzz\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--zzz--\r\n"), 400, "bad-request"},
		{"multipart/form-data; boundary=zzz", []byte("garbage"), 400, "bad-request"},
	} {
		resp, body := e.do(t, "POST", "/api/v1/invoices", "", c.ctype, c.body)
		var pd struct{ Code string }
		json.Unmarshal(body, &pd)
		if resp.StatusCode != c.code || pd.Code != c.pcode || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%q (%d bytes): %d %s, want %d %s", c.ctype, len(c.body), resp.StatusCode, body, c.code, c.pcode)
		}
	}
	// status for the sender
	resp, body = e.do(t, "GET", "/api/v1/invoices/"+u.ID, u.ReceiptToken, "", nil)
	if s := decode(t, body); resp.StatusCode != 200 || s.Status != "routed" {
		t.Errorf("status: %d %s", resp.StatusCode, body)
	}
	// validate only: nothing stored
	resp, body = e.do(t, "POST", "/api/v1/validate", "", "application/xml", doc)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"accepted":true`)) {
		t.Errorf("validate: %d %s", resp.StatusCode, body)
	}
}

// TestAccessMatrix checks every role against every protected endpoint: no
// token is 401, a wrong role 403, another municipality's invoice 404.
func TestAccessMatrix(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	inA := decode(t, body) // in weimarer-land's inbox
	other := bytes.Replace(bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-C"), 1), []byte("<cbc:BuyerReference>16071103-0001-17"), []byte("<cbc:BuyerReference>16071103-0001-18"), 1)
	_, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", other)
	inClearing := decode(t, body)

	roles := map[string]string{"none": "", "bogus": "egt_bogus", "A": e.tokA, "B": e.tokB, "ops": e.tokOps, "receipt": inA.ReceiptToken}
	type ep struct{ method, path, ctype, body string }
	eps := map[string]ep{
		"inbox":      {"GET", "/api/v1/inbox?status=all", "", ""},
		"entry":      {"GET", "/api/v1/inbox/" + inA.ID, "", ""},
		"original":   {"GET", "/api/v1/inbox/" + inA.ID + "/original", "", ""},
		"report":     {"GET", "/api/v1/inbox/" + inA.ID + "/report", "", ""},
		"view":       {"GET", "/api/v1/inbox/" + inA.ID + "/view", "", ""},
		"clearing":   {"GET", "/api/v1/clearing", "", ""},
		"abandoned":  {"GET", "/api/v1/abandoned", "", ""},
		"status":     {"GET", "/api/v1/invoices/" + inA.ID, "", ""},
		"route":      {"POST", "/api/v1/clearing/" + inClearing.ID + "/route", "application/json", `{"municipality":"erfurt"}`},
		"ack":        {"POST", "/api/v1/inbox/" + inA.ID + "/ack", "", ""},
		"entry-miss": {"GET", "/api/v1/inbox/01a20ac3-58bc-74e5-8720-1c77b82ef379", "", ""},
		"entry-junk": {"GET", "/api/v1/inbox/..%2f..%2fetc", "", ""},
	}
	want := map[string]map[string]int{
		"inbox":      {"none": 401, "bogus": 401, "A": 200, "B": 200, "ops": 403, "receipt": 401},
		"entry":      {"none": 401, "bogus": 401, "A": 200, "B": 404, "ops": 403, "receipt": 401},
		"original":   {"none": 401, "bogus": 401, "A": 200, "B": 404, "ops": 403, "receipt": 401},
		"report":     {"none": 401, "bogus": 401, "A": 200, "B": 404, "ops": 403, "receipt": 401},
		"view":       {"none": 401, "bogus": 401, "A": 200, "B": 404, "ops": 403, "receipt": 401},
		"clearing":   {"none": 401, "bogus": 401, "A": 403, "B": 403, "ops": 200, "receipt": 401},
		"abandoned":  {"none": 401, "bogus": 401, "A": 403, "B": 403, "ops": 200, "receipt": 401},
		"status":     {"none": 401, "bogus": 404, "A": 404, "B": 404, "ops": 404, "receipt": 200},
		"entry-miss": {"none": 401, "bogus": 401, "A": 404, "B": 404, "ops": 403, "receipt": 401},
		"entry-junk": {"none": 401, "bogus": 401, "A": 404, "B": 404, "ops": 403, "receipt": 401},
	}
	for name, ep := range eps {
		if want[name] == nil {
			continue
		}
		for role, tok := range roles {
			resp, body := e.do(t, ep.method, ep.path, tok, ep.ctype, []byte(ep.body))
			if resp.StatusCode != want[name][role] {
				t.Errorf("%s as %s: %d, want %d (%s)", name, role, resp.StatusCode, want[name][role], body)
			}
		}
	}
	// B's inbox does not list A's invoice; A's does.
	_, body = e.do(t, "GET", "/api/v1/inbox?status=all", e.tokB, "", nil)
	if bytes.Contains(body, []byte(inA.ID)) {
		t.Error("B's inbox lists A's invoice")
	}
	_, body = e.do(t, "GET", "/api/v1/inbox", e.tokA, "", nil)
	if !bytes.Contains(body, []byte(inA.ID)) {
		t.Errorf("A's inbox misses its invoice: %s", body)
	}
	// The original is byte-identical, with its hash.
	resp, body := e.do(t, "GET", "/api/v1/inbox/"+inA.ID+"/original", e.tokA, "", nil)
	sum := sha256.Sum256(fixture(t))
	if !bytes.Equal(body, fixture(t)) || resp.Header.Get("X-Content-SHA256") != hex.EncodeToString(sum[:]) {
		t.Error("original differs or lacks its hash")
	}
	// The view is a page of the invoice that may run no script.
	resp, body = e.do(t, "GET", "/api/v1/inbox/"+inA.ID+"/view", e.tokA, "", nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") ||
		!bytes.Contains(body, []byte(`<span id="number">RE-2026-0042</span>`)) {
		t.Errorf("view: %s %q\n%s", resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"), body)
	}
	// Writes: B and operators cannot acknowledge A's invoice; A can.
	for role, code := range map[string]int{"none": 401, "B": 404, "ops": 403, "A": 200} {
		resp, body := e.do(t, "POST", "/api/v1/inbox/"+inA.ID+"/ack", roles[role], "", nil)
		if resp.StatusCode != code {
			t.Errorf("ack as %s: %d, want %d (%s)", role, resp.StatusCode, code, body)
		}
	}
	for role, code := range map[string]int{"none": 401, "A": 403, "ops": 200} {
		resp, body := e.do(t, "POST", "/api/v1/clearing/"+inClearing.ID+"/route", roles[role], "application/json", []byte(`{"municipality":"erfurt"}`))
		if resp.StatusCode != code {
			t.Errorf("route as %s: %d, want %d (%s)", role, resp.StatusCode, code, body)
		}
	}
	_, body = e.do(t, "GET", "/api/v1/inbox", e.tokB, "", nil)
	if !bytes.Contains(body, []byte(inClearing.ID)) {
		t.Errorf("Erfurt's inbox misses the routed invoice: %s", body)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, 1<<20, 0.001)
	codes := map[int]int{}
	for i := 0; i < 4; i++ {
		resp, _ := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", []byte("<x/>"))
		codes[resp.StatusCode]++
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	if codes[429] != 2 {
		t.Errorf("codes %v, want 2 uploads let through (burst) and 2 limited", codes)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready", "/metrics": `eingang_submissions_total{channel="upload",outcome="routed"} 1`} {
		resp, body := e.do(t, "GET", path, "", "", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(want)) {
			t.Errorf("%s: %d, want %q in the body", path, resp.StatusCode, want)
		}
	}
}

// downStore is a filesystem store whose writes and pings meet an outage.
type downStore struct{ store.Store }

func (downStore) Put(context.Context, string, io.Reader, int64) error {
	return fmt.Errorf("down: %w", store.ErrUnavailable)
}

func (downStore) Ping(context.Context) error { return fmt.Errorf("down: %w", store.ErrUnavailable) }

// TestStoreUnavailable checks that an outage of the archive is a 503 with
// Retry-After for the sender and makes the gateway not ready.
func TestStoreUnavailable(t *testing.T) {
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvStore(t, downStore{st}, 1<<20, 0)
	resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	var pd struct{ Code string }
	json.Unmarshal(body, &pd)
	if resp.StatusCode != 503 || pd.Code != "store-unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("upload: %d %s", resp.StatusCode, body)
	}
	if resp, body := e.do(t, "GET", "/readyz", "", "", nil); resp.StatusCode != 503 {
		t.Errorf("readyz: %d %s", resp.StatusCode, body)
	}
}
