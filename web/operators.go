package web

// The operators' API: the valid invoices no municipality was found for,
// and routing them by hand.

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/eingang/eingang/ingest"
)

// clearing lists the invoices in clearing.
func (s *server) clearing(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Pipeline.Clearing(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

// abandoned lists the submissions kept in part and never acknowledged:
// archived objects that are no invoice.
func (s *server) abandoned(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	list, err := s.cfg.Pipeline.AbandonedList(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

// route files an invoice from clearing in a municipality's inbox.
func (s *server) route(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	var body struct {
		Municipality string `json:"municipality"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil || body.Municipality == "" {
		problem(w, http.StatusBadRequest, "bad-request", `send {"municipality": "<id>"}`)
		return
	}
	if s.cfg.Directory().Municipality(body.Municipality) == nil {
		problem(w, http.StatusBadRequest, "unknown-municipality", "no municipality "+body.Municipality+" in the directory")
		return
	}
	id := r.PathValue("id")
	if _, err := s.cfg.Pipeline.ClearingEntry(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	rec := ingest.AuditFor(who, ingest.AuditRoute, s.clientAddr(r), "api", id)
	rec.Municipality = body.Municipality // the trail of the municipality it goes to
	if err := s.cfg.Pipeline.Audit(r.Context(), rec); err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.cfg.Pipeline.RouteClearing(r.Context(), id, body.Municipality)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
