package pages

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/internal/testenv"
)

// axeSource returns axe-core, which `make test` installs from the npm
// registry (pinned) into ~/.cache/eingang/npm; EINGANG_AXE names another
// copy.
func axeSource(t *testing.T) string {
	path := os.Getenv("EINGANG_AXE")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".cache", "eingang", "npm", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		testenv.Require(t, "no axe-core at "+path+" (make test installs it; or set EINGANG_AXE)")
	}
	return string(b)
}

// A violation is one axe rule a page breaks.
type violation struct {
	ID    string   `json:"id"`
	Help  string   `json:"help"`
	Nodes []string `json:"nodes"`
}

// axeRun checks the page in the tab against the WCAG 2.1 A and AA rules.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, iframes: false})
  .then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})))`

// violations runs axe-core on the tab's page.
func (b *tab) violations(axe, what string) []violation {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		b.t.Fatalf("%s: injecting axe: %v", what, err)
	}
	vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("%s: axe: %v", what, err)
	}
	return vs
}

// check reports each violation of the tab's page.
func (b *tab) check(axe, what string) {
	b.t.Helper()
	for _, v := range b.violations(axe, what) {
		b.t.Errorf("%s: %s (%s): %s", what, v.ID, v.Help, strings.Join(v.Nodes, "; "))
	}
}

// TestAccessibility checks every page, in German and in English, and on a
// phone's width, with axe-core against WCAG 2.1 A and AA.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	// The login page with the provider's button too (the provider is
	// never asked: nobody follows it here).
	e := newEnvWith(t, false, func(c *Config) {
		c.OIDC = &OIDC{Issuer: "http://127.0.0.1:1/unreachable", ClientID: "eingang", RedirectURL: "http://x/login/oidc/callback", Provider: "Landesportal"}
	})
	rec := e.submit(t, fixture(t))
	e.submit(t, invalid(t))
	e.submit(t, variant(t, "RE-CL-1", "Klärung KG", "16999999-"+checkDigits("16999999")))
	status := "/status/" + rec.ID + "?token=" + rec.ReceiptToken

	b := newBrowser(t, e.srv.URL)
	// axe finds what it should: a page without a language, a field
	// without a label.
	b.open("/")
	b.eval(`document.documentElement.removeAttribute("lang"); document.querySelector("label[for=file]").remove(); ""`)
	var ids []string
	for _, v := range b.violations(axe, "broken page") {
		ids = append(ids, v.ID)
	}
	if got := strings.Join(ids, " "); !strings.Contains(got, "html-has-lang") || !strings.Contains(got, "label") {
		t.Errorf("axe on a broken page: %q", got)
	}
	clerk := b.other()
	clerk.login(e.tokA, "Posteingang")
	ops := b.other()
	ops.login(e.tokOps, "Betrieb")
	for _, lang := range []string{"de", "en"} {
		for _, x := range []*tab{b, clerk, ops} {
			x.open("/leitweg?lang=" + lang) // the switch sticks
		}
		for _, p := range []struct {
			x    *tab
			path string
		}{
			{b, "/"}, {b, "/check"}, {b, "/leitweg"}, {b, "/leitweg?id=16071103-0001-18&q=stadt"}, {b, "/leitweg?id=x&q=nirgends"},
			{b, "/login"}, {b, status}, {b, "/status/" + rec.ID + "?token=wrong"},
			{clerk, "/inbox"}, {clerk, "/inbox?state=all&seller=tisch"}, {clerk, "/inbox?from=kein-datum"}, {clerk, "/inbox/" + rec.ID}, {clerk, "/inbox/" + rec.ID + "/view"},
			{ops, "/ops"}, {ops, "/ops/clearing"}, {ops, "/audit"},
		} {
			p.x.open(p.path)
			p.x.check(axe, lang+" "+p.path)
		}
		for _, doc := range [][]byte{fixture(t), invalid(t)} {
			for _, form := range []string{"/", "/check"} {
				b.open(form)
				b.upload(doc)
				b.until("", chromedp.Click(chromedp.ID("submit")))
				b.check(axe, lang+" result of "+form)
			}
		}
	}
	// A phone's width.
	for _, x := range []*tab{b, clerk, ops} {
		x.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateScale(2)))
	}
	for _, p := range []struct {
		x    *tab
		path string
	}{{b, "/?lang=de"}, {b, "/login"}, {b, status}, {clerk, "/inbox?state=all"}, {ops, "/ops/clearing"}} {
		p.x.open(p.path)
		p.x.check(axe, "phone "+p.path)
	}
	b.open(status)
	b.shot("phone-status")
}
