package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
)

// get answers the status of a GET with a bearer token.
func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// TestDirectoryReload changes the directory file of a running gateway the
// ways that went wrong: written in place in two halves with a pause, a
// file with no municipality, one that drops most of them. The directory
// in force stays until a complete, sane file is put in place by rename or
// announced by SIGHUP.
func TestDirectoryReload(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	tok := map[string]string{}
	hash := map[string]string{}
	for _, who := range []string{"weimarer-land", "erfurt", "jena", "gera", "ops"} {
		tok[who], hash[who], _ = directory.NewToken()
	}
	entry := func(id, prefix string) string {
		return fmt.Sprintf("  - id: %s\n    leitweg_ids: [%q]\n    tokens_sha256: [%q]\n", id, prefix, hash[id])
	}
	ops := fmt.Sprintf("operators:\n  tokens_sha256: [%q]\n", hash["ops"])
	full := "municipalities:\n" + entry("weimarer-land", "16071") + entry("erfurt", "16051000") + ops
	path := filepath.Join(t.TempDir(), "municipalities.yaml")
	if err := os.WriteFile(path, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	g := startGateway(t, bin, addr, "--store", t.TempDir(), "--directory", path)
	defer g.kill()
	base := "http://" + addr
	inForce := func(when string, who ...string) {
		t.Helper()
		for _, w := range who {
			url := base + "/api/v1/inbox"
			if w == "ops" {
				url = base + "/api/v1/clearing"
			}
			if code, body := get(t, url, tok[w]); code != 200 {
				t.Errorf("%s: %s's token: %d %s", when, w, code, body)
			}
		}
	}
	replace := func(content string) {
		t.Helper()
		if err := os.WriteFile(path+".new", []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	inForce("at start", "weimarer-land", "erfurt", "ops")

	// Written in place in two halves, with a pause longer than the
	// watcher's interval; the first half is valid YAML without Erfurt.
	next := "municipalities:\n" + entry("weimarer-land", "16071") + entry("erfurt", "16051000") + entry("jena", "16053000") + ops
	half := strings.Index(next, "  - id: erfurt")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(next[:half])
	f.Sync()
	time.Sleep(3500 * time.Millisecond)
	inForce("while the file is half-written", "weimarer-land", "erfurt", "ops")
	f.WriteString(next[half:])
	f.Close()
	time.Sleep(2500 * time.Millisecond)
	if code, _ := get(t, base+"/api/v1/inbox", tok["jena"]); code != 401 {
		t.Errorf("a file edited in place was read without SIGHUP: jena's token %d", code)
	}
	g.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, func() bool { code, _ := get(t, base+"/api/v1/inbox", tok["jena"]); return code == 200 }, "jena's token after SIGHUP")
	inForce("after SIGHUP", "weimarer-land", "erfurt", "jena", "ops")

	// Refused: no municipality, most of them dropped, every token gone.
	for _, bad := range []string{
		"municipalities: []\n" + ops,
		"municipalities:\n" + entry("erfurt", "16051000") + ops,
		strings.ReplaceAll(next, hash["ops"], "") + "",
	} {
		before := g.logs.Len()
		replace(bad)
		waitFor(t, func() bool { return strings.Contains(g.logs.String()[before:], "the directory in force stays") }, "the refusal in the log")
		inForce("after a refused reload", "weimarer-land", "erfurt", "jena", "ops")
	}
	_, metrics := get(t, base+"/metrics", "")
	for _, want := range []string{`eingang_directory_reloads_total{result="invalid"}`, `eingang_directory_reloads_total{result="refused"} 1`, `eingang_directory_reloads_total{result="applied"} 1`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if !strings.Contains(g.logs.String(), "no municipalities") || !strings.Contains(g.logs.String(), "would drop 2 of 3") {
		t.Errorf("the log does not say why:\n%s", g.logs)
	}
	// A complete file put in place by rename is read without SIGHUP.
	replace(strings.Replace(next, "operators:", entry("gera", "16052000")+"operators:", 1))
	waitFor(t, func() bool { code, _ := get(t, base+"/api/v1/inbox", tok["gera"]); return code == 200 }, "gera added by a replaced file")
	inForce("after a good reload", "weimarer-land", "erfurt", "jena", "gera", "ops")
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("waited in vain for %s", what)
}

// TestGatewayFullDisk runs the gateway on a real filesystem of 3 MB and
// uploads until it is full: every failure is 503 store-unavailable with
// Retry-After and says whether the invoice was kept, none is 500; /readyz
// turns 503 once the room is below the floor. Read-only, the same.
func TestGatewayFullDisk(t *testing.T) {
	mnt := testenv.Tmpfs(t, 3<<20)
	cfg := filepath.Join(t.TempDir(), "eingang.yaml")
	os.WriteFile(cfg, []byte("min_free_bytes: 1048576\nupload_rate: 0\n"), 0o644)
	bin := buildBinary(t)
	addr := freeAddr(t)
	g := startGateway(t, bin, addr, "--store", filepath.Join(mnt, "store"), "--config", cfg)
	defer func() { g.kill() }() // the one running at the end
	base := "http://" + addr
	if code, body := get(t, base+"/readyz", ""); code != 200 {
		t.Fatalf("readyz on an empty store: %d %s", code, body)
	}
	post := func(i int) (*http.Response, map[string]any) {
		resp, err := http.Post(base+"/api/v1/invoices", "application/xml", bytes.NewReader(invoiceNumbered(t, i)))
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		return resp, body
	}
	unavailable := func(resp *http.Response, body map[string]any) bool {
		t.Helper()
		if resp.StatusCode == 201 {
			return false
		}
		_, hasKept := body["kept"]
		if resp.StatusCode != 503 || body["code"] != "store-unavailable" || resp.Header.Get("Retry-After") == "" || !hasKept {
			t.Fatalf("upload: %d %v, want 201 or 503 store-unavailable with Retry-After and kept", resp.StatusCode, body)
		}
		return true
	}
	notReady := false
	failures := 0
	for i := 0; i < 2000 && failures < 20; i++ {
		if unavailable(post(i)) {
			failures++
		}
		if !notReady {
			if code, _ := get(t, base+"/readyz", ""); code == 503 {
				notReady = true
				t.Logf("not ready after %d uploads", i+1)
			}
		}
	}
	if failures == 0 {
		t.Fatal("the store never filled up")
	}
	if code, body := get(t, base+"/readyz", ""); code != 503 || !notReady {
		t.Errorf("readyz on a full store: %d %s", code, body)
	}
	// Read-only.
	g.kill()
	testenv.Remount(t, mnt, "size=64m")
	g = startGateway(t, bin, addr, "--store", filepath.Join(mnt, "store"), "--config", cfg)
	if code, body := get(t, base+"/readyz", ""); code != 200 {
		t.Fatalf("readyz with room again: %d %s", code, body)
	}
	testenv.Remount(t, mnt, "ro")
	defer testenv.Remount(t, mnt, "rw")
	if resp, body := post(100000); !unavailable(resp, body) || body["kept"] != false {
		t.Errorf("upload to a read-only store: %d %v", resp.StatusCode, body)
	}
	if code, body := get(t, base+"/readyz", ""); code != 503 || !strings.Contains(body, "read-only") {
		t.Errorf("readyz on a read-only store: %d %s", code, body)
	}
}
