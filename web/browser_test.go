package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/eingang/eingang/internal/testenv"
)

// chromium returns the browser for the page tests: EINGANG_CHROMIUM, or
// Debian's chromium, which `make test` installs.
func chromium(t *testing.T) string {
	bin := os.Getenv("EINGANG_CHROMIUM")
	if bin == "" {
		bin = "chromium"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		testenv.Require(t, "no chromium for the browser test (make test installs Debian's package; or set EINGANG_CHROMIUM)")
	}
	return path
}

// TestViewInBrowser opens an invoice's view the way municipal accounting
// does, in a real (headless) Chromium with the municipality's token, and
// reads the page as displayed. The page's screenshot is written to
// EINGANG_SCREENSHOTS when that names a folder, for people to look at.
func TestViewInBrowser(t *testing.T) {
	bin := chromium(t)
	e := newEnv(t, 20<<20, 0)
	_, body := e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
	in := decode(t, body)

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
		Headers: network.Headers{"Authorization": "Bearer " + e.tokA}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(e.srv.URL+"/api/v1/inbox/"+in.ID+"/view"),
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
		"payable":    {read(chromedp.Text(chromedp.ID("payable"))), "1190.00 EUR"},
		"seller":     {read(chromedp.Text(chromedp.CSS("#seller .name"))), "Tischlerei Beispiel GmbH"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s shows %q, want %q", what, got[0], got[1])
		}
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
