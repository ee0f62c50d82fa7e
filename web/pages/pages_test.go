package pages

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
)

// TestMessages checks that both languages have the same keys and that
// every key the templates and handlers name exists.
func TestMessages(t *testing.T) {
	for k := range messages["de"] {
		if _, ok := messages["en"][k]; !ok {
			t.Errorf("%q has no English", k)
		}
	}
	for k := range messages["en"] {
		if _, ok := messages["de"][k]; !ok {
			t.Errorf("%q has no German", k)
		}
	}
	used := map[string]bool{}
	static := regexp.MustCompile(`\$?\.?T\.([a-z_0-9]+)`)
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(files, path)
		for _, m := range static.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"level_error", "level_warning", "level_information", "reject_not-wellformed", "reject_no-scenario",
		"reject_xsd", "reject_rules", "lw_missing", "lw_malformed", "lw_checkdigits", "lw_unknown"} {
		used[k] = true
	}
	for _, s := range []string{"routed", "clearing", "rejected", "duplicate", "pending"} {
		used["status_"+s], used["status_"+s+"_text"] = true, true
	}
	for k := range messages["de"] {
		if strings.HasPrefix(k, "err_") && !strings.HasSuffix(k, "_text") {
			used[k] = true
		}
	}
	for k := range used {
		if _, ok := messages["de"][k]; !ok {
			t.Errorf("key %q is used but has no words", k)
		}
	}
}

func TestWhere(t *testing.T) {
	for _, c := range []struct {
		path, elem string
		line       int
	}{
		{"/Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount", "LineExtensionAmount", 2},
		{"/Invoice/cac:InvoiceLine/cac:Item/cbc:Name", "Name", 1},
		{"/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[3]/ram:SpecifiedLineTradeAgreement", "SpecifiedLineTradeAgreement", 3},
		{"/Invoice/cac:LegalMonetaryTotal", "LegalMonetaryTotal", 0},
		{"/Invoice/cbc:DocumentCurrencyCode[1]/@listID", "listID", 0},
		{"", "", 0},
	} {
		line, elem := where(c.path)
		if line != c.line || elem != c.elem {
			t.Errorf("where(%q) = %d %q, want %d %q", c.path, line, elem, c.line, c.elem)
		}
	}
}

// TestPagesSendHeaders fetches every page (anonymous and logged in) and
// checks the Content-Security-Policy and that nothing but the style sheet
// is loaded.
func TestPagesSendHeaders(t *testing.T) {
	e := newEnv(t, false)
	rec := e.submit(t, fixture(t))
	e.submit(t, variant(t, "RE-CL-1", "Klärung KG", "16999999-"+checkDigits("16999999")))
	anon := e.client(t)
	clerk := e.client(t)
	clerk.login(e.tokA)
	ops := e.client(t)
	ops.login(e.tokOps)
	for _, c := range []struct {
		c    *client
		path string
	}{
		{anon, "/"}, {anon, "/check"}, {anon, "/leitweg?id=16071103-0001-17&q=erf"}, {anon, "/login"},
		{anon, "/status/" + rec.ID + "?token=" + rec.ReceiptToken},
		{clerk, "/inbox"}, {clerk, "/inbox/" + rec.ID}, {ops, "/ops"}, {ops, "/ops/clearing"},
	} {
		resp, body := c.c.get(c.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", c.path, resp.StatusCode)
			continue
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != csp {
			t.Errorf("%s: CSP %q", c.path, got)
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "http://") || strings.Contains(body, "https://") {
			t.Errorf("%s: the page has a script or an absolute link", c.path)
		}
	}
}

func checkDigits(body string) string {
	r := 0
	for _, c := range body + "00" {
		r = (r*10 + int(c-'0')) % 97
	}
	return string(rune('0'+(98-r)/10)) + string(rune('0'+(98-r)%10))
}

func TestLanguage(t *testing.T) {
	e := newEnv(t, false)
	c := e.client(t)
	req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9,de;q=0.5")
	if resp, body := c.do(req); resp.Header.Get("Content-Language") != "en" || !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("Accept-Language en: %s", resp.Header.Get("Content-Language"))
	}
	if _, body := c.get("/"); !strings.Contains(body, `<html lang="de">`) || !strings.Contains(body, "Rechnung einreichen") {
		t.Error("German is not the default")
	}
	if _, body := c.get("/check?lang=en"); !strings.Contains(body, "Check an invoice") {
		t.Error("?lang=en is not English")
	}
	if _, body := c.get("/leitweg"); !strings.Contains(body, `<html lang="en">`) {
		t.Error("the switch did not stick")
	}
	if _, body := c.get("/leitweg?lang=de"); !strings.Contains(body, `<html lang="de">`) {
		t.Error("switching back did not work")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, false)
	c := e.client(t)
	token := c.csrf()
	for _, p := range []struct {
		name   string
		form   url.Values
		origin string
	}{
		{"no token", url.Values{"token": {e.tokA}}, ""},
		{"wrong token", url.Values{"token": {e.tokA}, "csrf": {strings.Repeat("0", 64)}}, ""},
		{"other origin", url.Values{"token": {e.tokA}, "csrf": {token}}, "http://evil.example"},
	} {
		req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(p.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p.origin != "" {
			req.Header.Set("Origin", p.origin)
		}
		if resp, _ := c.do(req); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", p.name, resp.StatusCode)
		}
	}
	if resp, _ := c.upload("/", "", fixture(t)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("upload without token: %d", resp.StatusCode)
	}
	if resp, body := c.upload("/", token, fixture(t)); resp.StatusCode != 200 || !strings.Contains(body, "Die Rechnung ist gültig.") {
		t.Errorf("upload with token: %d", resp.StatusCode)
	}
}

func TestSessionCookie(t *testing.T) {
	for _, tls := range []bool{false, true} {
		e := newEnv(t, tls)
		c := e.client(t)
		resp, _ := c.post("/login", url.Values{"csrf": {c.csrf()}, "token": {e.tokA}})
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if strings.HasSuffix(ck.Name, "eingang_session") {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.MaxAge != 8*3600 ||
			session.Secure != tls || (session.Name == "__Host-eingang_session") != tls {
			t.Errorf("TLS %v: session cookie %+v", tls, session)
		}
		if resp.Header.Get("Location") != "/inbox" {
			t.Errorf("login goes to %q", resp.Header.Get("Location"))
		}
		if resp, _ := c.get("/inbox"); resp.StatusCode != 200 {
			t.Errorf("TLS %v: inbox after login: %d", tls, resp.StatusCode)
		}
		if resp, _ := c.post("/logout", url.Values{"csrf": {c.csrf()}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("logout: %d", resp.StatusCode)
		}
		if resp, _ := c.get("/inbox"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("TLS %v: inbox after logout: %d %s", tls, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	e := newEnv(t, false)
	c := e.client(t)
	if resp, body := c.post("/login", url.Values{"csrf": {c.csrf()}, "token": {"egt_unknown"}}); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "nicht bekannt") {
		t.Errorf("unknown token: %d", resp.StatusCode)
	}
}

// TestSessionCookieBehindProxy checks that with SecureCookies (public_url
// https at a proxy) the session and CSRF cookies are Secure with the
// __Host- prefix although the gateway sees plain HTTP, and that the
// session and the form token work under those names.
func TestSessionCookieBehindProxy(t *testing.T) {
	e := newEnvWith(t, false, func(c *Config) { c.SecureCookies = true })
	// Go's cookie jar keeps Secure cookies from plain HTTP: send them by hand.
	get := func(path string, cookies []*http.Cookie) (*http.Response, string) {
		req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := get("/login", nil)
	csrf := resp.Cookies()
	if len(csrf) != 1 || csrf[0].Name != "__Host-eingang_csrf" || !csrf[0].Secure || csrf[0].Path != "/" || csrf[0].Domain != "" {
		t.Fatalf("CSRF cookie behind the proxy: %+v", csrf)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no csrf field")
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(url.Values{"csrf": {m[1]}, "token": {e.tokA}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf[0])
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login behind the proxy: %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if !ck.Secure || !strings.HasPrefix(ck.Name, "__Host-") || ck.Path != "/" {
			t.Errorf("cookie without Secure or __Host-: %+v", ck)
		}
		if ck.Name == "__Host-eingang_session" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("no __Host-eingang_session cookie: %v", resp.Cookies())
	}
	if resp, _ := get("/inbox", []*http.Cookie{session}); resp.StatusCode != 200 {
		t.Errorf("inbox with the __Host- session: %d", resp.StatusCode)
	}
	// The name without the prefix is no session.
	plain := *session
	plain.Name = "eingang_session"
	if resp, _ := get("/inbox", []*http.Cookie{&plain}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("inbox with an unprefixed session cookie: %d", resp.StatusCode)
	}
}

// TestSessionShowsTokenName checks that the pages say who is logged in:
// a named token by its name, a plain one by its hash's first 8 characters.
func TestSessionShowsTokenName(t *testing.T) {
	e := newEnv(t, false)
	for _, tc := range []struct {
		token, lang, want string
	}{
		{e.tokB, "de", `<span id="actor">angemeldet als ERP Erfurt</span>`},
		{e.tokB, "en", `<span id="actor">logged in as ERP Erfurt</span>`},
		{e.tokA, "de", `<span id="actor">angemeldet als ` + directory.HashToken(e.tokA)[:8] + `</span>`},
		{e.tokOps, "de", `Betrieb · <span id="actor">angemeldet als ` + directory.HashToken(e.tokOps)[:8] + `</span>`},
	} {
		c := e.client(t)
		c.login(tc.token)
		home := "/inbox"
		if tc.token == e.tokOps {
			home = "/ops"
		}
		if _, body := c.get(home + "?lang=" + tc.lang); !strings.Contains(body, tc.want) {
			t.Errorf("%s %s does not say %s", home, tc.lang, tc.want)
		}
	}
	c := e.client(t)
	if _, body := c.get("/login"); strings.Contains(body, `id="actor"`) {
		t.Error("the login page names someone")
	}
}

// TestOtherMunicipality checks that B sees nothing of A's invoice, and
// that an operator cannot use accounting's pages.
func TestOtherMunicipality(t *testing.T) {
	e := newEnv(t, false)
	rec := e.submit(t, fixture(t))
	b := e.client(t)
	b.login(e.tokB)
	for _, p := range []string{"/inbox/" + rec.ID, "/inbox/" + rec.ID + "/view", "/inbox/" + rec.ID + "/original", "/inbox/" + rec.ID + "/report"} {
		if resp, _ := b.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("B %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if _, body := b.get("/inbox?state=all"); strings.Contains(body, rec.ID) {
		t.Error("B's inbox lists A's invoice")
	}
	csrf := b.csrf()
	if resp, _ := b.post("/inbox/zip", url.Values{"csrf": {csrf}, "id": {rec.ID}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("B zips A's invoice: %d", resp.StatusCode)
	}
	b.post("/inbox/ack", url.Values{"csrf": {csrf}, "id": {rec.ID}})
	if o, _ := e.pipe.InboxEntry(t.Context(), "weimarer-land", rec.ID); !o.AcknowledgedAt.IsZero() {
		t.Error("B acknowledged A's invoice")
	}
	ops := e.client(t)
	ops.login(e.tokOps)
	if resp, _ := ops.get("/inbox"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operator on /inbox: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/ops"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clerk on /ops: %d", resp.StatusCode)
	}
	// The clearing view is the operators', and only for invoices in clearing.
	cl := e.submit(t, variant(t, "RE-CL-2", "Klärung KG", "16999999-"+checkDigits("16999999")))
	if resp, body := ops.get("/ops/clearing/" + cl.ID + "/view"); resp.StatusCode != 200 || !strings.Contains(body, "RE-CL-2") {
		t.Errorf("operator's clearing view: %d", resp.StatusCode)
	}
	if resp, _ := ops.get("/ops/clearing/" + rec.ID + "/view"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("clearing view of a routed invoice: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/ops/clearing/" + cl.ID + "/view"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clerk on the clearing view: %d", resp.StatusCode)
	}
}

// TestZip downloads a selection and a period and reads the archives.
func TestZip(t *testing.T) {
	e := newEnv(t, false)
	r1 := e.submit(t, variant(t, "Z-1", "Erste GmbH", ""))
	r2 := e.submit(t, variant(t, "Z-2", "Zweite GmbH", ""))
	c := e.client(t)
	c.login(e.tokA)
	read := func(body string) []string {
		zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if strings.HasSuffix(f.Name, "original.xml") && !bytes.Contains(b, []byte("<Invoice")) {
				t.Errorf("%s is not the original", f.Name)
			}
			names = append(names, f.Name)
		}
		sort.Strings(names)
		return names
	}
	resp, body := c.post("/inbox/zip", url.Values{"csrf": {c.csrf()}, "id": {r2.ID}})
	if resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip: %d %s", resp.StatusCode, body)
	}
	if got := read(body); strings.Join(got, " ") != r2.ID+"/original.xml "+r2.ID+"/report.json" {
		t.Errorf("selection: %v", got)
	}
	_, body = c.get("/inbox/zip?state=all&from=2000-01-01&to=2999-12-31")
	if got := read(body); len(got) != 4 || !strings.HasPrefix(got[0], minID(r1.ID, r2.ID)) {
		t.Errorf("period: %v", got)
	}
	if resp, _ := c.get("/inbox/zip?from=2000-01-01&to=2000-12-31"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("empty period: %d", resp.StatusCode)
	}
}

func minID(a, b string) string {
	if a < b {
		return a
	}
	return b
}

// TestUploadProblems: a form without a file, a bad e-mail address and an
// oversized upload each get the form or a page that says what is wrong,
// and keep nothing.
func TestUploadProblems(t *testing.T) {
	e := newEnv(t, false)
	c := e.client(t)
	token := c.csrf()
	if resp, body := c.upload("/", token, nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Bitte wählen Sie eine Rechnungsdatei") || !strings.Contains(body, `id="upload"`) {
		t.Errorf("no file: %d", resp.StatusCode)
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", token)
	mw.WriteField("sender", "kein Name <x@y>")
	fw, _ := mw.CreateFormFile("file", "r.xml")
	fw.Write(fixture(t))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if resp, body := c.do(req); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "E-Mail-Adresse ist nicht gültig") {
		t.Errorf("bad e-mail: %d", resp.StatusCode)
	}
	small := httptest.NewServer(New(Config{Backend: e.pipe, MaxBody: 1000}).Handler())
	defer small.Close()
	sc := &client{t, &env{srv: small}, c.hc}
	if resp, body := sc.upload("/", sc.csrf(), bytes.Repeat([]byte("x"), 3<<20)); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "zu groß") {
		t.Errorf("too large: %d", resp.StatusCode)
	}
	if got, _, _ := e.pipe.SearchInbox(t.Context(), "weimarer-land", ingest.InboxQuery{State: "all"}); len(got) != 0 {
		t.Errorf("kept %d", len(got))
	}
}
