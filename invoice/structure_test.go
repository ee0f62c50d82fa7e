package invoice

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStructureConformance compares structure validity with the reference's
// XML Schema validation (the JDK validator, expected.jsonl's xsd_valid) for
// every well-formed UBL and CII document of the corpus.
func TestStructureConformance(t *testing.T) {
	dir := sharedDir(t)
	docs := loadExpected(t, dir)
	agree, total := 0, 0
	var diffs []string
	for _, d := range docs {
		if !d.Wellformed {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, "conformance", d.File))
		if err != nil {
			t.Fatal(err)
		}
		root, err := Parse(data, DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", d.File, err)
		}
		dt := docTypeOf(root)
		if dt == UnknownDoc {
			continue
		}
		total++
		f := validateStructure(root, dt)
		if (len(f) == 0) == d.XSDValid {
			agree++
			continue
		}
		msg := "valid"
		if len(f) > 0 {
			msg = f[0].Location + ": " + f[0].Message
		}
		diffs = append(diffs, d.File+": reference valid="+boolString(d.XSDValid)+", eingang: "+msg)
	}
	t.Logf("structure validity equal: %d/%d", agree, total)
	for i, s := range diffs {
		if i == 30 {
			break
		}
		t.Log(s)
	}
	if agree != total {
		t.Errorf("%d documents differ from the reference's XML Schema validation", total-agree)
	}
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestStructureFindings(t *testing.T) {
	good := string(readFixture(t, "minimal-ubl.xml"))
	cases := []struct {
		name, from, to, want string
	}{
		{"valid", "", "", ""},
		{"wrong order", "<cbc:IssueDate>2026-11-02</cbc:IssueDate>\n  <cbc:DueDate>2026-12-02</cbc:DueDate>", "<cbc:DueDate>2026-12-02</cbc:DueDate>\n  <cbc:IssueDate>2026-11-02</cbc:IssueDate>", "not expected"},
		{"missing required element in the middle", "<cbc:ID>RE-2026-0042</cbc:ID>", "", "cbc:IssueDate is not expected"},
		{"missing required element at the end", `<cbc:PayableAmount currencyID="EUR">1190.00</cbc:PayableAmount>`, "", "incomplete"},
		{"bad decimal", `<cbc:PayableAmount currencyID="EUR">1190.00`, `<cbc:PayableAmount currencyID="EUR">1.190,00`, "decimal"},
		{"bad date", "<cbc:IssueDate>2026-11-02", "<cbc:IssueDate>2026-02-30", "date"},
		{"missing currencyID", `<cbc:PayableAmount currencyID="EUR">`, `<cbc:PayableAmount>`, "currencyID is required"},
		{"unknown element", "<cbc:BuyerReference>", "<cbc:Unbekannt>x</cbc:Unbekannt><cbc:BuyerReference>", "not expected"},
		{"unknown attribute", "<cbc:ID>RE-2026-0042</cbc:ID>", `<cbc:ID foo="bar">RE-2026-0042</cbc:ID>`, "not allowed"},
		{"text in element content", "<cac:AccountingSupplierParty>", "<cac:AccountingSupplierParty>text", "must not contain text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := good
			if c.from != "" {
				if !strings.Contains(doc, c.from) {
					t.Fatalf("fixture lacks %q", c.from)
				}
				doc = strings.Replace(doc, c.from, c.to, 1)
			}
			root, err := Parse([]byte(doc), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			f := validateStructure(root, docTypeOf(root))
			if c.want == "" {
				if len(f) > 0 {
					t.Fatalf("findings for a valid document: %+v", f)
				}
				return
			}
			if len(f) == 0 || !strings.Contains(f[0].Message, c.want) || f[0].Rule != "XSD" || f[0].MessageDE == "" {
				t.Fatalf("findings %+v, want one saying %q", f, c.want)
			}
		})
	}
}

func TestLexicalTypes(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(string) bool
		in   string
		want bool
	}{
		{"date", validDate, "2024-02-29", true},
		{"date", validDate, "2023-02-29", false},
		{"date", validDate, "1900-02-29", false},
		{"date", validDate, "2000-02-29", true},
		{"date", validDate, "2024-04-31", false},
		{"date", validDate, "2024-13-01", false},
		{"date", validDate, "2024-00-10", false},
		{"date", validDate, "2024-01-01Z", true},
		{"date", validDate, "2024-01-01+01:00", true},
		{"date", validDate, "2024-01-01+1:00", false},
		{"date", validDate, "-2024-01-01", true},
		{"date", validDate, "12024-01-01", true},
		{"date", validDate, "02024-01-01", false},
		{"date", validDate, "24-01-01", false},
		{"date", validDate, "2024-1-01", false},
		{"date", validDate, "20240101", false},
		{"date", validDate, "", false},
		{"date", validDate, "0000-04-13", false},       // XSD 1.0 has no year zero (the JDK refuses it)
		{"date", validDate, "2016-06-27+15:00", false}, // zones end at 14:00
		{"date", validDate, "2016-06-27-14:00", true},
		{"date", validDate, "2016-06-27+14:01", false},
		{"date", validDate, "2016-06-27+13:59", true},
		{"time", validTime, "12:30:00", true},
		{"time", validTime, "24:00:00", true},
		{"time", validTime, "24:00:01", false},
		{"time", validTime, "12:60:00", false},
		{"time", validTime, "12:30:00.125Z", true},
		{"time", validTime, "12:30:00.", false},
		{"time", validTime, "12:30", false},
		{"base64", validBase64, "", true},
		{"base64", validBase64, "QUJD", true},
		{"base64", validBase64, "QUI=", true},
		{"base64", validBase64, "QQ==", true},
		{"base64", validBase64, "Q===", false},
		{"base64", validBase64, "QUJ", false},
		{"base64", validBase64, "QU\n JD", true},
		{"base64", validBase64, "QQ==QUJD", false},
		{"base64", validBase64, "QU*D", false},
		{"integer", isIntegerLexical, "-12", true},
		{"integer", isIntegerLexical, "+", false},
		{"integer", isIntegerLexical, "1.0", false},
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
