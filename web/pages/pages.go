// Package pages serves the gateway's pages for people: contractors upload
// and check invoices and look up Leitweg-IDs, a municipality's clerks work
// its inbox and its auditors read it with each entry's history, operators
// clear unroutable invoices and watch the figures. People log in with a
// local account's name and password or a token; every view of an entry,
// download, acknowledgement, routing, login and logout is recorded in the
// audit trail before it is done (audit.go).
//
// The pages are rendered on the server (html/template), need no script and
// load nothing from elsewhere; every page sends a strict
// Content-Security-Policy, every POST carries a CSRF token. They speak
// German first, and English where the browser asks for it or the reader
// switches (a cookie remembers). Everything the pages need of the gateway
// goes through Backend.
package pages

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
)

// Backend is what the pages need of the gateway. *ingest.Pipeline
// satisfies it.
type Backend interface {
	// Submit files an invoice (contractors' upload).
	Submit(ctx context.Context, sub ingest.Submission) (*ingest.Receipt, error)
	// Check validates and keeps nothing.
	Check(ctx context.Context, data []byte) (*invoice.Report, error)
	// Status answers the holder of a receipt token.
	Status(ctx context.Context, id, receiptToken string) (ingest.Outcome, *invoice.Report, error)

	SearchInbox(ctx context.Context, municipality string, q ingest.InboxQuery) ([]ingest.Outcome, string, error)
	InboxEntry(ctx context.Context, municipality, id string) (ingest.Outcome, error)
	Original(ctx context.Context, id string) (io.ReadCloser, error)
	// InvoiceXML opens the invoice XML: the original, or a hybrid PDF's.
	InvoiceXML(ctx context.Context, id string) (rc io.ReadCloser, size int, sum string, err error)
	// Quarantine lists the submissions the malware scan found malware in.
	Quarantine(ctx context.Context, after string, limit int) ([]ingest.Outcome, error)
	Report(ctx context.Context, id string) (io.ReadCloser, error)
	// View renders the invoice as a readable page in the language.
	View(ctx context.Context, id, lang string) ([]byte, error)
	Acknowledge(ctx context.Context, municipality, id string) (ingest.Outcome, error)

	Clearing(ctx context.Context, after string, limit int) ([]ingest.Outcome, error)
	ClearingEntry(ctx context.Context, id string) (ingest.Outcome, error)
	RouteClearing(ctx context.Context, id, municipality string) (ingest.Outcome, error)
	// Figures returns the operators' figures as counted at most maxAge ago.
	Figures(ctx context.Context, now time.Time, maxAge time.Duration) (ingest.Stats, error)

	Recipients() []ingest.Recipient
	LookupLeitweg(s string) ingest.LeitwegAnswer
	// Authenticate turns a bearer token into an identity.
	Authenticate(token string) (ingest.Identity, bool)
	// StartSession, StartAccountSession, StartPersonSession, Session,
	// EndSession and EndPersonSessions keep the pages' sessions where
	// every gateway finds them: of a token, of a local account, of a person
	// an identity provider vouched for.
	StartSession(ctx context.Context, token string, ttl time.Duration) (id string, s ingest.Session, ok bool, err error)
	StartAccountSession(ctx context.Context, name, password string, ttl time.Duration) (id string, s ingest.Session, ok bool, err error)
	StartPersonSession(ctx context.Context, who ingest.Identity, person string, login *ingest.OIDCLogin, refreshToken string, ttl time.Duration) (id string, s ingest.Session, err error)
	Session(ctx context.Context, id string, idle time.Duration) (ingest.Session, error)
	EndSession(ctx context.Context, id string) error
	EndPersonSessions(ctx context.Context, person string) (int, error)
	// Audit writes a record of the audit trail; History reads an
	// invoice's records.
	Audit(ctx context.Context, rec ingest.AuditRecord) error
	History(ctx context.Context, id string) ([]ingest.AuditRecord, error)
	// AuditRecords reads the trails of the municipalities (nil: every
	// record) of a period.
	AuditRecords(ctx context.Context, municipalities []string, from, to time.Time) ([]ingest.AuditRecord, error)

	// IdentifyPerson turns what an OpenID Connect provider says of a
	// person into an identity; RenewOIDCSession and OIDCRefreshToken keep
	// what a person's session holds of such a login.
	IdentifyPerson(person directory.Person, actor string) (ingest.Identity, error)
	RenewOIDCSession(ctx context.Context, id string, login ingest.OIDCLogin, refreshToken string) (ingest.Session, error)
	OIDCRefreshToken(id string, s ingest.Session) (string, error)
}

var _ Backend = (*ingest.Pipeline)(nil)

// Config configures the pages.
type Config struct {
	Backend Backend
	Logger  *slog.Logger
	// MaxBody is the largest upload accepted (default 20 MB).
	MaxBody int64
	// Allow, when set, rate-limits uploads: false turns one away.
	Allow func(*http.Request) bool
	// SessionTTL is how long a login lasts at most (default 8 hours), and
	// SessionIdle how long it lasts unused (default 1 hour).
	SessionTTL  time.Duration
	SessionIdle time.Duration
	Now         func() time.Time
	// SecureCookies marks the session and CSRF cookies Secure, with the
	// __Host- prefix, on every request: the browser speaks HTTPS to a
	// proxy in front of the gateway (public_url). Without it they are
	// Secure only where the gateway itself sees TLS.
	SecureCookies bool
	// Metrics, when set, counts failed and throttled logins.
	Metrics *ingest.Metrics
	// ClientAddr, when set, names the client of a request (for throttling
	// and the log); default: the request's peer address.
	ClientAddr func(*http.Request) string
	// OIDC, when set, offers the login through an OpenID Connect
	// provider beside the token's.
	OIDC *OIDC
}

// Pages is the handler set of the pages.
type Pages struct {
	cfg      Config
	tmpl     map[string]*template.Template
	sessions *sessions
	throttle *throttle // failed logins
	views    *recentViews
	oidc     *oidcLogin // nil without OIDC
	css      []byte
	cssPath  string
}

//go:embed templates/*.html static/style.css
var files embed.FS

// New returns the pages.
func New(cfg Config) *Pages {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 20 << 20
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = peerAddr
	}
	css, err := fs.ReadFile(files, "static/style.css")
	if err != nil {
		panic("pages: " + err.Error())
	}
	sum := sha256.Sum256(css)
	p := &Pages{cfg: cfg, sessions: newSessions(cfg.SecureCookies), throttle: newThrottle(), views: newRecentViews(), css: css, cssPath: "/static/style.css?v=" + hex.EncodeToString(sum[:6])}
	p.tmpl = parseTemplates()
	if cfg.OIDC != nil {
		p.oidc = newOIDCLogin(*cfg.OIDC)
	}
	return p
}

// peerAddr is the request's peer address without the port.
func peerAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// Register adds the pages' routes to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("POST /{$}", p.csrf(p.upload))
	mux.HandleFunc("GET /check", p.checkForm)
	mux.HandleFunc("POST /check", p.csrf(p.check))
	mux.HandleFunc("GET /leitweg", p.leitweg)
	mux.HandleFunc("GET /status/{id}", p.status)
	mux.HandleFunc("GET /static/style.css", p.style)

	mux.HandleFunc("GET /login", p.loginForm)
	mux.HandleFunc("POST /login", p.csrf(p.login))
	mux.HandleFunc("POST /logout", p.csrf(p.logout))
	if p.oidc != nil {
		mux.HandleFunc("GET /login/oidc", p.oidcStart)
		mux.HandleFunc("GET /login/oidc/callback", p.oidcCallback)
	}
	mux.HandleFunc("POST /logout/everywhere", p.csrf(p.logoutEverywhere))

	mux.HandleFunc("GET /inbox", p.municipal(p.inbox))
	mux.HandleFunc("GET /inbox/{id}", p.municipal(p.entry))
	mux.HandleFunc("GET /inbox/{id}/view", p.municipal(p.entryView))
	mux.HandleFunc("GET /inbox/{id}/original", p.municipal(p.original))
	mux.HandleFunc("GET /inbox/{id}/report", p.municipal(p.report))
	mux.HandleFunc("GET /inbox/{id}/xml", p.municipal(p.invoiceXML))
	mux.HandleFunc("POST /inbox/ack", p.csrf(p.clerk(p.ack)))
	mux.HandleFunc("POST /inbox/zip", p.csrf(p.municipal(p.zipSelection)))
	mux.HandleFunc("GET /inbox/zip", p.municipal(p.zipPeriod))

	mux.HandleFunc("GET /audit", p.role(p.trail, ingest.RoleAuditor, ingest.RoleOperator))

	mux.HandleFunc("GET /ops", p.operator(p.ops))
	mux.HandleFunc("GET /ops/clearing", p.operator(p.clearing))
	mux.HandleFunc("GET /ops/clearing/{id}/view", p.operator(p.clearingView))
	mux.HandleFunc("POST /ops/clearing/{id}/route", p.csrf(p.operator(p.route)))
}

// Handler returns the pages on a mux of their own.
func (p *Pages) Handler() http.Handler {
	mux := http.NewServeMux()
	p.Register(mux)
	return mux
}

// csp is every page's Content-Security-Policy: nothing but the page's own
// style sheet and forms; no script at all.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'"

func secureHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func (p *Pages) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(p.css)
}

// view is what every page template gets.
type view struct {
	Lang    string
	T       map[string]string
	Title   string
	CSS     string
	CSRF    string
	Who     *ingest.Identity
	Switch  string // the same page in the other language
	Nav     string
	Problem string // a message for the reader at the top
	Data    any
}

// render writes a page with status code.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, code int, name, titleKey string, data any) {
	lang := language(w, r)
	v := view{Lang: lang, T: messages[lang], CSS: p.cssPath, CSRF: p.sessions.csrfToken(w, r), Switch: switchURL(r, lang), Nav: name, Data: data}
	v.Title = v.T[titleKey]
	if s := p.session(r); s != nil {
		v.Who = &s.Identity
	}
	if pr, ok := data.(interface{ problem() string }); ok {
		v.Problem = v.T[pr.problem()]
	}
	var b strings.Builder
	if err := p.tmpl[name].ExecuteTemplate(&b, "layout", v); err != nil {
		p.cfg.Logger.Error("page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(code)
	io.WriteString(w, b.String())
}

// message renders the message page: a heading and a sentence.
type message struct {
	Heading, Text string // message keys
	Detail        string // a sentence in the page's language, if any
}

func (p *Pages) fail(w http.ResponseWriter, r *http.Request, code int, key string) {
	p.render(w, r, code, "message", key, message{Heading: key, Text: key + "_text"})
}

// backendError answers an error of the backend: a 404 for what is not
// there or not the reader's, a 503 for an outage, else a 500.
func (p *Pages) backendError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ingest.ErrNotFound):
		p.fail(w, r, http.StatusNotFound, "err_notfound")
	default:
		p.cfg.Logger.Error("page", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "30")
		p.fail(w, r, http.StatusServiceUnavailable, "err_unavailable")
	}
}
