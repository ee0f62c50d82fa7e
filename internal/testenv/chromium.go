package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the browser for the page tests: EINGANG_CHROMIUM, or
// Debian's chromium, which `make test` installs; else it skips or fails
// (see Require).
func Chromium(t testing.TB) string {
	bin := os.Getenv("EINGANG_CHROMIUM")
	if bin == "" {
		bin = "chromium"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		Require(t, "no chromium for the browser tests (make test installs Debian's package; or set EINGANG_CHROMIUM)")
	}
	return path
}
