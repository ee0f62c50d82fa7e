package web

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/eingang/eingang/invoice"
)

// fixtureAttachment is the file the fixture embeds.
func fixtureAttachment(t testing.TB) []byte {
	root, err := invoice.Parse(fixture(t), invoice.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := invoice.Read(root)
	if err != nil || len(inv.Attachments) != 1 {
		t.Fatalf("fixture attachments: %v", err)
	}
	b, err := inv.Attachments[0].Content()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAttachment downloads the fixture's embedded file as municipal
// accounting: the bytes as embedded, as a download that is never shown
// inline, with the view's authorisation.
func TestAttachment(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	in := decode(t, body)
	path := "/api/v1/inbox/" + in.ID + "/attachments/"

	resp, body := e.do(t, "GET", path+"1", e.tokA, "", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, fixtureAttachment(t)) {
		t.Fatalf("attachment: %d %q", resp.StatusCode, body)
	}
	for h, want := range map[string]string{
		"Content-Type":            "application/octet-stream",
		"Content-Disposition":     `attachment; filename=leistungsnachweis.csv`,
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "default-src 'none'; sandbox",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	for _, c := range []struct {
		who, token, n string
		code          int
	}{
		{"none", "", "1", 401},
		{"other municipality", e.tokB, "1", 404},
		{"operator", e.tokOps, "1", 403},
		{"receipt", in.ReceiptToken, "1", 401},
		{"A, out of range", e.tokA, "2", 404},
		{"A, zero", e.tokA, "0", 404},
		{"A, not a number", e.tokA, "x", 404},
	} {
		if resp, body := e.do(t, "GET", path+c.n, c.token, "", nil); resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d (%s)", c.who, resp.StatusCode, c.code, body)
		}
	}
	// The view links the attachment relative to itself.
	_, page := e.do(t, "GET", "/api/v1/inbox/"+in.ID+"/view", e.tokA, "", nil)
	if !bytes.Contains(page, []byte(`href="attachments/1"`)) {
		t.Error("the view does not link the attachment")
	}
}

// TestReportJSON checks that the API writes reject_reason null for an
// accepted invoice, as the command line does, and ends the report with a
// newline.
func TestReportJSON(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	in := decode(t, body)
	_, report := e.do(t, "GET", "/api/v1/inbox/"+in.ID+"/report", e.tokA, "", nil)
	_, validated := e.do(t, "POST", "/api/v1/validate", "", "application/xml", fixture(t))
	for name, b := range map[string][]byte{"report": report, "validate": validated} {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v: %s", name, err, b)
		}
		if v, ok := m["reject_reason"]; !ok || v != nil {
			t.Errorf("%s: reject_reason %#v, want null", name, v)
		}
		if !strings.HasSuffix(string(b), "}\n") {
			t.Errorf("%s does not end with a newline: %q", name, b[max(0, len(b)-10):])
		}
	}
}
