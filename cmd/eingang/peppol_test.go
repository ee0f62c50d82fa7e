package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeBlock returns the first ```sh block of the section of
// docs/senders.md (the senders' documentation) that starts with heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/senders.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/senders.md has no section %q", heading)
	}
	_, block, ok := strings.Cut(sec, "```sh\n")
	block, _, ok2 := strings.Cut(block, "```\n")
	if !ok || !ok2 {
		t.Fatalf("docs/senders.md section %q has no sh block", heading)
	}
	return block
}

// TestPeppolCurl runs the README's PEPPOL block as written (openssl test
// CA, the gateway with a peppol configuration, curl with and without a
// client certificate), with the binary, free ports and a fresh store.
func TestPeppolCurl(t *testing.T) {
	for _, tool := range []string{"bash", "openssl", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("EINGANG_REQUIRE_SERVICES") != "" {
				t.Fatalf("%s is needed: %v", tool, err)
			}
			t.Skipf("%s not found", tool)
		}
	}
	bin := buildBinary(t)
	testdata, err := filepath.Abs("../../ingest/peppol/testdata")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	httpAddr, peppolAddr := freeAddr(t), freeAddr(t)
	script := strings.NewReplacer(
		"bin/eingang", bin,
		"ingest/peppol/testdata", testdata,
		"127.0.0.1:8443", peppolAddr,
		"127.0.0.1:8080", httpAddr,
	).Replace(readmeBlock(t, "## PEPPOL"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "EINGANG_STORE="+filepath.Join(dir, "data"), "EINGANG_ADDR="+httpAddr)
	out, err := cmd.CombinedOutput()
	logs, _ := os.ReadFile(filepath.Join(dir, "gateway.log"))
	if err != nil {
		t.Fatalf("the README block failed: %v\n%s\ngateway:\n%s", err, out, logs)
	}
	t.Logf("%s", out)
	for _, want := range []string{`"status":"routed"`, " -> 201", "<Status>routed</Status>", " -> 200", "refused: no client certificate"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s\ngateway:\n%s", want, out, logs)
		}
	}
}
