package schemas

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGeneratedHeader checks that every generated file starts with Go's
// one-line mark of generated code, which tools (go vet, gopls, linters,
// code review) rely on.
func TestGeneratedHeader(t *testing.T) {
	mark := regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`)
	files, err := filepath.Glob("*_gen.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated files (%v)", err)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		if !sc.Scan() || !mark.MatchString(sc.Text()) {
			t.Errorf("%s: the first line is %q, want // Code generated ... DO NOT EDIT.", name, sc.Text())
		}
		f.Close()
	}
}
