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
