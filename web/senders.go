package web

// The senders' API: upload an invoice, follow it with the receipt token,
// or only validate it.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"golang.org/x/time/rate"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
)

// upload keeps, validates and files an invoice, and answers its receipt.
func (s *server) upload(w http.ResponseWriter, r *http.Request) {
	if !s.allow(r) {
		w.Header().Set("Retry-After", "1")
		problem(w, http.StatusTooManyRequests, "rate-limited", "too many uploads from this address: slow down")
		return
	}
	data, filename, sender, ctype, ok := s.readDocument(w, r)
	if !ok {
		return
	}
	// Submit keeps and files the invoice whether or not the sender's
	// connection stays open (a client that half-closes it after sending
	// the request cancels r.Context()).
	rec, err := s.cfg.Pipeline.Submit(r.Context(), ingest.Submission{
		Data: data, Channel: "upload", Sender: sender, Filename: filename, ContentType: ctype,
		Reference: r.Header.Get("X-Request-Id"),
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := receipt{
		ID: rec.ID, Status: rec.Status, Accepted: rec.Accepted,
		Municipality: nullable(rec.Outcome.Municipality), LeitwegID: nullable(rec.Outcome.LeitwegID),
		Reason: rec.Outcome.ClearingReason, Findings: counted(rec.Findings), ReceiptToken: rec.ReceiptToken,
	}
	out.intake(rec.Outcome.IntakeOutcome)
	if rec.Report != nil {
		out.RejectReason = rec.Report.RejectReason
	}
	status := http.StatusCreated
	switch {
	case rec.Status == ingest.StatusDuplicate:
		status = http.StatusOK
	case !rec.Accepted:
		status = http.StatusUnprocessableEntity
	}
	writeJSON(w, status, out)
}

// status answers the sender, who holds the receipt token.
func (s *server) status(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	if token == "" {
		problem(w, http.StatusUnauthorized, "unauthorized", "send the receipt token as Authorization: Bearer <token>")
		return
	}
	id := r.PathValue("id")
	o, err := s.cfg.Pipeline.Follow(r.Context(), id, token)
	if errors.Is(err, ingest.ErrNotFound) {
		problem(w, http.StatusNotFound, "not-found", "no invoice with this id for this receipt token")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	out := receipt{ID: id, Status: o.Status, Accepted: o.Accepted, Municipality: nullable(o.Municipality), LeitwegID: nullable(o.LeitwegID), Reason: o.ClearingReason, Findings: []invoice.Finding{},
		RejectReason: o.RejectReason}
	out.intake(o.IntakeOutcome)
	if rc, err := s.cfg.Pipeline.Report(r.Context(), id); err == nil {
		var rep invoice.Report
		if json.NewDecoder(rc).Decode(&rep) == nil {
			out.Findings = counted(rep.Findings)
		}
		rc.Close()
	}
	writeJSON(w, http.StatusOK, out)
}

// validate answers with the report only; nothing is stored. ?rules=NAME
// names the rule release that judges; without it the release in force
// now does, as for a submission received now.
func (s *server) validate(w http.ResponseWriter, r *http.Request) {
	release := r.URL.Query().Get("rules")
	if release != "" {
		if _, err := invoice.LookupRelease(release); err != nil {
			problem(w, http.StatusBadRequest, "unknown-rules", err.Error())
			return
		}
	}
	data, _, _, ctype, ok := s.readDocument(w, r)
	if !ok {
		return
	}
	rep, err := s.cfg.Pipeline.ValidateDocument(r.Context(), data, ctype, invoice.Options{AllRules: r.URL.Query().Get("all_rules") == "true", Release: release})
	if pdfProblem(w, err) {
		return
	}
	if err != nil {
		problem(w, http.StatusServiceUnavailable, "canceled", err.Error())
		return
	}
	if rep.Findings == nil {
		rep.Findings = []invoice.Finding{}
	}
	writeJSON(w, http.StatusOK, rep)
}

// receipt is the upload's answer.
type receipt struct {
	ID           string            `json:"id"`
	Status       ingest.Status     `json:"status"`
	Accepted     bool              `json:"accepted"`
	Municipality *string           `json:"municipality"`
	LeitwegID    *string           `json:"leitweg_id"`
	Reason       string            `json:"reason,omitempty"`
	Findings     []invoice.Finding `json:"findings"`
	ReceiptToken string            `json:"receipt_token,omitempty"`
	RejectReason string            `json:"reject_reason,omitempty"`
	// Format is xml or pdf (a hybrid), Profile a hybrid's ZUGFeRD /
	// Factur-X profile, Malware the signature the scan found.
	Format  string `json:"format,omitempty"`
	Profile string `json:"profile,omitempty"`
	Malware string `json:"malware,omitempty"`
}

// intake fills the receipt's fields of the form the invoice came in and
// of malware; an earlier likely duplicate is the clerk's, not the sender's.
func (r *receipt) intake(o ingest.IntakeOutcome) {
	r.Format, r.Profile, r.Malware = o.Format, o.Profile, o.Malware
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func counted(fs []invoice.Finding) []invoice.Finding {
	out := []invoice.Finding{}
	for _, f := range fs {
		if f.Counted {
			out = append(out, f)
		}
	}
	return out
}

// allow reports whether the client may upload now (the rate limit).
func (s *server) allow(r *http.Request) bool {
	if s.cfg.UploadRate <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := s.clientAddr(r)
	l := s.limiters[addr]
	if l == nil {
		if len(s.limiters) > 100_000 {
			s.limiters = map[string]*rate.Limiter{} // forget idle clients rather than grow without bound
		}
		l = rate.NewLimiter(rate.Limit(s.cfg.UploadRate), s.cfg.UploadBurst)
		s.limiters[addr] = l
	}
	return l.Allow()
}

// readDocument reads the invoice from a raw XML or PDF body or a multipart
// form field "file", with the sender from the form field "sender" or the header
// X-Sender-Email.
func (s *server) readDocument(w http.ResponseWriter, r *http.Request) (data []byte, filename, sender, ctype string, ok bool) {
	sender = senderField(r.Header.Get("X-Sender-Email"))
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		problem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", "send the invoice as application/xml, text/xml, application/pdf (ZUGFeRD / Factur-X) or multipart/form-data with a field \"file\"")
		return nil, "", "", "", false
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	switch mt {
	case "application/xml", "text/xml", "application/pdf":
		data, err = io.ReadAll(body)
	case "multipart/form-data":
		data, filename, sender, err = readMultipart(body, params["boundary"], sender)
	default:
		problem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", fmt.Sprintf("content type %q: send application/xml, text/xml, application/pdf or multipart/form-data", mt))
		return nil, "", "", "", false
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		problem(w, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the upload is larger than %d bytes", s.cfg.MaxBody))
		return nil, "", "", "", false
	case err != nil:
		problem(w, http.StatusBadRequest, "bad-request", "reading the upload: "+err.Error())
		return nil, "", "", "", false
	case len(data) == 0:
		problem(w, http.StatusBadRequest, "empty-body", "the upload is empty: send the invoice's XML or a ZUGFeRD / Factur-X PDF")
		return nil, "", "", "", false
	}
	return data, filename, sender, mt, true
}

func readMultipart(body io.Reader, boundary, sender string) (data []byte, filename, from string, err error) {
	if boundary == "" {
		return nil, "", "", errors.New("multipart upload without boundary")
	}
	from = sender
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", "", err
		}
		switch part.FormName() {
		case "file":
			if data != nil {
				return nil, "", "", errors.New("more than one field \"file\"")
			}
			filename = part.FileName()
			if data, err = io.ReadAll(part); err != nil {
				return nil, "", "", err
			}
			if data == nil {
				data = []byte{}
			}
		case "sender":
			b, err := io.ReadAll(io.LimitReader(part, maxSender))
			if err != nil {
				return nil, "", "", err
			}
			from = senderField(string(b))
		}
	}
	if data == nil {
		return nil, "", "", errors.New("no form field \"file\"")
	}
	return data, filename, from, nil
}

// maxSender is the most of a sender's address kept (an e-mail address has
// at most 320 bytes), from the header X-Sender-Email or the form field.
const maxSender = 320

func senderField(v string) string {
	if len(v) > maxSender {
		v = v[:maxSender]
	}
	return strings.TrimSpace(v)
}
