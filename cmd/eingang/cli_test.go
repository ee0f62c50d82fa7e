package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI checks the commands' help, exit codes and argument checks, as
// Go's flag package has them: -h and --help print the usage and exit 0.
func TestCLI(t *testing.T) {
	fixture := filepath.Join("..", "..", "invoice", "testdata", "minimal-ubl.xml")
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(broken, []byte("<Invoice>"), 0o644); err != nil {
		t.Fatal(err)
	}
	switched := filepath.Join(dir, "switched.yaml")
	if err := os.WriteFile(switched, []byte("rules:\n  switch: {\"2026-08-31\": \"2026-10-01\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args             []string
		code             int
		stdout, stderr   []string // each must appear
		notOut, notError string   // must not appear ("" for no check)
	}{
		{[]string{"serve", "--help"}, 0, nil, []string{"usage: eingang serve", "-store"}, "", ""},
		{[]string{"serve", "-h"}, 0, nil, []string{"usage: eingang serve"}, "", ""},
		{[]string{"serve", "extra"}, 2, nil, []string{`unexpected argument "extra"`}, "", ""},
		{[]string{"validate", "--help"}, 0, nil, []string{"exit status", "1  at least one document rejected", "directories are searched", "*.xml"}, "", ""},
		{[]string{"validate"}, 2, nil, []string{"usage: eingang validate"}, "", ""},
		{[]string{"validate", "--format", "yaml", fixture}, 2, nil, []string{`unknown format "yaml"`}, "", ""},
		{[]string{"token", "--help"}, 0, nil, []string{"usage: eingang token"}, "token:", "token:  egt_"},
		{[]string{"token", "extra"}, 2, nil, []string{`unexpected argument "extra"`}, "token:", ""},
		{[]string{"token"}, 0, []string{"token:  ", "sha256: "}, nil, "", ""},
		{[]string{"version"}, 0, []string{"eingang ", "go1."}, nil, "", ""},
		{[]string{"version", "--help"}, 0, nil, []string{"usage: eingang version"}, "", ""},
		{[]string{"help"}, 0, []string{"version", "token", "validate", "serve"}, nil, "", ""},
		{[]string{"nope"}, 2, nil, []string{`unknown command "nope"`}, "", ""},
		{[]string{"validate", fixture}, 0, []string{"minimal-ubl.xml: ACCEPTED\n"}, nil, "documents:", ""},
		{[]string{"validate", fixture, broken}, 1, []string{"broken.xml: REJECTED (not-wellformed)\n  errors (1):\n", "2 documents: 1 accepted, 1 rejected\n"}, nil, "", ""},
		{[]string{"validate", "--format", "json", fixture}, 0, []string{`"reject_reason":null`}, nil, "documents:", ""},
		{[]string{"validate", "--rules", "2026-01-31", fixture}, 0, []string{"  rules: release 2026-01-31\n"}, nil, "", ""},
		{[]string{"validate", "--rules", "2026-08-31", "--format", "json", fixture}, 0, []string{`"release":"2026-08-31"`}, nil, "", ""},
		{[]string{"validate", "--rules", "2027-01-31", fixture}, 2, nil, []string{`no rule release "2027-01-31"`}, "", ""},
		{[]string{"rules"}, 0, []string{"release 2026-01-31\n", "release 2026-08-31", "removed source   both BR-CO-25", "notes    both BR-TMP-2", "changed source   ubl  PEPPOL-EN16931-R008"}, nil, "", ""},
		{[]string{"rules", "--at", "2026-05-01"}, 0, []string{"release 2026-01-31  (in force on 2026-05-01)"}, nil, "2026-08-31  (in force", ""},
		{[]string{"rules", "--at", "2026-09-01"}, 0, []string{"release 2026-08-31  (in force on 2026-09-01)"}, nil, "", ""},
		{[]string{"rules", "--config", switched, "--at", "2026-09-15"}, 0, []string{"release 2026-01-31  (in force on 2026-09-15)", "judges from 2026-10-01"}, nil, "", ""},
		{[]string{"rules", "--json"}, 0, []string{`"in_force": "`, `"from_notes": true`}, nil, "", ""},
		{[]string{"rules", "--at", "yesterday"}, 2, nil, []string{"--at"}, "", ""},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, &stdout, &stderr)
		name := strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", name, code, c.code, &stdout, &stderr)
		}
		for _, w := range c.stdout {
			if !strings.Contains(stdout.String(), w) {
				t.Errorf("%s: stdout lacks %q:\n%s", name, w, &stdout)
			}
		}
		for _, w := range c.stderr {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%s: stderr lacks %q:\n%s", name, w, &stderr)
			}
		}
		if c.notOut != "" && strings.Contains(stdout.String(), c.notOut) {
			t.Errorf("%s: stdout has %q:\n%s", name, c.notOut, &stdout)
		}
		if c.notError != "" && strings.Contains(stderr.String(), c.notError) {
			t.Errorf("%s: stderr has %q", name, c.notError)
		}
	}
}
