package invoice

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/eingang/eingang/internal/testenv"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func nested(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">`)
	for i := 0; i < depth; i++ {
		b.WriteString("<a>")
	}
	for i := 0; i < depth; i++ {
		b.WriteString("</a>")
	}
	b.WriteString("</Invoice>")
	return b.Bytes()
}

// TestBadInput feeds documents that must be rejected with a clear finding,
// quickly and without a panic.
func TestBadInput(t *testing.T) {
	huge := make([]byte, 50<<20)
	copy(huge, `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><cbc:Note>`)
	for i := 80; i < len(huge); i++ {
		huge[i] = 'x'
	}
	cases := []struct {
		name   string
		data   []byte
		rule   string // first finding's rule
		reason string
		msg    string // part of the message
	}{
		{"empty", nil, "XML-EMPTY", RejectNotWellformed, "empty"},
		{"blank", []byte("  \n\t "), "XML-EMPTY", RejectNotWellformed, "empty"},
		{"not well-formed", []byte(`<Invoice><a></b></Invoice>`), "XML-WELLFORMED", RejectNotWellformed, "not well-formed"},
		{"truncated", readFixture(t, "minimal-ubl.xml")[:900], "XML-WELLFORMED", RejectNotWellformed, "not well-formed"},
		{"undeclared prefix", []byte(`<x:Invoice/>`), "XML-WELLFORMED", RejectNotWellformed, "not declared"},
		{"two roots", []byte(`<a/><b/>`), "XML-WELLFORMED", RejectNotWellformed, "after the root"},
		{"billion laughs", []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Invoice>&lol2;</Invoice>`), "XML-DTD", RejectNotWellformed, "DOCTYPE"},
		{"external entity", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Invoice>&xxe;</Invoice>`), "XML-DTD", RejectNotWellformed, "never resolved"},
		{"undefined entity", []byte(`<Invoice>&xxe;</Invoice>`), "XML-WELLFORMED", RejectNotWellformed, "entity"},
		{"deep nesting", nested(10000), "XML-LIMIT", RejectNotWellformed, "nested"},
		{"50 MB", huge, "XML-LIMIT", RejectNotWellformed, "limit"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "XML-WELLFORMED", RejectNotWellformed, "PDF"},
		{"binary", []byte{0, 1, 2, 3, 0xff, 0xfe, 0xfd}, "XML-WELLFORMED", RejectNotWellformed, ""},
		{"unknown encoding", []byte(`<?xml version="1.0" encoding="EBCDIC-XYZ"?><Invoice/>`), "XML-ENCODING", RejectNotWellformed, "encoding"},
		{"unknown root", []byte(`<Rechnung xmlns="urn:example"/>`), "SCENARIO", RejectNoScenario, "not an invoice"},
		{"UBL order", []byte(`<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID></Order>`), "SCENARIO", RejectNoScenario, "not an invoice"},
		{"no customization id", []byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`), "SCENARIO", RejectNoScenario, "BT-24"},
	}
	v := NewValidator()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			rep, err := v.Validate(context.Background(), c.data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Accepted {
				t.Fatalf("accepted, want rejected")
			}
			if rep.RejectReason != c.reason {
				t.Errorf("reject reason %q, want %q", rep.RejectReason, c.reason)
			}
			if len(rep.Findings) == 0 {
				t.Fatal("no finding")
			}
			f := rep.Findings[0]
			if f.Rule != c.rule || f.Level != LevelError || !strings.Contains(f.Message, c.msg) || f.MessageDE == "" {
				t.Errorf("finding %+v, want rule %s with %q in the message and a German message", f, c.rule, c.msg)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Logf("took %v", d) // reported, not asserted: speed is measured in benchmarks
			}
		})
	}
}

// TestEncodings checks that a document reads the same in UTF-8, UTF-16 with
// a byte order mark and ISO-8859-1.
func TestEncodings(t *testing.T) {
	utf8doc := readFixture(t, "minimal-ubl.xml")
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(bytes.Replace(utf8doc, []byte(`encoding="UTF-8"`), []byte(`encoding="UTF-16"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().Bytes(bytes.Replace(utf8doc, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"utf-8": utf8doc, "utf-16": utf16, "iso-8859-1": latin1} {
		t.Run(name, func(t *testing.T) {
			root, err := Parse(data, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := Read(root)
			if err != nil {
				t.Fatal(err)
			}
			if got := inv.Lines[0].Name.Value; got != "Bürostuhl, Eiche" {
				t.Errorf("item name %q", got)
			}
		})
	}
}

func TestReadModel(t *testing.T) {
	root, err := Parse(readFixture(t, "minimal-ubl.xml"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"BT-1", inv.Number.Value, "RE-2026-0042"},
		{"BT-1 at", inv.Number.At, "/Invoice/cbc:ID"},
		{"BT-2", inv.IssueDate.Value, "2026-11-02"},
		{"BT-10", inv.BuyerReference.Value, "16071103-0001-17"},
		{"BT-27", inv.Seller.Name.Value, "Tischlerei Beispiel GmbH"},
		{"BT-31", inv.Seller.VATID.Value, "DE123456789"},
		{"BT-44", inv.Buyer.Name.Value, "Landkreis Weimarer Land"},
		{"BT-115", inv.Payable.String(), "1190.00 EUR"},
		{"BT-110", inv.TaxTotal.Raw, "190.00"},
		{"BT-131 at", inv.Lines[0].Net.At, "/Invoice/cac:InvoiceLine/cbc:LineExtensionAmount"},
		{"BT-130", inv.Lines[0].Unit.Value, "H87"},
		{"BT-118", inv.VAT[0].Category.Value, "S"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if inv.Payable.Value == nil || inv.Payable.Value.FloatString(2) != "1190.00" {
		t.Errorf("payable value %v", inv.Payable.Value)
	}
}

func TestValidateCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Validate(ctx, readFixture(t, "minimal-ubl.xml"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestPath(t *testing.T) {
	root, err := Parse([]byte(`<r xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:A/><cbc:B x="1"/><cbc:A>t<cbc:C>u</cbc:C></cbc:A></r>`), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	as := root.All("cbc:A")
	if len(as) != 2 || as[1].Path() != "/r/cbc:A[2]" || root.First("cbc:B").Path() != "/r/cbc:B" {
		t.Errorf("paths: %v %v", as, root.First("cbc:B").Path())
	}
	if got := as[1].Value(); got != "tu" {
		t.Errorf("string value %q", got)
	}
	if !root.Has("cbc:B/@x") || root.Has("cbc:A/@x") || root.Str("cbc:B/@x") != "1" {
		t.Error("attribute steps")
	}
	if n := len(root.All("//cbc:C")); n != 1 {
		t.Errorf("//cbc:C found %d", n)
	}
	if p := root.First("cbc:A/cbc:C/../.."); p != root {
		t.Errorf("parent steps: %v", p)
	}
}

// TestValidatorReuse validates documents one after another and from
// several goroutines with one Validator, whose parsers are reused: every
// report must equal the one of a fresh Validator, whatever came before
// (a broken document, a large one, another syntax).
func TestValidatorReuse(t *testing.T) {
	fixture := readFixture(t, "minimal-ubl.xml")
	docs := [][]byte{
		fixture,
		fixture[:900], // broken halfway
		large(t, 2<<20),
		[]byte(`<a:x xmlns:a="urn:other"><a:y/><a:y>t</a:y></a:x>`),
		bytes.Replace(fixture, []byte("<cbc:ID>"), []byte("<cbc:ID> "), 1),
	}
	docs = append(docs, corpusSample(t, 40)...)
	want := make([]string, len(docs))
	for i, d := range docs {
		want[i] = reportJSON(t, NewValidator(), d)
	}
	v := NewValidator()
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for round := 0; round < 3; round++ {
				for i := range docs {
					j := (i*7 + g + round) % len(docs) // each goroutine its own order
					if got := reportJSON(t, v, docs[j]); got != want[j] {
						errs <- fmt.Errorf("document %d after reuse:\n got %s\nwant %s", j, got, want[j])
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// reportJSON validates data with all rules and the model, and returns
// the report as JSON without its duration.
func reportJSON(t *testing.T, v *Validator, data []byte) string {
	rep, err := v.Validate(context.Background(), data, Options{AllRules: true, Model: true})
	if err != nil {
		t.Error(err)
		return ""
	}
	rep.Duration = 0
	b, err := json.Marshal(rep)
	if err != nil {
		t.Error(err)
	}
	return string(b)
}

// corpusSample returns up to n documents of the XRechnung test suite in
// the conformance corpus, or none (saying so) where ../shared is absent.
func corpusSample(t *testing.T, n int) [][]byte {
	shared := testenv.SharedDir()
	files, _ := filepath.Glob(filepath.Join(shared, "conformance", "xrechnung-testsuite", "*", "*", "*.xml"))
	if len(files) == 0 {
		t.Logf("no test suite documents under %s (set EINGANG_SHARED): validating the fixtures only", shared)
	}
	var docs [][]byte
	for _, f := range files {
		if len(docs) == n {
			break
		}
		if b, err := os.ReadFile(f); err == nil {
			docs = append(docs, b)
		}
	}
	return docs
}
