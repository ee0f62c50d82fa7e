package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/hybrid"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// corpusCII reads the corpus' minimal CII XRechnung.
func corpusCII(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Shared(t, "conformance"), "xrechnung-testsuite/technical-cases/cius/01.06_minimal_test_uncefact.xml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withGuideline returns a CII invoice with another guideline id (BT-24).
func withGuideline(t testing.TB, cii []byte, id string) []byte {
	t.Helper()
	old := []byte("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
	if !bytes.Contains(cii, old) {
		t.Fatal("corpus CII without the XRechnung 3.0 guideline id")
	}
	return bytes.Replace(cii, old, []byte(id), 1)
}

// keptFiles lists the objects of a pipeline on a filesystem store, all
// folders down, but the store's own (.tmp, .retention).
func keptFiles(t testing.TB, p *Pipeline) []string {
	t.Helper()
	root := p.cfg.Store.(outageStore).s.(*store.FS).Root()
	var keys []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			keys = append(keys, strings.TrimPrefix(path, root+"/"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// readAll reads a store object or fails.
func readAll(t testing.TB, rc io.ReadCloser, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHybridSubmit files a hybrid PDF: the PDF is the original, byte for
// byte; its XML is archived beside it and is what was validated, routed
// and shown; the same PDF again is a duplicate, the same XML bare a
// second filing flagged as a likely duplicate.
func TestHybridSubmit(t *testing.T) {
	ctx := context.Background()
	p, m := newPipeline(t)
	xml := fixture(t)
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")

	rec, err := p.Submit(ctx, Submission{Data: pdf, Channel: "upload", ContentType: "application/pdf", Filename: "rechnung.pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusRouted || rec.Outcome.Municipality != "lk-weimarer-land" {
		t.Fatalf("status %s municipality %q, findings %v", rec.Status, rec.Outcome.Municipality, rec.Findings)
	}
	if rec.Outcome.Format != FormatPDF || rec.Outcome.Profile != hybrid.ProfileXRechnung || rec.Outcome.LikelyDuplicateOf != "" {
		t.Errorf("outcome %+v, want format pdf, profile XRECHNUNG, no likely duplicate", rec.Outcome.IntakeOutcome)
	}
	entry, err := p.InboxEntry(ctx, "lk-weimarer-land", rec.ID)
	if err != nil || entry.Format != FormatPDF || entry.Profile != hybrid.ProfileXRechnung {
		t.Errorf("inbox entry %+v, %v", entry.IntakeOutcome, err)
	}
	orc, err := p.Original(ctx, rec.ID)
	if got := readAll(t, orc, err); !bytes.Equal(got, pdf) {
		t.Error("the original is not the PDF as sent")
	}
	rc, size, sum, err := p.InvoiceXML(ctx, rec.ID)
	if got := readAll(t, rc, err); !bytes.Equal(got, xml) || size != len(xml) {
		t.Error("the invoice XML is not the embedded XML")
	}
	meta, err := p.Meta(ctx, rec.ID)
	if err != nil || meta.Format != FormatPDF || meta.XMLSHA256 != sum || meta.XMLName != "factur-x.xml" || meta.Size != len(pdf) {
		t.Errorf("meta %+v, %v", meta, err)
	}
	// The XML is write-once and retained like the original.
	if err := p.cfg.Store.Create(ctx, xmlKey(rec.ID), strings.NewReader("x"), 1, store.CreateOptions{}); !errors.Is(err, store.ErrExists) {
		t.Errorf("writing the archived XML again: %v, want ErrExists", err)
	}
	page, err := p.View(ctx, rec.ID, "de")
	if err != nil || !bytes.Contains(page, []byte("RE-2026-0042")) {
		t.Errorf("view of a hybrid: %v", err)
	}
	if _, data, err := p.Attachment(ctx, "lk-weimarer-land", rec.ID, 1); err != nil || len(data) == 0 {
		t.Errorf("attachment of a hybrid: %v", err)
	}

	again, err := p.Submit(ctx, Submission{Data: pdf, Channel: "email"})
	if err != nil || again.Status != StatusDuplicate || again.ID != rec.ID {
		t.Fatalf("the same PDF again: %+v, %v", again, err)
	}
	bare, err := p.Submit(ctx, Submission{Data: xml, Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	if bare.Status != StatusRouted || bare.ID == rec.ID || bare.Outcome.LikelyDuplicateOf != rec.ID || bare.Outcome.Format != FormatXML {
		t.Errorf("the XML bare after the PDF: %s %s %+v, want routed, likely duplicate of %s", bare.ID, bare.Status, bare.Outcome.IntakeOutcome, rec.ID)
	}
	if got := testutil.ToFloat64(m.Formats.WithLabelValues("pdf", "XRECHNUNG")); got != 1 {
		t.Errorf("filed pdf XRECHNUNG = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.Formats.WithLabelValues("xml", "")); got != 1 {
		t.Errorf("filed xml = %v, want 1", got)
	}
}

// TestHybridRefused refuses every kind of bad PDF with its code and
// keeps nothing of it.
func TestHybridRefused(t *testing.T) {
	ctx := context.Background()
	xml := fixture(t)
	good := testenv.HybridPDF(t, xml, "XRECHNUNG")
	deep := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Deep " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + " >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
	cases := []struct {
		name    string
		data    []byte
		ctype   string
		xmlOnly bool
		limits  hybrid.Limits
		code    string
	}{
		{"declared PDF, is not", []byte("Rechnung als Text"), "application/pdf", false, hybrid.Limits{}, hybrid.CodeNotPDF},
		{"encrypted", testenv.EncryptPDF(t, good, "geheim"), "", false, hybrid.Limits{}, hybrid.CodeEncrypted},
		{"no embedded XML", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "logo.png", Data: []byte("\x89PNG")}), "", false, hybrid.Limits{}, hybrid.CodeNoXML},
		{"two candidates", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "factur-x.xml", Data: xml}, testenv.EmbeddedFile{Name: "xrechnung.xml", Data: xml}), "", false, hybrid.Limits{}, hybrid.CodeTwoXML},
		{"XML not well-formed", testenv.PDF(t, "", testenv.EmbeddedFile{Name: "factur-x.xml", Data: xml[:len(xml)/2]}), "", false, hybrid.Limits{}, hybrid.CodeXMLNotWellFormed},
		{"over the size limit", good, "", false, hybrid.Limits{MaxBytes: int64(len(good) - 1)}, hybrid.CodeTooLarge},
		{"unreadable", good[:len(good)/2], "", false, hybrid.Limits{}, hybrid.CodeUnreadable},
		{"bomb", []byte(deep), "", false, hybrid.Limits{}, hybrid.CodePDFBomb},
		{"XML-only channel", good, "", true, hybrid.Limits{}, CodeXMLOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, m := newPipeline(t)
			p.cfg.PDFLimits = c.limits
			_, err := p.Submit(ctx, Submission{Data: c.data, Channel: "upload", ContentType: c.ctype, ChannelData: ChannelData{XMLOnly: c.xmlOnly}})
			var pe *PDFError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PDFError", err)
			}
			if pe.Code != c.code || pe.Message == "" || pe.MessageDE == "" {
				t.Errorf("code %q (%q / %q), want %q with texts", pe.Code, pe.Message, pe.MessageDE, c.code)
			}
			if errors.Is(err, ErrUnavailable) {
				t.Error("a refused PDF says: send again later")
			}
			if kept := keptFiles(t, p); len(kept) != 0 {
				t.Errorf("kept %v", kept)
			}
			if got := testutil.ToFloat64(m.PDFRefused.WithLabelValues(c.code)); got != 1 {
				t.Errorf("eingang_pdf_refused_total{code=%q} = %v", c.code, got)
			}
			if got := testutil.ToFloat64(m.Submissions.WithLabelValues("upload", "error")); got != 0 {
				t.Errorf("a refused PDF counted as a submission error (%v): it is the sender's", got)
			}
		})
	}
}

// TestHybridProfile rejects the ZUGFeRD profiles that are no EN 16931
// invoice with their explanation, as the reference does (no scenario
// matches their BT-24), and accepts an XRechnung in a PDF.
func TestHybridProfile(t *testing.T) {
	ctx := context.Background()
	cii := corpusCII(t)
	for _, c := range []struct {
		guideline, profile, word string
	}{
		{"urn:factur-x.eu:1p0:minimum", hybrid.ProfileMinimum, "MINIMUM"},
		{"urn:factur-x.eu:1p0:basicwl", hybrid.ProfileBasicWL, "BASIC WL"},
		{"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", hybrid.ProfileBasic, "BASIC"},
		{"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended", hybrid.ProfileExtended, "EXTENDED"},
	} {
		t.Run(c.profile, func(t *testing.T) {
			p, _ := newPipeline(t)
			pdf := testenv.HybridPDF(t, withGuideline(t, cii, c.guideline), c.profile)
			rec, err := p.Submit(ctx, Submission{Data: pdf, Channel: "upload"})
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != StatusRejected || rec.Report.RejectReason != RejectProfile || rec.Outcome.Profile != c.profile {
				t.Fatalf("%s %q profile %q, want rejected %q", rec.Status, rec.Report.RejectReason, rec.Outcome.Profile, RejectProfile)
			}
			f := rec.Findings[0]
			if !strings.Contains(f.Message, c.word) || !strings.Contains(f.MessageDE, c.word) || !f.Counted || f.Level != invoice.LevelError {
				t.Errorf("first finding %+v, want the profile's explanation", f)
			}
			// The check (nothing kept) says the same.
			rep, err := p.Check(ctx, pdf)
			if err != nil || rep.RejectReason != RejectProfile {
				t.Errorf("check: %v %+v", err, rep)
			}
		})
	}
	p, _ := newPipeline(t)
	rec, err := p.Submit(ctx, Submission{Data: testenv.HybridPDF(t, cii, "XRECHNUNG"), Channel: "upload"})
	if err != nil || !rec.Accepted || rec.Outcome.Profile != hybrid.ProfileXRechnung {
		t.Fatalf("XRechnung CII in a PDF: %+v, %v", rec, err)
	}
}

// TestHybridRecover files a hybrid PDF kept before a crash whose XML was
// never written: Recover extracts it again from the PDF and keeps it.
func TestHybridRecover(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	xml := fixture(t)
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")
	in, err := p.prepare(ctx, &Submission{Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	meta := metaOf(t, "0196f000-0000-7000-8000-0000000000a1", pdf)
	meta.IntakeMeta = in.meta
	if err := keptNotFiled(ctx, p, meta, pdf, nil); err != nil {
		t.Fatal(err)
	}
	// Crash here: keepXML never ran.
	n, err := p.Recover(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v", n, err)
	}
	o, err := p.Outcome(ctx, meta.ID)
	if err != nil || o.Status != StatusRouted || o.Format != FormatPDF {
		t.Fatalf("outcome %+v, %v", o, err)
	}
	rc, _, _, err := p.InvoiceXML(ctx, meta.ID)
	if got := readAll(t, rc, err); !bytes.Equal(got, xml) {
		t.Error("the XML was not kept on recovery")
	}
}

// TestHybridBeside files a PDF that came with an XML (one mail): its own
// XML beside it is one invoice, the PDF the original; another XML is
// refused; a PDF with no XML at all leaves the XML the invoice.
func TestHybridBeside(t *testing.T) {
	ctx := context.Background()
	xml := fixture(t)
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")
	other := bytes.Replace(xml, []byte("RE-2026-0042"), []byte("RE-2026-0099"), 1)
	picture := testenv.PDF(t, "")

	p, _ := newPipeline(t)
	rec, err := p.Submit(ctx, Submission{Data: pdf, Channel: "email", ChannelData: ChannelData{Beside: &Beside{Data: xml}}})
	if err != nil || rec.Status != StatusRouted || rec.Outcome.Format != FormatPDF {
		t.Fatalf("PDF beside its own XML: %+v, %v", rec, err)
	}
	if orc, err := p.Original(ctx, rec.ID); !bytes.Equal(readAll(t, orc, err), pdf) {
		t.Error("PDF beside its own XML: the original is not the PDF")
	}

	_, err = p.Submit(ctx, Submission{Data: pdf, Channel: "email", ChannelData: ChannelData{Beside: &Beside{Data: other}}})
	var pe *PDFError
	if !errors.As(err, &pe) || pe.Code != CodeXMLDiffers || pe.MessageDE == "" {
		t.Fatalf("PDF beside another XML: %v, want %s", err, CodeXMLDiffers)
	}

	rec, err = p.Submit(ctx, Submission{Data: picture, Channel: "email", Filename: "bild.pdf", ChannelData: ChannelData{Beside: &Beside{Data: other, Filename: "rechnung.xml", ContentType: "application/xml"}}})
	if err != nil || rec.Status != StatusRouted || rec.Outcome.Format != FormatXML {
		t.Fatalf("a PDF without XML beside an XML: %+v, %v", rec, err)
	}
	if orc, err := p.Original(ctx, rec.ID); !bytes.Equal(readAll(t, orc, err), other) {
		t.Error("a PDF without XML beside an XML: the original is not the XML")
	}
	if meta, _ := p.Meta(ctx, rec.ID); meta.Filename != "rechnung.xml" {
		t.Errorf("filename %q, want the XML's", meta.Filename)
	}
	if got := PDFRefusal(hybrid.CodeEncrypted); got == nil || got.MessageDE == "" {
		t.Errorf("PDFRefusal(encrypted) = %+v", got)
	}
	if PDFRefusal("no-such-code") != nil {
		t.Error("PDFRefusal of an unknown code")
	}
}

// TestHybridVerifyExport: the fixity check re-hashes a hybrid's archived
// XML like its original and finds it when it is gone; an export carries
// it beside the PDF.
func TestHybridVerifyExport(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	xml := fixture(t)
	pdf := testenv.HybridPDF(t, xml, "XRECHNUNG")
	rec, err := p.Submit(ctx, Submission{Data: pdf, Channel: "upload"})
	if err != nil || rec.Status != StatusRouted {
		t.Fatalf("%+v, %v", rec, err)
	}
	var zipped bytes.Buffer
	m, err := p.Export(ctx, &zipped, ExportQuery{Municipality: "lk-weimarer-land", From: rec.Outcome.ReceivedAt, To: rec.Outcome.ReceivedAt})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	if !bytes.Equal(files[rec.ID+"/original"], pdf) || !bytes.Equal(files[rec.ID+"/invoice.xml"], xml) {
		t.Errorf("export of a hybrid: %d invoices, files %v", len(m.Invoices), keysOf(files))
	}

	clean, err := p.Verify(ctx, FixityOptions{})
	if err != nil || clean.FindingCount != 0 {
		t.Fatalf("verify: %+v, %v", clean, err)
	}
	root := p.cfg.Store.(outageStore).s.(*store.FS).Root()
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(xmlKey(rec.ID)))); err != nil {
		t.Fatal(err)
	}
	r, err := p.Verify(ctx, FixityOptions{})
	if err != nil || r.ByProblem[ProblemMissing] != 1 || len(r.Findings) != 1 || r.Findings[0].Key != xmlKey(rec.ID) {
		t.Errorf("verify without the XML: %+v, %v", r, err)
	}
}

func keysOf(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
