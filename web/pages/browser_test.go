package pages

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/eingang/eingang/internal/testenv"
)

// tab is one browser tab: a person at the gateway's pages.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newBrowser starts a headless Chromium (stopped when the test ends) and
// returns its first tab, 1000 pixels wide.
func newBrowser(t *testing.T, base string) *tab {
	bin := testenv.Chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("accept-lang", "de-DE,de"), chromedp.Flag("lang", "de-DE"))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	b := &tab{t, bctx, base}
	b.do(chromedp.EmulateViewport(1000, 800))
	return b
}

// other returns a tab in a browser context of its own (no shared cookies):
// another person on the same browser.
func (b *tab) other() *tab {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	o := &tab{b.t, ctx, b.base}
	o.do(chromedp.EmulateViewport(1000, 800))
	return o
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *tab) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *tab) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// open navigates to a path of the gateway.
func (b *tab) open(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base + path))
}

// until runs actions that load a page, waits for the page to load, and
// checks that its title starts with want.
func (b *tab) until(want string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Steps(actions...))); err != nil {
		b.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		title, err := chromedp.Run(b.ctx, chromedp.Title())
		if err == nil && strings.HasPrefix(title, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("page %q, want one titled %q", title, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shot writes a screenshot of the page to EINGANG_SCREENSHOTS, when set.
func (b *tab) shot(name string) {
	dir := os.Getenv("EINGANG_SCREENSHOTS")
	if dir == "" {
		return
	}
	b.t.Helper()
	raw, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		b.t.Fatal(err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, paletted(img)); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), out.Bytes(), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// paletted reduces a screenshot to the 256 colours it uses most (flat
// pages have few), which keeps the PNG small.
func paletted(img image.Image) image.Image {
	r := img.Bounds()
	counts := map[uint32]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c0, c1, c2, _ := img.At(x, y).RGBA()
			counts[c0>>11<<10|c1>>11<<5|c2>>11]++
		}
	}
	keys := make([]uint32, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return counts[keys[i]] > counts[keys[j]] })
	if len(keys) > 256 {
		keys = keys[:256]
	}
	pal := make(color.Palette, len(keys))
	for i, k := range keys {
		pal[i] = color.RGBA{widen(k >> 10), widen(k >> 5 & 31), widen(k & 31), 255}
	}
	out := image.NewPaletted(r, pal)
	memo := map[color.RGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := memo[c]
			if !ok {
				i = uint8(pal.Index(c))
				memo[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}

// widen turns a 5-bit colour channel into 8 bits, 31 into 255.
func widen(v uint32) uint8 { return uint8(v<<3 | v>>2) }

// upload puts a file into the form's file field.
func (b *tab) upload(doc []byte) {
	b.t.Helper()
	b.uploadAs("rechnung.xml", doc)
}

// uploadAs chooses doc, as a file of the name, in the form's file field.
func (b *tab) uploadAs(name string, doc []byte) {
	b.t.Helper()
	path := filepath.Join(b.t.TempDir(), name)
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.do(chromedp.SetUploadFiles(chromedp.ID("file"), []string{path}))
}

func (b *tab) login(token, wantTitle string) {
	b.t.Helper()
	b.until("Anmelden", chromedp.Navigate(b.base+"/login?lang=de"))
	b.until(wantTitle, chromedp.SendKeys(chromedp.ID("token"), token), chromedp.Click(chromedp.ID("login-button")))
}

// TestContractorInBrowser: a contractor uploads a valid, an invalid and an
// unroutable invoice through the form and reads each result, then opens
// the status page from the receipt.
func TestContractorInBrowser(t *testing.T) {
	e := newEnv(t, false)
	b := newBrowser(t, e.srv.URL)

	b.until("Rechnung einreichen", chromedp.Navigate(b.base+"/"))
	b.shot("home")
	b.upload(fixture(t))
	b.do(chromedp.SendKeys(chromedp.ID("sender"), "buchhaltung@tischlerei.example"))
	b.until("Eingangsbestätigung", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#verdict"); !strings.Contains(got, "Die Rechnung ist gültig.") || !strings.Contains(got, "zuständigen Verwaltung zugestellt") {
		t.Errorf("verdict: %q", got)
	}
	id := b.text("#receipt-id")
	for sel, want := range map[string]string{"#leitweg-id": "16071103-0001-17", "#municipality": "Landkreis Weimarer Land", "#status": "weitergeleitet"} {
		if got := b.text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	if meta, err := e.pipe.Meta(t.Context(), id); err != nil || meta.Sender != "buchhaltung@tischlerei.example" || meta.Channel != "web" {
		t.Errorf("kept envelope: %+v %v", meta, err)
	}
	b.until("Stand Ihrer Rechnung", chromedp.Click(chromedp.ID("status-link")))
	if got := b.text("#receipt-id"); got != id {
		t.Errorf("status page of %q, want %q", got, id)
	}

	b.until("Rechnung einreichen", chromedp.Navigate(b.base+"/"))
	b.upload(invalid(t))
	b.until("Eingangsbestätigung", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#verdict"); !strings.Contains(got, "nicht gültig") || !strings.Contains(got, "Geschäftsregeln") {
		t.Errorf("verdict of the invalid invoice: %q", got)
	}
	b.shot("result-invalid")
	errs := b.text(".findings.error")
	if !strings.HasPrefix(errs, "Fehler (") || !strings.Contains(errs, "BR-CO-16") || !strings.Contains(errs, "Element LegalMonetaryTotal") || !regexp.MustCompile(`Zeile \d+ im XML`).MatchString(errs) {
		t.Errorf("errors: %q", errs)
	}
	// Errors come first.
	if first := b.eval(`document.querySelector("section.findings").className`); first != "findings error" {
		t.Errorf("first group: %q", first)
	}

	b.until("Rechnung einreichen", chromedp.Navigate(b.base+"/"))
	b.upload(variant(t, "RE-CL-7", "Klärung KG", "16999999-"+checkDigits("16999999")))
	b.until("Eingangsbestätigung", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#clearing-reason"); !strings.Contains(got, "Keine Verwaltung") {
		t.Errorf("clearing reason: %q", got)
	}
	if got := b.text("#status"); got != "in Klärung" {
		t.Errorf("status: %q", got)
	}

	// In English, and the check page stores nothing.
	b.until("Check an invoice", chromedp.Navigate(b.base+"/check?lang=en"))
	b.upload(invalid(t))
	b.until("Check result", chromedp.Click(chromedp.ID("submit")))
	if got := b.text("#verdict"); !strings.Contains(got, "The invoice is not valid.") || !strings.Contains(got, "Nothing was stored.") {
		t.Errorf("check verdict: %q", got)
	}
	if got := b.text(".findings.error h3"); !strings.HasPrefix(got, "Errors (") {
		t.Errorf("English group heading: %q", got)
	}
}

// TestLeitwegInBrowser looks up Leitweg-IDs and searches the directory.
func TestLeitwegInBrowser(t *testing.T) {
	e := newEnv(t, false)
	b := newBrowser(t, e.srv.URL)
	b.until("Leitweg-ID", chromedp.Navigate(b.base+"/leitweg"))
	b.until("Leitweg-ID", chromedp.SendKeys(chromedp.ID("id"), "16071103-0001-17"), chromedp.Submit(chromedp.ID("id")))
	b.do(chromedp.WaitVisible(chromedp.ID("lw-answer")))
	if got := b.text("#lw-municipality"); got != "Landkreis Weimarer Land" {
		t.Errorf("receiver: %q", got)
	}
	b.until("Leitweg-ID", chromedp.Navigate(b.base+"/leitweg?id=16071103-0001-18"))
	if got := b.text("#lw-answer"); !strings.Contains(got, "✓ richtig aufgebaut") || !strings.Contains(got, "richtig wäre 17") {
		t.Errorf("wrong check digits: %q", got)
	}
	b.until("Leitweg-ID", chromedp.Navigate(b.base+"/leitweg"))
	b.until("Leitweg-ID", chromedp.SendKeys(chromedp.ID("q"), "erfurt"), chromedp.Submit(chromedp.ID("q")))
	b.do(chromedp.WaitVisible(chromedp.ID("lw-found")))
	if got := b.text("#lw-found tbody"); !strings.Contains(got, "Landeshauptstadt Erfurt") || !strings.Contains(got, "16051000") || strings.Contains(got, "Jena") {
		t.Errorf("search: %q", got)
	}
	b.shot("leitweg")
}

// TestClerkInBrowser: a clerk logs in, finds an invoice by search, opens
// it, acknowledges it, downloads a ZIP and logs out; clerk B sees nothing
// of A's invoice.
func TestClerkInBrowser(t *testing.T) {
	e := newEnv(t, false)
	e.submit(t, variant(t, "RE-100", "Erste Bau GmbH", ""))
	want := e.submit(t, variant(t, "RE-200", "Zweite Elektro GmbH", ""))
	e.submit(t, variant(t, "RE-300", "Dritte Maler GmbH", ""))
	forB := e.submit(t, variant(t, "RE-ERF-1", "Erfurter Dach GmbH", "16051000-"+checkDigits("16051000")))
	b := newBrowser(t, e.srv.URL)

	b.login(e.tokA, "Posteingang")
	b.shot("inbox")
	if got := b.text("table.list tbody"); !strings.Contains(got, "RE-100") || !strings.Contains(got, "RE-300") || strings.Contains(got, "RE-ERF-1") {
		t.Errorf("inbox: %q", got)
	}
	b.until("Posteingang", chromedp.SendKeys(chromedp.ID("seller"), "elektro"), chromedp.Click(chromedp.ID("search")))
	if got := b.text("table.list tbody"); !strings.Contains(got, "RE-200") || strings.Contains(got, "RE-100") {
		t.Errorf("search by seller: %q", got)
	}
	b.until("Rechnung", chromedp.Click(chromedp.CSS("a.open")))
	if got := b.text("#number"); got != "RE-200" {
		t.Errorf("opened %q", got)
	}
	if got := b.text("main"); !strings.Contains(got, "Prüfbericht") || strings.Contains(got, "Fehler (") {
		t.Errorf("entry page: %q", got)
	}
	// The invoice view in its frame.
	if got := b.eval(`document.querySelector("iframe.view").contentDocument.getElementById("number").textContent`); got != "RE-200" {
		t.Errorf("view shows %q", got)
	}
	b.shot("entry")
	b.until("Rechnung", chromedp.Click(chromedp.ID("ack")))
	b.do(chromedp.WaitVisible(chromedp.ID("entry-state")))
	if got := b.text("#entry-state"); !strings.HasPrefix(got, "erledigt") {
		t.Errorf("after acknowledging: %q", got)
	}
	if o, _ := e.pipe.InboxEntry(t.Context(), "weimarer-land", want.ID); o.AcknowledgedAt.IsZero() {
		t.Error("not acknowledged in the store")
	}

	// Acknowledge the remaining two at once.
	b.until("Posteingang", chromedp.Navigate(b.base+"/inbox"))
	b.do(chromedp.Click(chromedp.CSS(`input[name=id]`)), chromedp.Click(chromedp.CSS(`tbody tr:nth-child(2) input[name=id]`)))
	b.until("Posteingang", chromedp.Click(chromedp.ID("ack-selected")))
	if got := b.text("#acked"); !strings.HasPrefix(got, "2 ") {
		t.Errorf("acknowledged at once: %q", got)
	}

	// A ZIP of a selection.
	dir := t.TempDir()
	if _, err := chromedp.Call(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	b.until("Posteingang", chromedp.Navigate(b.base+"/inbox?state=all&number=RE-200"))
	dctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(dctx, browser.DownloadProgress)
	b.do(chromedp.Click(chromedp.ID("sel-"+want.ID)), chromedp.Click(chromedp.ID("zip-selected")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	sort.Strings(names)
	if strings.Join(names, " ") != want.ID+"/original.xml "+want.ID+"/report.json" {
		t.Errorf("ZIP holds %v", names)
	}

	// Clerk B, in a browser of their own, sees nothing of A's invoice.
	other := b.other()
	other.login(e.tokB, "Posteingang")
	if got := other.text("table.list tbody"); !strings.Contains(got, "RE-ERF-1") || strings.Contains(got, "RE-200") {
		t.Errorf("B's inbox: %q", got)
	}
	other.until("Nicht gefunden", chromedp.Navigate(b.base+"/inbox/"+want.ID))
	other.until("Nicht gefunden", chromedp.Navigate(b.base+"/inbox/"+want.ID+"/original"))
	_ = forB

	// Logout ends the session.
	b.until("Anmelden", chromedp.Click(chromedp.ID("logout")))
	b.do(chromedp.WaitVisible(chromedp.ID("logged-out")))
	b.until("Anmelden", chromedp.Navigate(b.base+"/inbox/"+want.ID))
}

func ptr[T any](v T) *T { return &v }

// TestOperatorInBrowser: an operator reads the figures and routes a
// clearing item to a municipality chosen from the list.
func TestOperatorInBrowser(t *testing.T) {
	e := newEnv(t, false)
	e.submit(t, fixture(t))
	e.submit(t, invalid(t))
	cl := e.submit(t, variant(t, "RE-CL-9", "Klärung KG", "16999999-"+checkDigits("16999999")))
	b := newBrowser(t, e.srv.URL)
	b.login(e.tokOps, "Betrieb")
	b.shot("ops")
	if got := b.text("#submissions tbody"); !strings.Contains(got, "upload\nweitergeleitet\n1\n1") && !strings.Contains(got, "upload\tweitergeleitet\t1\t1") {
		t.Logf("submissions table: %q", got)
	}
	for _, want := range []string{"weitergeleitet", "abgewiesen", "in Klärung"} {
		if got := b.text("#submissions tbody"); !strings.Contains(got, want) {
			t.Errorf("submissions lack %q: %q", want, got)
		}
	}
	if got := b.text("#clearing-count"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("clearing: %q", got)
	}
	if got := b.text("#backlog-table tbody"); !strings.Contains(got, "Landkreis Weimarer Land") {
		t.Errorf("backlog: %q", got)
	}
	if got := b.text("#rules-table tbody"); !strings.Contains(got, "BR-CO-16") {
		t.Errorf("failing rules: %q", got)
	}
	b.until("Klärung", chromedp.Navigate(b.base+"/ops/clearing"))
	if got := b.text("#c-" + cl.ID + " .reason"); !strings.Contains(got, "Keine Verwaltung") {
		t.Errorf("reason: %q", got)
	}
	b.do(chromedp.SendKeys(chromedp.ID("m-"+cl.ID), "jena"))
	b.shot("clearing")
	b.until("Klärung", chromedp.Click(chromedp.CSS("#c-"+cl.ID+" button")))
	if got := b.text("#routed"); !strings.Contains(got, "Stadt Jena") {
		t.Errorf("routed: %q", got)
	}
	if _, err := e.pipe.InboxEntry(t.Context(), "jena", cl.ID); err != nil {
		t.Errorf("not in Jena's inbox: %v", err)
	}
	if got := b.text("main"); !strings.Contains(got, "Nichts zu klären.") {
		t.Errorf("clearing after routing: %q", got)
	}
}

// TestForgedPost: a page of another origin makes the logged-in clerk's
// browser post to the gateway without the CSRF token; it fails.
func TestForgedPost(t *testing.T) {
	e := newEnv(t, false)
	rec := e.submit(t, fixture(t))
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><title>Gewinnspiel</title><form method="post" action="%s/inbox/ack"><input type="hidden" name="id" value="%s"><button id="go">Gewinnen</button></form>`, e.srv.URL, rec.ID)
	}))
	defer evil.Close()
	b := newBrowser(t, e.srv.URL)
	b.login(e.tokA, "Posteingang")
	b.until("Gewinnspiel", chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)))
	b.until("Formular abgelaufen", chromedp.Click(chromedp.ID("go")))
	if o, _ := e.pipe.InboxEntry(t.Context(), "weimarer-land", rec.ID); !o.AcknowledgedAt.IsZero() {
		t.Error("the forged POST acknowledged the invoice")
	}
	// The session is still there, and the real form works.
	b.until("Rechnung", chromedp.Navigate(b.base+"/inbox/"+rec.ID))
	b.until("Rechnung", chromedp.Click(chromedp.ID("ack")))
	if o, _ := e.pipe.InboxEntry(t.Context(), "weimarer-land", rec.ID); o.AcknowledgedAt.IsZero() {
		t.Error("the page's own form did not acknowledge")
	}
}

// TestKeyboardUpload sends an invoice with the keyboard alone: Tab to the
// file field, Enter opens the file chooser (answered by the test as a
// person picks a file), Tab to the button, Enter.
func TestKeyboardUpload(t *testing.T) {
	e := newEnv(t, false)
	b := newBrowser(t, e.srv.URL)
	path := filepath.Join(t.TempDir(), "rechnung.xml")
	if err := os.WriteFile(path, fixture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	b.until("Rechnung einreichen", chromedp.Navigate(b.base+"/"))
	if _, err := chromedp.Call(b.ctx, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	tabTo := func(id string) {
		for range 40 {
			if b.eval(`document.activeElement ? document.activeElement.id : ""`) == id {
				return
			}
			b.do(chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reaches #%s", id)
	}
	tabTo("file")
	chooser, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.FileChooserOpened, nil, chromedp.KeyEvent(kb.Enter)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{path}, BackendNodeID: chooser.BackendNodeID}); err != nil {
		t.Fatal(err)
	}
	tabTo("sender")
	tabTo("submit")
	b.until("Eingangsbestätigung", chromedp.KeyEvent(kb.Enter))
	if got := b.text("#verdict"); !strings.Contains(got, "Die Rechnung ist gültig.") {
		t.Errorf("verdict: %q", got)
	}
}
