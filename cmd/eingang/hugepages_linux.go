package main

import (
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks the kernel to back the next size bytes of heap
// with transparent huge pages. A batch run touches its heap once: in 4 KB
// pages that is a fault every 4 KB (15,000 in a corpus run, a tenth of
// its time), in 2 MB pages a few dozen. Where the system's THP setting is
// "madvise" (as on this machine), only such advice gets them; where it
// is "never", the advice changes nothing.
//
// The runtime maps its heap as it grows, each new part without the
// advice. So this takes the heap's next size bytes at once, in one object
// that is never touched (so never resident), and advises them. Collection
// is off meanwhile, so that no cycle finds the object still in use; the
// cycle that starts at the next allocation frees it, and the runtime
// hands out those pages, lowest first, as the run needs them. Collection
// is back at the percent it was at. GODEBUG=disablethp=1, the runtime's
// own switch against huge pages, turns this off too, and so does a soft
// memory limit under twice size (GOMEMLIMIT: a heap kept small, which
// the object alone would push the collector against).
func adviseHugePages(size int) {
	if thpDisabled(os.Getenv("GODEBUG")) || debug.SetMemoryLimit(-1) < 2*int64(size) {
		return
	}
	gc := debug.SetGCPercent(-1)
	unix.Madvise(make([]byte, size), unix.MADV_HUGEPAGE)
	debug.SetGCPercent(gc)
}

// thpDisabled reports whether a GODEBUG value sets disablethp=1 (the last
// setting of a key counts, as for the runtime).
func thpDisabled(godebug string) bool {
	off := false
	for _, kv := range strings.Split(godebug, ",") {
		if k, v, _ := strings.Cut(strings.TrimSpace(kv), "="); k == "disablethp" {
			off = v == "1"
		}
	}
	return off
}
