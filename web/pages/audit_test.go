package pages

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/store"
)

// actions lists the actor and action of the records.
func actions(recs []ingest.AuditRecord) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Actor+":"+r.Action)
	}
	return strings.Join(out, " ")
}

// trailOf returns the actions of a municipality's trail of today.
func (e *env) trailOf(t testing.TB, municipality string) string {
	var recs []ingest.AuditRecord
	now := time.Now()
	if err := e.pipe.AuditTrail(context.Background(), []string{municipality}, now.Add(-time.Hour), now.Add(time.Hour), func(r ingest.AuditRecord) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return actions(recs)
}

// TestSessionAccountLogin: a local account logs in with name and
// password, a wrong password fails and is recorded, an auditor reads but
// cannot acknowledge, and logging out everywhere ends the person's other
// sessions too, all of it in the audit trail.
func TestSessionAccountLogin(t *testing.T) {
	e := newEnv(t, false)
	inA := e.submit(t, variant(t, "RE-1", "Erste Bau GmbH", ""))

	c := e.client(t)
	resp, body := c.post("/login", url.Values{"csrf": {c.csrf()}, "name": {"Erika Muster"}, "password": {"wrong horse battery staple"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Name oder Passwort stimmen nicht") {
		t.Fatalf("a wrong password: %d", resp.StatusCode)
	}
	c.loginAccount("Erika Muster")
	second := e.client(t) // Erika in another browser
	second.loginAccount("Erika Muster")
	if resp, body := c.get("/inbox/" + inA.ID); resp.StatusCode != 200 || !strings.Contains(body, `id="ack"`) || !strings.Contains(body, "Erika Muster (Sachbearbeitung)") {
		t.Fatalf("the clerk's entry page: %d", resp.StatusCode)
	}

	auditor := e.client(t)
	auditor.loginAccount("Otto Prüfer")
	resp, body = auditor.get("/inbox/" + inA.ID)
	if resp.StatusCode != 200 || strings.Contains(body, `id="ack"`) || !strings.Contains(body, `id="history"`) {
		t.Errorf("the auditor's entry page: %d, with an acknowledge button or without history", resp.StatusCode)
	}
	if resp, _ := auditor.post("/inbox/ack", url.Values{"csrf": {auditor.csrf()}, "id": {inA.ID}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an auditor acknowledges: %d", resp.StatusCode)
	}

	if resp, _ := c.post("/logout/everywhere", url.Values{"csrf": {c.csrf()}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout everywhere: %d", resp.StatusCode)
	}
	for name, cl := range map[string]*client{"this browser": c, "the other browser": second} {
		if resp, _ := cl.get("/inbox"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s after logging out everywhere: %d, want the login", name, resp.StatusCode)
		}
	}
	if resp, _ := auditor.get("/inbox"); resp.StatusCode != 200 {
		t.Errorf("another person's session ended too: %d", resp.StatusCode)
	}
	want := "Erika Muster:login Erika Muster:login Erika Muster:view Otto Prüfer:login Otto Prüfer:view Erika Muster:logout-everywhere"
	if got := e.trailOf(t, "weimarer-land"); got != want {
		t.Errorf("trail:\n got %s\nwant %s", got, want)
	}
	if got := e.trailOf(t, ingest.GatewayTrail); got != "Erika Muster:login-failed" {
		t.Errorf("the gateway's trail: %s", got)
	}
}

// auditFault refuses the audit trail's writes while on.
type auditFault struct {
	store.Store
	on *bool
}

func (f auditFault) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	if *f.on && strings.HasPrefix(key, "audit") {
		return errors.Join(store.ErrUnavailable, errors.New("audit disk gone"))
	}
	return f.Store.Create(ctx, key, r, size, opts)
}

// TestAuditPagesWriteFails: where the audit trail cannot be written, the
// pages answer 503 and do nothing: no entry shown, no download, no
// acknowledgement, no ZIP, no routing, no login, no logout.
func TestAuditPagesWriteFails(t *testing.T) {
	on := false
	e := newEnvStore(t, false, nil, func(s store.Store) store.Store { return auditFault{s, &on} })
	inA := e.submit(t, variant(t, "RE-1", "Erste Bau GmbH", ""))
	cleared := e.submit(t, variant(t, "RE-2", "Zweite GmbH", "99999999-0001-"+checkDigits("999999990001")))
	if cleared.Status != ingest.StatusClearing {
		t.Fatalf("want one in clearing: %s", cleared.Status)
	}
	c := e.client(t)
	c.loginAccount("Erika Muster")
	ops := e.client(t)
	ops.login(e.tokOps)
	csrf, opsCSRF := c.csrf(), ops.csrf()
	on = true

	for _, r := range []struct {
		name string
		do   func() (*http.Response, string)
	}{
		{"entry", func() (*http.Response, string) { return c.get("/inbox/" + inA.ID) }},
		{"view", func() (*http.Response, string) { return c.get("/inbox/" + inA.ID + "/view") }},
		{"original", func() (*http.Response, string) { return c.get("/inbox/" + inA.ID + "/original") }},
		{"report", func() (*http.Response, string) { return c.get("/inbox/" + inA.ID + "/report") }},
		{"ack", func() (*http.Response, string) {
			return c.post("/inbox/ack", url.Values{"csrf": {csrf}, "id": {inA.ID}})
		}},
		{"zip", func() (*http.Response, string) {
			return c.post("/inbox/zip", url.Values{"csrf": {csrf}, "id": {inA.ID}})
		}},
		{"zip period", func() (*http.Response, string) { return c.get("/inbox/zip?state=all") }},
		{"route", func() (*http.Response, string) {
			return ops.post("/ops/clearing/"+cleared.ID+"/route", url.Values{"csrf": {opsCSRF}, "municipality": {"erfurt"}})
		}},
		{"clearing view", func() (*http.Response, string) { return ops.get("/ops/clearing/" + cleared.ID + "/view") }},
		{"logout", func() (*http.Response, string) { return c.post("/logout", url.Values{"csrf": {csrf}}) }},
		{"login", func() (*http.Response, string) {
			n := e.client(t)
			return n.post("/login", url.Values{"csrf": {n.csrf()}, "name": {"Erika Muster"}, "password": {accountPassword}})
		}},
		{"failed login", func() (*http.Response, string) {
			n := e.client(t)
			return n.post("/login", url.Values{"csrf": {n.csrf()}, "name": {"Erika Muster"}, "password": {"wrong"}})
		}},
	} {
		resp, body := r.do()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", r.name, resp.StatusCode)
		}
		if strings.Contains(body, "<?xml") || strings.Contains(body, "RE-1") || resp.Header.Get("Content-Type") == "application/zip" {
			t.Errorf("%s: the answer shows the invoice", r.name)
		}
	}
	ctx := context.Background()
	if o, err := e.pipe.InboxEntry(ctx, "weimarer-land", inA.ID); err != nil || !o.AcknowledgedAt.IsZero() {
		t.Errorf("acknowledged without a record: %v", err)
	}
	if _, err := e.pipe.ClearingEntry(ctx, cleared.ID); err != nil {
		t.Errorf("routed without a record: %v", err)
	}
	on = false
	if resp, _ := c.get("/inbox"); resp.StatusCode != 200 {
		t.Errorf("logged out without a record: %d", resp.StatusCode)
	}
	if got := e.trailOf(t, "weimarer-land"); got != "Erika Muster:login" {
		t.Errorf("trail: %s", got)
	}
}

// TestAuditVerlaufInBrowser: a clerk with a local account logs in, opens
// an invoice and acknowledges it; its Verlauf lists exactly those
// actions under the clerk's name, and the invoice's rendering in the
// page's frame adds no record of its own.
func TestAuditVerlaufInBrowser(t *testing.T) {
	e := newEnv(t, false)
	inv := e.submit(t, variant(t, "RE-700", "Verlauf Bau GmbH", ""))
	b := newBrowser(t, e.srv.URL)
	b.until("Anmelden", chromedp.Navigate(b.base+"/login?lang=de"))
	b.until("Posteingang", chromedp.SendKeys(chromedp.ID("name"), "Erika Muster"), chromedp.SendKeys(chromedp.ID("password"), accountPassword),
		chromedp.Click(chromedp.ID("account-button")))
	if got := b.text("#actor"); !strings.Contains(got, "Erika Muster") {
		t.Errorf("logged in as %q", got)
	}
	b.until("Rechnung", chromedp.Click(chromedp.CSS("a.open")))
	if got := b.eval(`document.querySelector("iframe.view").contentDocument.getElementById("number").textContent`); got != "RE-700" {
		t.Errorf("view shows %q", got)
	}
	b.until("Rechnung", chromedp.Click(chromedp.ID("ack")))
	b.do(chromedp.WaitVisible(chromedp.ID("history")))
	b.eval(`document.querySelector("iframe.view").contentDocument.getElementById("number").textContent`)
	b.shot("verlauf")
	got := b.eval(`Array.from(document.querySelectorAll("#history tr.history-entry")).map(tr => tr.querySelector(".history-actor").textContent + ": " + tr.querySelector(".history-action").textContent).join("\n")`)
	want := "Erika Muster (Sachbearbeitung): angesehen\nErika Muster (Sachbearbeitung): als gebucht markiert\nErika Muster (Sachbearbeitung): angesehen"
	if got != want {
		t.Errorf("Verlauf:\n%s\nwant\n%s", got, want)
	}
	// The store has the same, and nothing more, also after the frames loaded.
	h, err := e.pipe.History(context.Background(), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(h); got != "Erika Muster:view Erika Muster:acknowledge Erika Muster:view" {
		t.Errorf("history in the store: %s", got)
	}
	for _, r := range h {
		if r.Via != "pages" || r.Role != ingest.RoleClerk || r.Municipality != "weimarer-land" || r.Address == "" {
			t.Errorf("record %+v", r)
		}
	}
}

// TestAuditTrailPage: an auditor with an account reads the
// municipality's trail in the pages and downloads it as CSV, both
// recorded; a clerk may not; an operator reads every municipality's or
// one.
func TestAuditTrailPage(t *testing.T) {
	e := newEnv(t, false)
	inA := e.submit(t, variant(t, "RE-1", "Erste Bau GmbH", ""))
	clerk := e.client(t)
	clerk.loginAccount("Erika Muster")
	clerk.get("/inbox/" + inA.ID)
	if resp, _ := clerk.get("/audit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a clerk reads the trail: %d", resp.StatusCode)
	}
	b := e.client(t)
	b.login(e.tokB) // Erfurt's clerk token: another municipality
	b.get("/inbox")

	aud := e.client(t)
	aud.loginAccount("Otto Prüfer")
	resp, body := aud.get("/audit")
	if resp.StatusCode != 200 || strings.Count(body, `class="trail-entry"`) != 3 || strings.Contains(body, "ERP Erfurt") ||
		!strings.Contains(body, inA.ID) || !strings.Contains(body, "Otto Prüfer (Prüfung)") {
		t.Errorf("the auditor's trail page: %d, %d rows\n%s", resp.StatusCode, strings.Count(body, `class="trail-entry"`), body)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	resp, body = aud.get("/audit?format=csv&from=" + today + "&to=" + today + "&municipality=erfurt")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 5 || lines[0] != "at,actor,role,municipality,action,ids,address,gateway,via" || strings.Contains(body, "ERP Erfurt") {
		t.Errorf("csv (an auditor's municipality= is ignored):\n%s", body)
	}
	for _, want := range []string{",Erika Muster,clerk,weimarer-land,login,", ",Erika Muster,clerk,weimarer-land,view," + inA.ID + ",", ",Otto Prüfer,auditor,weimarer-land,read-trail,"} {
		if !strings.Contains(body, want) {
			t.Errorf("csv lacks %q:\n%s", want, body)
		}
	}
	if resp, _ := aud.get("/audit?from=" + today + "&to=2020-01-01"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad period: %d", resp.StatusCode)
	}

	ops := e.client(t)
	ops.login(e.tokOps)
	for _, c := range []struct {
		query string
		code  int
		has   []string
		lacks []string
	}{
		{"", 200, []string{"ERP Erfurt", "Erika Muster", "Otto Prüfer"}, nil},
		{"?municipality=erfurt", 200, []string{"ERP Erfurt"}, []string{"Erika Muster"}},
		{"?municipality=_gateway", 200, []string{"Betrieb"}, []string{"Erika Muster", "ERP Erfurt"}},
		{"?municipality=..%2Fsession", 400, nil, nil},
	} {
		resp, body := ops.get("/audit" + c.query)
		if resp.StatusCode != c.code {
			t.Errorf("operator %s: %d, want %d", c.query, resp.StatusCode, c.code)
			continue
		}
		for _, s := range c.has {
			if !strings.Contains(body, s) {
				t.Errorf("operator %s: lacks %q", c.query, s)
			}
		}
		for _, s := range c.lacks {
			if strings.Contains(body, s) {
				t.Errorf("operator %s: has %q", c.query, s)
			}
		}
	}
}
