package pages

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
)

// withProfile is the fixture with another guideline id (BT-24).
func withProfile(t testing.TB, id string) []byte {
	old := []byte("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
	if !bytes.Contains(fixture(t), old) {
		t.Fatal("fixture's CustomizationID changed")
	}
	return bytes.Replace(variant(t, "RE-MIN-1", "Minimum GmbH", ""), old, []byte(id), 1)
}

// uploadPDF chooses a PDF in the form's file field.
func (b *tab) uploadPDF(pdf []byte) {
	b.t.Helper()
	b.uploadAs("rechnung.pdf", pdf)
}

// TestHybridInBrowser: a contractor uploads a ZUGFeRD / Factur-X PDF on
// the upload page (filed; the result says hybrid and its profile), checks
// a MINIMUM one and an encrypted one on the check page (the profile's
// explanation; a refusal with its code and text), and a clerk finds the
// hybrid in the inbox with both downloads and the note that the PDF's
// pages are not the binding part.
func TestHybridInBrowser(t *testing.T) {
	e := newEnv(t, false)
	b := newBrowser(t, e.srv.URL)
	xml := variant(t, "RE-HY-1", "Hybrid GmbH", "")
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")

	b.until("Rechnung einreichen", chromedp.Navigate(b.base+"/"))
	if accept := b.eval(`document.getElementById("file").accept`); !strings.Contains(accept, "application/pdf") {
		t.Errorf("the file field accepts %q", accept)
	}
	b.uploadPDF(pdf)
	b.until("Eingangsbestätigung", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#verdict"); !strings.Contains(got, "Die Rechnung ist gültig.") {
		t.Errorf("verdict: %q", got)
	}
	if got := b.text("#format"); !strings.Contains(got, "hybrides PDF") || !strings.Contains(got, "XRECHNUNG") {
		t.Errorf("format: %q", got)
	}
	id := b.text("#receipt-id")
	if meta, err := e.pipe.Meta(t.Context(), id); err != nil || meta.ContentType != "application/pdf" || meta.Format != ingest.FormatPDF {
		t.Errorf("kept envelope: content type %q format %q, %v", meta.ContentType, meta.Format, err)
	}
	if orc, err := e.pipe.Original(t.Context(), id); err != nil {
		t.Fatal(err)
	} else {
		var got bytes.Buffer
		got.ReadFrom(orc)
		orc.Close()
		if !bytes.Equal(got.Bytes(), pdf) {
			t.Error("the original kept is not the PDF uploaded")
		}
	}

	b.until("Rechnung prüfen", chromedp.Navigate(b.base+"/check"))
	b.uploadPDF(testenv.HybridPDF(t, withProfile(t, "urn:factur-x.eu:1p0:minimum"), "MINIMUM"))
	b.until("Prüfergebnis", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#verdict"); !strings.Contains(got, "nicht gültig") || !strings.Contains(got, "ZUGFeRD-Profil") {
		t.Errorf("MINIMUM verdict: %q", got)
	}
	if got := b.text(".findings.error"); !strings.Contains(got, "MINIMUM") || !strings.Contains(got, "Buchungshilfe") {
		t.Errorf("MINIMUM findings: %q", got)
	}

	b.until("Check an invoice", chromedp.Navigate(b.base+"/check?lang=en"))
	b.uploadPDF(testenv.EncryptPDF(t, pdf, "secret"))
	b.until("PDF not accepted", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#detail"); !strings.Contains(got, "encrypted") || !strings.Contains(got, "(encrypted)") {
		t.Errorf("refusal detail: %q", got)
	}

	b.login(e.tokA, "Posteingang")
	b.until("Rechnung", chromedp.Navigate(b.base+"/inbox/"+id+"?lang=de"))
	if got := b.text("#hybrid-note"); !strings.Contains(got, "maßgeblich ist die eingebettete XML") {
		t.Errorf("note: %q", got)
	}
	for sel, want := range map[string]string{"#dl-xml": "/inbox/" + id + "/xml", "#dl-original": "/inbox/" + id + "/original"} {
		if got := b.eval(`document.querySelector("` + sel + `").getAttribute("href")`); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	// The downloads themselves, with the clerk's session.
	c := e.client(t)
	c.login(e.tokA)
	for path, want := range map[string]struct {
		ctype string
		body  []byte
	}{"/inbox/" + id + "/xml": {"application/xml", xml}, "/inbox/" + id + "/original": {"application/pdf", pdf}} {
		resp, body := c.get(path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want.ctype || body != string(want.body) {
			t.Errorf("%s: %d %s, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	// A ZIP of the selection: the PDF and the XML, named for what they are.
	resp, body := c.post("/inbox/zip", url.Values{"csrf": {c.csrf()}, "id": {id}})
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("zip: %d %v", resp.StatusCode, err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	if !names[id+"/original.pdf"] || !names[id+"/invoice.xml"] || !names[id+"/report.json"] || len(names) != 3 {
		t.Errorf("zip of a hybrid: %v", names)
	}
	if resp, _ := e.client(t).get("/inbox/" + id + "/xml"); resp.StatusCode == http.StatusOK {
		t.Error("the XML without a session")
	}
}

// TestClamAVPages: with a real clamd, an upload whose embedded file is
// EICAR is rejected as malware on the result page, and the operators'
// page lists it; with clamd stopped the upload page says the scan is
// unavailable and nothing was stored.
func TestClamAVPages(t *testing.T) {
	d := testenv.StartClamd(t, "")
	sc, err := clamav.New(d.Addr)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvPipeline(t, false, nil, func(c *ingest.Config) { c.Scanner = sc })
	eicar := testenv.WithEmbedded(t, variant(t, "RE-EICAR", "Virus GmbH", ""), []byte(testenv.EICAR))
	c := e.client(t)
	resp, body := c.upload("/", c.csrf(), eicar)
	if resp.StatusCode != 200 || !strings.Contains(body, "Virenprüfung fand Schadsoftware") || !strings.Contains(body, testenv.EICARSignature) {
		t.Errorf("EICAR upload: %d\n%s", resp.StatusCode, body)
	}
	ops := e.client(t)
	ops.login(e.tokOps)
	_, page := ops.get("/ops?lang=de")
	if !strings.Contains(page, `id="quarantine-table"`) || !strings.Contains(page, testenv.EICARSignature) || !strings.Contains(page, "1 Einreichung(en), in denen die Virenprüfung") {
		t.Errorf("ops page lacks the find:\n%s", page)
	}
	d.Stop()
	resp, body = c.upload("/", c.csrf(), variant(t, "RE-LATER", "Später GmbH", ""))
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "Virenprüfung ist im Moment nicht erreichbar") {
		t.Errorf("clamd stopped: %d\n%s", resp.StatusCode, body)
	}
}
