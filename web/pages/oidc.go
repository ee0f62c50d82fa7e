package pages

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
)

// Login through an OpenID Connect provider: the authorization code flow
// with PKCE (S256) and a nonce, for a confidential client. The callback
// maps the ID token's claims to an identity through the directory
// (ingest.Pipeline.IdentifyPerson) and starts a session in the store like
// a token's login; the session keeps the refresh token, and when its
// Recheck has come (the ID token's expiry, at the latest OIDC.Recheck
// after the last check) the pages ask the provider again and end the
// session where the person no longer has the role.

// OIDC configures the login through an OpenID Connect provider.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back to: this
	// gateway's /login/oidc/callback as the browser reaches it.
	RedirectURL string
	// Scopes are asked for besides "openid".
	Scopes []string
	// Provider names the provider on the login page ("Anmelden mit
	// Provider"); default: the issuer's host.
	Provider string
	// MunicipalityClaim names the claim that names a clerk's municipality
	// (empty: none is read, the groups alone decide); RoleClaim the claim
	// with the person's groups (default "groups"); NameClaims the claims
	// that name the person, the first one present wins (default name,
	// preferred_username, email).
	MunicipalityClaim string
	RoleClaim         string
	NameClaims        []string
	// Recheck is the longest time between two checks at the provider
	// (default 10 minutes); a session is checked again at its ID token's
	// expiry at the latest.
	Recheck time.Duration
	// HTTPClient, when set, speaks to the provider.
	HTTPClient *http.Client
}

// oidcLogin is the pages' side of an OpenID Connect provider. The
// provider's discovery document is read on first use, and again after a
// failure, so that the gateway starts while the provider is away.
type oidcLogin struct {
	cfg OIDC

	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCLogin(cfg OIDC) *oidcLogin {
	if cfg.RoleClaim == "" {
		cfg.RoleClaim = "groups"
	}
	if len(cfg.NameClaims) == 0 {
		cfg.NameClaims = []string{"name", "preferred_username", "email"}
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = 10 * time.Minute
	}
	if cfg.Provider == "" {
		cfg.Provider = cfg.Issuer
		if u, err := url.Parse(cfg.Issuer); err == nil && u.Host != "" {
			cfg.Provider = u.Host
		}
	}
	return &oidcLogin{cfg: cfg}
}

// context returns ctx with the HTTP client for the provider.
func (o *oidcLogin) context(ctx context.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	return ctx
}

// connect returns the provider, its OAuth 2.0 configuration and the ID
// tokens' verifier, reading the discovery document where that has not
// been done yet.
func (o *oidcLogin) connect(ctx context.Context) (*oidc.Provider, *oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(o.context(ctx), o.cfg.Issuer)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("oidc: discovery: %w", err)
		}
		o.provider = p
	}
	conf := &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: o.provider.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...),
	}
	return o.provider, conf, o.provider.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}), nil
}

// claims is what the pages read of an ID token or the userinfo answer.
type claims struct {
	Subject string
	Person  directory.Person
	Name    string
}

// readClaims reads the configured claims from the provider's JSON claims.
// The role claim may be a list of strings or one string; the municipality
// claim a string or a number.
func (o *oidcLogin) readClaims(raw map[string]any) (claims, error) {
	var c claims
	c.Subject, _ = raw["sub"].(string)
	if c.Subject == "" {
		return c, errors.New("oidc: no sub claim")
	}
	switch g := raw[o.cfg.RoleClaim].(type) {
	case nil:
	case string:
		c.Person.Groups = []string{g}
	case []any:
		for _, v := range g {
			s, ok := v.(string)
			if !ok {
				return c, fmt.Errorf("oidc: claim %s: %v is not a string", o.cfg.RoleClaim, v)
			}
			c.Person.Groups = append(c.Person.Groups, s)
		}
	default:
		return c, fmt.Errorf("oidc: claim %s is neither a string nor a list of strings", o.cfg.RoleClaim)
	}
	if o.cfg.MunicipalityClaim != "" {
		c.Person.MunicipalityClaim = true
		switch m := raw[o.cfg.MunicipalityClaim].(type) {
		case nil:
		case string:
			c.Person.Municipality = m
		case float64:
			c.Person.Municipality = strconv.FormatFloat(m, 'f', -1, 64)
		default:
			return c, fmt.Errorf("oidc: claim %s is not a string", o.cfg.MunicipalityClaim)
		}
	}
	for _, n := range o.cfg.NameClaims {
		if s, ok := raw[n].(string); ok && strings.TrimSpace(s) != "" {
			c.Name = strings.TrimSpace(s)
			break
		}
	}
	if c.Name == "" {
		c.Name = c.Subject
	}
	if len(c.Name) > 100 {
		c.Name = c.Name[:100]
	}
	return c, nil
}

// flowCookie is the cookie that carries a login's state, nonce, PKCE
// verifier and the page to go to, from /login/oidc to the callback. It is
// SameSite=Lax: the provider's redirect back is a navigation from
// another site.
const flowCookie = "eingang_oidc"

func (p *Pages) setFlowCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: p.sessions.cookieName(r, flowCookie), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: p.sessions.secureFor(r), SameSite: http.SameSiteLaxMode,
	})
}

// oidcStart sends the browser to the provider.
func (p *Pages) oidcStart(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(p.oidc.context(r.Context()), oidcTimeout)
	defer cancel()
	_, conf, _, err := p.oidc.connect(ctx)
	if err != nil {
		p.cfg.Logger.Error("oidc login", "err", err)
		p.fail(w, r, http.StatusServiceUnavailable, "err_oidc")
		return
	}
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	next := base64.RawURLEncoding.EncodeToString([]byte(safeNext(r.URL.Query().Get("next"), "")))
	p.setFlowCookie(w, r, strings.Join([]string{state, nonce, verifier, next}, "."), 600)
	secureHeaders(w)
	http.Redirect(w, r, conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), http.StatusSeeOther)
}

// oidcCallback ends the login: it checks the state, trades the code for
// the tokens, verifies the ID token and its nonce, maps the claims to an
// identity and logs the person in (personLogin: the session, the login's
// record in the audit trail, the cookies). A person the directory gives
// no role is recorded as a failed login.
func (p *Pages) oidcCallback(w http.ResponseWriter, r *http.Request) {
	addr := p.cfg.ClientAddr(r)
	q := r.URL.Query()
	flow := strings.Split(p.sessions.cookie(r, flowCookie), ".")
	p.setFlowCookie(w, r, "", -1)
	if e := q.Get("error"); e != "" {
		p.cfg.Logger.Warn("oidc login failed", "addr", addr, "reason", "provider", "error", e, "description", q.Get("error_description"))
		p.fail(w, r, http.StatusUnauthorized, "err_oidc")
		return
	}
	if len(flow) != 4 || subtle.ConstantTimeCompare([]byte(flow[0]), []byte(q.Get("state"))) != 1 {
		p.cfg.Logger.Warn("oidc login failed", "addr", addr, "reason", "state")
		p.fail(w, r, http.StatusBadRequest, "err_oidc")
		return
	}
	nonce, verifier := flow[1], flow[2]
	nextB, _ := base64.RawURLEncoding.DecodeString(flow[3])
	ctx, cancel := context.WithTimeout(p.oidc.context(r.Context()), oidcTimeout)
	defer cancel()
	_, conf, verify, err := p.oidc.connect(ctx)
	if err != nil {
		p.cfg.Logger.Error("oidc login", "err", err)
		p.fail(w, r, http.StatusServiceUnavailable, "err_oidc")
		return
	}
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		p.cfg.Logger.Warn("oidc login failed", "addr", addr, "reason", "code", "err", err)
		p.fail(w, r, http.StatusUnauthorized, "err_oidc")
		return
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := verify.Verify(ctx, rawID)
	if err == nil && subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		err = errors.New("oidc: the ID token's nonce is not the login's")
	}
	var raw map[string]any
	if err == nil {
		err = idt.Claims(&raw)
	}
	var c claims
	if err == nil {
		c, err = p.oidc.readClaims(raw)
	}
	if err != nil {
		p.cfg.Logger.Warn("oidc login failed", "addr", addr, "reason", "id-token", "err", err)
		p.fail(w, r, http.StatusUnauthorized, "err_oidc")
		return
	}
	who, err := p.cfg.Backend.IdentifyPerson(c.Person, c.Name)
	if err != nil {
		p.cfg.Metrics.LoginFailed("oidc-no-role")
		p.cfg.Logger.Warn("oidc login failed", "addr", addr, "reason", "oidc-no-role", "sub", c.Subject, "actor", c.Name, "err", err)
		if !p.audit(w, r, ingest.Identity{Actor: c.Name}, ingest.AuditLoginFailed) {
			return
		}
		p.fail(w, r, http.StatusForbidden, "err_oidc_role")
		return
	}
	login := ingest.OIDCLogin{Issuer: idt.Issuer, Subject: c.Subject, Person: c.Person, Recheck: p.oidc.recheckAt(p.cfg.Now(), idt.Expiry)}
	if !p.personLogin(w, r, who, ingest.OIDCPerson(idt.Issuer, c.Subject), &login, tok.RefreshToken) {
		return
	}
	home := homeOf(who.Role)
	next := safeNext(string(nextB), home)
	if !strings.HasPrefix(next, home) {
		next = home
	}
	// The session cookie is SameSite=Strict, and the browser came here
	// from the provider's site: a redirect would still count as that
	// site's navigation and go without it. A page of this site that moves
	// on by itself makes the next request this site's own.
	secureHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!doctype html><html lang="de"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=`+
		template.HTMLEscapeString(next)+`"><title>Anmeldung</title></head><body><p><a id="continue" href="`+
		template.HTMLEscapeString(next)+`">Weiter · Continue</a></p></body></html>`)
}

// recheckAt is when a session checked at now is checked again: at the ID
// token's expiry, or Recheck after now if that is sooner.
func (o *oidcLogin) recheckAt(now, expiry time.Time) time.Time {
	at := now.Add(o.cfg.Recheck)
	if !expiry.IsZero() && expiry.Before(at) {
		at = expiry
	}
	return at.UTC()
}

// oidcTimeout bounds what one request waits for the provider, and
// oidcRetry is how long a session goes on unchecked after the provider
// could not be reached.
const (
	oidcTimeout = 10 * time.Second
	oidcRetry   = time.Minute
)

// errGone is the error of recheck for a session that must end.
var errGone = errors.New("oidc: the provider or the directory no longer gives the role")

// recheck asks the provider again about the person of the session with
// the id: with the refresh token for new tokens, the claims of the new ID
// token (or of the userinfo endpoint, where the provider sends none) are
// mapped to an identity as at the login. It returns the renewed session;
// errGone where the session must end (the provider refuses the refresh
// token, or the person has another identity now, or none); another error
// where the provider cannot be reached (the session goes on and is
// checked again on its next use).
func (p *Pages) recheck(ctx context.Context, id string, s ingest.Session) (ingest.Session, error) {
	rt, err := p.cfg.Backend.OIDCRefreshToken(id, s)
	if err != nil || rt == "" {
		return s, fmt.Errorf("%w: no refresh token (%v)", errGone, err)
	}
	ctx, cancel := context.WithTimeout(p.oidc.context(ctx), oidcTimeout)
	defer cancel()
	prov, conf, verify, err := p.oidc.connect(ctx)
	if err != nil {
		return s, err
	}
	tok, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: rt}).Token()
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		// Another gateway may have used a rolling refresh token just now.
		if again, err2 := p.cfg.Backend.Session(ctx, id, p.cfg.SessionIdle); err2 == nil && again.OIDC != nil && p.cfg.Now().Before(again.OIDC.Recheck) {
			return again, nil
		}
		return s, fmt.Errorf("%w: refresh refused: %v", errGone, err)
	}
	if err != nil {
		return s, fmt.Errorf("oidc: refresh: %w", err)
	}
	var raw map[string]any
	expiry := time.Time{}
	if rawID, _ := tok.Extra("id_token").(string); rawID != "" {
		idt, err := verify.Verify(ctx, rawID)
		if err != nil {
			return s, fmt.Errorf("%w: the refreshed ID token: %v", errGone, err)
		}
		if err := idt.Claims(&raw); err != nil {
			return s, fmt.Errorf("%w: the refreshed ID token: %v", errGone, err)
		}
		expiry = idt.Expiry
	} else {
		ui, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return s, fmt.Errorf("oidc: userinfo: %w", err)
		}
		if err := ui.Claims(&raw); err != nil {
			return s, fmt.Errorf("%w: userinfo: %v", errGone, err)
		}
	}
	c, err := p.oidc.readClaims(raw)
	if err != nil || c.Subject != s.OIDC.Subject {
		return s, fmt.Errorf("%w: claims: subject %q, %v", errGone, c.Subject, err)
	}
	who, err := p.cfg.Backend.IdentifyPerson(c.Person, c.Name)
	if err != nil || who.Role != s.Role || who.Municipality != s.Municipality {
		return s, fmt.Errorf("%w: now %q of %q (%v)", errGone, who.Role, who.Municipality, err)
	}
	login := ingest.OIDCLogin{Issuer: s.OIDC.Issuer, Subject: c.Subject, Person: c.Person, Recheck: p.oidc.recheckAt(p.cfg.Now(), expiry)}
	renewed, err := p.cfg.Backend.RenewOIDCSession(ctx, id, login, tok.RefreshToken)
	if errors.Is(err, ingest.ErrNotFound) {
		return s, fmt.Errorf("%w: ended meanwhile", errGone)
	}
	return renewed, err
}
