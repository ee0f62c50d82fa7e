package email

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestEcho: a reply repeats a subject on one line, without control
// characters, and at most maxEcho characters of it.
func TestEcho(t *testing.T) {
	long := strings.Repeat("Rechnung ", 1<<17)
	for _, k := range []struct{ name, subject, want string }{
		{"plain", "Rechnung RE-2026-0042", "Rechnung RE-2026-0042"},
		{"umlauts", "Rechnung für März", "Rechnung für März"},
		{"CR/LF", "Rechnung\r\nX-Evil: 1\r\n\r\nBody", "Rechnung X-Evil: 1 Body"},
		{"NUL and DEL", "Rech\x00nung\x7f 42", "Rech nung 42"},
		{"C1 and bidi controls", "Rechnung\u0085\u202e42", "Rechnung 42"},
		{"tabs and runs of space", "\t Rechnung  \t 42 \n", "Rechnung 42"},
		{"invalid UTF-8", "Rechnung \xff\xfe42", "Rechnung 42"},
		{"only controls", "\r\n\x00", ""},
		{"exactly the limit", strings.Repeat("x", maxEcho), strings.Repeat("x", maxEcho)},
		{"one over", strings.Repeat("x", maxEcho+1), strings.Repeat("x", maxEcho-1) + "…"},
		{"1 MB", long, (long[:maxEcho-1]) + "…"},
	} {
		got := echo(k.subject)
		if got != k.want {
			t.Errorf("%s: echo = %q, want %q", k.name, got, k.want)
		}
		if n := utf8.RuneCountInString(got); n > maxEcho {
			t.Errorf("%s: %d characters", k.name, n)
		}
	}
}
