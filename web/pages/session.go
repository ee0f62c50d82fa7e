package pages

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/eingang/eingang/ingest"
)

// sessions set and read the pages' cookies. The sessions themselves are
// kept in the store (ingest.Pipeline.StartSession), so that a restarted
// gateway and every other gateway on the store know them.
type sessions struct {
	// secure marks the cookies Secure, with the __Host- prefix, even on a
	// plain HTTP request: the browser speaks HTTPS to a proxy in front.
	secure bool
}

func newSessions(secure bool) *sessions { return &sessions{secure: secure} }

func random() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// secureFor reports whether the browser reaches the gateway over HTTPS:
// TLS at the gateway, or a public_url of https at a proxy.
func (s *sessions) secureFor(r *http.Request) bool { return s.secure || r.TLS != nil }

// cookieName names a cookie; over HTTPS with the __Host- prefix, which
// browsers accept only Secure, host-only, for path /.
func (s *sessions) cookieName(r *http.Request, name string) string {
	if s.secureFor(r) {
		return "__Host-" + name
	}
	return name
}

func (s *sessions) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(r, name))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *sessions) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r, name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureFor(r), SameSite: http.SameSiteStrictMode,
	})
}

// start sets the cookies of a new session: its id, and a new CSRF token.
func (s *sessions) start(w http.ResponseWriter, r *http.Request, id string, ttl time.Duration) {
	s.setCookie(w, r, "eingang_session", id, int(ttl.Seconds()))
	s.setCookie(w, r, "eingang_csrf", random(), 0)
}

// session returns the browser's session, or nil: none, ended, or the
// store cannot be read (the pages then ask for a login, which says so).
func (p *Pages) session(r *http.Request) *ingest.Session {
	if s, ok := r.Context().Value(sessionKey{}).(*ingest.Session); ok {
		return s // read once per request (role), not again for the page's header
	}
	id := p.sessions.cookie(r, "eingang_session")
	if id == "" {
		return nil
	}
	s, err := p.cfg.Backend.Session(r.Context(), id, p.cfg.SessionIdle)
	if err != nil {
		if !errors.Is(err, ingest.ErrNotFound) {
			p.cfg.Logger.Warn("session not read", "err", err)
		}
		return nil
	}
	if s.OIDC != nil {
		return p.oidcSession(r, id, s)
	}
	return &s
}

// oidcSession goes on with the session of an OpenID Connect login: it
// asks the provider again where the session's Recheck has come, and ends
// the session where the person no longer has the role, or where the
// gateway no longer offers the login.
func (p *Pages) oidcSession(r *http.Request, id string, s ingest.Session) *ingest.Session {
	if p.oidc == nil {
		p.cfg.Logger.Info("session ended", "actor", s.Actor, "reason", "oidc-off")
		if err := p.cfg.Backend.EndSession(r.Context(), id); err != nil {
			p.cfg.Logger.Warn("session not ended in the store", "err", err)
		}
		return nil
	}
	if p.cfg.Now().Before(s.OIDC.Recheck) {
		return &s
	}
	renewed, err := p.recheck(r.Context(), id, s)
	switch {
	case errors.Is(err, errGone):
		p.cfg.Logger.Info("session ended", "role", s.Role, "municipality", s.Municipality, "actor", s.Actor, "reason", err)
		if err := p.cfg.Backend.EndSession(r.Context(), id); err != nil {
			p.cfg.Logger.Warn("session not ended in the store", "err", err)
		}
		return nil
	case err != nil:
		// The provider cannot be reached: the session goes on, within its
		// idle and absolute ends and the directory, and is checked again
		// a minute later (not on every request, each waiting for the
		// provider's time-out).
		p.cfg.Logger.Warn("oidc recheck failed", "actor", s.Actor, "err", err)
		later := *s.OIDC
		later.Recheck = p.cfg.Now().Add(oidcRetry).UTC()
		if postponed, err := p.cfg.Backend.RenewOIDCSession(r.Context(), id, later, ""); err == nil {
			return &postponed
		}
		return &s
	}
	p.cfg.Logger.Debug("session rechecked", "role", s.Role, "municipality", s.Municipality, "actor", s.Actor, "next", renewed.OIDC.Recheck)
	return &renewed
}

// sessionKey marks a request's context that carries its session.
type sessionKey struct{}

// endSession logs the browser out, on every gateway.
func (p *Pages) endSession(w http.ResponseWriter, r *http.Request) {
	if err := p.cfg.Backend.EndSession(r.Context(), p.sessions.cookie(r, "eingang_session")); err != nil {
		p.cfg.Logger.Warn("session not ended in the store", "err", err)
	}
	p.sessions.setCookie(w, r, "eingang_session", "", -1)
}

// loggedIn finishes a login whose session the backend started: it
// records the login in the audit trail and sets the session's cookies.
// Where the record cannot be written the session ends again, the answer
// is a 503 and ok is false. Every way of logging in ends here: a token,
// a local account, an identity provider's callback (personLogin).
func (p *Pages) loggedIn(w http.ResponseWriter, r *http.Request, id string, s ingest.Session) (ok bool) {
	if err := p.cfg.Backend.Audit(r.Context(), ingest.AuditFor(s.Identity, ingest.AuditLogin, p.cfg.ClientAddr(r), "pages")); err != nil {
		if err := p.cfg.Backend.EndSession(r.Context(), id); err != nil {
			p.cfg.Logger.Warn("session of an unrecorded login not ended", "err", err)
		}
		p.backendError(w, r, err)
		return false
	}
	p.sessions.start(w, r, id, p.cfg.SessionTTL)
	p.cfg.Logger.Info("login", "role", s.Role, "municipality", s.Municipality, "actor", s.Actor, "person", s.Person, "addr", p.cfg.ClientAddr(r))
	return true
}

// personLogin logs a browser in for a person whom an identity provider
// vouched for (the OIDC callback ends here, with its login and refresh
// token): it starts the person's session with the identity who grants,
// records the login and sets the cookies. Where it fails it has answered
// the request and ok is false; else the caller sends the browser on to
// the person's page (homeOf).
func (p *Pages) personLogin(w http.ResponseWriter, r *http.Request, who ingest.Identity, person string, login *ingest.OIDCLogin, refreshToken string) (ok bool) {
	id, s, err := p.cfg.Backend.StartPersonSession(r.Context(), who, person, login, refreshToken, p.cfg.SessionTTL)
	if err != nil {
		p.backendError(w, r, err)
		return false
	}
	return p.loggedIn(w, r, id, s)
}

// homeOf is the page a role starts on.
func homeOf(role string) string {
	if role == ingest.RoleOperator {
		return "/ops"
	}
	return "/inbox"
}

// csrfToken returns the browser's CSRF token, setting the cookie that
// carries it where there is none yet. Forms send it back in the field
// "csrf"; the cookie is SameSite=Strict and HttpOnly, so another site can
// neither send it along nor read it.
func (s *sessions) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c := s.cookie(r, "eingang_csrf"); len(c) == 64 {
		return c
	}
	t := random()
	s.setCookie(w, r, "eingang_csrf", t, 0)
	return t
}

// csrf refuses a POST whose form field "csrf" is not the browser's token,
// or that comes from another origin.
func (p *Pages) csrf(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && o != "null" {
			if u, err := url.Parse(o); err != nil || u.Host != r.Host {
				p.fail(w, r, http.StatusForbidden, "err_csrf")
				return
			}
		}
		want := p.sessions.cookie(r, "eingang_csrf")
		r.Body = http.MaxBytesReader(w, r.Body, p.cfg.MaxBody+1<<20)
		var got string
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(p.cfg.MaxBody); err != nil {
				p.fail(w, r, http.StatusRequestEntityTooLarge, "err_upload")
				return
			}
			got = r.FormValue("csrf")
		} else {
			got = r.PostFormValue("csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			p.fail(w, r, http.StatusForbidden, "err_csrf")
			return
		}
		h(w, r)
	}
}

// municipal wraps a page for a municipality's clerks and auditors:
// without a session the login form, with an operator's session a 403.
func (p *Pages) municipal(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return p.role(h, ingest.RoleClerk, ingest.RoleAuditor)
}

// clerk wraps a page that changes a municipality's inbox: its clerks'.
func (p *Pages) clerk(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return p.role(h, ingest.RoleClerk)
}

func (p *Pages) operator(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return p.role(h, ingest.RoleOperator)
}

func (p *Pages) role(h func(http.ResponseWriter, *http.Request, ingest.Identity), roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := p.session(r)
		switch {
		case s == nil && r.Method == http.MethodGet:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case s == nil:
			p.fail(w, r, http.StatusUnauthorized, "err_login")
		case !slices.Contains(roles, s.Role):
			p.fail(w, r, http.StatusForbidden, "err_forbidden")
		default:
			h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)), s.Identity)
		}
	}
}

// language picks the page's language: ?lang= (remembered in a cookie),
// the cookie, the browser's Accept-Language, German.
func language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); messages[l] != nil {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && messages[c.Value] != nil {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if messages[base] != nil {
			return base
		}
	}
	return "de"
}

// switchURL is the current page in the other language.
func switchURL(r *http.Request, lang string) string {
	other := "en"
	if lang == "en" {
		other = "de"
	}
	q := r.URL.Query()
	q.Set("lang", other)
	if r.Method != http.MethodGet {
		// A form's answer: the form in the other language.
		return r.URL.Path + "?lang=" + other
	}
	return r.URL.Path + "?" + q.Encode()
}

// safeNext returns next if it is a path of this site, else def.
func safeNext(next, def string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return def
}
