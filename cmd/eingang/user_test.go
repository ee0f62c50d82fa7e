package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eingang/eingang/directory"
)

// TestSessionUserAdd: eingang user add prints an entry that logs in, or
// writes it into the directory file, which then logs the person in with
// the password read from standard input and keeps the rest of the file.
func TestSessionUserAdd(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "directory.yaml")
	orig := "# our municipalities\nmunicipalities:\n  - {id: erfurt, name: Erfurt, leitweg_ids: [\"16051\"]}  # the capital\n  - id: jena\n    name: Jena\n    leitweg_ids: [\"16053\"]\n"
	if err := os.WriteFile(file, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, password string
		args           []string
		code           int
	}{
		{"clerk of erfurt", "correct horse battery\n", []string{"--name", "Erika Muster", "--municipality", "erfurt"}, 0},
		{"auditor of jena", "jena's auditor secret\n", []string{"--name", "Otto", "--municipality", "jena", "--role", "auditor"}, 0},
		{"operator", "operators long secret", []string{"--name", "Max", "--role", "operator"}, 0},
		{"the same name again", "correct horse battery\n", []string{"--name", "Otto", "--municipality", "erfurt"}, 1},
		{"unknown municipality", "correct horse battery\n", []string{"--name", "Anna", "--municipality", "weimar"}, 1},
		{"operator of a municipality", "correct horse battery\n", []string{"--name", "Anna", "--municipality", "jena", "--role", "operator"}, 1},
		{"clerk of none", "correct horse battery\n", []string{"--name", "Anna"}, 1},
		{"short password", "short\n", []string{"--name", "Anna", "--municipality", "jena"}, 1},
		{"no password", "", []string{"--name", "Anna", "--municipality", "jena"}, 1},
		{"bad name", "correct horse battery\n", []string{"--name", " Anna", "--municipality", "jena"}, 1},
	} {
		var out, errOut bytes.Buffer
		code := cmdUser(append([]string{"add", "--directory", file}, c.args...), strings.NewReader(c.password), &out, &errOut)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d: %s", c.name, code, c.code, errOut.String())
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "# our municipalities") || !strings.Contains(string(data), "# the capital") {
		t.Errorf("the comments are gone:\n%s", data)
	}
	d, err := directory.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, password string
		role           directory.Role
		municipality   string
	}{
		{"Erika Muster", "correct horse battery", directory.Clerk, "erfurt"},
		{"Otto", "jena's auditor secret", directory.Auditor, "jena"},
		{"Max", "operators long secret", directory.Operator, ""},
		{"Anna", "correct horse battery", directory.None, ""},
	} {
		role, m := d.Login(c.name, c.password)
		got := ""
		if m != nil {
			got = m.ID
		}
		if role != c.role || got != c.municipality {
			t.Errorf("%s logs in as %v of %q, want %v of %q", c.name, role, got, c.role, c.municipality)
		}
	}
	// Printed, the entry is one line to paste under accounts.
	var out bytes.Buffer
	if code := cmdUser([]string{"add", "--name", "Erika Muster", "--municipality", "erfurt"}, strings.NewReader("correct horse battery\n"), &out, &out); code != 0 {
		t.Fatal(out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	entry := lines[len(lines)-1]
	d, err = directory.Parse([]byte("municipalities:\n  - id: erfurt\n    name: Erfurt\n    accounts:\n      " + entry + "\n"))
	if err != nil {
		t.Fatalf("the printed entry %q: %v", entry, err)
	}
	if role, _ := d.Login("Erika Muster", "correct horse battery"); role != directory.Clerk {
		t.Errorf("the printed entry does not log in: %q", entry)
	}
}
