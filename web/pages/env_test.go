package pages

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// env is a gateway's pages on a real pipeline and filesystem store, with
// two municipalities (A: Weimarer Land, B: Erfurt) and an operator. A has
// the local accounts of a clerk, Erika Muster, and an auditor, Otto Prüfer,
// both with the password accountPassword.
type env struct {
	srv                *httptest.Server
	tokA, tokB, tokOps string
	pipe               *ingest.Pipeline
}

// accountPassword is the password of the env's local accounts.
const accountPassword = "correct horse battery staple"

func newEnv(t testing.TB, tls bool) *env { return newEnvWith(t, tls, nil) }

// newEnvWith is newEnv with the pages' configuration changed by set.
func newEnvWith(t testing.TB, tls bool, set func(*Config)) *env {
	return newEnvFull(t, tls, set, nil, nil)
}

// newEnvPipeline is newEnvWith with the pipeline's configuration changed
// by setPipe.
func newEnvPipeline(t testing.TB, tls bool, set func(*Config), setPipe func(*ingest.Config)) *env {
	return newEnvFull(t, tls, set, nil, setPipe)
}

// newEnvStore is newEnvWith on the filesystem store as wrap wraps it.
func newEnvStore(t testing.TB, tls bool, set func(*Config), wrap func(store.Store) store.Store) *env {
	return newEnvFull(t, tls, set, wrap, nil)
}

// newEnvFull is newEnvWith on the filesystem store as wrap wraps it
// (nil: as it is), with the pipeline's configuration changed by setPipe
// (if not nil).
func newEnvFull(t testing.TB, tls bool, set func(*Config), wrap func(store.Store) store.Store, setPipe func(*ingest.Config)) *env {
	var st store.Store
	st, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		st = wrap(st)
	}
	pw, err := directory.HashPassword(accountPassword)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{}
	var hA, hB, hOps string
	e.tokA, hA, _ = directory.NewToken()
	e.tokB, hB, _ = directory.NewToken()
	e.tokOps, hOps, _ = directory.NewToken()
	dir, err := directory.Parse([]byte(fmt.Sprintf(`
municipalities:
  - id: weimarer-land
    name: Landkreis Weimarer Land
    leitweg_ids: ["16071"]
    tokens_sha256: [%[1]q]
    accounts: [{name: Erika Muster, argon2id: "%[4]s"}, {name: Otto Prüfer, role: auditor, argon2id: "%[4]s"}]
  - {id: erfurt, name: Landeshauptstadt Erfurt, leitweg_ids: ["16051000"], tokens: [{name: ERP Erfurt, sha256: %[2]q}]}
  - {id: jena, name: Stadt Jena, leitweg_ids: ["16053000"]}
operators:
  tokens_sha256: [%[3]q]
`, hA, hB, hOps, pw)))
	if err != nil {
		t.Fatal(err)
	}
	pc := ingest.Config{Store: st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }}
	if setPipe != nil {
		setPipe(&pc)
	}
	e.pipe, err = ingest.New(pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pipe.Wait) // the removals of pending markers Submit leaves running
	cfg := Config{Backend: e.pipe}
	if set != nil {
		set(&cfg)
	}
	h := New(cfg).Handler()
	if tls {
		e.srv = httptest.NewTLSServer(h)
	} else {
		e.srv = httptest.NewServer(h)
	}
	t.Cleanup(e.srv.Close)
	return e
}

func fixture(t testing.TB) []byte {
	b, err := os.ReadFile("../../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// variant returns the fixture with another invoice number and seller, and
// (if not empty) another Leitweg-ID.
func variant(t testing.TB, number, seller, leitwegID string) []byte {
	b := bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(number), 1)
	b = bytes.ReplaceAll(b, []byte("Tischlerei Beispiel GmbH"), []byte(seller))
	if leitwegID != "" {
		b = bytes.Replace(b, []byte(">16071103-0001-17<"), []byte(">"+leitwegID+"<"), 1)
	}
	return b
}

// invalid is the fixture with a wrong total: it breaks business rules.
func invalid(t testing.TB) []byte {
	return bytes.Replace(variant(t, "RE-BAD-1", "Falsch GmbH", ""), []byte(">1190.00</cbc:PayableAmount>"), []byte(">1190.50</cbc:PayableAmount>"), 1)
}

func (e *env) submit(t testing.TB, doc []byte) *ingest.Receipt {
	rec, err := e.pipe.Submit(t.Context(), ingest.Submission{Data: doc, Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// client is a browser without a browser: it keeps cookies.
type client struct {
	t  testing.TB
	e  *env
	hc *http.Client
}

func (e *env) client(t testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	hc := *e.srv.Client() // a client of its own: the server's is shared
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{t, e, &hc}
}

func (c *client) do(req *http.Request) (*http.Response, string) {
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", c.e.srv.URL+path, nil)
	return c.do(req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf reads the form token from a page.
func (c *client) csrf() string {
	_, body := c.get("/login")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatal("no csrf field on /login")
	}
	return m[1]
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) login(token string) {
	resp, body := c.post("/login", url.Values{"csrf": {c.csrf()}, "token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
}

// loginAccount logs in with a local account of the env.
func (c *client) loginAccount(name string) {
	resp, body := c.post("/login", url.Values{"csrf": {c.csrf()}, "name": {name}, "password": {accountPassword}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login as %s: %d %s", name, resp.StatusCode, body)
	}
}

func (c *client) upload(path, csrf string, doc []byte) (*http.Response, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("file", "rechnung.xml")
	fw.Write(doc)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}
