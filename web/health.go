package web

// Health for orchestrators: the process answers, and it can take uploads.

import (
	"context"
	"io"
	"net/http"
	"time"
)

// ready answers whether uploads can be taken: the pipeline is ready.
func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.cfg.Pipeline.Ready(ctx); err != nil {
		problem(w, http.StatusServiceUnavailable, "not-ready", err.Error())
		return
	}
	io.WriteString(w, "ready\n")
}

// healthz answers as long as the process does.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }
