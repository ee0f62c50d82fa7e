package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/store"
)

// trail is an answer of GET /api/v1/audit or of an entry's history.
type trail struct {
	Records []ingest.AuditRecord `json:"records"`
}

func actions(recs []ingest.AuditRecord) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Actor+":"+r.Action)
	}
	return strings.Join(out, " ")
}

// TestAuditAPI: reading through the API with a token is recorded like
// reading through the pages; an entry's history is its municipality's
// clerks' and auditors' only, the trail its auditors' and the operators';
// an auditor exports a period as JSON and as CSV.
func TestAuditAPI(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	inA := decode(t, body) // in A's (weimarer-land's) inbox
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/inbox/" + inA.ID},
		{"GET", "/api/v1/inbox/" + inA.ID + "/original"},
		{"GET", "/api/v1/inbox/" + inA.ID + "/report"},
		{"POST", "/api/v1/inbox/" + inA.ID + "/ack"},
	} {
		if resp, body := e.do(t, c.method, c.path, e.tokA, "", nil); resp.StatusCode != 200 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
	// An auditor reads; it cannot acknowledge.
	if resp, _ := e.do(t, "POST", "/api/v1/inbox/"+inA.ID+"/ack", e.tokAudA, "", nil); resp.StatusCode != 403 {
		t.Errorf("an auditor acknowledged: %d", resp.StatusCode)
	}
	e.do(t, "GET", "/api/v1/inbox/"+inA.ID+"/view", e.tokAudA, "", nil)

	wantHistory := "ba53f6f0:view ba53f6f0:download-original ba53f6f0:download-report ba53f6f0:acknowledge Prüfung A:view"
	wantHistory = strings.ReplaceAll(wantHistory, "ba53f6f0", e.nameOf(t, e.tokA))
	today := time.Now().UTC().Format(time.DateOnly)
	for _, c := range []struct {
		who, token, path string
		code             int
		want             string // the actions listed, for a 200
	}{
		{"A's clerk", e.tokA, "/api/v1/inbox/" + inA.ID + "/history", 200, wantHistory},
		{"A's auditor", e.tokAudA, "/api/v1/inbox/" + inA.ID + "/history", 200, wantHistory},
		{"B's clerk", e.tokB, "/api/v1/inbox/" + inA.ID + "/history", 404, ""},
		{"B's auditor", e.tokAudB, "/api/v1/inbox/" + inA.ID + "/history", 404, ""},
		{"an operator", e.tokOps, "/api/v1/inbox/" + inA.ID + "/history", 403, ""},
		{"A's clerk", e.tokA, "/api/v1/audit?from=" + today + "&to=" + today, 403, ""},
		{"B's clerk", e.tokB, "/api/v1/audit?from=" + today + "&to=" + today, 403, ""},
		{"B's auditor", e.tokAudB, "/api/v1/audit?from=" + today + "&to=" + today, 200, ""},
		{"B's auditor, A's trail", e.tokAudB, "/api/v1/audit?municipality=weimarer-land&from=" + today + "&to=" + today, 403, ""},
		{"A's auditor", e.tokAudA, "/api/v1/audit?from=" + today + "&to=" + today, 200, wantHistory},
		{"an operator, A", e.tokOps, "/api/v1/audit?municipality=weimarer-land&from=" + today + "&to=" + today, 200, wantHistory + " Prüfung A:read-trail"},
		{"A's auditor, yesterday", e.tokAudA, "/api/v1/audit?from=2026-01-01&to=" + time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), 200, ""},
		{"a bad period", e.tokAudA, "/api/v1/audit?from=" + today + "&to=2026-01-01", 400, ""},
		{"no period", e.tokAudA, "/api/v1/audit", 400, ""},
		{"a bad format", e.tokAudA, "/api/v1/audit?format=xml&from=" + today + "&to=" + today, 400, ""},
		{"an unknown municipality", e.tokOps, "/api/v1/audit?municipality=nowhere&from=" + today + "&to=" + today, 400, ""},
	} {
		resp, body := e.do(t, "GET", c.path, c.token, "", nil)
		if resp.StatusCode != c.code {
			t.Errorf("%s: %s: %d, want %d: %s", c.who, c.path, resp.StatusCode, c.code, body)
			continue
		}
		if c.code != 200 {
			continue
		}
		var tr trail
		if err := json.Unmarshal(body, &tr); err != nil {
			t.Fatal(err)
		}
		got := actions(tr.Records)
		// A trail ends with the reads of the trail itself before this one.
		if strings.Contains(c.path, "/audit?") {
			got = strings.TrimSpace(strings.ReplaceAll(got, "Prüfung A:read-trail", ""))
			c.want = strings.TrimSpace(strings.ReplaceAll(c.want, "Prüfung A:read-trail", ""))
		}
		if got != c.want {
			t.Errorf("%s: %s:\n got %s\nwant %s", c.who, c.path, got, c.want)
		}
		for _, r := range tr.Records {
			if r.Address == "" || r.Gateway == "" || r.Via != "api" || r.Role == "" {
				t.Errorf("%s: a record without address, gateway, via or role: %+v", c.who, r)
			}
		}
	}
	// The operator's whole export has the routed invoice's trail and the
	// gateway's; the CSV has the same records as the JSON.
	resp, body := e.do(t, "GET", "/api/v1/audit?format=csv&from="+today+"&to="+today, e.tokAudA, "", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	_, jsonBody := e.do(t, "GET", "/api/v1/audit?format=json&from="+today+"&to="+today, e.tokAudA, "", nil)
	var tr trail
	json.Unmarshal(jsonBody, &tr)
	if len(rows) != len(tr.Records) || strings.Join(rows[0], ",") != "at,actor,role,municipality,action,ids,address,gateway,via" {
		t.Fatalf("csv %d rows (with the header), json %d records: %v", len(rows), len(tr.Records), rows[0])
	}
	for i, row := range rows[1:] {
		if row[1] != tr.Records[i].Actor || row[4] != tr.Records[i].Action || row[5] != strings.Join(tr.Records[i].IDs, " ") {
			t.Errorf("csv row %d %v, json %+v", i, row, tr.Records[i])
		}
	}
}

// nameOf returns the name the directory gives a token.
func (e *env) nameOf(t *testing.T, token string) string {
	who, ok := e.pipe.Authenticate(token)
	if !ok {
		t.Fatal("unknown token")
	}
	return who.Actor
}

// auditFaultStore refuses every write of the audit trail.
type auditFaultStore struct{ store.Store }

func (f auditFaultStore) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	if strings.HasPrefix(key, "audit") {
		return errors.Join(store.ErrUnavailable, errors.New("audit disk gone"))
	}
	return f.Store.Create(ctx, key, r, size, opts)
}

// TestAuditWriteFails: where the audit trail cannot be written, the
// reads, downloads, acknowledgement and routing answer 503 and are not
// done.
func TestAuditWriteFails(t *testing.T) {
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvStore(t, auditFaultStore{st}, 1<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	inA := decode(t, body)
	other := bytes.Replace(bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-C"), 1), []byte("<cbc:BuyerReference>16071103-0001-17"), []byte("<cbc:BuyerReference>16071103-0001-18"), 1)
	_, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", other)
	inClearing := decode(t, body)
	for _, c := range []struct {
		method, path, token, ctype, body string
	}{
		{"GET", "/api/v1/inbox/" + inA.ID, e.tokA, "", ""},
		{"GET", "/api/v1/inbox/" + inA.ID + "/original", e.tokA, "", ""},
		{"GET", "/api/v1/inbox/" + inA.ID + "/report", e.tokA, "", ""},
		{"GET", "/api/v1/inbox/" + inA.ID + "/view", e.tokAudA, "", ""},
		{"GET", "/api/v1/inbox/" + inA.ID + "/attachments/1", e.tokA, "", ""},
		{"POST", "/api/v1/inbox/" + inA.ID + "/ack", e.tokA, "", ""},
		{"POST", "/api/v1/clearing/" + inClearing.ID + "/route", e.tokOps, "application/json", `{"municipality":"erfurt"}`},
		{"GET", "/api/v1/audit?from=2026-01-01&to=2026-01-02", e.tokOps, "", ""},
	} {
		resp, body := e.do(t, c.method, c.path, c.token, c.ctype, []byte(c.body))
		if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte(`"audit-unavailable"`)) || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s %s: %d %s, want 503 audit-unavailable", c.method, c.path, resp.StatusCode, body)
		}
		if bytes.Contains(body, []byte("<?xml")) || bytes.Contains(body, []byte("RE-2026-0042")) {
			t.Errorf("%s %s: the answer has the invoice", c.method, c.path)
		}
	}
	ctx := context.Background()
	if o, err := e.pipe.InboxEntry(ctx, "weimarer-land", inA.ID); err != nil || !o.AcknowledgedAt.IsZero() {
		t.Errorf("acknowledged without a record: %+v %v", o, err)
	}
	if _, err := e.pipe.ClearingEntry(ctx, inClearing.ID); err != nil {
		t.Errorf("routed without a record: %v", err)
	}
	// The list of the inbox is no read of an entry and needs no record.
	if resp, _ := e.do(t, "GET", "/api/v1/inbox", e.tokA, "", nil); resp.StatusCode != 200 {
		t.Errorf("inbox list: %d", resp.StatusCode)
	}
}

// TestAuditTokenThrottle: unknown bearer tokens from one address are
// throttled (429 with Retry-After, the right token too while it lasts),
// counted as failed logins, and leave other addresses alone.
func TestAuditTokenThrottle(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	e.addr = "203.0.113.5"
	for i := range 5 {
		if resp, _ := e.do(t, "GET", "/api/v1/inbox", "egt_guess", "", nil); resp.StatusCode != 401 {
			t.Fatalf("guess %d: %d, want 401", i, resp.StatusCode)
		}
	}
	// The fifth closed the address.
	resp, _ := e.do(t, "GET", "/api/v1/inbox", e.tokA, "", nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("while closed: %d %q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	e.addr = "203.0.113.6"
	if resp, _ := e.do(t, "GET", "/api/v1/inbox", e.tokA, "", nil); resp.StatusCode != 200 {
		t.Errorf("another address: %d", resp.StatusCode)
	}
	_, metrics := e.do(t, "GET", "/metrics", "", "", nil)
	for _, want := range []string{`eingang_login_failures_total{reason="api-token"} 5`, "eingang_login_throttled_total 1"} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
