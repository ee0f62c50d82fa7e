package invoice

import (
	"strings"
	"testing"
)

// TestTruncate checks that a value is cut after 60 characters as
// []rune(s) counts them (invalid bytes as one U+FFFD each), and that a long
// value is not converted whole.
func TestTruncate(t *testing.T) {
	old := func(s string) string {
		if r := []rune(s); len(r) > 60 {
			return string(r[:60]) + "…"
		}
		return s
	}
	for _, s := range []string{
		"", "short", strings.Repeat("a", 60), strings.Repeat("a", 61), strings.Repeat("ä", 59) + "ab",
		strings.Repeat("€", 70), strings.Repeat("a", 58) + "\xff\xfe" + "tail", "\xff" + strings.Repeat("b", 60),
	} {
		if got, want := truncate(s), old(s); got != want {
			t.Errorf("truncate(%q) = %q, want %q", s, got, want)
		}
	}
	long := strings.Repeat("x", 30<<20)
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			truncate(long)
		}
	})
	if n := res.AllocedBytesPerOp(); n > 1024 {
		t.Errorf("truncate of 30 MB allocates %d bytes", n)
	}
}
