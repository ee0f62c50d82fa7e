package main

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
)

// TestSessionAcrossGateways logs a clerk in at one gateway and uses the
// session at a second gateway on the same store and at the first one after
// its restart; removing the token from the directory ends the session.
func TestSessionAcrossGateways(t *testing.T) {
	dir := t.TempDir()
	token, hash, _ := directory.NewToken()
	_, erfurt, _ := directory.NewToken() // stays: a reload may not revoke every token
	dirFile := filepath.Join(dir, "municipalities.yaml")
	write := func(tokens string) {
		tmp := dirFile + ".new"
		os.WriteFile(tmp, []byte("municipalities:\n  - id: lk-weimarer-land\n    name: Landkreis Weimarer Land\n    leitweg_ids: [\"16071\"]\n"+tokens+
			"  - id: erfurt\n    name: Erfurt\n    leitweg_ids: [\"16051000\"]\n    tokens_sha256: [\""+erfurt+"\"]\n"), 0o644)
		if err := os.Rename(tmp, dirFile); err != nil {
			t.Fatal(err)
		}
	}
	write(fmt.Sprintf("    tokens: [{name: \"Kasse Weimar\", sha256: %q}]\n", hash))
	bin := buildBinary(t)
	start := func(i int) *gateway {
		cfg := filepath.Join(dir, fmt.Sprintf("g%d.yaml", i))
		os.WriteFile(cfg, []byte(fmt.Sprintf("instance: g%d\ndirectory_max_drop: 1\n", i)), 0o644)
		return startGateway(t, bin, freeAddr(t), "--store", filepath.Join(dir, "data"), "--directory", dirFile, "--config", cfg)
	}
	g1, g2 := start(1), start(2)
	defer func() { g1.kill(); g2.kill() }()

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp := pagesLogin(t, c, "http://"+g1.addr, token); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	inbox := func(g *gateway) int {
		t.Helper()
		resp, err := c.Get("http://" + g.addr + "/inbox")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := inbox(g2); code != http.StatusOK {
		t.Errorf("the session at the second gateway: %d, want 200", code)
	}
	g1.kill()
	g1 = start(1)
	if code := inbox(g1); code != http.StatusOK {
		t.Errorf("the session after a restart: %d, want 200", code)
	}

	// The token leaves the directory (replaced by rename, read within 2 s):
	// the session ends on both gateways.
	write("")
	deadline := time.Now().Add(15 * time.Second)
	for inbox(g2) == http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the revoked token's session still opens the inbox")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code := inbox(g1); code != http.StatusSeeOther {
		t.Errorf("after revocation at the first gateway: %d, want 303 to the login", code)
	}
}

// pagesLogin logs a browser (a client with a cookie jar) in at the pages
// of the gateway at base with a token, as the login form does, and returns
// the answer to the form.
func pagesLogin(t *testing.T, c *http.Client, base, token string) *http.Response {
	t.Helper()
	resp, err := c.Get(base + "/login?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	csrf := ""
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "eingang_csrf" {
			csrf = ck.Value
		}
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf": {csrf}, "token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
