package xmltree

import "testing"

func TestLexicalTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(string) bool
		in   string
		want bool
	}{
		{"date", ValidDate, "2024-02-29", true},
		{"date", ValidDate, "2023-02-29", false},
		{"date", ValidDate, "1900-02-29", false},
		{"date", ValidDate, "2000-02-29", true},
		{"date", ValidDate, "2024-04-31", false},
		{"date", ValidDate, "2024-13-01", false},
		{"date", ValidDate, "2024-00-10", false},
		{"date", ValidDate, "2024-01-01Z", true},
		{"date", ValidDate, "2024-01-01+01:00", true},
		{"date", ValidDate, "2024-01-01+1:00", false},
		{"date", ValidDate, "-2024-01-01", true},
		{"date", ValidDate, "12024-01-01", true},
		{"date", ValidDate, "02024-01-01", false},
		{"date", ValidDate, "24-01-01", false},
		{"date", ValidDate, "2024-1-01", false},
		{"date", ValidDate, "20240101", false},
		{"date", ValidDate, "", false},
		{"date", ValidDate, "0000-04-13", false},       // XSD 1.0 has no year zero (the JDK refuses it)
		{"date", ValidDate, "2016-06-27+15:00", false}, // zones end at 14:00
		{"date", ValidDate, "2016-06-27-14:00", true},
		{"date", ValidDate, "2016-06-27+14:01", false},
		{"date", ValidDate, "2016-06-27+13:59", true},
		{"time", ValidTime, "12:30:00", true},
		{"time", ValidTime, "24:00:00", true},
		{"time", ValidTime, "24:00:01", false},
		{"time", ValidTime, "12:60:00", false},
		{"time", ValidTime, "12:30:00.125Z", true},
		{"time", ValidTime, "12:30:00.", false},
		{"time", ValidTime, "12:30", false},
		{"base64", ValidBase64, "", true},
		{"base64", ValidBase64, "QUJD", true},
		{"base64", ValidBase64, "QUI=", true},
		{"base64", ValidBase64, "QQ==", true},
		{"base64", ValidBase64, "Q===", false},
		{"base64", ValidBase64, "QUJ", false},
		{"base64", ValidBase64, "QU\n JD", true},
		{"base64", ValidBase64, "QQ==QUJD", false},
		{"base64", ValidBase64, "QU*D", false},
		{"integer", IsIntegerLexical, "-12", true},
		{"integer", IsIntegerLexical, "+", false},
		{"integer", IsIntegerLexical, "1.0", false},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestNormSpace(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		"a b":          "a b",
		" a":           "a",
		"a ":           "a",
		"a  b":         "a b",
		"a\tb":         "a b",
		"\n a \r\n b ": "a b",
		"   ":          "",
	} {
		if got := NormSpace(in); got != want {
			t.Errorf("NormSpace(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestValidBase64 compares ValidBase64, which reads eight characters at a
// time, with a reading one character at a time.
func TestValidBase64(t *testing.T) {
	slow := func(v string) bool {
		n, pad := 0, 0
		for i := 0; i < len(v); i++ {
			switch c := v[i]; {
			case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
				if pad > 0 {
					return false // data after padding
				}
				n++
			case c == ' ', c == '\t', c == '\r', c == '\n':
			case c == '=':
				pad++
				n++
			default:
				return false
			}
		}
		return n%4 == 0 && pad <= 2
	}
	alphabet := "QUJDZGVm0129+/QUJDZGVmQUJDZGVm==  \n\t*-é\x00"
	rng := uint64(7)
	for range 50000 {
		rng = rng*6364136223846793005 + 1442695040888963407
		b := make([]byte, int(rng>>58)%40)
		for i := range b {
			rng = rng*6364136223846793005 + 1442695040888963407
			b[i] = alphabet[(rng>>33)%uint64(len(alphabet))]
			if rng>>62 == 0 && i > 0 {
				b[i] = b[i-1]
			}
		}
		if v := string(b); ValidBase64(v) != slow(v) {
			t.Fatalf("ValidBase64(%q) = %v", v, ValidBase64(v))
		}
	}
	// Long runs of the alphabet with one other byte, every byte value,
	// at every place of a word.
	const data = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for c := range 256 {
		for at := range 16 {
			b := []byte(data[:24])
			b[at] = byte(c)
			if v := string(b); ValidBase64(v) != slow(v) {
				t.Fatalf("ValidBase64(%q) = %v", v, ValidBase64(v))
			}
		}
	}
	if !ValidBase64(data + data + "\n" + data[:20]) {
		t.Error("the whole alphabet is not base64")
	}
}
