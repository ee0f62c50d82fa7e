package web

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/internal/testenv"
)

// TestViewInBrowser opens an invoice's view the way municipal accounting
// does, in a real (headless) Chromium, through a proxy that adds the
// municipality's token (as a sign-on gateway in front of the API would: a
// browser sends no bearer token of its own, and none with a download),
// reads the page as displayed and downloads its attachment. The page's screenshot is written to
// EINGANG_SCREENSHOTS when that names a folder, for people to look at.
func TestViewInBrowser(t *testing.T) {
	bin := testenv.Chromium(t)
	e := newEnv(t, 20<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	in := decode(t, body)

	target, _ := url.Parse(e.srv.URL)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Header.Set("Authorization", "Bearer "+e.tokA)
	}}
	front := httptest.NewServer(proxy)
	defer front.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(front.URL+"/api/v1/inbox/"+in.ID+"/view"),
		chromedp.WaitVisible(chromedp.ID("number"))); err != nil {
		t.Fatal(err)
	}
	read := func(a chromedp.Action[string]) string {
		s, err := chromedp.Run(bctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	for what, got := range map[string][2]string{
		"title":      {read(chromedp.Title()), "Rechnung RE-2026-0042"},
		"number":     {read(chromedp.Text(chromedp.ID("number"))), "RE-2026-0042"},
		"leitweg-id": {read(chromedp.Text(chromedp.ID("leitweg-id"))), "16071103-0001-17"},
		"payable":    {read(chromedp.Text(chromedp.ID("payable"))), "1.190,00 €"},
		"buyer":      {read(chromedp.Text(chromedp.CSS("#buyer .name"))), "Landkreis Weimarer Land"},
		"attachment": {read(chromedp.Text(chromedp.CSS("#attachments a"))), "leistungsnachweis.csv"},
		"seller":     {read(chromedp.Text(chromedp.CSS("#seller .name"))), "Tischlerei Beispiel GmbH"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s shows %q, want %q", what, got[0], got[1])
		}
	}
	// The attachment's link downloads the file as the invoice embeds it.
	dir := t.TempDir()
	progress := chromedp.Events(bctx, browser.DownloadProgress)
	enabled := true
	if _, err := chromedp.Call(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &enabled}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Click(chromedp.CSS("#attachments a"))); err != nil {
		t.Fatal(err)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State != browser.DownloadProgressStateCompleted {
			continue
		}
		got, err := os.ReadFile(filepath.Join(dir, ev.GUID))
		if err != nil {
			t.Fatal(err)
		}
		if want := fixtureAttachment(t); !bytes.Equal(got, want) {
			t.Errorf("downloaded %q, want %q", got, want)
		}
		break
	}
	if dir := os.Getenv("EINGANG_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100) /* PNG */)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "view.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
