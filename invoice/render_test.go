package invoice

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites the golden files of the view and report tests:
// go test ./invoice -run Golden -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with the file testdata/name, or writes it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from line %d:\n got: %s\nwant: %s\n(go test -update rewrites it)", path, i+1, g, w)
			}
		}
	}
}

// TestRender renders the fixture and a hostile copy of it: the values
// appear, and markup in the invoice's text is escaped, never executed.
func TestRender(t *testing.T) {
	cases := []struct {
		name      string
		doc       []byte
		lang      string
		want      []string
		forbidden []string
	}{
		{"fixture", readFixture(t, "minimal-ubl.xml"), "de",
			[]string{`<span id="number">RE-2026-0042</span>`, `16071103-0001-17`, `id="payable">1.190,00 €<`, "<title>Rechnung RE-2026-0042", "BT-115", "Stück", "Normalsatz", `lang="de"`, "DE02 1203 0000 0000 2020 51"}, []string{"H87"}},
		{"english", readFixture(t, "minimal-ubl.xml"), "en-GB,en;q=0.9,de;q=0.8",
			[]string{`id="payable">€1,190.00<`, "<title>Invoice RE-2026-0042", "Amount due", `lang="en"`}, []string{"Zahlbetrag"}},
		{"hostile", bytes.Replace(readFixture(t, "minimal-ubl.xml"), []byte("<cbc:ID>RE-2026-0042</cbc:ID>"),
			[]byte("<cbc:ID>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;</cbc:ID>"), 1), "de",
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>"}},
	}
	for _, c := range cases {
		rep, err := Validate(context.Background(), c.doc)
		if err != nil || rep.Invoice == nil {
			t.Fatalf("%s: no model: %v", c.name, err)
		}
		var b strings.Builder
		if err := Render(&b, rep.Invoice, c.lang); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		for _, f := range c.forbidden {
			if strings.Contains(page, f) {
				t.Errorf("%s: page contains %q", c.name, f)
			}
		}
	}
}

// viewCases are the invoices of the golden view test: files of the shared
// conformance corpus (read, never copied) and the package's own fixture.
var viewCases = []struct{ name, file, lang string }{
	{"fixture-de", "testdata/minimal-ubl.xml", "de"},
	{"fixture-en", "testdata/minimal-ubl.xml", "en"},
	{"ubl-comprehensive", "xrechnung-testsuite/technical-cases/cius/01.02_comprehensive_test_ubl.xml", "de"},
	{"cii-comprehensive", "xrechnung-testsuite/technical-cases/cius/01.02_comprehensive_test_uncefact.xml", "de"},
	{"ubl-allowances", "xrechnung-testsuite/business-cases/standard/03.06a-INVOICE_ubl.xml", "de"},
	{"cii-allowances-en", "xrechnung-testsuite/business-cases/standard/03.06a-INVOICE_uncefact.xml", "en"},
	{"ubl-attachment", "xrechnung-testsuite/business-cases/standard/02.06a-INVOICE_ubl.xml", "de"},
	{"ubl-creditnote", "en16931/ubl/examples/ubl-tc434-creditnote1.xml", "de"},
	{"ubl-sek", "en16931/ubl/examples/ubl-tc434-example7.xml", "de"},
	{"cii-sek-en", "en16931/cii/examples/CII_example7.xml", "en"},
}

// TestRenderGolden renders invoices of different shapes (UBL and CII,
// invoice and credit note, allowances and charges, attachments, a foreign
// currency, German and English) and compares each page with its golden
// file in testdata/view.
func TestRenderGolden(t *testing.T) {
	for _, c := range viewCases {
		t.Run(c.name, func(t *testing.T) {
			inv := readModel(t, c.file)
			var b bytes.Buffer
			if err := Render(&b, inv, c.lang); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("view", c.name+".html"), b.Bytes())
		})
	}
}

// readModel reads the model of a test document: a path under testdata or
// one in the shared conformance corpus.
func readModel(t *testing.T, file string) *Invoice {
	t.Helper()
	path := file
	if !strings.HasPrefix(file, "testdata/") {
		path = filepath.Join(sharedDir(t), "conformance", file)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := NewValidator().Model(data)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestAttachment reads an embedded attachment's content and size.
func TestAttachment(t *testing.T) {
	inv := readModel(t, "testdata/minimal-ubl.xml")
	if len(inv.Attachments) != 1 {
		t.Fatalf("%d attachments, want 1", len(inv.Attachments))
	}
	a := inv.Attachments[0]
	b, err := a.Content()
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != len(b) || a.Filename != "leistungsnachweis.csv" || a.MIMEType != "text/csv" || !bytes.HasPrefix(b, []byte("Datum;Stunden")) {
		t.Errorf("attachment %+v with %q", a, b)
	}
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct{ raw, cur, lang, want string }{
		{"1190.5", "EUR", "de", "1.190,50 €"},
		{"1190.5", "EUR", "en-GB,en;q=0.9", "€1,190.50"},
		{"-3", "EUR", "en", "-€3.00"},
		{"1000000", "SEK", "de", "1.000.000,00 SEK"},
		{"12.345", "USD", "en", "USD 12.345"},
		{"n/a", "EUR", "de", "n/a €"},
		{"", "EUR", "de", ""},
	} {
		if got := FormatMoney(c.raw, c.cur, c.lang); got != c.want {
			t.Errorf("FormatMoney(%q, %q, %q) = %q, want %q", c.raw, c.cur, c.lang, got, c.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	for _, c := range []struct{ value, lang, want string }{
		{"2026-11-02", "de", "02.11.2026"},
		{"2026-11-02", "en", "2 Nov 2026"},
		{"20261102", "de", "20261102"},
		{"", "en", ""},
	} {
		if got := FormatDate(c.value, c.lang); got != c.want {
			t.Errorf("FormatDate(%q, %q) = %q, want %q", c.value, c.lang, got, c.want)
		}
	}
}
