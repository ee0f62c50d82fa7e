package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// TestUpToDate checks that schemas/structure_gen.go is what xsdgen makes
// from the shared folder's XML Schemas.
func TestUpToDate(t *testing.T) {
	dir := testenv.Shared(t, "xsd")
	got, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	const committed = "../../structure_gen.go"
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if !bytes.Equal(gl[i], wl[i]) {
			t.Fatalf("schemas/structure_gen.go is out of date with %s (run make generate): line %d is\n\t%s\nwant\n\t%s", dir, i+1, wl[i], gl[i])
		}
	}
	t.Fatalf("schemas/structure_gen.go is out of date with %s (run make generate): %d lines, want %d", dir, len(wl), len(gl))
}
