package email

import "testing"

// TestFromAddress: the From address survives a display name that does not
// decode.
func TestFromAddress(t *testing.T) {
	for _, k := range []struct{ from, want string }{
		{"Lieferant GmbH <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"buchhaltung@muster-bau.example", "buchhaltung@muster-bau.example"},
		{"=?ISO-8859-1?Q?B=FCro?= <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"=?x-bogus?Q?B=FCro?= <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"buchhaltung@muster-bau.example (=?x-bogus?Q?B=FCro?=)", "buchhaltung@muster-bau.example"},
		{"=?UTF-8?Q?B=C3=BCro=0D=0ABcc:_evil@x.example?= <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"=?UTF-8?Q?M=C3=BCller,_Bau?= <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"=?x-bogus?Q?a?= <not an address>", ""},
		{"", ""},
	} {
		m, err := Parse([]byte("From: " + k.from + "\r\nSubject: x\r\n\r\nx\r\n"))
		if err != nil {
			t.Fatalf("%q: %v", k.from, err)
		}
		if m.From != k.want {
			t.Errorf("From: %s: address %q, want %q", k.from, m.From, k.want)
		}
	}
}
