package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
)

// walkthrough returns the shell commands of README.md between the
// <!-- walkthrough --> markers.
func walkthrough(t *testing.T) string {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- walkthrough -->\n```sh\n")
	script, _, ok2 := strings.Cut(rest, "```\n<!-- /walkthrough -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no walkthrough between <!-- walkthrough --> markers")
	}
	return script
}

// TestREADMEWalkthrough runs the README's curl walkthrough, as written
// there, with bash in a copy of the project's layout (bin/eingang, the
// fixture), twice: each run must upload, route, view, download and
// acknowledge, and write nothing into the project folder.
func TestREADMEWalkthrough(t *testing.T) {
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Require(t, "no "+tool+" for the README walkthrough: "+err.Error())
		}
	}
	script := walkthrough(t)
	project := t.TempDir()
	if err := os.MkdirAll(filepath.Join(project, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(buildBinary(t), filepath.Join(project, "bin", "eingang")); err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile(filepath.Join("..", "..", "invoice", "testdata", "minimal-ubl.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(project, "invoice", "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "invoice", "testdata", "minimal-ubl.xml"), fixture, 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir() // the walkthrough's mktemp -d makes its folders here
	for run := 1; run <= 2; run++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, "bash", "-e", "-c", script)
		cmd.Dir = project
		cmd.Env = append(os.Environ(), "PORT="+strings.TrimPrefix(freeAddr(t), "127.0.0.1:"), "TMPDIR="+tmp)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a gateway a failed run left behind
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, &out)
		}
		for _, want := range []string{
			`"status":"routed"`, `"municipality":"lk-weimarer-land"`, `"receipt_token":"rct_`,
			"original byte-identical",
			`"reject_reason":null`,
			"view -> 200 text/html; charset=utf-8",
			"attachment -> 200 application/octet-stream",
			`"acknowledged_at":"`, " -> 200\n",
			`"action":"download-original"`, ",clerk,lk-weimarer-land,acknowledge,", // history and trail

			"\neingang_",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %d: output lacks %q:\n%s", run, want, &out)
			}
		}
		if strings.Contains(out.String(), `"duplicate"`) {
			t.Errorf("run %d met a duplicate:\n%s", run, &out)
		}
	}
	// The walkthrough wrote only into its scratch folders.
	var found []string
	filepath.WalkDir(project, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = append(found, path[len(project)+1:])
		}
		return nil
	})
	if strings.Join(found, " ") != "bin/eingang invoice/testdata/minimal-ubl.xml" {
		t.Errorf("the project folder holds %v after the walkthrough", found)
	}
	if dirs, _ := os.ReadDir(tmp); len(dirs) != 2 {
		t.Errorf("%d scratch folders, want one per run", len(dirs))
	}
}
