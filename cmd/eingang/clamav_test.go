package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// TestClamAVServe runs the binary with the configuration key clamav: an
// upload whose embedded file is EICAR is rejected as malware, a hybrid PDF
// is filed as one; with clamd stopped /readyz and the upload answer 503.
// A bad address does not start.
func TestClamAVServe(t *testing.T) {
	d := testenv.StartClamd(t, "")
	bin := buildBinary(t)
	cfg := filepath.Join(t.TempDir(), "eingang.yaml")
	if err := os.WriteFile(cfg, []byte("clamav: {addr: '"+d.Addr+"', timeout: 5s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	g := startGateway(t, bin, addr, "--store", t.TempDir(), "--config", cfg)
	defer g.kill()
	post := func(ctype string, body []byte) (int, map[string]any) {
		resp, err := http.Post("http://"+addr+"/api/v1/invoices", ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	fixture := invoiceNumbered(t, 1)
	if code, m := post("application/xml", testenv.WithEmbedded(t, fixture, []byte(testenv.EICAR))); code != 422 || m["malware"] != testenv.EICARSignature {
		t.Errorf("EICAR: %d %v", code, m)
	}
	if code, m := post("application/pdf", testenv.HybridPDF(t, invoiceNumbered(t, 2), "XRECHNUNG")); code != 201 || m["format"] != "pdf" {
		t.Errorf("hybrid PDF: %d %v", code, m)
	}
	d.Stop()
	if code, m := post("application/xml", invoiceNumbered(t, 3)); code != 503 || m["code"] != "scan-unavailable" {
		t.Errorf("clamd stopped: %d %v", code, m)
	}
	if resp, err := http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != 503 {
		t.Errorf("readyz with clamd stopped: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("clamav: {addr: 'localhost'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--config", bad, "--print-config"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "clamav.addr") {
		t.Errorf("a bad clamav.addr: exit %d: %s", code, errOut.String())
	}
}
