package pages

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/eingang/eingang/ingest"
)

// A session is a logged-in browser. It holds who is logged in, not how:
// the token form and an identity provider's callback both end in start.
type session struct {
	who     ingest.Identity
	expires time.Time
}

// sessions are kept in memory: a restart logs everyone out.
type sessions struct {
	// secure marks the cookies Secure, with the __Host- prefix, even on a
	// plain HTTP request: the browser speaks HTTPS to a proxy in front.
	secure bool
	mu     sync.Mutex
	m      map[string]*session
}

// maxSessions bounds the sessions kept; the oldest-expiring go first.
const maxSessions = 10000

func newSessions(secure bool) *sessions {
	return &sessions{secure: secure, m: map[string]*session{}}
}

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

// start logs a browser in as who.
func (s *sessions) start(w http.ResponseWriter, r *http.Request, who ingest.Identity, now time.Time, ttl time.Duration) {
	id := random()
	s.mu.Lock()
	for k, v := range s.m {
		if !now.Before(v.expires) {
			delete(s.m, k)
		}
	}
	if len(s.m) >= maxSessions {
		var oldest string
		for k, v := range s.m {
			if oldest == "" || v.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		delete(s.m, oldest)
	}
	s.m[id] = &session{who: who, expires: now.Add(ttl)}
	s.mu.Unlock()
	s.setCookie(w, r, "eingang_session", id, int(ttl.Seconds()))
	// A new CSRF token for the new session.
	s.setCookie(w, r, "eingang_csrf", random(), 0)
}

// get returns the browser's session, or nil.
func (s *sessions) get(r *http.Request, now time.Time) *session {
	id := s.cookie(r, "eingang_session")
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.m[id]
	if v == nil || !now.Before(v.expires) {
		return nil
	}
	return v
}

// end logs the browser out.
func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	delete(s.m, s.cookie(r, "eingang_session"))
	s.mu.Unlock()
	s.setCookie(w, r, "eingang_session", "", -1)
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

// accounting wraps a page for a municipality's accounting: without a
// session the login form, with an operator's session a 403.
func (p *Pages) accounting(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return p.role(ingest.RoleAccounting, h)
}

func (p *Pages) operator(h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return p.role(ingest.RoleOperator, h)
}

func (p *Pages) role(role string, h func(http.ResponseWriter, *http.Request, ingest.Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := p.sessions.get(r, p.cfg.Now())
		switch {
		case s == nil && r.Method == http.MethodGet:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		case s == nil:
			p.fail(w, r, http.StatusUnauthorized, "err_login")
		case s.who.Role != role:
			p.fail(w, r, http.StatusForbidden, "err_forbidden")
		default:
			h(w, r, s.who)
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
