package ingest

// Hybrid invoices: a ZUGFeRD / Factur-X PDF with the invoice XML embedded.
// The PDF is the original, kept byte for byte like every original; the
// embedded XML, found by package hybrid before anything is kept, is
// archived beside it (write-once, retained) and is what is validated,
// routed, shown and delivered. A PDF that carries no acceptable invoice
// XML is refused with a *PDFError before anything of it is kept.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/eingang/eingang/hybrid"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// Formats of a submission's original (Meta.Format, Outcome.Format).
const (
	FormatXML = "xml" // the invoice XML itself
	FormatPDF = "pdf" // a hybrid PDF (ZUGFeRD / Factur-X) carrying it
)

// RejectProfile is the reject reason of a CII invoice whose guideline id
// (BT-24) names a ZUGFeRD / Factur-X profile that is no EN 16931 invoice
// (MINIMUM, BASIC WL, BASIC, EXTENDED): the report's first finding
// explains it in English and German.
const RejectProfile = "profile"

// PDFError codes of the pipeline's own, beside package hybrid's.
const (
	// CodeXMLOnly: a PDF sent to a channel that takes invoice XML only
	// (PEPPOL).
	CodeXMLOnly = "xml-only"
	// CodeXMLDiffers: a PDF whose embedded invoice XML is not the XML
	// that came beside it (Submission.Beside).
	CodeXMLDiffers = "xml-differs"
)

// pdfTexts are the English and German texts of the pipeline's own codes.
var pdfTexts = map[string][2]string{
	CodeXMLOnly: {
		"this channel takes the invoice XML only; a hybrid PDF (ZUGFeRD / Factur-X) is accepted by upload and e-mail",
		"dieser Kanal nimmt nur die Rechnungs-XML an; ein hybrides PDF (ZUGFeRD / Factur-X) wird per Upload und E-Mail angenommen",
	},
	CodeXMLDiffers: {
		"the PDF carries an invoice XML that differs from the XML sent with it; send one invoice: the XML alone, the PDF alone, or the PDF with exactly its embedded XML",
		"das PDF enthält eine andere Rechnungs-XML als die mitgesandte XML; senden Sie eine Rechnung: die XML allein, das PDF allein oder das PDF mit genau seiner eingebetteten XML",
	},
}

// PDFRefusal returns the *PDFError of a code (package hybrid's or the
// pipeline's own) with its texts, for a channel that rebuilds its answer
// later (the e-mail channel's reply); nil for an unknown code.
func PDFRefusal(code string) *PDFError {
	if t, ok := pdfTexts[code]; ok {
		return &PDFError{Code: code, Message: t[0], MessageDE: t[1]}
	}
	if en, de, ok := hybrid.Texts(code); ok {
		return &PDFError{Code: code, Message: en, MessageDE: de}
	}
	return nil
}

// A Beside is an invoice XML that came with a PDF in one message (an
// e-mail with both attached). One message is one invoice: where the PDF
// embeds exactly this XML, the PDF is the original and the invoice is
// filed once; where the PDF is no hybrid invoice at all (no embedded XML,
// encrypted, unreadable, not a PDF, over the size limit: a picture of the
// invoice), the XML is the invoice and the original, and the PDF is not
// kept; where it embeds another XML, or two, or XML that is not
// well-formed, or is a PDF bomb, nothing is kept (its *PDFError).
type Beside struct {
	Data        []byte
	Filename    string
	ContentType string
}

// IntakeMeta is what Meta keeps of the form an invoice came in and of the
// malware scan.
type IntakeMeta struct {
	// Format is FormatXML or FormatPDF ("" in envelopes written before
	// hybrid invoices were taken: XML).
	Format string `json:"format,omitempty"`
	// Profile is the ZUGFeRD / Factur-X profile of a hybrid's XML, ""
	// where its guideline id names none.
	Profile string `json:"profile,omitempty"`
	// XMLName, XMLSize and XMLSHA256 describe the invoice XML embedded in
	// a hybrid PDF, archived beside it.
	XMLName   string `json:"xml_name,omitempty"`
	XMLSize   int    `json:"xml_size,omitempty"`
	XMLSHA256 string `json:"xml_sha256,omitempty"`
	// Scanned says the original and its embedded files were scanned for
	// malware before anything was kept; Malware names the signature
	// found, if any.
	Scanned bool   `json:"scanned,omitempty"`
	Malware string `json:"malware,omitempty"`
}

// IntakeOutcome is what an Outcome says of the form an invoice came in,
// of malware and of a likely duplicate.
type IntakeOutcome struct {
	Format  string `json:"format,omitempty"`
	Profile string `json:"profile,omitempty"`
	// Malware names the signature the scan found: the submission was
	// rejected and is in no inbox; its original is kept for operators
	// (Pipeline.Quarantine).
	Malware string `json:"malware,omitempty"`
	// LikelyDuplicateOf names an earlier submission with the same invoice
	// XML in another form (bare, or inside a PDF): a hint for the clerk,
	// not a refusal.
	LikelyDuplicateOf string `json:"likely_duplicate_of,omitempty"`
}

// A PDFError says that Submit kept nothing of a submission because it is a
// PDF that carries no acceptable invoice XML: not a PDF although declared
// one, encrypted, no or two candidate XMLs, XML not well-formed, too
// large, unreadable, a PDF bomb (the codes of package hybrid), or a PDF
// sent to a channel that takes XML only (CodeXMLOnly).
type PDFError struct {
	Code      string // a hybrid.Code constant or CodeXMLOnly
	Message   string // for the sender, in English
	MessageDE string // for the sender, in German
	Err       error  // the cause, for logs
}

func (e *PDFError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("ingest: PDF refused (%s): %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("ingest: PDF refused (%s): %s", e.Code, e.Message)
}

func (e *PDFError) Unwrap() error { return e.Err }

// pictureOnly are the refusals of a PDF that mean it is no hybrid
// invoice: beside an XML, the XML is the invoice (Beside).
var pictureOnly = map[string]bool{
	hybrid.CodeNoXML: true, hybrid.CodeEncrypted: true, hybrid.CodeUnreadable: true,
	hybrid.CodeNotPDF: true, hybrid.CodeTooLarge: true,
}

// intake is what Submit learns of a submission before keeping it: the
// invoice XML to validate and what Meta keeps of it.
type intake struct {
	xml  []byte
	meta IntakeMeta
}

// isPDF reports whether data is to be read as a PDF: it starts like one
// and not like XML.
func isPDF(data []byte) bool {
	d := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	return !bytes.HasPrefix(d, []byte("<")) && hybrid.IsPDF(data)
}

// prepare finds the invoice XML of a submission (the data itself, or the
// XML embedded in a hybrid PDF) and scans it for malware if a scanner is
// configured. A PDF without an acceptable XML is a *PDFError (counted in
// eingang_pdf_refused_total, not as a submission error: the sender's
// fault); a scanner that cannot be asked is an error matching
// ErrScanUnavailable. Where a PDF with an XML beside it is no hybrid, the
// XML becomes the submission's data (Beside).
func (p *Pipeline) prepare(ctx context.Context, sub *Submission) (*intake, error) {
	if isPDF(sub.Data) || sub.ContentType == "application/pdf" {
		if sub.XMLOnly {
			p.cfg.Metrics.pdfRefused(CodeXMLOnly)
			return nil, PDFRefusal(CodeXMLOnly)
		}
	} else {
		sub.Beside = nil
	}
	in := &intake{xml: sub.Data, meta: IntakeMeta{Format: FormatXML}}
	if isPDF(sub.Data) || sub.ContentType == "application/pdf" {
		res, err := hybrid.Extract(ctx, sub.Data, p.cfg.PDFLimits)
		var he *hybrid.Error
		if errors.As(err, &he) && sub.Beside != nil && pictureOnly[he.Code] {
			// A picture of the invoice beside its XML: the XML is the invoice.
			b := sub.Beside
			sub.Data, sub.Filename, sub.ContentType, sub.Beside = b.Data, b.Filename, b.ContentType, nil
			return p.prepare(ctx, sub)
		}
		if errors.As(err, &he) {
			p.cfg.Metrics.pdfRefused(he.Code)
			return nil, &PDFError{Code: he.Code, Message: he.Message, MessageDE: he.MessageDE, Err: he.Err}
		} else if err != nil {
			p.cfg.Metrics.submission(sub.Channel, "error")
			return nil, unavailableError{fmt.Errorf("ingest: PDF: %w", err)}
		}
		if sub.Beside != nil && !bytes.Equal(sub.Beside.Data, res.XML) {
			p.cfg.Metrics.pdfRefused(CodeXMLDiffers)
			return nil, PDFRefusal(CodeXMLDiffers)
		}
		sum := sha256.Sum256(res.XML)
		in.xml = res.XML
		in.meta = IntakeMeta{Format: FormatPDF, Profile: res.Profile, XMLName: res.Name,
			XMLSize: len(res.XML), XMLSHA256: hex.EncodeToString(sum[:])}
		for _, w := range res.Warnings {
			p.cfg.Logger.Info("hybrid PDF warning", "code", w.Code, "message", w.Message, "channel", sub.Channel, "reference", sub.Reference)
		}
	}
	if p.cfg.Scanner != nil {
		sig, err := p.scan(ctx, sub.Data, in.xml, in.meta.Format == FormatPDF)
		if err != nil {
			p.cfg.Metrics.submission(sub.Channel, "error") // an outage, as of the store
			return nil, err
		}
		in.meta.Scanned, in.meta.Malware = true, sig
	}
	return in, nil
}

// xmlKey is where the invoice XML embedded in a hybrid PDF is archived.
func xmlKey(id string) string { return archivePrefix(id) + "invoice.xml" }

// keepXML writes the invoice XML of a hybrid PDF beside its original,
// write-once and retained like it; nothing for an XML submission. Submit
// writes it after keep, deferred: file's sync makes it durable before
// anything is acknowledged. Where it is lost (a crash), keptXML extracts
// it again from the kept PDF.
func (p *Pipeline) keepXML(ctx context.Context, meta Meta, xml []byte) error {
	if meta.Format != FormatPDF {
		return nil
	}
	err := p.cfg.Store.Create(ctx, xmlKey(meta.ID), bytes.NewReader(xml), int64(len(xml)), store.CreateOptions{RetainUntil: meta.RetainUntil})
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// errXMLIncomplete says that a hybrid's invoice XML can no longer be
// found in its kept PDF, or differs from the hash its Meta holds.
var errXMLIncomplete = errors.New("ingest: invoice XML incomplete")

// keptXML returns the invoice XML of a kept submission whose original is
// data: data itself, or the XML archived beside a hybrid PDF, checked
// against its hash. Where that is missing or cut short (a crash before
// filing's sync), it extracts the XML from the PDF again and keeps it;
// errXMLIncomplete where that fails.
func (p *Pipeline) keptXML(ctx context.Context, meta Meta, data []byte) ([]byte, error) {
	if meta.Format != FormatPDF {
		return data, nil
	}
	r, err := p.cfg.Store.Get(ctx, xmlKey(meta.ID))
	if err == nil {
		defer r.Close()
		xml, err := io.ReadAll(r)
		if err != nil {
			return nil, outage(fmt.Errorf("store: read %s: %w", xmlKey(meta.ID), err))
		}
		if sum := sha256.Sum256(xml); hex.EncodeToString(sum[:]) == meta.XMLSHA256 {
			return xml, nil
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	res, err := hybrid.Extract(ctx, data, p.cfg.PDFLimits)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errXMLIncomplete, err)
	}
	if sum := sha256.Sum256(res.XML); hex.EncodeToString(sum[:]) != meta.XMLSHA256 {
		return nil, errXMLIncomplete
	}
	// A cut-short write-once object cannot be replaced: the XML is then
	// found again from the PDF each time it is read.
	if err := p.keepXML(store.Deferred(ctx), meta, res.XML); err != nil {
		return nil, err
	}
	return res.XML, nil
}

// InvoiceXML opens the invoice XML of a submission: its original, or for
// a hybrid PDF the XML archived beside it. It returns the XML's size and
// SHA-256 (hex) with it.
func (p *Pipeline) InvoiceXML(ctx context.Context, id string) (rc io.ReadCloser, size int, sum string, err error) {
	meta, err := p.Meta(ctx, id)
	if err != nil {
		return nil, 0, "", err
	}
	if meta.Format != FormatPDF {
		rc, err = p.open(ctx, id, originalKey)
		return rc, meta.Size, meta.SHA256, err
	}
	rc, err = p.open(ctx, id, xmlKey)
	return rc, meta.XMLSize, meta.XMLSHA256, err
}

// invoiceXMLOf returns the invoice XML of the kept submission id whose
// original is data: data, or for a hybrid PDF its archived XML.
func (p *Pipeline) invoiceXMLOf(ctx context.Context, id string, data []byte) ([]byte, error) {
	if !isPDF(data) {
		return data, nil
	}
	meta, err := p.Meta(ctx, id)
	if err != nil {
		return nil, err
	}
	xml, err := p.keptXML(ctx, meta, data)
	if errors.Is(err, errXMLIncomplete) {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	return xml, err
}

// judge validates the invoice XML of a kept submission: an original the
// scan found malware in is rejected without validation (RejectMalware);
// a CII invoice of a ZUGFeRD profile that is no EN 16931 invoice gets the
// profile's explanation (RejectProfile) instead of a bare "no scenario".
func (p *Pipeline) judge(ctx context.Context, meta Meta, xml []byte) (*invoice.Report, error) {
	if meta.Malware != "" {
		p.cfg.Metrics.scanned("infected")
		return &invoice.Report{RejectReason: RejectMalware, DocType: "unknown", Findings: []invoice.Finding{{
			Rule: "EINGANG-MALWARE", Level: invoice.LevelError, Counted: true,
			Message:   "the malware scan found " + meta.Malware + ": the submission is refused and kept for the operators; nothing was filed",
			MessageDE: "die Virenprüfung fand " + meta.Malware + ": die Einreichung wird abgelehnt und für den Betrieb aufbewahrt; nichts wurde zugestellt",
		}}}, nil
	}
	start := time.Now()
	// The release in force on the day of receipt judges (the report names
	// it, so that the original can be judged again as it was).
	rep, err := p.cfg.Validator.Validate(ctx, xml, invoice.Options{Model: true, Received: meta.ReceivedAt})
	if err != nil {
		return nil, err
	}
	p.cfg.Metrics.validated(rep, time.Since(start))
	profileProblem(rep)
	return rep, nil
}

// profileProblem turns a "no scenario" of a CII invoice whose guideline
// id names a ZUGFeRD profile that is no EN 16931 invoice into
// RejectProfile, its explanation the first finding.
func profileProblem(rep *invoice.Report) {
	if rep.Accepted || rep.RejectReason != invoice.RejectNoScenario {
		return
	}
	pe := hybrid.ProfileProblem(rep.CustomizationID)
	if pe == nil {
		return
	}
	rep.RejectReason = RejectProfile
	rep.Findings = append([]invoice.Finding{{Rule: "EINGANG-PROFILE", Level: invoice.LevelError, Counted: true,
		Location: "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
		Message:  pe.Message, MessageDE: pe.MessageDE}}, rep.Findings...)
}

// describe adds to an outcome what the submission's envelope says of its
// form and of malware.
func describe(out *Outcome, meta Meta) {
	out.Format = meta.Format
	if out.Format == "" {
		out.Format = FormatXML
	}
	out.Profile, out.Malware = meta.Profile, meta.Malware
}

// xmlDedupKey records the first hybrid PDF that brought an invoice XML.
// A bare XML needs no record of its own: its bytes' dedup record is one.
func xmlDedupKey(sum string) string { return "dedup-xml/" + sum }

// likelyDuplicate returns the earlier submission that brought the same
// invoice XML in another form, "" if none: for a bare XML, a hybrid PDF
// that embeds it (a look-up); for a PDF, a bare XML with those bytes or
// another PDF embedding it, recording the PDF (create-if-absent) for the
// submissions after it. It does not block filing: the clerk is told. A
// bare XML costs one read, no write.
func (p *Pipeline) likelyDuplicate(ctx, dctx context.Context, meta Meta, batch string) (string, error) {
	if meta.Format != FormatPDF {
		return p.lookup(ctx, xmlDedupKey(meta.SHA256))
	}
	first, err := p.claim(ctx, dctx, xmlDedupKey(meta.XMLSHA256), claimed{meta.ID, batch})
	if err != nil || first.id != meta.ID {
		return first.id, err
	}
	return p.lookup(ctx, dedupKey(meta.XMLSHA256))
}

// ValidateDocument validates a document without keeping it, as Validate
// does, where its sender declared its media type: a document declared
// application/pdf is read as a PDF whatever it is (a *PDFError not-pdf
// where it is none).
func (p *Pipeline) ValidateDocument(ctx context.Context, data []byte, contentType string, opts invoice.Options) (*invoice.Report, error) {
	return p.validateAny(ctx, data, contentType == "application/pdf", opts)
}

// validateAny validates a document that nothing is kept of: an invoice
// XML, or the XML embedded in a hybrid PDF (a *PDFError where there is
// none acceptable), with a profile's explanation where it applies. pdf
// says the document was declared a PDF.
func (p *Pipeline) validateAny(ctx context.Context, data []byte, pdf bool, opts invoice.Options) (*invoice.Report, error) {
	if pdf || isPDF(data) {
		res, err := hybrid.Extract(ctx, data, p.cfg.PDFLimits)
		var he *hybrid.Error
		if errors.As(err, &he) {
			return nil, &PDFError{Code: he.Code, Message: he.Message, MessageDE: he.MessageDE, Err: he.Err}
		} else if err != nil {
			return nil, fmt.Errorf("ingest: PDF: %w", err)
		}
		data = res.XML
	}
	rep, err := p.cfg.Validator.Validate(ctx, data, opts)
	if err != nil {
		return nil, err
	}
	profileProblem(rep)
	return rep, nil
}

// invoiceXML checks a hybrid's archived XML as verify checks every
// retained object: there, its hash and size those of its Meta, retained
// as long as its original.
func (v *verifier) invoiceXML(ctx context.Context, id string, meta *Meta, has map[string]bool, until time.Time, missing func(string)) error {
	if meta == nil || meta.Format != FormatPDF {
		return nil
	}
	if !has[path.Base(xmlKey(id))] {
		missing(xmlKey(id))
		return nil
	}
	return v.retained(ctx, id, xmlKey(id), meta.XMLSHA256, int64(meta.XMLSize), until)
}
