package email

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
)

// pdfPart is a PDF attachment, base64.
func pdfPart(name string, data []byte) string {
	return "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrap(b64(data))
}

// replyTo returns the text of the one reply to a sender, or fails.
func replyTo(t testing.TB, e *env, to string) string {
	t.Helper()
	got := e.smtp.To(to)
	if len(got) != 1 {
		t.Fatalf("%d replies to %s, want 1", len(got), to)
	}
	_, text, _ := parseReply(t, got[0].Data)
	return text
}

// TestHybridMail sends hybrid invoices by mail through a real Dovecot: a
// PDF alone, a PDF beside its own XML (one invoice, the PDF the
// original), a PDF beside another XML and bad PDFs (refused, nothing
// filed, a reply with the code and both languages' texts), two PDFs (one
// invoice per mail); the municipality gets the XML, its view and the PDF.
func TestHybridMail(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	ctx := context.Background()
	e := newEnv(t, t.TempDir())
	alone := testenv.HybridPDF(t, numbered(t, "HY-ALONE"), "XRECHNUNG")
	ownXML := numbered(t, "HY-OWN")
	own := testenv.HybridPDF(t, ownXML, "XRECHNUNG")
	cases := []struct {
		from   string
		parts  []string
		folder string
		reply  []string
	}{
		{"alone@lieferant.example", []string{pdfPart("rechnung.pdf", alone)}, "Done",
			[]string{"angenommen und an Landkreis Weimarer Land", "hybride Rechnung", "Profil XRECHNUNG", "profile XRECHNUNG"}},
		{"own@lieferant.example", []string{xmlPart("rechnung.xml", ownXML), pdfPart("rechnung.pdf", own)}, "Done",
			[]string{"angenommen", "hybride Rechnung"}},
		{"differs@lieferant.example", []string{xmlPart("rechnung.xml", numbered(t, "HY-OTHER")), pdfPart("rechnung.pdf", testenv.HybridPDF(t, numbered(t, "HY-DIFF"), "XRECHNUNG"))}, "Rejected",
			[]string{"nicht angenommen, nichts wurde abgelegt", "(xml-differs)", "differs from the XML sent with it"}},
		{"noxml@lieferant.example", []string{pdfPart("scan.pdf", testenv.PDF(t, ""))}, "Rejected",
			[]string{"(no-xml)", "keine eingebettete Rechnungs-XML", "no embedded invoice XML"}},
		{"encrypted@lieferant.example", []string{pdfPart("geheim.pdf", testenv.EncryptPDF(t, testenv.HybridPDF(t, numbered(t, "HY-ENC"), "XRECHNUNG"), "pw"))}, "Rejected",
			[]string{"(encrypted)", "verschlüsselt", "encrypted"}},
		{"twopdf@lieferant.example", []string{pdfPart("a.pdf", testenv.HybridPDF(t, numbered(t, "HY-A"), "XRECHNUNG")), pdfPart("b.pdf", testenv.HybridPDF(t, numbered(t, "HY-B"), "XRECHNUNG"))}, "Rejected",
			[]string{"2 Rechnungen", "exactly one invoice per mail"}},
	}
	c := imapUser(t, d.Addr, "rechnung", "secret")
	for i, k := range cases {
		appendMail(t, c, "INBOX", testMail{from: k.from, messageID: "hybrid-" + string(rune('a'+i)) + "@x", subject: "Rechnung", parts: k.parts}.bytes())
	}
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 60*time.Second, "every mail handled and replied to", func() bool {
		return count(c, "Done")+count(c, "Rejected") == len(cases) && e.smtp.Count()-len(e.smtp.To(kasse)) >= len(cases)
	})
	if got, want := count(c, "Done"), 2; got != want {
		t.Errorf("Done holds %d mails, want %d", got, want)
	}
	for _, k := range cases {
		text := replyTo(t, e, k.from)
		for _, want := range k.reply {
			if !strings.Contains(text, want) {
				t.Errorf("reply to %s lacks %q:\n%s", k.from, want, text)
			}
		}
	}
	// The two filed: PDFs as originals, each once.
	list, err := e.pipe.Inbox(ctx, "lk-weimarer-land", "all", "", 100)
	if err != nil || len(list) != 2 {
		t.Fatalf("inbox: %d entries, %v; want 2", len(list), err)
	}
	originals := map[string]bool{}
	for _, o := range list {
		if o.Format != ingest.FormatPDF || o.Profile != "XRECHNUNG" {
			t.Errorf("entry %s: format %q profile %q", o.ID, o.Format, o.Profile)
		}
		rc, err := e.pipe.Original(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		originals[b.String()] = true
	}
	if !originals[string(alone)] || !originals[string(own)] {
		t.Error("the originals are not the PDFs as sent")
	}
	// Deliveries: the invoice XML, its view and the PDF, marked as not binding.
	waitFor(t, 30*time.Second, "the deliveries", func() bool { return len(e.smtp.To(kasse)) == 2 })
	for _, dm := range e.smtp.To(kasse) {
		_, text, atts := parseReply(t, dm.Data)
		var xml, pdf []byte
		for name, data := range atts {
			switch {
			case strings.HasSuffix(name, ".xml"):
				xml = data
			case strings.HasSuffix(name, ".pdf"):
				pdf = data
			}
		}
		if len(atts) != 3 || !(bytes.Equal(pdf, alone) && bytes.Equal(xml, numbered(t, "HY-ALONE")) || bytes.Equal(pdf, own) && bytes.Equal(xml, ownXML)) {
			t.Errorf("a delivery without the XML, the view and the PDF (%d attachments)", len(atts))
		}
		if !strings.Contains(text, "hybride Rechnung") || !strings.Contains(text, "profile XRECHNUNG") {
			t.Errorf("delivery text does not say hybrid and profile:\n%s", text)
		}
	}
	if n := e.counter(t, "eingang_mail_rejected_total", map[string]string{"reason": "pdf-no-xml"}); n != 1 {
		t.Errorf("eingang_mail_rejected_total{reason=pdf-no-xml} = %v, want 1", n)
	}
}

// TestClamAVMail scans mailed invoices with a real clamd: an invoice
// whose embedded file is EICAR is rejected, in no inbox, and the reply
// names the signature; with clamd stopped the mail waits (it is not
// rejected) and is filed once clamd is back.
func TestClamAVMail(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	cd := testenv.StartClamd(t, "")
	sc, err := clamav.New(cd.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := newEnvWith(t, t.TempDir(), envOptions{scanner: sc})
	eicar := testenv.WithEmbedded(t, numbered(t, "MAL-1"), []byte(testenv.EICAR))
	c := imapUser(t, d.Addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{from: "mal@lieferant.example", messageID: "mal@x", subject: "Rechnung", parts: []string{xmlPart("r.xml", eicar)}}.bytes())
	appendMail(t, c, "INBOX", testMail{from: "clean@lieferant.example", messageID: "clean@x", subject: "Rechnung", parts: []string{xmlPart("r.xml", numbered(t, "CLEAN-1"))}}.bytes())
	stop := e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 60*time.Second, "both mails handled and replied to", func() bool {
		return count(c, "Done")+count(c, "Rejected") == 2 && len(e.smtp.To("mal@lieferant.example"))+len(e.smtp.To("clean@lieferant.example")) == 2
	})
	if text := replyTo(t, e, "mal@lieferant.example"); !strings.Contains(text, "Schadsoftware") || !strings.Contains(text, testenv.EICARSignature) {
		t.Errorf("reply to the infected mail:\n%s", text)
	}
	if count(c, "Rejected") != 1 || count(c, "Done") != 1 {
		t.Errorf("Rejected %d Done %d, want 1 and 1", count(c, "Rejected"), count(c, "Done"))
	}
	if q, err := e.pipe.Quarantine(ctx, "", 10); err != nil || len(q) != 1 || q[0].Channel != "email" {
		t.Errorf("quarantine %+v, %v", q, err)
	}

	cd.Stop()
	stop()
	appendMail(t, c, "INBOX", testMail{from: "later@lieferant.example", messageID: "later@x", subject: "Rechnung", parts: []string{xmlPart("r.xml", numbered(t, "LATER-1"))}}.bytes())
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "a retry while clamd is down", func() bool {
		return e.counter(t, "eingang_mail_retries_total", nil) >= 1
	})
	if n := count(c, "Done") + count(c, "Rejected"); n != 2 {
		t.Fatalf("with clamd down, %d mails handled, want the 2 of before", n)
	}
	if err := cd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the mail filed once clamd is back", func() bool { return count(c, "Done") == 2 })
}
