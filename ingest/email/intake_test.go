package email

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/ingest"
)

// A intakeCase is one mail and what must become of it.
type intakeCase struct {
	name     string
	mail     testMail
	folder   string // Done or Rejected
	status   ingest.Status
	reply    []string // the reply's text contains each; nil: no reply
	report   bool     // report.json attached
	filename string   // the invoice's file name as the pipeline keeps it
}

func intakeCases(t *testing.T) []intakeCase {
	qp := &bytes.Buffer{}
	w := quotedprintable.NewWriter(qp)
	w.Write(numbered(t, "QP-1"))
	w.Close()
	big := strings.Repeat("A", 100<<10)
	return []intakeCase{
		{name: "valid", mail: testMail{from: "valid@lieferant.example", messageID: "valid@x", subject: "Rechnung RE-2026-0042",
			parts: []string{xmlPart("rechnung.xml", fixture(t))}},
			folder: "Done", status: ingest.StatusRouted, report: true, filename: "rechnung.xml",
			reply: []string{"angenommen und an Landkreis Weimarer Land weitergeleitet", "accepted and forwarded to Landkreis Weimarer Land", "Eingangsnummer: "}},
		{name: "invalid", mail: testMail{from: "invalid@lieferant.example", messageID: "invalid@x", subject: "kaputt",
			parts: []string{xmlPart("kaputt.xml", []byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`))}},
			folder: "Rejected", status: ingest.StatusRejected, report: true, reply: []string{"abgelehnt", "rejected", "Befunde:", "Findings:"}},
		{name: "two invoices", mail: testMail{from: "two@lieferant.example", messageID: "two@x", subject: "zwei",
			parts: []string{xmlPart("a.xml", numbered(t, "TWO-1")), xmlPart("b.xml", numbered(t, "TWO-2"))}},
			folder: "Rejected", reply: []string{"2 Rechnungen", "exactly one invoice per mail", "None was filed"}},
		{name: "no attachment", mail: testMail{from: "none@lieferant.example", messageID: "none@x", subject: "ohne"},
			folder: "Rejected", reply: []string{"keine Rechnung", "holds no invoice"}},
		{name: "over the limit", mail: testMail{from: "big@lieferant.example", messageID: "big@x", subject: "gross",
			parts: []string{xmlPart("r.xml", numbered(t, "BIG-1")), "Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"big.bin\"\r\n\r\n" + big}},
			folder: "Rejected", reply: []string{"zu groß", "too large"}},
		{name: "broken MIME", mail: testMail{from: "mime@lieferant.example", messageID: "mime@x", subject: "mime",
			body: "Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: application/xml\r\n\r\n<Invoice/>\r\n"},
			folder: "Rejected", reply: []string{"fehlerhaft aufgebaut", "malformed", "without boundary"}},
		{name: "broken base64", mail: testMail{from: "b64@lieferant.example", messageID: "b64@x", subject: "b64",
			parts: []string{"Content-Type: application/xml\r\nContent-Disposition: attachment; filename=\"r.xml\"\r\nContent-Transfer-Encoding: base64\r\n\r\nPD94bWwg!!!*** kaputt\r\n"}},
			folder: "Rejected", reply: []string{"fehlerhaft aufgebaut", "base64"}},
		{name: "quoted-printable XML", mail: testMail{from: "qp@lieferant.example", messageID: "qp@x", subject: "qp",
			parts: []string{"Content-Type: text/xml; charset=utf-8\r\nContent-Disposition: attachment; filename=\"qp.xml\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp.String()}},
			folder: "Done", status: ingest.StatusRouted, report: true, filename: "qp.xml", reply: []string{"angenommen"}},
		{name: "ISO-8859-1 and RFC 2047", mail: testMail{from: "=?ISO-8859-1?Q?M=FCller_Bau?= <mueller@lieferant.example>", messageID: "latin1@x",
			subject: "=?ISO-8859-1?Q?Rechnung_f=FCr_M=E4rz?=",
			parts:   []string{"Content-Type: application/xml\r\nContent-Disposition: attachment; filename*=iso-8859-1''Rechnung%20M%E4rz.xml\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrap(b64(numbered(t, "LATIN-1")))}},
			folder: "Done", status: ingest.StatusRouted, report: true, filename: "Rechnung März.xml", reply: []string{"„Rechnung für März“"}},
		{name: "RFC 2047 file name", mail: testMail{from: "word@lieferant.example", messageID: "word@x", subject: "=?UTF-8?B?UmVjaG51bmcgw5xiZXJ3ZWlzdW5n?=",
			parts: []string{"Content-Type: application/octet-stream; name=\"=?ISO-8859-1?Q?Gr=FC=DFe.xml?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrap(b64(numbered(t, "WORD-1")))}},
			folder: "Done", status: ingest.StatusRouted, report: true, filename: "Grüße.xml", reply: []string{"Rechnung Überweisung"}},
		{name: "PDF and others", mail: testMail{from: "pdf@lieferant.example", messageID: "pdf@x", subject: "pdf",
			parts: []string{xmlPart("r.xml", numbered(t, "PDF-1")),
				"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"r.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n",
				"Content-Type: application/msword\r\nContent-Disposition: attachment; filename=\"brief.doc\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n"}},
			folder: "Done", status: ingest.StatusRouted, report: true, reply: []string{"brief.doc, r.pdf", "keine Rechnungs-XML", "the XML sent with it was filed"}},
		{name: "same Message-ID twice: first", mail: testMail{from: "twice@lieferant.example", messageID: "twice@x", subject: "eins",
			parts: []string{xmlPart("r.xml", numbered(t, "TWICE-1"))}},
			folder: "Done", status: ingest.StatusRouted, report: true, reply: []string{"angenommen"}},
		{name: "same Message-ID twice: second", mail: testMail{from: "twice2@lieferant.example", messageID: "twice@x", subject: "zwei",
			parts: []string{xmlPart("r.xml", numbered(t, "TWICE-2"))}},
			folder: "Done", status: ingest.StatusRouted, report: true, reply: []string{"angenommen"}},
		{name: "same invoice from upload and mail", mail: testMail{from: "upload@lieferant.example", messageID: "upload@x", subject: "nochmal",
			parts: []string{xmlPart("r.xml", numbered(t, "UPLOADED-1"))}},
			folder: "Rejected", status: ingest.StatusDuplicate, report: true, reply: []string{"bereits unter der Eingangsnummer", "received before"}},
		{name: "from MAILER-DAEMON", mail: testMail{from: "MAILER-DAEMON@mx.lieferant.example", messageID: "bounce@x", subject: "Undelivered Mail Returned to Sender"},
			folder: "Rejected"},
		{name: "Auto-Submitted", mail: testMail{from: "auto@lieferant.example", messageID: "auto@x", subject: "Abwesend", headers: []string{"Auto-Submitted: auto-replied"}},
			folder: "Rejected"},
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// testIntakeCases runs every case through an intake on the mailbox at
// addr (a fresh one: its INBOX empty).
func testIntakeCases(t *testing.T, addr, user, pass string) {
	ctx := context.Background()
	e := newEnv(t, t.TempDir())
	uploaded, err := e.pipe.Submit(ctx, ingest.Submission{Data: numbered(t, "UPLOADED-1"), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	cases := intakeCases(t)
	c := imapUser(t, addr, user, pass)
	for _, k := range cases {
		appendMail(t, c, "INBOX", k.mail.bytes())
	}
	e.run(t, Mailbox{Addr: addr, Username: user, Password: pass, Instance: "a"})
	replies := 0
	for _, k := range cases {
		if k.reply != nil {
			replies++
		}
	}
	waitFor(t, 60*time.Second, "every mail handled and replied to", func() bool {
		return count(c, "Done")+count(c, "Rejected") == len(cases) && e.smtp.Count()-len(e.smtp.To(kasse)) >= replies
	})
	if n := count(c, "INBOX") + count(c, "Processing-a"); n != 0 {
		t.Errorf("%d mails left in INBOX and processing", n)
	}
	for _, k := range cases {
		t.Run(k.name, func(t *testing.T) {
			from, _ := Parse(k.mail.bytes())
			got := e.smtp.To(from.From)
			if k.reply == nil {
				if len(got) != 0 {
					t.Fatalf("%d replies, want none", len(got))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d replies to %s, want 1", len(got), from.From)
			}
			rm, text, atts := parseReply(t, got[0].Data)
			for _, want := range k.reply {
				if !strings.Contains(text, want) && !strings.Contains(rm.Subject, want) {
					t.Errorf("reply lacks %q:\n%s", want, text)
				}
			}
			if rm.Header.Get("Auto-Submitted") != "auto-replied" || rm.Header.Get("In-Reply-To") != "<"+k.mail.messageID+">" {
				t.Errorf("reply headers: Auto-Submitted %q In-Reply-To %q", rm.Header.Get("Auto-Submitted"), rm.Header.Get("In-Reply-To"))
			}
			rep, ok := atts["report.json"]
			if ok != k.report {
				t.Fatalf("report.json attached: %v, want %v", ok, k.report)
			}
			if !ok {
				return
			}
			var r struct {
				ID     string `json:"id"`
				Status ingest.Status
				Report struct {
					Accepted bool `json:"accepted"`
				} `json:"report"`
			}
			if err := json.Unmarshal(rep, &r); err != nil {
				t.Fatalf("report.json: %v", err)
			}
			if r.Status != k.status || r.Report.Accepted != (k.status != ingest.StatusRejected) {
				t.Errorf("report: status %s accepted %v, want %s", r.Status, r.Report.Accepted, k.status)
			}
			if k.status == ingest.StatusDuplicate && r.ID != uploaded.ID {
				t.Errorf("duplicate of %s, want the upload %s", r.ID, uploaded.ID)
			}
			if k.filename != "" {
				meta, err := e.pipe.Meta(ctx, r.ID)
				if err != nil || meta.Filename != k.filename || meta.Channel != "email" || meta.Sender != from.From || meta.Reference != k.mail.messageID {
					t.Errorf("meta %+v (%v), want file %q from %s", meta, err, k.filename, from.From)
				}
			}
		})
	}
	// Each folder holds the mails it should.
	want := map[string]int{}
	for _, k := range cases {
		want[k.folder]++
	}
	for f, n := range want {
		if got := count(c, f); got != n {
			t.Errorf("%s holds %d mails, want %d", f, got, n)
		}
	}
	// The municipality got the valid invoice's original, byte for byte.
	// Seven routed by mail, one by upload.
	waitFor(t, 30*time.Second, "the deliveries", func() bool { return len(e.smtp.To(kasse)) == 8 })
	found := 0
	for _, d := range e.smtp.To(kasse) {
		if original(t, d.Data) == nil {
			t.Errorf("a delivery without the original and its view:\n%s", d.Data)
		}
		if bytes.Equal(original(t, d.Data), fixture(t)) {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d deliveries carry the valid invoice byte for byte, want 1", found)
	}
}

const kasse = "kasse@weimarer-land.example"

// original returns the XML attachment of a delivery that also has the
// readable view, or nil.
func original(t testing.TB, raw []byte) []byte {
	_, _, atts := parseReply(t, raw)
	var xml, html []byte
	for name, data := range atts {
		switch {
		case strings.HasSuffix(name, ".xml"):
			xml = data
		case strings.HasSuffix(name, ".html"):
			html = data
		}
	}
	if len(atts) != 2 || html == nil {
		return nil
	}
	return xml
}

// TestIntake runs the cases on go-imap's in-memory server.
func TestIntake(t *testing.T) {
	addr := startMemIMAP(t, "rechnung", "secret")
	testIntakeCases(t, addr, "rechnung", "secret")
}
