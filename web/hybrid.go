package web

// Hybrid invoices (ZUGFeRD / Factur-X PDFs) and the malware scan, as the
// API shows them: a refused PDF as a problem with its code and texts in
// English and German, an unavailable scanner as a 503, the invoice XML of
// a hybrid for accounting, the quarantine for operators.

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/eingang/eingang/ingest"
)

// pdfProblem answers a PDF the pipeline refused (nothing of it was kept):
// 413 for one over the size limit, else 422; the problem's code is the
// refusal's, detail its English text, detail_de its German one. ok is
// false where err is no such refusal.
func pdfProblem(w http.ResponseWriter, err error) (ok bool) {
	var pe *ingest.PDFError
	if !errors.As(err, &pe) {
		return false
	}
	status := http.StatusUnprocessableEntity
	if pe.Code == "too-large" {
		status = http.StatusRequestEntityTooLarge
	}
	problemWith(w, status, pe.Code, pe.Message, map[string]any{"detail_de": pe.MessageDE, "kept": false})
	return true
}

// scanProblem answers a submission the malware scanner could not be asked
// about: nothing was kept, send it again later. ok is false where err is
// no such error.
func scanProblem(w http.ResponseWriter, err error) (ok bool) {
	if !errors.Is(err, ingest.ErrScanUnavailable) {
		return false
	}
	w.Header().Set("Retry-After", "30")
	problemWith(w, http.StatusServiceUnavailable, "scan-unavailable",
		"the malware scanner is unavailable: the invoice was not accepted; send it again later", map[string]any{"kept": false})
	return true
}

// invoiceXML answers the invoice XML: the original of an XML submission,
// the XML embedded in a hybrid PDF (the legally binding part; the PDF's
// pages are a view).
func (s *server) invoiceXML(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, ingest.AuditDownloadXML)
	if !ok {
		return
	}
	rc, size, sum, err := s.cfg.Pipeline.InvoiceXML(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(size))
	w.Header().Set("X-Content-SHA256", sum)
	w.Header().Set("Digest", "sha-256="+b64(sum))
	io.Copy(w, rc)
}

// quarantine lists the submissions the malware scan found malware in.
func (s *server) quarantine(w http.ResponseWriter, r *http.Request, _ ingest.Identity) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Pipeline.Quarantine(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

// originalType is the media type of an original of the format.
func originalType(format string) string {
	if format == ingest.FormatPDF {
		return "application/pdf"
	}
	return "application/xml"
}
