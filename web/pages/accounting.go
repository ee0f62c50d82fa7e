package pages

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
)

// login is the login page's data.
type login struct {
	Next    string
	Problem string
	Out     bool
	OIDC    string // the OpenID Connect provider's name; empty: none
	Name    string // the account's name tried
}

func (l login) problem() string { return l.Problem }

func (p *Pages) loginForm(w http.ResponseWriter, r *http.Request) {
	l := login{Next: r.URL.Query().Get("next"), Out: r.URL.Query().Has("out")}
	if p.oidc != nil {
		l.OIDC = p.oidc.cfg.Provider
	}
	p.render(w, r, http.StatusOK, "login", "login_title", l)
}

// login starts a session for a local account's name and password, or for
// a token where no name is given. An identity provider's callback ends
// the same way: loggedIn.
//
// Failed logins are throttled per client address and per account (the
// first 8 hex digits of the SHA-256 of the submitted token, as the
// directory names an unnamed token, or of the account's name): while
// either is closed the answer is 429 with Retry-After, and nothing is
// checked. Failures are recorded in the audit trail (login-failed, under
// the name tried or "token " and those 8 digits), logged without the
// secret and counted in eingang_login_failures_total.
func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	addr := p.cfg.ClientAddr(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	token := strings.TrimSpace(r.PostFormValue("token"))
	keys := []string{"addr " + addr}
	account := ""
	switch {
	case name != "":
		sum := sha256.Sum256([]byte("account\x00" + name))
		account = hex.EncodeToString(sum[:4])
	case token != "":
		sum := sha256.Sum256([]byte(token))
		account = hex.EncodeToString(sum[:4])
	}
	if account != "" {
		keys = append(keys, "account "+account)
	}
	form := login{Next: r.PostFormValue("next"), Name: name}
	now := p.cfg.Now()
	if d := p.throttle.begin(now, keys...); d > 0 {
		p.cfg.Metrics.LoginThrottledAway()
		p.cfg.Logger.Debug("login throttled", "addr", addr, "account", account, "retry_after", d)
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
		form.Problem = "err_throttled"
		p.render(w, r, http.StatusTooManyRequests, "login", "login_title", form)
		return
	}
	var (
		id  string
		s   ingest.Session
		ok  bool
		err error
	)
	if name != "" {
		id, s, ok, err = p.cfg.Backend.StartAccountSession(r.Context(), name, password, p.cfg.SessionTTL)
	} else {
		id, s, ok, err = p.cfg.Backend.StartSession(r.Context(), token, p.cfg.SessionTTL)
	}
	if err != nil {
		p.throttle.end(now, false, keys...)
		p.backendError(w, r, err)
		return
	}
	if !ok {
		reason, actor := "unknown-token", "token "+account
		switch {
		case name != "":
			reason, actor = "unknown-account", name
		case token == "":
			reason, actor = "empty", ""
		}
		backoff, fails := p.throttle.end(now, true, keys...)
		p.cfg.Metrics.LoginFailed(reason)
		p.cfg.Logger.Warn("login failed", "addr", addr, "account", account, "reason", reason, "failures", fails, "backoff", backoff)
		if !p.audit(w, r, ingest.Identity{Actor: actor}, ingest.AuditLoginFailed) {
			return
		}
		form.Problem = "err_token"
		if name != "" {
			form.Problem = "err_account"
		}
		p.render(w, r, http.StatusUnauthorized, "login", "login_title", form)
		return
	}
	p.throttle.end(now, false, keys...)
	p.throttle.succeed("account " + account)
	if !p.loggedIn(w, r, id, s) {
		return
	}
	home := homeOf(s.Role)
	next := safeNext(r.PostFormValue("next"), home)
	if !strings.HasPrefix(next, home) {
		next = home
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the browser's session, recorded in the audit trail first.
func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	if s := p.session(r); s != nil && !p.audit(w, r, s.Identity, ingest.AuditLogout) {
		return
	}
	p.endSession(w, r)
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// logoutEverywhere ends every session of the browser's person (a local
// account's, or an identity provider's person's) on every gateway; a
// token's session is no person's and ends alone.
func (p *Pages) logoutEverywhere(w http.ResponseWriter, r *http.Request) {
	s := p.session(r)
	if s == nil {
		http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
		return
	}
	if !p.audit(w, r, s.Identity, ingest.AuditLogoutEverywhere) {
		return
	}
	if s.Person != "" {
		n, err := p.cfg.Backend.EndPersonSessions(r.Context(), s.Person)
		if err != nil {
			p.backendError(w, r, err)
			return
		}
		p.cfg.Logger.Info("logged out everywhere", "actor", s.Actor, "sessions", n)
	}
	p.endSession(w, r)
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// inboxPage is the inbox page's data.
type inboxPage struct {
	Q        url.Values
	State    string
	Entries  []ingest.Outcome
	Next     string // query of the next page, "" at the end
	ZipQuery string
	Problem  string
	Acked    string
}

func (i inboxPage) problem() string { return i.Problem }

// inboxQuery reads the inbox filter from a form; the problem is a message
// key.
func inboxQuery(v url.Values) (ingest.InboxQuery, string) {
	q := ingest.InboxQuery{State: v.Get("state"), Seller: strings.TrimSpace(v.Get("seller")),
		Number: strings.TrimSpace(v.Get("number")), Min: v.Get("min"), Max: v.Get("max"), After: v.Get("after")}
	switch q.State {
	case "":
		q.State = "new"
	case "new", "acknowledged", "all":
	default:
		return q, "err_filter"
	}
	for _, d := range []struct {
		name string
		t    *time.Time
		add  int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		if s := v.Get(d.name); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, time.Local)
			if err != nil {
				return q, "err_filter"
			}
			*d.t = t.AddDate(0, 0, d.add) // "to" includes its day
		}
	}
	for _, a := range []string{q.Min, q.Max} {
		if s := strings.TrimSpace(a); s != "" {
			if _, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64); err != nil {
				return q, "err_filter"
			}
		}
	}
	return q, ""
}

func (p *Pages) inbox(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	v := r.URL.Query()
	q, bad := inboxQuery(v)
	page := inboxPage{Q: v, State: q.State, Acked: v.Get("acked")}
	if bad != "" {
		page.Problem = bad
		p.render(w, r, http.StatusBadRequest, "inbox", "inbox_title", page)
		return
	}
	q.Limit = 50
	entries, next, err := p.cfg.Backend.SearchInbox(r.Context(), who.Municipality, q)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	page.Entries = entries
	zq := cloneValues(v)
	zq.Del("after")
	zq.Del("lang")
	zq.Del("acked")
	page.ZipQuery = zq.Encode()
	if next != "" {
		nq := cloneValues(zq)
		nq.Set("after", next)
		page.Next = nq.Encode()
	}
	p.render(w, r, http.StatusOK, "inbox", "inbox_title", page)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// entryPage is an inbox entry's page.
type entryPage struct {
	O       ingest.Outcome
	Groups  []group
	History []ingest.AuditRecord // its Verlauf, this view last
	Clerk   bool                 // the reader may acknowledge
}

// entry shows an entry of the inbox with its history; the view is
// recorded first, so the history ends with it.
func (p *Pages) entry(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	o, err := p.cfg.Backend.InboxEntry(r.Context(), who.Municipality, r.PathValue("id"))
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	if !p.audit(w, r, who, ingest.AuditView, o.ID) {
		return
	}
	p.views.saw(p.sessions.cookie(r, "eingang_session"), o.ID, p.cfg.Now())
	page := entryPage{O: o, Clerk: who.Role == ingest.RoleClerk}
	if page.History, err = p.cfg.Backend.History(r.Context(), o.ID); err != nil {
		p.backendError(w, r, err)
		return
	}
	if rep, err := p.readReport(r, o.ID); err == nil {
		page.Groups = groups(rep.Findings, language(w, r))
	}
	p.render(w, r, http.StatusOK, "entry", "entry_title", page)
}

func (p *Pages) readReport(r *http.Request, id string) (*invoice.Report, error) {
	rc, err := p.cfg.Backend.Report(r.Context(), id)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var rep invoice.Report
	return &rep, json.NewDecoder(rc).Decode(&rep)
}

// serveView answers the invoice's readable page (invoice.Render) for a
// frame of the pages' own: no script, nothing loaded.
func (p *Pages) serveView(w http.ResponseWriter, r *http.Request, id string) {
	page, err := p.cfg.Backend.View(r.Context(), id, language(w, r))
	switch {
	case errors.Is(err, ingest.ErrNoView):
		p.fail(w, r, http.StatusUnprocessableEntity, "err_noview")
		return
	case err != nil:
		p.backendError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page)
}

// entryView answers the rendering of an entry: the frame of its page,
// which that page's record covers, or, opened on its own, a view with a
// record of its own.
func (p *Pages) entryView(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	id := r.PathValue("id")
	if _, err := p.cfg.Backend.InboxEntry(r.Context(), who.Municipality, id); err != nil {
		p.backendError(w, r, err)
		return
	}
	if !p.views.covered(p.sessions.cookie(r, "eingang_session"), id, p.cfg.Now()) && !p.audit(w, r, who, ingest.AuditView, id) {
		return
	}
	p.serveView(w, r, id)
}

func (p *Pages) original(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	suffix, ctype := originalName(r.Context(), p.cfg.Backend, who, r.PathValue("id")) // hybrid.go
	p.download(w, r, who, ingest.AuditDownloadOriginal, suffix, ctype, p.cfg.Backend.Original)
}

func (p *Pages) report(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	p.download(w, r, who, ingest.AuditDownloadReport, "report.json", "application/json", p.cfg.Backend.Report)
}

func (p *Pages) download(w http.ResponseWriter, r *http.Request, who ingest.Identity, action, suffix, ctype string, open func(ctx context.Context, id string) (io.ReadCloser, error)) {
	id := r.PathValue("id")
	if _, err := p.cfg.Backend.InboxEntry(r.Context(), who.Municipality, id); err != nil {
		p.backendError(w, r, err)
		return
	}
	if !p.audit(w, r, who, action, id) {
		return
	}
	rc, err := open(r.Context(), id)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+"-"+suffix+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.Copy(w, rc)
}

// ack acknowledges the selected invoices of the inbox, recorded first in
// one record, and goes back to the inbox.
func (p *Pages) ack(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	var ids []string
	for _, id := range r.PostForm["id"] {
		if _, err := p.cfg.Backend.InboxEntry(r.Context(), who.Municipality, id); err == nil {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		} else if !notFound(err) {
			p.backendError(w, r, err)
			return
		}
	}
	if len(ids) > 0 && !p.audit(w, r, who, ingest.AuditAcknowledge, ids...) {
		return
	}
	n := 0
	for _, id := range ids {
		if _, err := p.cfg.Backend.Acknowledge(r.Context(), who.Municipality, id); err == nil {
			n++
		} else if !notFound(err) {
			p.backendError(w, r, err)
			return
		}
	}
	back := safeNext(r.PostFormValue("back"), "/inbox")
	if !strings.HasPrefix(back, "/inbox") {
		back = "/inbox"
	}
	if back == "/inbox" {
		back += "?acked=" + strconv.Itoa(n)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// maxZip bounds how many invoices one ZIP holds.
const maxZip = 5000

func (p *Pages) zipSelection(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	var list []ingest.Outcome
	for _, id := range r.PostForm["id"] {
		o, err := p.cfg.Backend.InboxEntry(r.Context(), who.Municipality, id)
		if err != nil {
			p.backendError(w, r, err)
			return
		}
		list = append(list, o)
		if len(list) == maxZip {
			break
		}
	}
	if len(list) == 0 {
		p.fail(w, r, http.StatusBadRequest, "err_noselection")
		return
	}
	p.writeZip(w, r, who, list)
}

// zipPeriod packs every invoice the inbox filter (a period, a seller, ...)
// finds.
func (p *Pages) zipPeriod(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	q, bad := inboxQuery(r.URL.Query())
	if bad != "" {
		p.fail(w, r, http.StatusBadRequest, bad)
		return
	}
	q.Limit = 1000
	var list []ingest.Outcome
	for len(list) < maxZip {
		page, next, err := p.cfg.Backend.SearchInbox(r.Context(), who.Municipality, q)
		if err != nil {
			p.backendError(w, r, err)
			return
		}
		list = append(list, page...)
		if next == "" {
			break
		}
		q.After = next
	}
	if len(list) == 0 {
		p.fail(w, r, http.StatusNotFound, "err_noselection")
		return
	}
	p.writeZip(w, r, who, list)
}

// writeZip answers a ZIP of the originals and reports: <id>/original.xml
// and <id>/report.json each (for a hybrid <id>/original.pdf and
// <id>/invoice.xml instead of the original.xml), recorded first in one
// record of every invoice in it.
func (p *Pages) writeZip(w http.ResponseWriter, r *http.Request, who ingest.Identity, list []ingest.Outcome) {
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	if !p.audit(w, r, who, ingest.AuditDownloadZIP, ids...) {
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="rechnungen-`+p.cfg.Now().Format("2006-01-02-150405")+`.zip"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	zw := zip.NewWriter(w)
	for _, o := range list {
		for _, part := range p.zipParts(o) { // hybrid.go
			rc, err := part.open(r.Context(), o.ID)
			if err != nil {
				p.cfg.Logger.Error("zip", "id", o.ID, "part", part.name, "err", err)
				return // the unfinished ZIP shows the reader something went wrong
			}
			f, err := zw.CreateHeader(&zip.FileHeader{Name: o.ID + "/" + part.name, Method: zip.Deflate, Modified: o.ReceivedAt})
			if err == nil {
				_, err = io.Copy(f, rc)
			}
			rc.Close()
			if err != nil {
				p.cfg.Logger.Error("zip", "id", o.ID, "err", err)
				return
			}
		}
	}
	zw.Close()
}
