package pages

// Hybrid invoices (ZUGFeRD / Factur-X PDFs) and the malware scan on the
// pages: a refused PDF answers with its code and text in the page's
// language, an unavailable scanner like an outage; accounting downloads
// the PDF and its invoice XML; operators see what the scan found.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/eingang/eingang/ingest"
)

// refused answers a PDF the pipeline refused (nothing kept) or a scanner
// it could not ask; ok is false where err is neither.
func (p *Pages) refused(w http.ResponseWriter, r *http.Request, err error) (ok bool) {
	var pe *ingest.PDFError
	switch {
	case errors.As(err, &pe):
		text := pe.Message
		if language(w, r) == "de" {
			text = pe.MessageDE
		}
		status := http.StatusUnprocessableEntity
		if pe.Code == "too-large" {
			status = http.StatusRequestEntityTooLarge
		}
		p.render(w, r, status, "message", "err_pdf", message{Heading: "err_pdf", Text: "err_pdf_text", Detail: text + " (" + pe.Code + ")"})
		return true
	case errors.Is(err, ingest.ErrScanUnavailable):
		p.cfg.Logger.Warn("page upload: malware scanner unavailable", "err", err)
		w.Header().Set("Retry-After", "30")
		p.fail(w, r, http.StatusServiceUnavailable, "err_scan")
		return true
	}
	return false
}

// declaredType is the media type an uploaded file declares by its name:
// a PDF (a hybrid invoice) or, as before there were hybrids, XML.
func declaredType(name string) string {
	if strings.EqualFold(path.Ext(name), ".pdf") {
		return "application/pdf"
	}
	return "application/xml"
}

// originalName is the download name's suffix and the media type of an
// invoice's original: the XML, or a hybrid's PDF.
func originalName(ctx context.Context, b Backend, who ingest.Identity, id string) (suffix, ctype string) {
	if o, err := b.InboxEntry(ctx, who.Municipality, id); err == nil && o.Format == ingest.FormatPDF {
		return "original.pdf", "application/pdf"
	}
	return "original.xml", "application/xml"
}

// invoiceXML downloads the invoice XML: the original, or a hybrid's
// embedded XML, the legally binding part.
func (p *Pages) invoiceXML(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	p.download(w, r, who, ingest.AuditDownloadXML, "invoice.xml", "application/xml", p.openXML)
}

// openXML opens an invoice's XML.
func (p *Pages) openXML(ctx context.Context, id string) (io.ReadCloser, error) {
	rc, _, _, err := p.cfg.Backend.InvoiceXML(ctx, id)
	return rc, err
}

// quarantineShown is how many of the latest finds the operators' page
// lists.
const quarantineShown = 20

// quarantined is the operators' page's section on malware.
type quarantined struct {
	N      int              // how many the scan found in all
	Latest []ingest.Outcome // the latest, oldest first
}

// quarantine returns what the operators' page shows of the submissions
// the malware scan found malware in (rare: the list is read whole).
func (p *Pages) quarantine(ctx context.Context) (quarantined, error) {
	var q quarantined
	after := ""
	for {
		page, err := p.cfg.Backend.Quarantine(ctx, after, 1000)
		if err != nil {
			return q, err
		}
		q.N += len(page)
		q.Latest = append(q.Latest, page...)
		if len(q.Latest) > quarantineShown {
			q.Latest = q.Latest[len(q.Latest)-quarantineShown:]
		}
		if len(page) < 1000 {
			return q, nil
		}
		after = page[len(page)-1].ID
	}
}

// A zipPart is one file of an invoice in a ZIP of the inbox.
type zipPart struct {
	name string
	open func(ctx context.Context, id string) (io.ReadCloser, error)
}

// zipParts are the files of an invoice in a ZIP: the original and the
// report, and for a hybrid its PDF and its invoice XML.
func (p *Pages) zipParts(o ingest.Outcome) []zipPart {
	report := zipPart{"report.json", p.cfg.Backend.Report}
	if o.Format != ingest.FormatPDF {
		return []zipPart{{"original.xml", p.cfg.Backend.Original}, report}
	}
	return []zipPart{{"original.pdf", p.cfg.Backend.Original}, {"invoice.xml", p.openXML}, report}
}
