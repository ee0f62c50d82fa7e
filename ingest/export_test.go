package ingest

import "testing"

// TestExportSafeName checks that a sender's file name becomes a plain
// name inside the export's ZIP, never a path out of the invoice's folder.
func TestExportSafeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"leistungsnachweis.csv", "leistungsnachweis.csv"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"..", "attachment"},
		{"", "attachment"},
		{".hidden", "hidden"},
		{"Stundenzettel März 2026.pdf", "Stundenzettel_M__rz_2026.pdf"},
		{`C:\\tmp\\a.png`, "C___tmp__a.png"},
	} {
		if got := safeName(c.in); got != c.want {
			t.Errorf("safeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
