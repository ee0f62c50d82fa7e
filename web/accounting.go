package web

// The municipalities' API: a municipality's clerks read and acknowledge
// its own inbox, its auditors read it and its audit trail, with one of its
// tokens. Every read of an entry, every download and every acknowledgement
// is recorded in the audit trail before it is done (s.audit).

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
)

// inbox lists the municipality's entries, new ones by default, in pages.
func (s *server) inbox(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
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
	list, err := s.cfg.Pipeline.Inbox(r.Context(), who.Municipality, state, q.Get("after"), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"municipality": who.Municipality, "entries": list, "next_after": next})
}

// inboxEntry answers one entry of the inbox.
func (s *server) inboxEntry(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	o, err := s.cfg.Pipeline.InboxEntry(r.Context(), who.Municipality, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.audit(w, r, who, ingest.AuditView, o.ID) {
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// original answers the invoice exactly as received, with its hash: the
// XML, or a hybrid's PDF.
func (s *server) original(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, ingest.AuditDownloadOriginal)
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
func (s *server) report(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, ingest.AuditDownloadReport)
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
func (s *server) view(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, ingest.AuditView)
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
func (s *server) attachment(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		problem(w, http.StatusNotFound, "not-found", "no such attachment")
		return
	}
	id, ok := s.inInbox(w, r, who, ingest.AuditDownloadAttachment)
	if !ok {
		return
	}
	a, data, err := s.cfg.Pipeline.Attachment(r.Context(), who.Municipality, id, n)
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

// inInbox returns the path's invoice id if the invoice is in the caller's
// municipality's inbox, and records action on it in the audit trail.
// Where it is not there or the record cannot be written, it answers the
// request itself and ok is false.
func (s *server) inInbox(w http.ResponseWriter, r *http.Request, who ingest.Identity, action string) (id string, ok bool) {
	id = r.PathValue("id")
	if _, err := s.cfg.Pipeline.InboxEntry(r.Context(), who.Municipality, id); err != nil {
		s.fail(w, r, err)
		return "", false
	}
	return id, action == "" || s.audit(w, r, who, action, id)
}

// ack marks the invoice as booked; it leaves the new ones.
func (s *server) ack(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, ingest.AuditAcknowledge)
	if !ok {
		return
	}
	o, err := s.cfg.Pipeline.Acknowledge(r.Context(), who.Municipality, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

// history answers an entry's audit records, oldest first.
func (s *server) history(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id, ok := s.inInbox(w, r, who, "")
	if !ok {
		return
	}
	h, err := s.cfg.Pipeline.History(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "records": nonNil(h)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// auditTrail answers the audit trail of a period, as JSON or CSV: an
// auditor's municipality's, or, for an operator, every municipality's
// (with the gateway's own, GatewayTrail) or the one of ?municipality=.
// The export itself is recorded in the reader's trail.
func (s *server) auditTrail(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.DateOnly, q.Get("from"))
	to, err2 := time.Parse(time.DateOnly, q.Get("to"))
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		problem(w, http.StatusBadRequest, "bad-period", "from and to are dates (YYYY-MM-DD, UTC; to included), at most a year apart")
		return
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		problem(w, http.StatusBadRequest, "bad-format", "format is json or csv")
		return
	}
	trails := []string{who.Municipality}
	if who.Role == ingest.RoleOperator {
		trails = nil // every record
		if m := q.Get("municipality"); m != "" {
			if m != ingest.GatewayTrail && s.cfg.Directory().Municipality(m) == nil {
				problem(w, http.StatusBadRequest, "unknown-municipality", "no municipality "+m+" in the directory")
				return
			}
			trails = []string{m}
		}
	} else if m := q.Get("municipality"); m != "" && m != who.Municipality {
		problem(w, http.StatusForbidden, "forbidden", "an auditor reads its own municipality's trail only")
		return
	}
	recs, err := s.cfg.Pipeline.AuditRecords(r.Context(), trails, from, to.AddDate(0, 0, 1))
	switch {
	case errors.Is(err, ingest.ErrTooManyRecords):
		problem(w, http.StatusBadRequest, "too-large", fmt.Sprintf("the period has more than %d records: ask for a shorter one, or one municipality", ingest.MaxAuditRecords))
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if !s.audit(w, r, who, ingest.AuditReadTrail) {
		return
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="audit-`+q.Get("from")+"-"+q.Get("to")+`.csv"`)
		ingest.WriteAuditCSV(w, recs)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": q.Get("from"), "to": q.Get("to"), "records": nonNil(recs)})
}

// b64 turns a hex digest into base64 (for the Digest header).
func b64(hexSum string) string {
	b, err := hex.DecodeString(hexSum)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
