package web

// The accounting API: a municipality reads and acknowledges its own inbox,
// with one of its tokens.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
)

// inbox lists the municipality's entries, new ones by default, in pages.
func (s *server) inbox(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	q := r.URL.Query()
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	state := q.Get("status")
	if state == "" {
		state = "new"
	}
	if state != "new" && state != "acknowledged" && state != "all" {
		problem(w, http.StatusBadRequest, "bad-status", "status must be new, acknowledged or all")
		return
	}
	list, err := s.cfg.Pipeline.Inbox(r.Context(), m.ID, state, q.Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"municipality": m.ID, "entries": list, "next_after": next})
}

// inboxEntry answers one entry of the inbox.
func (s *server) inboxEntry(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	o, err := s.cfg.Pipeline.InboxEntry(r.Context(), m.ID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// original answers the invoice exactly as received, with its hash: the
// XML, or a hybrid's PDF.
func (s *server) original(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	id, ok := s.inInbox(w, r, m)
	if !ok {
		return
	}
	meta, err := s.cfg.Pipeline.Meta(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rc, err := s.cfg.Pipeline.Original(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", originalType(meta.Format)) // hybrid.go
	w.Header().Set("Content-Length", strconv.Itoa(meta.Size))
	w.Header().Set("X-Content-SHA256", meta.SHA256)
	w.Header().Set("Digest", "sha-256="+b64(meta.SHA256))
	io.Copy(w, rc)
}

// report answers the validation report kept when the invoice came in.
func (s *server) report(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	id, ok := s.inInbox(w, r, m)
	if !ok {
		return
	}
	rc, err := s.cfg.Pipeline.Report(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(bytes.TrimRight(b, "\n"))
	io.WriteString(w, "\n")
}

// view answers a readable HTML page of the invoice (a view, never the
// record). The page may run no script and load nothing.
func (s *server) view(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	id, ok := s.inInbox(w, r, m)
	if !ok {
		return
	}
	lang := r.URL.Query().Get("lang") // else the browser's Accept-Language
	if lang == "" {
		lang = r.Header.Get("Accept-Language")
	}
	page, err := s.cfg.Pipeline.View(r.Context(), id, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if invoice.English(lang) {
		w.Header().Set("Content-Language", "en")
	} else {
		w.Header().Set("Content-Language", "de")
	}
	w.Header().Set("Vary", "Accept-Language")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(page)
}

// attachment answers an embedded file of the invoice (BG-24) as a
// download: never rendered inline, whatever type the sender declared.
func (s *server) attachment(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		problem(w, http.StatusNotFound, "not-found", "no such attachment")
		return
	}
	a, data, err := s.cfg.Pipeline.Attachment(r.Context(), m.ID, r.PathValue("id"), n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := strings.Map(func(c rune) rune {
		if c < ' ' || c == 0x7f || c == '/' || c == '\\' {
			return '_'
		}
		return c
	}, a.Filename)
	if name == "" || name == "." || name == ".." {
		name = fmt.Sprintf("attachment-%d", n)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}

// inInbox returns the path's invoice id if the invoice is in m's inbox.
// Where it is not, it answers the request itself and ok is false.
func (s *server) inInbox(w http.ResponseWriter, r *http.Request, m *directory.Municipality) (id string, ok bool) {
	id = r.PathValue("id")
	if _, err := s.cfg.Pipeline.InboxEntry(r.Context(), m.ID, id); err != nil {
		s.fail(w, r, err)
		return "", false
	}
	return id, true
}

// ack marks the invoice as booked; it leaves the new ones.
func (s *server) ack(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	o, err := s.cfg.Pipeline.Acknowledge(r.Context(), m.ID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// b64 turns a hex digest into base64 (for the Digest header).
func b64(hexSum string) string {
	b, err := hex.DecodeString(hexSum)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
