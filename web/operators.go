package web

// The operators' API: the valid invoices no municipality was found for,
// and routing them by hand.

import (
	"encoding/json"
	"io"
	"net/http"
)

// clearing lists the invoices in clearing.
func (s *server) clearing(w http.ResponseWriter, r *http.Request) {
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
func (s *server) abandoned(w http.ResponseWriter, r *http.Request) {
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
func (s *server) route(w http.ResponseWriter, r *http.Request) {
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
	o, err := s.cfg.Pipeline.RouteClearing(r.Context(), r.PathValue("id"), body.Municipality)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}
