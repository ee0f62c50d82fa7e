package web

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/hybrid"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/store"
)

// hybridAnswer is what the hybrid tests read of an answer.
type hybridAnswer struct {
	ID                string `json:"id"`
	Status            any    `json:"status"` // a string, or a problem's number
	Accepted          bool   `json:"accepted"`
	Format            string `json:"format"`
	Profile           string `json:"profile"`
	Malware           string `json:"malware"`
	RejectReason      string `json:"reject_reason"`
	LikelyDuplicateOf string `json:"likely_duplicate_of"`
	Code              string `json:"code"`
	Detail            string `json:"detail"`
	DetailDE          string `json:"detail_de"`
	Kept              *bool  `json:"kept"`
}

func hybridDecode(t testing.TB, b []byte) hybridAnswer {
	t.Helper()
	var a hybridAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return a
}

// multipartFile is a multipart form with the field file.
func multipartFile(t testing.TB, name string, data []byte) (ctype string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	f, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(data)
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestHybridUpload sends a ZUGFeRD / Factur-X PDF through the API: as
// application/pdf it is filed (format pdf, its profile), as a multipart
// file again it is a duplicate; accounting gets the PDF as the original
// and the invoice XML from /xml; the same XML bare is filed again and
// flagged as a likely duplicate for the clerk.
func TestHybridUpload(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	xml := fixture(t)
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")

	resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/pdf", pdf)
	up := hybridDecode(t, body)
	if resp.StatusCode != 201 || up.Status != "routed" || up.Format != "pdf" || up.Profile != hybrid.ProfileXRechnung {
		t.Fatalf("PDF upload: %d %s", resp.StatusCode, body)
	}
	ctype, form := multipartFile(t, "rechnung.pdf", pdf)
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", ctype, form)
	if again := hybridDecode(t, body); resp.StatusCode != 200 || again.Status != "duplicate" || again.ID != up.ID {
		t.Fatalf("the same PDF as a form: %d %s", resp.StatusCode, body)
	}

	base := "/api/v1/inbox/" + up.ID
	resp, body = e.do(t, "GET", base+"/original", e.tokA, "", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, pdf) || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-SHA256") != sha(pdf) {
		t.Errorf("original: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-SHA256"))
	}
	resp, body = e.do(t, "GET", base+"/xml", e.tokA, "", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, xml) || resp.Header.Get("Content-Type") != "application/xml" || resp.Header.Get("X-Content-SHA256") != sha(xml) {
		t.Errorf("xml: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-SHA256"))
	}
	if resp, _ := e.do(t, "GET", base+"/xml", e.tokB, "", nil); resp.StatusCode != 404 {
		t.Errorf("xml for another municipality: %d, want 404", resp.StatusCode)
	}
	// Both downloads are in the entry's history, in their order.
	_, body = e.do(t, "GET", base+"/history", e.tokA, "", nil)
	var h struct{ Records []struct{ Action string } }
	if err := json.Unmarshal(body, &h); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, r := range h.Records {
		actions = append(actions, r.Action)
	}
	if got := strings.Join(actions, " "); !strings.HasSuffix(got, ingest.AuditDownloadOriginal+" "+ingest.AuditDownloadXML) {
		t.Errorf("history %q, want the original's and the XML's download last", got)
	}
	if resp, body := e.do(t, "GET", base+"/view", e.tokA, "", nil); resp.StatusCode != 200 || !bytes.Contains(body, []byte("RE-2026-0042")) {
		t.Errorf("view of a hybrid: %d", resp.StatusCode)
	}
	_, body = e.do(t, "GET", base, e.tokA, "", nil)
	if entry := hybridDecode(t, body); entry.Format != "pdf" || entry.Profile != hybrid.ProfileXRechnung {
		t.Errorf("inbox entry: %s", body)
	}

	resp, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", xml)
	bare := hybridDecode(t, body)
	if resp.StatusCode != 201 || bare.ID == up.ID || bare.Format != "xml" {
		t.Fatalf("the XML bare: %d %s", resp.StatusCode, body)
	}
	_, body = e.do(t, "GET", "/api/v1/inbox/"+bare.ID, e.tokA, "", nil)
	if entry := hybridDecode(t, body); entry.LikelyDuplicateOf != up.ID {
		t.Errorf("bare XML's entry: %s, want likely_duplicate_of %s", body, up.ID)
	}
	// An XML invoice's /xml is its original.
	if resp, body := e.do(t, "GET", "/api/v1/inbox/"+bare.ID+"/xml", e.tokA, "", nil); resp.StatusCode != 200 || !bytes.Equal(body, xml) {
		t.Errorf("xml of an XML invoice: %d", resp.StatusCode)
	}

	// Validation only: the PDF's XML is validated, nothing is kept.
	resp, body = e.do(t, "POST", "/api/v1/validate", "", "application/pdf", pdf)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"accepted":true`)) {
		t.Errorf("validate a PDF: %d %s", resp.StatusCode, body)
	}
}

// TestHybridUploadRefused sends every kind of bad PDF: each is a problem
// with its stable code and texts in English and German, and nothing is
// kept.
func TestHybridUploadRefused(t *testing.T) {
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	xml := fixture(t)
	good := testenv.HybridPDF(t, xml, "XRECHNUNG")
	noise := make([]byte, 100<<10)
	rand.Read(noise)
	big := testenv.HybridPDF(t, append(bytes.Clone(xml), []byte("<!--"+hex.EncodeToString(noise)+"-->")...), "XRECHNUNG")
	e := newEnvWith(t, st, 2<<20, 0, func(c *ingest.Config) { c.PDFLimits.MaxBytes = int64(len(good)) * 3 })
	deep := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Deep " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + " >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		code   string
	}{
		{"declared PDF, is not", []byte("eine Rechnung als Text"), 422, hybrid.CodeNotPDF},
		{"encrypted", testenv.EncryptPDF(t, good, "geheim"), 422, hybrid.CodeEncrypted},
		{"no embedded XML", testenv.PDF(t, ""), 422, hybrid.CodeNoXML},
		{"two candidates", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "factur-x.xml", Data: xml}, testenv.EmbeddedFile{Name: "xrechnung.xml", Data: xml}), 422, hybrid.CodeTwoXML},
		{"XML not well-formed", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "factur-x.xml", Data: xml[:len(xml)/2]}), 422, hybrid.CodeXMLNotWellFormed},
		{"over the PDF limit", big, 413, hybrid.CodeTooLarge},
		{"unreadable", good[:len(good)/2], 422, hybrid.CodeUnreadable},
		{"bomb", []byte(deep), 422, hybrid.CodePDFBomb},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/invoices", "/api/v1/validate"} {
				resp, body := e.do(t, "POST", path, "", "application/pdf", c.data)
				a := hybridDecode(t, body)
				if resp.StatusCode != c.status || a.Code != c.code || a.Detail == "" || a.DetailDE == "" || a.Kept == nil || *a.Kept {
					t.Errorf("%s: %d %s, want %d %s with detail, detail_de, kept false", path, resp.StatusCode, body, c.status, c.code)
				}
				if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s: %s, want a problem", path, resp.Header.Get("Content-Type"))
				}
			}
		})
	}
	if l, err := e.pipe.Clearing(t.Context(), "", 10); err != nil || len(l) != 0 {
		t.Errorf("clearing %v %v", l, err)
	}
	e.pipe.Wait() // the markers of what was filed go after the answers
	for _, prefix := range []string{"pending/", "rejected/", "dedup/", "dedup-xml/"} {
		if l, err := st.List(t.Context(), prefix, "", 10); err != nil || len(l) != 0 {
			t.Errorf("%s holds %d objects: something was kept", prefix, len(l))
		}
	}
	// The good PDF still goes through.
	if resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/pdf", good); resp.StatusCode != 201 {
		t.Errorf("good PDF: %d %s", resp.StatusCode, body)
	}
	if l, err := st.List(t.Context(), "dedup/", "", 10); err != nil || len(l) != 1 {
		t.Errorf("dedup/ after a good PDF: %d objects, %v", len(l), err)
	}
}

// TestClamAVUpload scans uploads with a real clamd: an invoice whose
// embedded file (BG-24) is EICAR is rejected as malware and listed for
// operators; a clean one is filed; with clamd stopped the upload is a
// 503 scan-unavailable and nothing is kept.
func TestClamAVUpload(t *testing.T) {
	d := testenv.StartClamd(t, "")
	c, err := clamav.New(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, st, 1<<20, 0, func(cfg *ingest.Config) { cfg.Scanner = c })
	eicar := bytes.Replace(testenv.WithEmbedded(t, fixture(t), []byte(testenv.EICAR)), []byte("RE-2026-0042"), []byte("RE-EICAR"), 1)

	resp, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	if resp.StatusCode != 201 {
		t.Fatalf("clean: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", "application/pdf", testenv.HybridPDF(t, eicar, "XRECHNUNG"))
	bad := hybridDecode(t, body)
	if resp.StatusCode != 422 || bad.RejectReason != ingest.RejectMalware || bad.Malware != testenv.EICARSignature || bad.Format != "pdf" {
		t.Fatalf("EICAR in a PDF's XML: %d %s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "GET", "/api/v1/quarantine", e.tokOps, "", nil)
	var q struct {
		Entries []hybridAnswer `json:"entries"`
	}
	if err := json.Unmarshal(body, &q); err != nil || resp.StatusCode != 200 || len(q.Entries) != 1 || q.Entries[0].ID != bad.ID || q.Entries[0].Malware != testenv.EICARSignature {
		t.Errorf("quarantine: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, "GET", "/api/v1/quarantine", e.tokA, "", nil); resp.StatusCode != 403 {
		t.Errorf("quarantine for a municipality: %d, want 403", resp.StatusCode)
	}
	if resp, _ := e.do(t, "GET", "/api/v1/inbox/"+bad.ID, e.tokA, "", nil); resp.StatusCode != 404 {
		t.Errorf("the infected invoice is in an inbox: %d", resp.StatusCode)
	}

	d.Stop()
	before, _ := st.List(t.Context(), "dedup/", "", 100)
	other := bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte("RE-2026-0043"), 1)
	resp, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", other)
	a := hybridDecode(t, body)
	if resp.StatusCode != 503 || a.Code != "scan-unavailable" || a.Kept == nil || *a.Kept || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("clamd stopped: %d %s", resp.StatusCode, body)
	}
	if after, _ := st.List(t.Context(), "dedup/", "", 100); len(after) != len(before) {
		t.Errorf("clamd stopped: %d dedup records, was %d: something was kept", len(after), len(before))
	}
}
