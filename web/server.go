// Package web is the gateway's HTTP channel: the upload and validation API
// for senders, the inbox API for municipal accounting, the clearing API for
// operators, metrics and health. It hands uploads to the pipeline and maps
// the pipeline's answers and errors to HTTP; it knows nothing of storage or
// parsing. Errors are RFC 9457 problem details with a stable code.
//
// The handlers live by audience: senders.go, accounting.go, operators.go
// and health.go; respond.go holds the response helpers they share.
// openapi.json describes every route of server.routes (OpenAPI 3.1), and
// docs/api.md is made from it by go generate.
package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/time/rate"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/web/pages"
)

// Config configures the HTTP surface.
type Config struct {
	Pipeline  *ingest.Pipeline
	Directory func() *directory.Directory // authenticates the API's callers
	Gatherer  prometheus.Gatherer         // for /metrics; nil: no metrics endpoint
	Logger    *slog.Logger
	// Metrics, when set, counts what the pages count (failed logins).
	Metrics *ingest.Metrics
	// MaxBody is the largest upload accepted, in bytes (default 20 MB).
	MaxBody int64
	// UploadRate and UploadBurst limit uploads per client address (per
	// second, and burst). Zero rate means no limit.
	UploadRate  float64
	UploadBurst int
	// SecureCookies marks the pages' session and CSRF cookies Secure with
	// the __Host- prefix although the gateway sees plain HTTP: set where
	// a TLS-terminating proxy serves it at an https public_url.
	SecureCookies bool
	// TrustedProxies are the ranges of the proxies in front: from a peer
	// in them, the client's address comes from X-Forwarded-For
	// (clientAddr); from any other, X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix
	// OIDC, when set, offers the pages' login through an OpenID Connect
	// provider.
	OIDC *pages.OIDC
}

type server struct {
	cfg      Config
	pages    *pages.Pages // their login throttle guards the API's tokens too
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// uploadRoute is the senders' upload.
const uploadRoute = "POST /api/v1/invoices"

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
	// The pages for people: /, /check, /leitweg, /login, /inbox, /ops.
	s.pages = pages.New(pages.Config{Backend: cfg.Pipeline, Logger: cfg.Logger, MaxBody: cfg.MaxBody, Allow: s.allow,
		SecureCookies: cfg.SecureCookies, ClientAddr: s.clientAddr, Metrics: cfg.Metrics, OIDC: cfg.OIDC})
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
	s.pages.Register(mux)
	return mux
}

// clientAddr names the request's client (clientAddr with the trusted
// proxies).
func (s *server) clientAddr(r *http.Request) string { return clientAddr(r, s.cfg.TrustedProxies) }

// A route is one entry of the API's route table: a ServeMux pattern and
// its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routes is the API's route table, the one place its endpoints are
// listed; openapi.json describes each of them (TestOpenAPIRoutes).
func (s *server) routes() []route {
	rts := []route{
		// Senders: anyone may upload and validate; the receipt token shows the status.
		{uploadRoute, http.HandlerFunc(s.upload)},
		{"GET /api/v1/invoices/{id}", http.HandlerFunc(s.status)},
		{"POST /api/v1/validate", http.HandlerFunc(s.validate)},
		// A municipality's clerks and auditors, with its token: its own inbox
		// only; only clerks acknowledge.
		{"GET /api/v1/inbox", s.caller(s.inbox, readers()...)},
		{"GET /api/v1/inbox/{id}", s.caller(s.inboxEntry, readers()...)},
		{"GET /api/v1/inbox/{id}/original", s.caller(s.original, readers()...)},
		{"GET /api/v1/inbox/{id}/xml", s.caller(s.invoiceXML, readers()...)},
		{"GET /api/v1/inbox/{id}/report", s.caller(s.report, readers()...)},
		{"GET /api/v1/inbox/{id}/view", s.caller(s.view, readers()...)},
		{"GET /api/v1/inbox/{id}/attachments/{n}", s.caller(s.attachment, readers()...)},
		{"GET /api/v1/inbox/{id}/history", s.caller(s.history, readers()...)},
		{"POST /api/v1/inbox/{id}/ack", s.caller(s.ack, ingest.RoleClerk)},
		// Operators, with an operator's token: what no municipality was found for.
		{"GET /api/v1/clearing", s.operator(s.clearing)},
		{"POST /api/v1/clearing/{id}/route", s.operator(s.route)},
		{"GET /api/v1/abandoned", s.operator(s.abandoned)},
		{"GET /api/v1/quarantine", s.operator(s.quarantine)},
		// The audit trail: an auditor its municipality's, an operator every one.
		{"GET /api/v1/audit", s.caller(s.auditTrail, ingest.RoleAuditor, ingest.RoleOperator)},
		// Health, for anyone.
		{"GET /healthz", http.HandlerFunc(s.healthz)},
		{"GET /readyz", http.HandlerFunc(s.ready)},
		// This API's description, for anyone.
		{openAPIRoute, http.HandlerFunc(s.openAPI)},
		// Any other path: a problem "not-found".
		{"/", http.HandlerFunc(s.notFound)},
	}
	if s.cfg.Gatherer != nil {
		rts = append(rts, route{"GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{})})
	}
	return rts
}

// bearer returns the request's bearer token, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// readers returns the roles that read a municipality's inbox.
func readers() []string { return []string{ingest.RoleClerk, ingest.RoleAuditor} }

// caller wraps a handler that needs a token of one of the roles: it
// authenticates the bearer token (throttled per client address, as the
// pages' logins) and hands the handler who calls.
func (s *server) caller(h func(http.ResponseWriter, *http.Request, ingest.Identity), roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var who ingest.Identity
		ok, wait := false, time.Duration(0)
		if token := bearer(r); token != "" { // no token is no guess: not throttled
			ok, wait = s.pages.Bearer(r, func() bool {
				var known bool
				who, known = s.cfg.Pipeline.Authenticate(token)
				return known
			})
		}
		switch {
		case wait > 0:
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			problem(w, http.StatusTooManyRequests, "throttled", "too many requests with unknown tokens from this address: try again later")
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="eingang"`)
			problem(w, http.StatusUnauthorized, "unauthorized", "send a token of a "+strings.Join(roles, " or ")+" as Authorization: Bearer <token>")
		case !slices.Contains(roles, who.Role):
			problem(w, http.StatusForbidden, "forbidden", "this token is not a "+strings.Join(roles, " or ")+"'s token")
		default:
			h(w, r, who)
		}
	}
}

// operator wraps a handler that needs an operator's token.
func (s *server) operator(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return s.caller(h, ingest.RoleOperator)
}

// audit writes the audit record of who doing action on the invoices ids
// through the API. Where it cannot, it answers 503 itself and ok is false:
// the action must not be done.
func (s *server) audit(w http.ResponseWriter, r *http.Request, who ingest.Identity, action string, ids ...string) (ok bool) {
	if err := s.cfg.Pipeline.Audit(r.Context(), ingest.AuditFor(who, action, s.clientAddr(r), "api", ids...)); err != nil {
		s.fail(w, r, err)
		return false
	}
	return true
}
