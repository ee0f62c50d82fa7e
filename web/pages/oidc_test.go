package pages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// oidcDirectory gives Weimarer Land's and Erfurt's clerks, the operators
// and the auditors (of the municipality the claim names) their groups; the municipality claim names Erfurt by
// its id and Weimarer Land by its district key.
const oidcDirectory = `
municipalities:
  - {id: weimarer-land, name: Landkreis Weimarer Land, leitweg_ids: ["16071"], oidc_groups: [rechnung-wl], oidc_municipality: "16071"}
  - {id: erfurt, name: Landeshauptstadt Erfurt, leitweg_ids: ["16051000"], oidc_groups: [%s]}
operators: {oidc_groups: [eingang-betrieb]}
auditors: {oidc_groups: [rechnungspruefung]}
`

// The people at the provider: two clerks of different municipalities, an
// operator, an auditor of Erfurt and someone the directory gives no role.
var (
	oidcAnna  = testenv.GlewlwydUser{Username: "anna", Password: "anna-pass-1", Name: "Anna Beispiel", Email: "anna@example.org", Municipality: "16071", Groups: []string{"kantine", "rechnung-wl"}}
	oidcBernd = testenv.GlewlwydUser{Username: "bernd", Password: "bernd-pass-1", Name: "Bernd Muster", Email: "bernd@example.org", Municipality: "erfurt", Groups: []string{"rechnung-erfurt"}}
	oidcOlga  = testenv.GlewlwydUser{Username: "olga", Password: "olga-pass-1", Name: "Olga Betrieb", Email: "olga@example.org", Municipality: "-", Groups: []string{"eingang-betrieb"}}
	oidcArne  = testenv.GlewlwydUser{Username: "arne", Password: "arne-pass-1", Name: "Arne Prüfer", Email: "arne@example.org", Municipality: "erfurt", Groups: []string{"rechnungspruefung"}}
	oidcKarl  = testenv.GlewlwydUser{Username: "karl", Password: "karl-pass-1", Name: "Karl Kantine", Email: "karl@example.org", Municipality: "16071", Groups: []string{"kantine"}}
)

// oidcEnv is a glewlwyd and gateways on one store whose pages offer the
// login through it; the directory can change under them.
type oidcEnv struct {
	t       *testing.T
	st      store.Store
	idp     *testenv.Glewlwyd
	dir     atomic.Pointer[directory.Directory]
	addrs   [2]string // of the first gateway (also after its restart) and the second
	recheck time.Duration
	// renewals counts the sessions renewed at the provider.
	renewals atomic.Int32
}

// countRenewals is a Backend that counts renewed sessions.
type countRenewals struct {
	Backend
	n *atomic.Int32
}

func (c countRenewals) RenewOIDCSession(ctx context.Context, id string, login ingest.OIDCLogin, refreshToken string) (ingest.Session, error) {
	c.n.Add(1)
	return c.Backend.RenewOIDCSession(ctx, id, login, refreshToken)
}

func (e *oidcEnv) setDirectory(erfurtGroups string) {
	d, err := directory.Parse([]byte(fmt.Sprintf(oidcDirectory, erfurtGroups)))
	if err != nil {
		e.t.Fatal(err)
	}
	e.dir.Store(d)
}

// newOIDCEnv starts glewlwyd with the people above; the gateways check
// their sessions at the provider again after recheck.
func newOIDCEnv(t *testing.T, recheck time.Duration) *oidcEnv {
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := &oidcEnv{t: t, st: st, recheck: recheck, addrs: [2]string{testenv.FreeAddr(t), testenv.FreeAddr(t)}}
	e.setDirectory("rechnung-erfurt")
	e.idp = testenv.StartGlewlwyd(t, []string{e.callback(0), e.callback(1)}, 0, oidcAnna, oidcBernd, oidcOlga, oidcArne, oidcKarl)
	return e
}

func (e *oidcEnv) callback(i int) string { return "http://" + e.addrs[i] + "/login/oidc/callback" }

// gateway starts gateway i (0 or 1) on the store: a pipeline and pages of
// its own, as a gateway process has; stopped by its server's Close.
func (e *oidcEnv) gateway(i int) (*httptest.Server, *ingest.Pipeline) {
	pipe, err := ingest.New(ingest.Config{Store: e.st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return e.dir.Load() }})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(pipe.Wait) // the removals of pending markers Submit leaves running
	pages := New(Config{Backend: countRenewals{pipe, &e.renewals}, Logger: slog.New(slog.NewTextHandler(testLog{e.t}, &slog.HandlerOptions{Level: slog.LevelDebug})), OIDC: &OIDC{
		Issuer: e.idp.Issuer, ClientID: e.idp.ClientID, ClientSecret: e.idp.ClientSecret, RedirectURL: e.callback(i),
		Provider: "Glewlwyd", MunicipalityClaim: "municipality", Recheck: e.recheck,
	}})
	srv := httptest.NewUnstartedServer(pages.Handler())
	srv.Listener.Close()
	var l net.Listener
	for try := 0; ; try++ { // the address of a gateway just closed may take a moment
		if l, err = net.Listen("tcp", e.addrs[i]); err == nil || try == 50 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	srv.Listener = l
	srv.Start()
	e.t.Cleanup(srv.Close)
	return srv, pipe
}

// testLog writes a gateway's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// oidcLogin logs the tab's person in at the provider's form and waits for
// the page titled want.
func (b *tab) oidcLogin(u testenv.GlewlwydUser, want string) {
	b.t.Helper()
	b.until("Anmelden", chromedp.Navigate(b.base+"/login?lang=de"))
	if got := b.text("#login-oidc"); got != "Anmelden mit Glewlwyd" {
		b.t.Errorf("the login page offers %q", got)
	}
	cont := chromedp.CSS("#userCard .card-footer button.btn-success")
	b.do(chromedp.Click(chromedp.ID("login-oidc")), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), u.Username), chromedp.SendKeys(chromedp.ID("password"), u.Password),
		chromedp.Click(chromedp.ID("loginbut")), chromedp.WaitVisible(cont))
	b.until(want, chromedp.Click(cont))
}

// TestOIDCInBrowser: clerks of two municipalities log in through the
// provider in Chromium; A opens and acknowledges an invoice and cannot see
// B's; the session holds at a second gateway on the same store and after
// a restart; a clerk whose group the provider drops, and one whose group
// the directory drops, is logged out on the next recheck or request,
// while a clerk who keeps the group stays in.
func TestOIDCInBrowser(t *testing.T) {
	const recheck = 3 * time.Second
	e := newOIDCEnv(t, recheck)
	g1, pipe := e.gateway(0)
	submit := func(doc []byte) *ingest.Receipt {
		rec, err := pipe.Submit(t.Context(), ingest.Submission{Data: doc, Channel: "upload"})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	forA := submit(variant(t, "RE-WL-1", "Erste Bau GmbH", ""))
	forB := submit(variant(t, "RE-ERF-1", "Erfurter Dach GmbH", "16051000-"+checkDigits("16051000")))

	anna := newBrowser(t, g1.URL)
	anna.oidcLogin(oidcAnna, "Posteingang")
	if got := anna.text("table.list tbody"); !strings.Contains(got, "RE-WL-1") || strings.Contains(got, "RE-ERF-1") {
		t.Errorf("A's inbox: %q", got)
	}
	if got := anna.text("header"); !strings.Contains(got, "Anna Beispiel") {
		t.Errorf("the header does not name the person: %q", got)
	}
	anna.until("Rechnung", chromedp.Click(chromedp.CSS("a.open")))
	anna.until("Rechnung", chromedp.Click(chromedp.ID("ack")))
	if o, _ := pipe.InboxEntry(t.Context(), "weimarer-land", forA.ID); o.AcknowledgedAt.IsZero() {
		t.Error("not acknowledged in the store")
	}
	anna.until("Nicht gefunden", chromedp.Navigate(g1.URL+"/inbox/"+forB.ID))

	bernd := anna.other()
	bernd.oidcLogin(oidcBernd, "Posteingang")
	berndIn := time.Now()
	if got := bernd.text("table.list tbody"); !strings.Contains(got, "RE-ERF-1") || strings.Contains(got, "RE-WL-1") {
		t.Errorf("B's inbox: %q", got)
	}

	// A second gateway on the store knows the sessions; so does the first
	// after a restart (a new pipeline and pages, nothing kept in memory).
	g2, _ := e.gateway(1)
	anna.until("Posteingang", chromedp.Navigate(g2.URL+"/inbox"))
	g1.Close()
	g1, _ = e.gateway(0)
	anna.until("Posteingang", chromedp.Navigate(g1.URL+"/inbox"))

	// The provider drops A's group: a request once the recheck time has
	// come finds the session ended (A's session may have been renewed just
	// before, so this waits for up to two recheck times). B keeps the
	// group: the request after the recheck time renews B's session.
	if err := e.idp.SetGroups("anna", []string{"kantine"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2*recheck + 5*time.Second)
	for {
		if _, err := chromedp.Run(anna.ctx, chromedp.Navigate(g1.URL+"/inbox")); err != nil {
			t.Fatal(err)
		}
		title, _ := chromedp.Run(anna.ctx, chromedp.Title())
		if strings.HasPrefix(title, "Anmelden") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("A's session outlived the group at the provider: %q", title)
		}
		time.Sleep(300 * time.Millisecond)
	}
	anna.until("Anmelden", chromedp.Navigate(g2.URL+"/inbox"))
	time.Sleep(time.Until(berndIn.Add(recheck + 500*time.Millisecond)))
	renewed := e.renewals.Load()
	bernd.until("Posteingang", chromedp.Navigate(g2.URL+"/inbox"))
	if e.renewals.Load() == renewed {
		t.Error("B's session was not renewed at the provider after the recheck time")
	}
	// Logging in again: the provider's session is there, its groups give
	// no role now.
	anna.until("Anmelden", chromedp.Navigate(g1.URL+"/login"))
	cont := chromedp.CSS("#userCard .card-footer button.btn-success")
	anna.do(chromedp.Click(chromedp.ID("login-oidc")), chromedp.WaitVisible(cont))
	anna.until("Keine Berechtigung", chromedp.Click(cont))

	// The directory drops the group of B's municipality: B's next request,
	// at either gateway, is the login.
	bernd.until("Posteingang", chromedp.Navigate(g1.URL+"/inbox"))
	e.setDirectory("andere-gruppe")
	bernd.until("Anmelden", chromedp.Navigate(g2.URL+"/inbox"))
}

// TestOIDCRoles: the operator lands on the operators' page and logs out
// everywhere, which ends the session of another browser too; the
// auditor, whom the auditors' group and the municipality claim make
// Erfurt's, reads Erfurt's inbox, an entry without the acknowledgement and
// the audit trail; a person the directory gives no role is refused after
// the provider's login. The audit trail records the logins, the refusal
// and the logout everywhere.
func TestOIDCRoles(t *testing.T) {
	e := newOIDCEnv(t, time.Minute)
	g, pipe := e.gateway(0)
	from := time.Now().Add(-time.Minute)
	rec, err := pipe.Submit(t.Context(), ingest.Submission{Data: variant(t, "RE-ERF-1", "Erfurter Dach GmbH", "16051000-"+checkDigits("16051000")), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}

	olga := newBrowser(t, g.URL)
	olga.oidcLogin(oidcOlga, "Betrieb")
	olga.until("Kein Zugriff", chromedp.Navigate(g.URL+"/inbox"))
	olga2 := olga.other()
	olga2.oidcLogin(oidcOlga, "Betrieb")
	olga.until("Betrieb", chromedp.Navigate(g.URL+"/ops"))
	olga.until("Anmelden", chromedp.Click(chromedp.ID("logout-everywhere")))
	olga2.until("Anmelden", chromedp.Navigate(g.URL+"/ops"))

	arne := olga.other()
	arne.oidcLogin(oidcArne, "Posteingang")
	if got := arne.text("table.list tbody"); !strings.Contains(got, "RE-ERF-1") {
		t.Errorf("the auditor's inbox: %q", got)
	}
	arne.until("Rechnung", chromedp.Navigate(g.URL+"/inbox/"+rec.ID))
	if got := arne.eval(`String(document.querySelectorAll("#ack").length)`); got != "0" {
		t.Errorf("the auditor's entry page offers the acknowledgement (%s)", got)
	}
	arne.until("Protokoll", chromedp.Navigate(g.URL+"/audit"))

	karl := olga.other()
	karl.oidcLogin(oidcKarl, "Keine Berechtigung")
	karl.until("Anmelden", chromedp.Navigate(g.URL+"/inbox"))

	recs, err := pipe.AuditRecords(t.Context(), nil, from, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		switch r.Action {
		case ingest.AuditLogin, ingest.AuditLoginFailed, ingest.AuditLogoutEverywhere:
			got = append(got, r.Actor+":"+r.Action+":"+r.Role+":"+r.Municipality)
		}
	}
	slices.Sort(got)
	want := []string{
		"Arne Prüfer:login:auditor:erfurt",
		"Karl Kantine:login-failed::",
		"Olga Betrieb:login:operator:",
		"Olga Betrieb:login:operator:",
		"Olga Betrieb:logout-everywhere:operator:",
	}
	if !slices.Equal(got, want) {
		t.Errorf("the audit trail's logins:\n got %q\nwant %q", got, want)
	}
}

// TestOIDCClaims maps an ID token's claims to an identity, as the
// callback and the recheck do: the role claim as a list or one string, the
// municipality claim as a string or a number, the name from the first
// name claim present.
func TestOIDCClaims(t *testing.T) {
	dir, err := directory.Parse([]byte(`
municipalities:
  - {id: weimar, name: Stadt Weimar, oidc_groups: [rechnung], oidc_municipality: "16055000"}
  - {id: erfurt, name: Landeshauptstadt Erfurt, oidc_groups: [rechnung]}
operators: {oidc_groups: [betrieb]}
`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := ingest.New(ingest.Config{Store: st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	if err != nil {
		t.Fatal(err)
	}
	// The removals of pending markers Submit leaves running.
	t.Cleanup(pipe.Wait)
	withClaim := newOIDCLogin(OIDC{Issuer: "https://idp.example/realms/x", MunicipalityClaim: "gemeinde", RoleClaim: "roles", NameClaims: []string{"preferred_username", "email"}})
	groupsOnly := newOIDCLogin(OIDC{Issuer: "https://idp.example"})
	cases := []struct {
		name        string
		o           *oidcLogin
		raw         map[string]any
		want        ingest.Identity
		noRole, bad bool
	}{
		{"clerk by claim", withClaim, map[string]any{"sub": "1", "gemeinde": "erfurt", "roles": []any{"rechnung"}, "preferred_username": "anna"},
			ingest.Identity{Role: ingest.RoleClerk, Municipality: "erfurt", Name: "Landeshauptstadt Erfurt", Actor: "anna"}, false, false},
		{"number claim, one group as a string", withClaim, map[string]any{"sub": "1", "gemeinde": 16055000.0, "roles": "rechnung", "email": "b@weimar.example"},
			ingest.Identity{Role: ingest.RoleClerk, Municipality: "weimar", Name: "Stadt Weimar", Actor: "b@weimar.example"}, false, false},
		{"operator, named by sub", withClaim, map[string]any{"sub": "op-7", "roles": []any{"betrieb"}},
			ingest.Identity{Role: ingest.RoleOperator, Name: "operator", Actor: "op-7"}, false, false},
		{"claim missing", withClaim, map[string]any{"sub": "1", "roles": []any{"rechnung"}}, ingest.Identity{}, true, false},
		{"groups in another claim", withClaim, map[string]any{"sub": "1", "gemeinde": "erfurt", "groups": []any{"rechnung"}}, ingest.Identity{}, true, false},
		{"shared group without the claim", groupsOnly, map[string]any{"sub": "1", "groups": []any{"rechnung"}, "name": "Anna"}, ingest.Identity{}, true, false},
		{"default name claim", groupsOnly, map[string]any{"sub": "1", "groups": []any{"betrieb"}, "name": " Olga ", "preferred_username": "olga"},
			ingest.Identity{Role: ingest.RoleOperator, Name: "operator", Actor: "Olga"}, false, false},
		{"no sub", groupsOnly, map[string]any{"groups": []any{"betrieb"}}, ingest.Identity{}, false, true},
		{"a group not a string", groupsOnly, map[string]any{"sub": "1", "groups": []any{"betrieb", 7.0}}, ingest.Identity{}, false, true},
		{"groups an object", groupsOnly, map[string]any{"sub": "1", "groups": map[string]any{"betrieb": true}}, ingest.Identity{}, false, true},
		{"municipality a list", withClaim, map[string]any{"sub": "1", "gemeinde": []any{"erfurt"}, "roles": "rechnung"}, ingest.Identity{}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := c.o.readClaims(c.raw)
			if c.bad {
				if err == nil {
					t.Errorf("claims %v read as %+v", c.raw, cl)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			who, err := pipe.IdentifyPerson(cl.Person, cl.Name)
			if c.noRole {
				if !errors.Is(err, directory.ErrNoRole) {
					t.Errorf("identity %+v, %v; want no role", who, err)
				}
				return
			}
			if err != nil || who != c.want {
				t.Errorf("identity %+v, %v; want %+v", who, err, c.want)
			}
		})
	}
	if got := withClaim.cfg.Provider; got != "idp.example" {
		t.Errorf("the provider's default name: %q", got)
	}
}

// TestOIDCCallbackRefuses: a callback without the login's cookie, with
// another state, or with the provider's error starts no session; without
// OIDC the login page offers none and the routes are not there.
func TestOIDCCallbackRefuses(t *testing.T) {
	e := newEnvWith(t, false, func(c *Config) {
		c.OIDC = &OIDC{Issuer: "http://127.0.0.1:1/unreachable", ClientID: "eingang", RedirectURL: "http://x/login/oidc/callback", Provider: "Test-IdP"}
	})
	c := e.client(t)
	if _, body := c.get("/login"); !strings.Contains(body, `id="login-oidc"`) || !strings.Contains(body, "Anmelden mit Test-IdP") {
		t.Errorf("the login page does not offer the provider: %s", body)
	}
	// The provider cannot be reached: the start says so.
	if resp, _ := c.get("/login/oidc"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("start with the provider away: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/login/oidc/callback?state=abc&code=x"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback without the login's cookie: %d", resp.StatusCode)
	}
	u, _ := url.Parse(e.srv.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: flowCookie, Value: "s1.n1.v1.", Path: "/"}})
	if resp, _ := c.get("/login/oidc/callback?state=s2&code=x"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback with another state: %d", resp.StatusCode)
	}
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: flowCookie, Value: "s1.n1.v1.", Path: "/"}})
	if resp, _ := c.get("/login/oidc/callback?state=s1&error=access_denied"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("callback with the provider's error: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/inbox"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a refused callback gave a session: %d", resp.StatusCode)
	}

	plain := newEnv(t, false).client(t)
	if _, body := plain.get("/login"); strings.Contains(body, "login-oidc") {
		t.Error("the login page offers OIDC without it")
	}
	if resp, _ := plain.get("/login/oidc"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/login/oidc without OIDC: %d", resp.StatusCode)
	}
}

// TestOIDCProviderAway: where the provider cannot be reached at a
// session's recheck, the session goes on and is checked again a minute
// later, not on every request; a session without a refresh token ends at
// its recheck, and any at a gateway that does not offer OIDC.
func TestOIDCProviderAway(t *testing.T) {
	dir, err := directory.Parse([]byte("municipalities:\n  - {id: erfurt, name: Erfurt, oidc_groups: [rechnung]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := ingest.New(ingest.Config{Store: st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	if err != nil {
		t.Fatal(err)
	}
	// The removals of pending markers Submit leaves running.
	t.Cleanup(pipe.Wait)
	away := "http://" + testenv.FreeAddr(t) // nothing listens there
	srv := httptest.NewServer(New(Config{Backend: pipe, OIDC: &OIDC{Issuer: away, ClientID: "eingang", RedirectURL: "http://x/login/oidc/callback"}}).Handler())
	t.Cleanup(srv.Close)
	person := directory.Person{Groups: []string{"rechnung"}}
	who, err := pipe.IdentifyPerson(person, "Anna")
	if err != nil {
		t.Fatal(err)
	}
	start := func(refresh string) string {
		id, _, err := pipe.StartPersonSession(t.Context(), who, ingest.OIDCPerson(away, "s1"), &ingest.OIDCLogin{Issuer: away, Subject: "s1", Person: person, Recheck: time.Now().Add(-time.Second)}, refresh, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	inbox := func(id string) int {
		req, _ := http.NewRequest("GET", srv.URL+"/inbox", nil)
		req.AddCookie(&http.Cookie{Name: "eingang_session", Value: id})
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	id := start("refresh-1")
	if code := inbox(id); code != http.StatusOK {
		t.Fatalf("with the provider away: %d, want 200", code)
	}
	s, err := pipe.Session(t.Context(), id, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if wait := time.Until(s.OIDC.Recheck); wait < 50*time.Second || wait > time.Minute {
		t.Errorf("rechecked again in %v, want about a minute", wait)
	}
	if rt, _ := pipe.OIDCRefreshToken(id, s); rt != "refresh-1" {
		t.Errorf("the refresh token after postponing: %q", rt)
	}

	if code := inbox(start("")); code != http.StatusSeeOther {
		t.Errorf("a session without a refresh token at its recheck: %d, want 303 to the login", code)
	}

	// A gateway without OIDC ends such a session.
	plain := httptest.NewServer(New(Config{Backend: pipe}).Handler())
	t.Cleanup(plain.Close)
	srv.URL = plain.URL
	if code := inbox(id); code != http.StatusSeeOther {
		t.Errorf("at a gateway without OIDC: %d, want 303 to the login", code)
	}
	if _, err := pipe.Session(t.Context(), id, time.Hour); !errors.Is(err, ingest.ErrNotFound) {
		t.Errorf("the session after a gateway without OIDC saw it: %v", err)
	}
}

// TestOIDCLoginUnrecorded: where the audit trail cannot be written, an
// OpenID Connect login answers 503 and leaves no session behind, and so
// does the refusal of a person without a role; with the trail back, the
// person logs in.
func TestOIDCLoginUnrecorded(t *testing.T) {
	e := newOIDCEnv(t, time.Minute)
	on := true
	e.st = auditFault{e.st, &on}
	g, _ := e.gateway(0)
	sessions := func() int {
		t.Helper()
		infos, err := e.st.List(t.Context(), "session/", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(infos)
	}

	bernd := newBrowser(t, g.URL)
	bernd.oidcLogin(oidcBernd, "Gerade nicht möglich")
	bernd.until("Anmelden", chromedp.Navigate(g.URL+"/inbox"))
	if n := sessions(); n != 0 {
		t.Errorf("an unrecorded login left %d sessions", n)
	}
	bernd.other().oidcLogin(oidcKarl, "Gerade nicht möglich")

	on = false
	again := bernd.other()
	again.oidcLogin(oidcBernd, "Posteingang")
	if n := sessions(); n != 1 {
		t.Errorf("a recorded login: %d sessions, want 1", n)
	}
}
