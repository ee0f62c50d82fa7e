package web

// Responses every handler shares.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/eingang/eingang/ingest"
)

// problem writes an RFC 9457 problem details response.
func problem(w http.ResponseWriter, status int, code, detail string) {
	problemWith(w, status, code, detail, nil)
}

// problemWith writes a problem details response with extension members.
func problemWith(w http.ResponseWriter, status int, code, detail string, ext map[string]any) {
	body := map[string]any{
		"type":   "https://eingang.dev/problems/" + code,
		"title":  http.StatusText(status),
		"status": status,
		"code":   code,
		"detail": detail,
	}
	for k, v := range ext {
		body[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers a pipeline error: this is where the pipeline's errors
// become HTTP. A storage failure is a 503 with Retry-After that says what
// was kept: an upload kept but not filed answers its id and receipt token
// (kept: true); any other upload was not accepted (kept: false).
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var notFiled *ingest.NotFiledError
	if pdfProblem(w, err) || scanProblem(w, err) { // hybrid.go
		return
	}
	switch {
	case errors.Is(err, ingest.ErrNotFound):
		problem(w, http.StatusNotFound, "not-found", "no such invoice")
	case errors.Is(err, ingest.ErrAudit):
		s.cfg.Logger.Error("audit trail not written: refused", "path", r.URL.Path, "addr", s.clientAddr(r), "err", err)
		w.Header().Set("Retry-After", "30")
		problem(w, http.StatusServiceUnavailable, "audit-unavailable", "the audit trail cannot be written, so nothing is done: try again later")
	case errors.As(err, &notFiled):
		s.cfg.Logger.Warn("kept, not filed", "path", r.URL.Path, "addr", s.clientAddr(r), "id", notFiled.ID, "err", err)
		w.Header().Set("Retry-After", "30")
		problemWith(w, http.StatusServiceUnavailable, "store-unavailable",
			"the invoice was kept as "+notFiled.ID+", but the archive failed before it was filed; it is filed when the archive is back. "+
				"Follow it with the receipt token; sending it again is safe (a copy is recognised and answered with its outcome)",
			map[string]any{"kept": true, "id": notFiled.ID, "receipt_token": notFiled.ReceiptToken})
	case errors.Is(err, ingest.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded):
		s.cfg.Logger.Warn("store unavailable", "path", r.URL.Path, "addr", s.clientAddr(r), "err", err)
		w.Header().Set("Retry-After", "30")
		if r.Pattern == uploadRoute {
			problemWith(w, http.StatusServiceUnavailable, "store-unavailable",
				"the archive is unavailable or full: the invoice was not accepted; send it again later", map[string]any{"kept": false})
			return
		}
		problem(w, http.StatusServiceUnavailable, "store-unavailable", "the archive is unavailable: try again later")
	case errors.Is(err, ingest.ErrNoView):
		problem(w, http.StatusInternalServerError, "no-view", "the invoice cannot be shown as a page; fetch the original")
	default:
		s.cfg.Logger.Error("request failed", "path", r.URL.Path, "addr", s.clientAddr(r), "err", err)
		problem(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// notFound answers a request that matches no endpoint.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	problem(w, http.StatusNotFound, "not-found", "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// limitParam reads a listing's limit (default 100, at most 1000). Where it
// is not a number in range it answers 400 itself and ok is false.
func limitParam(w http.ResponseWriter, r *http.Request) (limit int, ok bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 100, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		problem(w, http.StatusBadRequest, "bad-limit", "limit must be a number from 1 to 1000")
		return 0, false
	}
	return n, true
}
