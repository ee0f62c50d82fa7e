package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestAdviseHugePages runs a fresh process that allocates and touches
// 32 MB in small objects, as a batch run does, with the advice, without
// it, and with it where GOMEMLIMIT or GODEBUG turn it off, and reads how
// much of its memory is in huge pages (AnonHugePages in smaps_rollup):
// some with the advice, none otherwise.
func TestAdviseHugePages(t *testing.T) {
	if env := os.Getenv("EINGANG_HUGEPAGES_CHILD"); env != "" {
		if env == "advise" {
			adviseHugePages(64 << 20)
		}
		keep := make([][]byte, 0, 8192)
		for range 8192 {
			b := make([]byte, 4096)
			b[0] = 1
			keep = append(keep, b)
		}
		os.Stdout.WriteString("huge=" + strconv.Itoa(anonHugeKB(t)) + "\n")
		runtime.KeepAlive(keep) // in use until its memory is counted
		return
	}
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || strings.Contains(string(mode), "[never]") {
		t.Skipf("transparent huge pages are off on this machine (%q, %v): nothing to advise", mode, err)
	}
	huge := func(env string, more ...string) int {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAdviseHugePages$", "-test.count=1")
		// GODEBUG and GOMEMLIMIT emptied: the caller's could turn the
		// advice off.
		cmd.Env = append(append(os.Environ(), "EINGANG_HUGEPAGES_CHILD="+env, "GODEBUG=", "GOMEMLIMIT="), more...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", env, err, out)
		}
		line, _, _ := strings.Cut(string(out), "\n")
		v, ok := strings.CutPrefix(line, "huge=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Fatalf("%s: %q", env, out)
		}
		return n
	}
	// With the advice, up to three fresh processes: one of five CI runs
	// on 2026-12-07, under load, got no huge page in its one process.
	n := 0
	for try := 0; n == 0 && try < 3; try++ {
		n = huge("advise")
	}
	if n == 0 {
		t.Error("with the advice, no memory is in huge pages (three processes)")
	}
	if !strings.Contains(string(mode), "[always]") {
		if n := huge("none"); n != 0 {
			t.Errorf("without the advice, %d KB are in huge pages: the test cannot tell", n)
		}
		if n := huge("advise", "GOMEMLIMIT=100MiB"); n != 0 {
			t.Errorf("under a soft limit of 100 MiB, %d KB are in huge pages, want none", n)
		}
		if n := huge("advise", "GODEBUG=disablethp=1"); n != 0 {
			t.Errorf("with GODEBUG=disablethp=1, %d KB are in huge pages, want none", n)
		}
	}
}

// TestTHPDisabled reads GODEBUG values as the runtime does: the last
// disablethp setting counts.
func TestTHPDisabled(t *testing.T) {
	for _, tc := range []struct {
		godebug string
		want    bool
	}{
		{"", false},
		{"disablethp=1", true},
		{"gctrace=1,disablethp=1", true},
		{"disablethp=1,disablethp=0", false},
		{"disablethp=0", false},
		{"xdisablethp=1", false},
	} {
		if got := thpDisabled(tc.godebug); got != tc.want {
			t.Errorf("thpDisabled(%q) = %v, want %v", tc.godebug, got, tc.want)
		}
	}
}

// anonHugeKB returns the process's anonymous memory in huge pages, in KB.
func anonHugeKB(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/smaps_rollup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "AnonHugePages:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	t.Fatal("smaps_rollup has no AnonHugePages")
	return 0
}
