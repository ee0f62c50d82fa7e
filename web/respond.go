package web

// Responses every handler shares.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/eingang/eingang/ingest"
)

// problem writes an RFC 9457 problem details response.
func problem(w http.ResponseWriter, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type":   "https://eingang.dev/problems/" + code,
		"title":  http.StatusText(status),
		"status": status,
		"code":   code,
		"detail": detail,
	})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers a pipeline error: this is where the pipeline's errors
// become HTTP.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ingest.ErrNotFound):
		problem(w, http.StatusNotFound, "not-found", "no such invoice")
	case errors.Is(err, ingest.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded):
		s.cfg.Logger.Warn("store unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		problem(w, http.StatusServiceUnavailable, "store-unavailable", "the archive is unavailable; nothing was kept: send again later")
	case errors.Is(err, ingest.ErrNoView):
		problem(w, http.StatusInternalServerError, "no-view", "the invoice cannot be shown as a page; fetch the original")
	default:
		s.cfg.Logger.Error("request failed", "path", r.URL.Path, "err", err)
		problem(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// notFound answers a request that matches no endpoint.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	problem(w, http.StatusNotFound, "not-found", "no such endpoint: "+r.Method+" "+r.URL.Path)
}
