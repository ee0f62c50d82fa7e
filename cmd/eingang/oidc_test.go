package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
)

// TestOIDCConfig checks the oidc: configuration: what it needs, what it
// refuses, and the redirect URL's default from public_url.
func TestOIDCConfig(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	os.WriteFile(empty, []byte("\n"), 0o600)
	good := func() oidcConfig {
		return oidcConfig{Issuer: "https://idp.example/realms/eingang", ClientID: "eingang", ClientSecretFile: secret}
	}
	cases := []struct {
		name      string
		change    func(*oidcConfig)
		publicURL string
		err       string // part of the error; empty: none
	}{
		{"redirect from public_url", func(*oidcConfig) {}, "https://eingang.example/", ""},
		{"redirect given", func(c *oidcConfig) { c.RedirectURL = "https://e.example/login/oidc/callback" }, "", ""},
		{"http issuer on the loopback", func(c *oidcConfig) { c.Issuer = "http://127.0.0.1:5556/dex" }, "https://e.example", ""},
		{"no redirect", func(*oidcConfig) {}, "", "oidc.redirect_url: required"},
		{"redirect elsewhere", func(c *oidcConfig) { c.RedirectURL = "https://e.example/callback" }, "", "oidc.redirect_url"},
		{"http issuer", func(c *oidcConfig) { c.Issuer = "http://idp.example" }, "https://e.example", "oidc.issuer"},
		{"no issuer", func(c *oidcConfig) { c.Issuer = "" }, "https://e.example", "oidc.issuer"},
		{"no client", func(c *oidcConfig) { c.ClientID = "" }, "https://e.example", "oidc.client_id"},
		{"no secret", func(c *oidcConfig) { c.ClientSecretFile = "" }, "https://e.example", "oidc.client_secret_file: required"},
		{"secret missing", func(c *oidcConfig) { c.ClientSecretFile = secret + ".gone" }, "https://e.example", "no such file"},
		{"secret empty", func(c *oidcConfig) { c.ClientSecretFile = empty }, "https://e.example", "empty"},
		{"recheck too short", func(c *oidcConfig) { c.Recheck = "1s" }, "https://e.example", "oidc.recheck"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good()
			c.change(&cfg)
			got, err := pagesOIDC(&cfg, c.publicURL)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Errorf("error %v, want one with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ClientSecret != "s3cret" || got.Recheck != 10*time.Minute || got.RoleClaim != "groups" || len(got.NameClaims) != 3 {
				t.Errorf("%+v", got)
			}
			if want := strings.TrimSuffix(c.publicURL, "/") + "/login/oidc/callback"; cfg.RedirectURL == "" && got.RedirectURL != want {
				t.Errorf("redirect URL %q", got.RedirectURL)
			}
		})
	}
	if got, err := pagesOIDC(nil, ""); got != nil || err != nil {
		t.Errorf("no oidc: %v %v", got, err)
	}
}

// TestOIDCAcrossGateways logs a clerk in through glewlwyd at a gateway
// process (the provider's login form answered without a browser), then
// uses the session at a second gateway on the same store and at the first
// after its restart; the directory dropping the clerk's group ends it.
func TestOIDCAcrossGateways(t *testing.T) {
	dir := t.TempDir()
	addrs := []string{freeAddr(t), freeAddr(t)}
	idp := testenv.StartGlewlwyd(t, []string{"http://" + addrs[0] + "/login/oidc/callback", "http://" + addrs[1] + "/login/oidc/callback"}, 0,
		testenv.GlewlwydUser{Username: "anna", Password: "anna-pass-1", Name: "Anna Beispiel", Email: "anna@example.org", Municipality: "lk-weimarer-land", Groups: []string{"rechnung-wl"}})
	secret := filepath.Join(dir, "oidc-secret")
	os.WriteFile(secret, []byte(idp.ClientSecret+"\n"), 0o600)
	dirFile := filepath.Join(dir, "municipalities.yaml")
	write := func(groups string) {
		tmp := dirFile + ".new"
		os.WriteFile(tmp, []byte("municipalities:\n  - {id: lk-weimarer-land, name: Landkreis Weimarer Land, leitweg_ids: [\"16071\"], oidc_groups: ["+groups+"]}\n"+
			"  - {id: erfurt, name: Erfurt, leitweg_ids: [\"16051000\"], oidc_groups: [rechnung-erfurt]}\n"), 0o644)
		if err := os.Rename(tmp, dirFile); err != nil {
			t.Fatal(err)
		}
	}
	write("rechnung-wl")
	bin := buildBinary(t)
	start := func(i int) *gateway {
		cfg := filepath.Join(dir, fmt.Sprintf("g%d.yaml", i))
		os.WriteFile(cfg, []byte(fmt.Sprintf("instance: g%d\ndirectory_max_drop: 1\npublic_url: http://%s\n"+
			"oidc: {issuer: %q, client_id: %s, client_secret_file: %q, provider: Glewlwyd, claims: {municipality: municipality}}\n",
			i, addrs[i], idp.Issuer, idp.ClientID, secret)), 0o644)
		return startGateway(t, bin, addrs[i], "--store", filepath.Join(dir, "data"), "--directory", dirFile, "--config", cfg)
	}
	g1, g2 := start(0), start(1)
	defer func() { g1.kill(); g2.kill() }()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	if _, body := get("http://" + g1.addr + "/login"); !strings.Contains(body, "Anmelden mit Glewlwyd") {
		t.Fatalf("the login page offers no OIDC: %s", body)
	}
	resp, _ := get("http://" + g1.addr + "/login/oidc?next=/inbox")
	auth := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(auth, idp.Issuer+"/auth?") {
		t.Fatalf("start: %d to %q", resp.StatusCode, auth)
	}
	au, _ := url.Parse(auth)
	if q := au.Query(); q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("redirect_uri") != "http://"+g1.addr+"/login/oidc/callback" {
		t.Errorf("the authorization request: %v", q)
	}
	// The provider's login, as its form does it.
	lresp, err := c.Post(strings.TrimSuffix(idp.Issuer, "/oidc")+"/auth/", "application/json",
		bytes.NewReader([]byte(`{"username":"anna","password":"anna-pass-1"}`)))
	if err != nil {
		t.Fatal(err)
	}
	lresp.Body.Close()
	if lresp.StatusCode != http.StatusOK {
		t.Fatalf("glewlwyd login: %s", lresp.Status)
	}
	resp, _ = get(auth + "&g_continue")
	callback := resp.Header.Get("Location")
	if !strings.HasPrefix(callback, "http://"+g1.addr+"/login/oidc/callback?") {
		t.Fatalf("the provider answered %d to %q", resp.StatusCode, callback)
	}
	if resp, body := get(callback); resp.StatusCode != http.StatusOK || !strings.Contains(body, `url=/inbox`) {
		t.Fatalf("callback: %d %s\n%s", resp.StatusCode, body, g1.logs)
	}
	inbox := func(g *gateway) (int, string) {
		t.Helper()
		resp, body := get("http://" + g.addr + "/inbox")
		return resp.StatusCode, body
	}
	if code, body := inbox(g1); code != http.StatusOK || !strings.Contains(body, "Anna Beispiel") {
		t.Fatalf("the inbox after the login: %d", code)
	}
	if code, _ := inbox(g2); code != http.StatusOK {
		t.Errorf("the session at the second gateway: %d, want 200", code)
	}
	g1.kill()
	g1 = start(0)
	if code, _ := inbox(g1); code != http.StatusOK {
		t.Errorf("the session after a restart: %d, want 200", code)
	}

	// The directory drops the group (replaced by rename, read within 2 s):
	// the session ends on both gateways.
	write("andere-gruppe")
	deadline := time.Now().Add(15 * time.Second)
	for {
		if code, _ := inbox(g2); code != http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the session outlived its group in the directory")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, _ := inbox(g1); code != http.StatusSeeOther {
		t.Errorf("after the directory dropped the group, at the first gateway: %d, want 303 to the login", code)
	}
}
