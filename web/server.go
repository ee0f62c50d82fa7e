// Package web is the gateway's HTTP surface: the upload and validation API
// for contractors, the inbox API for municipal accounting, the clearing API
// for operators, metrics and health. Errors are RFC 9457 problem details
// with a stable code.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/ingest/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
	"github.com/eingang/eingang/web/pages"
)

// Config configures the HTTP surface.
type Config struct {
	Pipeline  *ingest.Pipeline
	Validator *invoice.Validator
	Directory func() *directory.Directory
	Gatherer  prometheus.Gatherer // for /metrics; nil: no metrics endpoint
	Logger    *slog.Logger
	// MaxBody is the largest upload accepted, in bytes (default 20 MB).
	MaxBody int64
	// UploadRate and UploadBurst limit uploads per client address (per
	// second, and burst). Zero rate means no limit.
	UploadRate  float64
	UploadBurst int
}

type server struct {
	cfg      Config
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// New returns the gateway's HTTP handler.
func New(cfg Config) http.Handler {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 20 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UploadBurst <= 0 {
		cfg.UploadBurst = 10
	}
	s := &server{cfg: cfg, limiters: map[string]*rate.Limiter{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/invoices", s.upload)
	mux.HandleFunc("GET /api/v1/invoices/{id}", s.status)
	mux.HandleFunc("POST /api/v1/validate", s.validate)
	mux.HandleFunc("GET /api/v1/inbox", s.accounting(s.inbox))
	mux.HandleFunc("GET /api/v1/inbox/{id}", s.accounting(s.inboxEntry))
	mux.HandleFunc("GET /api/v1/inbox/{id}/original", s.accounting(s.original))
	mux.HandleFunc("GET /api/v1/inbox/{id}/report", s.accounting(s.report))
	mux.HandleFunc("GET /api/v1/inbox/{id}/view", s.accounting(s.view))
	mux.HandleFunc("POST /api/v1/inbox/{id}/ack", s.accounting(s.ack))
	mux.HandleFunc("GET /api/v1/clearing", s.operator(s.clearing))
	mux.HandleFunc("POST /api/v1/clearing/{id}/route", s.operator(s.route))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.ready)
	if cfg.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{}))
	}
	// The pages for people: /, /check, /leitweg, /login, /inbox, /ops.
	pages.New(pages.Config{Backend: cfg.Pipeline, Logger: cfg.Logger, MaxBody: cfg.MaxBody, Allow: s.allow}).Register(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "not-found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return mux
}

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

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *server) allow(r *http.Request) bool {
	if s.cfg.UploadRate <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := clientAddr(r)
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

// readDocument reads the invoice from a raw XML body or a multipart form
// field "file", with the sender from the form field "sender" or the header
// X-Sender-Email.
func (s *server) readDocument(w http.ResponseWriter, r *http.Request) (data []byte, filename, sender, ctype string, ok bool) {
	sender = r.Header.Get("X-Sender-Email")
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		problem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", "send the invoice as application/xml, text/xml or multipart/form-data with a field \"file\"")
		return nil, "", "", "", false
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBody)
	switch mt {
	case "application/xml", "text/xml":
		data, err = io.ReadAll(body)
	case "multipart/form-data":
		data, filename, sender, err = readMultipart(body, params["boundary"], sender)
	default:
		problem(w, http.StatusUnsupportedMediaType, "unsupported-media-type", fmt.Sprintf("content type %q: send application/xml, text/xml or multipart/form-data", mt))
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
		problem(w, http.StatusBadRequest, "empty-body", "the upload is empty: send the invoice's XML")
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
			b, err := io.ReadAll(io.LimitReader(part, 320))
			if err != nil {
				return nil, "", "", err
			}
			from = strings.TrimSpace(string(b))
		}
	}
	if data == nil {
		return nil, "", "", errors.New("no form field \"file\"")
	}
	return data, filename, from, nil
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
	rec, err := s.cfg.Pipeline.Submit(r.Context(), ingest.Submission{
		Data: data, Channel: "upload", Sender: sender, Filename: filename, ContentType: ctype,
		Reference: r.Header.Get("X-Request-Id"),
	})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := receipt{
		ID: rec.ID, Status: rec.Status, Accepted: rec.Accepted,
		Municipality: nullable(rec.Outcome.Municipality), LeitwegID: nullable(rec.Outcome.LeitwegID),
		Reason: rec.Outcome.ClearingReason, Findings: counted(rec.Findings), ReceiptToken: rec.ReceiptToken,
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

func (s *server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		s.cfg.Logger.Warn("store unavailable", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		problem(w, http.StatusServiceUnavailable, "store-unavailable", "the archive is unavailable; nothing was kept: send again later")
		return
	}
	s.cfg.Logger.Error("request failed", "path", r.URL.Path, "err", err)
	problem(w, http.StatusInternalServerError, "internal", "internal error")
}

// status answers the sender, who holds the receipt token.
func (s *server) status(w http.ResponseWriter, r *http.Request) {
	token := bearer(r)
	if token == "" {
		problem(w, http.StatusUnauthorized, "unauthorized", "send the receipt token as Authorization: Bearer <token>")
		return
	}
	id := r.PathValue("id")
	meta, err := s.cfg.Pipeline.Meta(r.Context(), id)
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	sum := sha256.Sum256([]byte(token))
	want, _ := hex.DecodeString(meta.ReceiptTokenSHA256)
	if subtle.ConstantTimeCompare(sum[:], want) != 1 {
		problem(w, http.StatusNotFound, "not-found", "no invoice with this id for this receipt token")
		return
	}
	o, err := s.cfg.Pipeline.Outcome(r.Context(), id)
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	out := receipt{ID: id, Status: o.Status, Accepted: o.Accepted, Municipality: nullable(o.Municipality), LeitwegID: nullable(o.LeitwegID), Reason: o.ClearingReason, Findings: []invoice.Finding{}}
	if rc, err := s.cfg.Pipeline.Report(r.Context(), id); err == nil {
		var rep invoice.Report
		if json.NewDecoder(rc).Decode(&rep) == nil {
			out.Findings = counted(rep.Findings)
		}
		rc.Close()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) notFoundOr(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ingest.ErrNotFound) {
		problem(w, http.StatusNotFound, "not-found", "no such invoice")
		return
	}
	s.storeError(w, r, err)
}

// validate answers with the report only; nothing is stored.
func (s *server) validate(w http.ResponseWriter, r *http.Request) {
	data, _, _, _, ok := s.readDocument(w, r)
	if !ok {
		return
	}
	rep, err := s.cfg.Validator.Validate(r.Context(), data, invoice.Options{AllRules: r.URL.Query().Get("all_rules") == "true"})
	if err != nil {
		problem(w, http.StatusServiceUnavailable, "canceled", err.Error())
		return
	}
	if rep.Findings == nil {
		rep.Findings = []invoice.Finding{}
	}
	writeJSON(w, http.StatusOK, rep)
}

// accounting wraps a handler that needs a municipality's token.
func (s *server) accounting(h func(http.ResponseWriter, *http.Request, *directory.Municipality)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		role, m := s.cfg.Directory().Authenticate(bearer(r))
		switch role {
		case directory.None:
			w.Header().Set("WWW-Authenticate", `Bearer realm="eingang"`)
			problem(w, http.StatusUnauthorized, "unauthorized", "send a municipality's token as Authorization: Bearer <token>")
		case directory.Accounting:
			h(w, r, m)
		default:
			problem(w, http.StatusForbidden, "forbidden", "this token is not a municipality's accounting token")
		}
	}
}

// operator wraps a handler that needs an operator's token.
func (s *server) operator(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		role, _ := s.cfg.Directory().Authenticate(bearer(r))
		switch role {
		case directory.None:
			w.Header().Set("WWW-Authenticate", `Bearer realm="eingang"`)
			problem(w, http.StatusUnauthorized, "unauthorized", "send an operator token as Authorization: Bearer <token>")
		case directory.Operator:
			h(w, r)
		default:
			problem(w, http.StatusForbidden, "forbidden", "this token is not an operator token")
		}
	}
}

func (s *server) inbox(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			problem(w, http.StatusBadRequest, "bad-limit", "limit must be a number from 1 to 1000")
			return
		}
		limit = n
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
		s.storeError(w, r, err)
		return
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"municipality": m.ID, "entries": list, "next_after": next})
}

func (s *server) inboxEntry(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	o, err := s.cfg.Pipeline.InboxEntry(r.Context(), m.ID, r.PathValue("id"))
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *server) original(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	rc, ok := s.inboxOriginal(w, r, m)
	if !ok {
		return
	}
	defer rc.Close()
	meta, err := s.cfg.Pipeline.Meta(r.Context(), r.PathValue("id"))
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(meta.Size))
	w.Header().Set("X-Content-SHA256", meta.SHA256)
	w.Header().Set("Digest", "sha-256="+b64(meta.SHA256))
	io.Copy(w, rc)
}

// inboxOriginal opens the original of the invoice {id} in m's inbox. Where
// there is none it answers the request itself and ok is false.
func (s *server) inboxOriginal(w http.ResponseWriter, r *http.Request, m *directory.Municipality) (rc io.ReadCloser, ok bool) {
	id := r.PathValue("id")
	if _, err := s.cfg.Pipeline.InboxEntry(r.Context(), m.ID, id); err != nil {
		s.notFoundOr(w, r, err)
		return nil, false
	}
	rc, err := s.cfg.Pipeline.Original(r.Context(), id)
	if err != nil {
		s.notFoundOr(w, r, err)
		return nil, false
	}
	return rc, true
}

func (s *server) report(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	id := r.PathValue("id")
	if _, err := s.cfg.Pipeline.InboxEntry(r.Context(), m.ID, id); err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	rc, err := s.cfg.Pipeline.Report(r.Context(), id)
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/json")
	io.Copy(w, rc)
}

// view answers a readable HTML page of the invoice, read from the original
// (a view, never the record). The page may run no script and load nothing.
func (s *server) view(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	rc, ok := s.inboxOriginal(w, r, m)
	if !ok {
		return
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	// The page needs the model only: the rules ran when the invoice came in.
	root, err := invoice.Parse(data, invoice.DefaultLimits)
	var inv *invoice.Invoice
	if err == nil {
		inv, err = invoice.Read(root)
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "no-view", "the invoice cannot be shown as a page; fetch the original")
		return
	}
	var page bytes.Buffer
	if err := invoice.Render(&page, inv); err != nil {
		problem(w, http.StatusInternalServerError, "no-view", err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(page.Bytes())
}

func (s *server) ack(w http.ResponseWriter, r *http.Request, m *directory.Municipality) {
	o, err := s.cfg.Pipeline.Acknowledge(r.Context(), m.ID, r.PathValue("id"))
	if err != nil {
		s.notFoundOr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *server) clearing(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	list, err := s.cfg.Pipeline.Clearing(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

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
		s.notFoundOr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, o)
}

func (s *server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if s.cfg.Directory() == nil {
		problem(w, http.StatusServiceUnavailable, "not-ready", "no directory loaded")
		return
	}
	if err := s.cfg.Pipeline.Store().Ping(ctx); err != nil {
		problem(w, http.StatusServiceUnavailable, "not-ready", "store: "+err.Error())
		return
	}
	io.WriteString(w, "ready\n")
}

// b64 turns a hex digest into base64 (for the Digest header).
func b64(hexSum string) string {
	b, err := hex.DecodeString(hexSum)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}
