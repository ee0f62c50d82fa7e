package kosit

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/bits"
	"mime"
	"net"
	"net/http"
	"path"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
)

// Config configures the daemon. The zero value of a field is its default.
type Config struct {
	// Validator validates the documents; default invoice.NewValidator().
	Validator *invoice.Validator
	// MaxBytes is the largest document accepted (default 32 MiB, the
	// validator's own limit); a larger one is answered 413, at once where
	// the request declares its length, else as soon as more than MaxBytes
	// have arrived.
	MaxBytes int64
	// MaxConcurrent is how many documents are validated at once (default
	// GOMAXPROCS); the others wait for a slot.
	MaxConcurrent int
	// BodyBudget bounds the bytes of request bodies held at once, over
	// all requests (default 4 × MaxBytes); a request that would exceed it
	// is answered 503 with Retry-After.
	BodyBudget int64
	// Engine names the program in reports.
	Engine Engine
	// Logger logs failed requests; default slog.Default().
	Logger *slog.Logger
	// Now is the clock of the reports' timestamps; default time.Now.
	Now func() time.Time
}

// Handler is the daemon's HTTP handler. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	slots   chan struct{}
	budget  atomic.Int64  // bytes of request bodies that may still be held
	counter atomic.Int64  // names documents posted to /
	reports *ReportWriter // the VARL reports, from parts built once
	bodies  [bodyClasses]sync.Pool
	answers sync.Pool // *buffer, for the answers
}

// A route is one pattern of the daemon's mux.
type route struct {
	pattern string
	handler func(*Handler, http.ResponseWriter, *http.Request)
}

// routes are the daemon's endpoints; openapi.json describes each.
func routes() []route {
	return []route{
		{"GET /{$}", (*Handler).page},
		{"/", (*Handler).check}, // the 1.x protocol: POST a document to any path
		{"/server/health", (*Handler).health},
		{"/server/config", (*Handler).config},
		{"POST /server/ui", (*Handler).pageReport},
		{"POST /api/validate", (*Handler).apiValidate},
		{"POST /api/validate/minimal", (*Handler).apiMinimal},
		{"GET /q/health", (*Handler).quarkusHealth},
		{"GET /q/health/live", (*Handler).quarkusHealth},
		{"GET /q/health/ready", (*Handler).quarkusHealth},
		{"GET /q/openapi", (*Handler).openAPI},
	}
}

// NewHandler returns the daemon's handler.
func NewHandler(cfg Config) *Handler {
	if cfg.Validator == nil {
		cfg.Validator = invoice.NewValidator()
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 32 << 20
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if cfg.BodyBudget <= 0 {
		cfg.BodyBudget = 4 * cfg.MaxBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), slots: make(chan struct{}, cfg.MaxConcurrent), reports: NewReportWriter(cfg.Engine)}
	h.answers.New = func() any { return new(buffer) }
	h.budget.Store(cfg.BodyBudget)
	for _, r := range routes() {
		f := r.handler
		h.mux.HandleFunc(r.pattern, func(w http.ResponseWriter, req *http.Request) { f(h, w, req) })
	}
	return h
}

// MemoryBound is what the handler's requests hold at most, in bytes: the
// body budget, and for each document being validated its parsed tree,
// which takes about as much again as the document (a 30 MB invoice
// allocates 63 MB in all: body, tree and report).
func (h *Handler) MemoryBound() int64 {
	return h.cfg.BodyBudget + int64(h.cfg.MaxConcurrent)*h.cfg.MaxBytes
}

// ServeHTTP serves the daemon's endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// NewServer returns an http.Server for h on addr with timeouts that keep
// slow clients from holding connections for ever: 10 s for the request
// head, readTimeout for the whole request (default 60 s).
func NewServer(addr string, h http.Handler, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = 60 * time.Second
	}
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: readTimeout, WriteTimeout: readTimeout + 30*time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}

// Serve serves srv on ln until ctx ends, then shuts it down, giving
// requests in flight 10 s to finish.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("kosit: serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("kosit: shutdown: %w", err)
	}
	return nil
}

// errTooLarge, errBusy and errEmpty are the reasons a body is refused.
var (
	errTooLarge = errors.New("document too large")
	errBusy     = errors.New("too many documents in flight")
	errEmpty    = errors.New("no content supplied")
)

// eagerBytes is the largest declared body length read straight into a
// buffer of its size, taken from the budget at once. A larger declared
// length is taken only once that much has arrived, so that a slow client
// that declares 32 MB and sends little holds little.
const eagerBytes = 1 << 20

// Bodies of up to eagerBytes are read into buffers that are kept for the
// next requests: one pool for each power of two from minPooled to
// eagerBytes. Such a body takes its buffer's size from the budget.
const (
	minPooled   = 4 << 10
	bodyClasses = 9 // 4 KiB to 1 MiB
)

// bodyClass is the pool of the buffers that hold n bytes, n <= eagerBytes,
// and their size.
func bodyClass(n int) (class, size int) {
	class = max(0, bits.Len(uint(n-1))-bits.Len(minPooled-1))
	return class, minPooled << class
}

// bodyBuffer returns a buffer of class c's size.
func (h *Handler) bodyBuffer(c int) *[]byte {
	if p, ok := h.bodies[c].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, minPooled<<c)
	return &b
}

// readBody reads up to MaxBytes of r, taking the bytes from the body
// budget as they arrive (see eagerBytes for a declared length, size > 0).
// release gives them back, and the buffer to its pool: data must not be
// used after it.
func (h *Handler) readBody(r io.Reader, size int64) (data []byte, release func(), err error) {
	var held int64
	pooled, class := (*[]byte)(nil), 0
	release = func() {
		h.budget.Add(held)
		if pooled != nil {
			h.bodies[class].Put(pooled)
		}
	}
	take := func(n int64) bool {
		if h.budget.Add(-n) < 0 {
			h.budget.Add(n)
			return false
		}
		held += n
		return true
	}
	if size > h.cfg.MaxBytes {
		return nil, release, errTooLarge
	}
	if size > 0 && size <= eagerBytes {
		// net/http delivers exactly the declared length, or an error.
		c, n := bodyClass(int(size))
		if !take(int64(n)) {
			return nil, release, errBusy
		}
		pooled, class = h.bodyBuffer(c), c
		data = (*pooled)[:size]
		for read := 0; read < len(data); {
			n, err := r.Read(data[read:])
			read += n
			if err == io.EOF {
				data = data[:read]
				break
			}
			if err != nil {
				return nil, release, fmt.Errorf("kosit: read body: %w", err)
			}
		}
		return data, release, nil
	}
	var buf bytes.Buffer
	class, _ = bodyClass(32 << 10)
	pooled = h.bodyBuffer(class)
	chunk := *pooled
	for {
		n, rerr := r.Read(chunk)
		if n > 0 {
			if int64(buf.Len()+n) > h.cfg.MaxBytes {
				return nil, release, errTooLarge
			}
			need := int64(buf.Len() + n)
			if size > 0 && need > eagerBytes {
				need = size // the rest of a declared length, in one buffer
			}
			if need > held {
				if !take(need - held) {
					return nil, release, errBusy
				}
				buf.Grow(int(need) - buf.Len())
			}
			buf.Write(chunk[:n])
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, release, fmt.Errorf("kosit: read body: %w", rerr)
		}
	}
	if buf.Len() == 0 {
		return nil, release, errEmpty
	}
	return buf.Bytes(), release, nil
}

// bodyError answers a refused body.
func (h *Handler) bodyError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, errEmpty):
		plain(w, http.StatusBadRequest, "No content supplied")
	case errors.Is(err, errTooLarge):
		plain(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Document larger than %d bytes", h.cfg.MaxBytes))
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "1")
		plain(w, http.StatusServiceUnavailable, "Too many documents in flight, retry later")
	default:
		h.cfg.Logger.Info("kosit: request body", "err", err)
		plain(w, http.StatusBadRequest, "Request body could not be read")
	}
}

func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg)
}

func isMultipart(r *http.Request) bool {
	const prefix = "multipart/"
	ct := r.Header.Get("Content-Type")
	return len(ct) >= len(prefix) && strings.EqualFold(ct[:len(prefix)], prefix)
}

// answer returns a buffer for an answer; send gives it back.
func (h *Handler) answer() *buffer {
	b := h.answers.Get().(*buffer)
	b.Reset()
	return b
}

// send answers status with the body b, of the Content-Type set before,
// and gives b back to the pool (unless it grew beyond eagerBytes).
func (h *Handler) send(w http.ResponseWriter, status int, b *buffer) {
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	if _, err := w.Write(b.Bytes()); err != nil {
		h.cfg.Logger.Info("kosit: write", "err", err)
	}
	if b.Cap() <= eagerBytes {
		h.answers.Put(b)
	}
}

// validate validates data in one of the slots.
func (h *Handler) validate(ctx context.Context, data []byte) (*invoice.Report, error) {
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("kosit: wait for a slot: %w", ctx.Err())
	}
	defer func() { <-h.slots }()
	rep, err := h.cfg.Validator.Validate(ctx, data, invoice.Options{})
	if err != nil {
		return nil, fmt.Errorf("kosit: %w", err)
	}
	return rep, nil
}

// check is the 1.x protocol: POST a raw XML document to any path; the
// last path segment names it. 200 acceptable, 406 not, 422 processing
// stopped, 400 empty or multipart, 405 other methods than POST and GET.
func (h *Handler) check(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		http.NotFound(w, r)
		return
	default:
		w.Header().Set("Allow", "GET, POST")
		plain(w, http.StatusMethodNotAllowed, "Method "+r.Method+" not supported")
		return
	}
	if isMultipart(r) {
		plain(w, http.StatusBadRequest, "No content supplied")
		return
	}
	data, release, err := h.readBody(r.Body, r.ContentLength)
	defer release()
	if err != nil {
		h.bodyError(w, err)
		return
	}
	doc := Document{Name: h.inputName(r.URL.Path), Data: data, Received: h.cfg.Now()}
	rep, err := h.validate(r.Context(), data)
	if err != nil {
		h.cfg.Logger.Info("kosit: validate", "name", doc.Name, "err", err)
		plain(w, http.StatusServiceUnavailable, "Validation interrupted")
		return
	}
	// Not indented: a client reads it, and indenting costs a tenth of
	// the request.
	b := h.answer()
	h.reports.write(b, doc, rep)
	w.Header().Set("Content-Type", "application/xml")
	h.send(w, Status(rep), b)
}

// inputName is the last segment of the path, or a generated name for /.
func (h *Handler) inputName(p string) string {
	if p == "/" || p == "" {
		return fmt.Sprintf("supplied_instance_%d", h.counter.Add(1))
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

// healthNamespace is the namespace of the 1.x daemon's health document.
const healthNamespace = "http://www.xoev.de/de/validator/framework/1/daemon"

// health answers /server/health as the 1.x daemon does: status UP,
// the application and the memory (bytes obtained from the system as
// total, the memory limit as max, what the heap does not use as free).
func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		limit = int64(ms.Sys)
	}
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("health")
	root.CreateAttr("xmlns", healthNamespace)
	root.CreateElement("status").SetText("UP")
	app := root.CreateElement("application")
	app.CreateElement("name").SetText(h.cfg.Engine.name())
	app.CreateElement("version").SetText(h.cfg.Engine.Version)
	app.CreateElement("build").SetText(runtime.Version())
	m := root.CreateElement("memory")
	m.CreateElement("freeMemory").SetText(fmt.Sprint(ms.Sys - ms.HeapInuse - ms.StackInuse))
	m.CreateElement("maxMemory").SetText(fmt.Sprint(limit))
	m.CreateElement("totalMemory").SetText(fmt.Sprint(ms.Sys))
	h.writeXML(w, d)
}

// writeXML answers d, indented.
func (h *Handler) writeXML(w http.ResponseWriter, d *etree.Document) {
	d.Indent(2)
	b := h.answer()
	b.tokens(d.Child)
	w.Header().Set("Content-Type", "application/xml")
	h.send(w, http.StatusOK, b)
}

// configScenarios are the scenarios /server/config lists: those of the
// XRechnung configuration that eingang implements.
func configScenarios() []struct{ name, doc, spec string } {
	return []struct{ name, doc, spec string }{
		{"EN16931 XRechnung (UBL Invoice)", invoice.UBLInvoice.String(), invoice.SpecXRechnung},
		{"EN16931 XRechnung (UBL CreditNote)", invoice.UBLCreditNote.String(), invoice.SpecXRechnung},
		{"EN16931 XRechnung (CII)", invoice.CIIInvoice.String(), invoice.SpecXRechnung},
		{"EN16931 XRechnung Extension (UBL Invoice)", invoice.UBLInvoice.String(), invoice.SpecExtension},
		{"EN16931 XRechnung Extension (CII)", invoice.CIIInvoice.String(), invoice.SpecExtension},
		{"EN16931 XRechnung CVD (UBL Invoice)", invoice.UBLInvoice.String(), invoice.SpecCVD},
		{"EN16931 XRechnung CVD (UBL CreditNote)", invoice.UBLCreditNote.String(), invoice.SpecCVD},
		{"EN16931 XRechnung CVD (CII)", invoice.CIIInvoice.String(), invoice.SpecCVD},
		{"EN16931 (UBL Invoice)", invoice.UBLInvoice.String(), invoice.SpecEN16931},
		{"EN16931 (UBL CreditNote)", invoice.UBLCreditNote.String(), invoice.SpecEN16931},
		{"EN16931 (CII)", invoice.CIIInvoice.String(), invoice.SpecEN16931},
	}
}

// config answers /server/config with the scenarios of the configuration
// in the reference's scenarios format: each scenario's name, match and
// resources (the severity overrides are applied, not listed).
func (h *Handler) config(w http.ResponseWriter, r *http.Request) {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("scenarios")
	root.CreateAttr("xmlns", NamespaceScenarios)
	root.CreateAttr("frameworkVersion", "1.0.0")
	root.CreateElement("name").SetText("Validator Configuration XRechnung 3.0 (eingang)")
	root.CreateElement("author").SetText("eingang")
	root.CreateElement("date").SetText("2026-01-31")
	root.CreateElement("description").CreateElement("p").SetText("The scenarios of the XRechnung validator configuration, release 2026-01-31, as eingang implements them.")
	for _, sc := range configScenarios() {
		rep := &invoice.Report{Scenario: sc.name, DocType: sc.doc, CustomizationID: sc.spec}
		s := root.CreateElement("scenario")
		s.CreateElement("name").SetText(sc.name)
		s.CreateElement("match").SetText(matchOf(rep))
		// The steps of a scenario that runs everything, with its names.
		for _, st := range Steps(rep) {
			if st.Resource.Name == "" {
				continue
			}
			tag := "validateWithSchematron"
			if st.ID == StepXSD {
				tag = "validateWithXmlSchema"
			}
			res := s.CreateElement(tag).CreateElement("resource")
			res.CreateElement("name").SetText(st.Resource.Name)
			res.CreateElement("location").SetText(st.Resource.Location)
		}
		s.CreateElement("acceptMatch").SetText("/rep:report/rep:assessment[1]/rep:accept[1]")
	}
	nr := root.CreateElement("noScenarioReport").CreateElement("resource")
	nr.CreateElement("name").SetText("Validation report for documents without scenario")
	nr.CreateElement("location").SetText("resources/default-report.xsl")
	h.writeXML(w, d)
}

// quarkusHealth answers the 2.x health endpoints (/q/health, live,
// ready) in the MicroProfile Health format.
func (h *Handler) quarkusHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"status":"UP","checks":[{"name":"validator","status":"UP"}]}`)
}

//go:embed openapi.json
var openAPIDocument []byte

// openAPI serves the OpenAPI document of the daemon's endpoints.
func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}

// apiBody reads the document of a 2.x request: the raw body, or the first
// file of a multipart/form-data body.
func (h *Handler) apiBody(r *http.Request) (name string, data []byte, release func(), err error) {
	name = "validation-input.xml"
	if !isMultipart(r) {
		data, release, err = h.readBody(r.Body, r.ContentLength)
		return name, data, release, err
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return name, nil, func() {}, fmt.Errorf("kosit: multipart: %w", err)
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errEmpty
			}
			return name, nil, func() {}, err
		}
		if p.FileName() == "" && p.FormName() != "xml" {
			continue
		}
		if p.FileName() != "" {
			name = path.Base(p.FileName())
		}
		data, release, err = h.readBody(p, 0)
		if errors.Is(err, errEmpty) {
			release()
			continue
		}
		return name, data, release, err
	}
}

// validityHeaders sets the 2.x server's X-VALIDATOR-* headers.
func validityHeaders(w http.ResponseWriter, rep *invoice.Report) {
	schema, schematron := true, true
	for _, s := range Steps(rep) {
		for _, f := range s.Findings {
			if f.Level != invoice.LevelError {
				continue
			}
			switch s.ID {
			case StepXSD, StepXML:
				schema = false
			case StepSchematron1, StepSchematron2:
				schematron = false
			}
		}
	}
	w.Header().Set("X-VALIDATOR-Schema-Valid", fmt.Sprint(schema))
	w.Header().Set("X-VALIDATOR-Schematron-Valid", fmt.Sprint(schematron))
	w.Header().Set("X-VALIDATOR-Acceptance", Acceptance(rep))
}

// Acceptance is the 2.x recommendation: ACCEPTABLE, REJECT, or UNDEFINED
// where processing stopped.
func Acceptance(rep *invoice.Report) string {
	switch Status(rep) {
	case http.StatusOK:
		return "ACCEPTABLE"
	case http.StatusNotAcceptable:
		return "REJECT"
	}
	return "UNDEFINED"
}

// run reads the document of a 2.x or page request (see apiBody),
// validates it and hands the report to write; fail answers a refused
// body.
func (h *Handler) run(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, error), write func(Document, *invoice.Report)) {
	name, data, release, err := h.apiBody(r)
	defer release()
	if err != nil {
		fail(w, err)
		return
	}
	doc := Document{Name: name, Data: data, Received: h.cfg.Now()}
	rep, err := h.validate(r.Context(), data)
	if err != nil {
		plain(w, http.StatusServiceUnavailable, "Validation interrupted")
		return
	}
	write(doc, rep)
}

// apiError answers a refused body of a 2.x request with the JSON error
// of the 2.x OpenAPI document.
func apiError(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, errTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, errBusy):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q}`, status, err.Error())
}

// apiValidate answers POST /api/validate with the XVRL report.
func (h *Handler) apiValidate(w http.ResponseWriter, r *http.Request) {
	h.run(w, r, apiError, func(doc Document, rep *invoice.Report) {
		validityHeaders(w, rep)
		w.Header().Set("Content-Disposition", "attachment; filename=validation-result.xml")
		h.writeXML(w, NewXVRL(doc, rep, h.cfg.Engine))
	})
}

// apiMinimal answers POST /api/validate/minimal with the compact report,
// in JSON where the Accept header prefers it, else in XML.
func (h *Handler) apiMinimal(w http.ResponseWriter, r *http.Request) {
	h.run(w, r, apiError, func(doc Document, rep *invoice.Report) {
		validityHeaders(w, rep)
		c := NewCompact(doc, rep, h.cfg.Engine)
		if wantsJSON(r.Header.Get("Accept")) {
			w.Header().Set("Content-Disposition", "attachment; filename=compact-validation-result.json")
			w.Header().Set("Content-Type", "application/json")
			if err := c.WriteJSON(w); err != nil {
				h.cfg.Logger.Info("kosit: write", "err", err)
			}
			return
		}
		w.Header().Set("Content-Disposition", "attachment; filename=compact-validation-result.xml")
		h.writeXML(w, c.XML())
	})
}

// wantsJSON reports whether the first of the Accept header's types that
// is JSON or XML is JSON (the 2.x server's negotiation; XML by default).
func wantsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		t, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch t {
		case "application/json":
			return true
		case "application/xml", "text/xml":
			return false
		}
	}
	return false
}

// page serves the page to paste or upload a document.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	io.WriteString(w, pageHTML)
}

// pageReport answers the page's form with the HTML report.
func (h *Handler) pageReport(w http.ResponseWriter, r *http.Request) {
	h.run(w, r, h.bodyError, func(doc Document, rep *invoice.Report) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		if err := WriteHTML(w, doc, rep, h.cfg.Engine); err != nil {
			h.cfg.Logger.Info("kosit: write", "err", err)
		}
	})
}

const pageHTML = `<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>eingang – Prüfung / Validation</title>
<style>body{font-family:sans-serif;max-width:50em;margin:1em auto;padding:0 1em}textarea{width:100%;height:20em;font-family:monospace}label{display:block;margin:1em 0 .3em;font-weight:bold}</style>
</head>
<body>
<h1>XRechnung prüfen / Validate an XRechnung</h1>
<p>Dokument einfügen oder hochladen; der Prüfbericht erscheint als Seite. /
Paste or upload a document; the report appears as a page.</p>
<form method="post" action="/server/ui" enctype="multipart/form-data">
<label for="xml">XML einfügen / Paste XML</label>
<textarea id="xml" name="xml"></textarea>
<label for="file">oder Datei / or file</label>
<input id="file" name="file" type="file" accept=".xml,application/xml,text/xml">
<p><button type="submit">Prüfen / Validate</button></p>
</form>
<h2>API</h2>
<p><code>curl --data-binary @invoice.xml -H 'Content-Type: application/xml' http://HOST/invoice.xml</code>:
200 annehmbar/acceptable, 406 nicht/not, 422 Verarbeitungsfehler/processing error; Bericht/report: VARL.
<code>POST /api/validate</code> (XVRL), <code>POST /api/validate/minimal</code> (compact XML/JSON),
<code>GET /server/health</code>, <code>GET /server/config</code>, <code>GET /q/openapi</code>.</p>
</body>
</html>
`
