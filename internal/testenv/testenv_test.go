package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedDir(t *testing.T) {
	t.Setenv("EINGANG_SHARED", "")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// This package is internal/testenv: the module root is two up.
	want := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(wd))), "shared")
	if got := SharedDir(); got != want {
		t.Errorf("SharedDir() = %s, want %s", got, want)
	}
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "xsd"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("EINGANG_SHARED", dir)
	if got := Shared(t, "xsd"); got != filepath.Join(dir, "xsd") {
		t.Errorf("Shared(t, \"xsd\") = %s, want %s", got, filepath.Join(dir, "xsd"))
	}
}
