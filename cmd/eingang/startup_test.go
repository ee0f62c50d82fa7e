package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/ingest/peppol"
	"github.com/eingang/eingang/internal/testenv"
)

// TestS3OutageAtStart starts the gateway while MinIO is down: it listens
// all the same, /readyz, uploads and the PEPPOL endpoint answer 503 with
// Retry-After; once MinIO is started, the same gateway becomes ready and
// takes uploads within seconds, without a restart.
func TestS3OutageAtStart(t *testing.T) {
	minio, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer minio.Stop()
	minio.Stop()
	t.Setenv("EINGANG_S3_ACCESS_KEY", minio.AccessKey)
	t.Setenv("EINGANG_S3_SECRET_KEY", minio.SecretKey)
	// The PEPPOL endpoint, with a test CA's certificates.
	ca := testenv.NewCA(t, "Test Access Point CA")
	certPEM, keyPEM, _ := ca.Issue(t, "127.0.0.1", true, time.Now().Add(time.Hour))
	_, _, client := ca.Issue(t, "POP000001", false, time.Now().Add(time.Hour))
	dir, peppolAddr := t.TempDir(), freeAddr(t)
	for name, b := range map[string][]byte{"server.pem": certPEM, "server-key.pem": keyPEM, "ca.pem": ca.PEM,
		"eingang.yaml": []byte("upload_rate: 0\npeppol:\n  addr: " + peppolAddr + "\n  cert_file: " + filepath.Join(dir, "server.pem") +
			"\n  key_file: " + filepath.Join(dir, "server-key.pem") + "\n  client_ca_file: " + filepath.Join(dir, "ca.pem") + "\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sbd, err := os.ReadFile("../../ingest/peppol/testdata/sbd-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	ap := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{client}}}}
	peppolPost := func() *http.Response {
		t.Helper()
		resp, err := ap.Post("https://"+peppolAddr+peppol.Path, "application/xml", bytes.NewReader(sbd))
		if err != nil {
			t.Fatalf("PEPPOL: %v", err)
		}
		resp.Body.Close()
		return resp
	}

	bin := buildBinary(t)
	addr := freeAddr(t)
	g := startGateway(t, bin, addr, "--store", "s3://eingang-archive?endpoint="+minio.Endpoint+"&secure=false",
		"--config", filepath.Join(dir, "eingang.yaml"))
	defer g.kill()
	base := "http://" + addr

	post := func(i int) *http.Response {
		t.Helper()
		c := &http.Client{Timeout: 60 * time.Second}
		resp, err := c.Post(base+"/api/v1/invoices", "application/xml", bytes.NewReader(invoiceNumbered(t, i)))
		if err != nil {
			t.Fatalf("upload: %v\n%s", err, g.logs)
		}
		resp.Body.Close()
		return resp
	}
	// Down for some seconds: the gateway keeps trying, and answers.
	for i, end := 1, time.Now().Add(4*time.Second); time.Now().Before(end); i++ {
		if code, body := get(t, base+"/readyz", ""); code != 503 || !strings.Contains(body, "connection refused") {
			t.Fatalf("readyz with MinIO down at start: %d %s", code, body)
		}
		if resp := post(i); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("upload with MinIO down at start: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if resp := peppolPost(); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("PEPPOL with MinIO down at start: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		time.Sleep(500 * time.Millisecond)
	}

	if err := minio.Start(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for i := 100; ; i++ {
		resp := post(i)
		if resp.StatusCode == 201 {
			break
		}
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("upload while the store opens: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if time.Since(back) > 15*time.Second {
			t.Fatalf("no upload taken %s after MinIO is back:\n%s", time.Since(back).Round(time.Second), g.logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("upload taken %s after MinIO is back", time.Since(back).Round(100*time.Millisecond))
	if resp := peppolPost(); resp.StatusCode != 201 {
		t.Errorf("PEPPOL once the store is open: %d", resp.StatusCode)
	}
	if code, body := get(t, base+"/readyz", ""); code != 200 {
		t.Errorf("readyz once the store is open: %d %s", code, body)
	}
	for _, w := range []string{"store unreachable", "store open"} {
		if !strings.Contains(g.logs.String(), w) {
			t.Errorf("log lacks %q:\n%s", w, g.logs)
		}
	}
}

// TestS3OpenWrongCredentials: a store that answers but refuses the
// gateway's credentials is a configuration error, not an outage: serve
// exits 2 at once with one line that says so, and does not wait.
func TestS3OpenWrongCredentials(t *testing.T) {
	minio, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer minio.Stop()
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", freeAddr(t), "--store", "s3://eingang-archive?endpoint="+minio.Endpoint+"&secure=false")
	cmd.Env = append(os.Environ(), "EINGANG_S3_ACCESS_KEY="+minio.AccessKey, "EINGANG_S3_SECRET_KEY=not-"+minio.SecretKey)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("serve with wrong credentials: %v, want exit status 2\n%s", err, &stderr)
	}
	msg := strings.TrimSuffix(stderr.String(), "\n")
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "eingang serve: store: s3 eingang-archive") || !strings.Contains(msg, "signature") {
		t.Errorf("serve with wrong credentials: want one line about the signature, got:\n%s", &stderr)
	}
}
