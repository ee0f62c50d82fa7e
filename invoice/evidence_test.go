package invoice

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evidenceCase changes a document so that a rule fires and names the
// evidence the rule's finding must then carry.
type evidenceCase struct {
	name      string
	edits     [][2]string // each old text replaced, once, by the new
	rule      string
	location  string // "" leaves it unchecked
	actual    string
	expected  string
	calc      string // a part of the calculation, "" where there is none
	fieldPath string // a path among the fields, "" leaves them unchecked
	message   string // a part of the English message
	messageDE string // a part of the German message
}

func (c evidenceCase) run(t *testing.T, doc []byte) {
	t.Helper()
	for _, e := range c.edits {
		if !bytes.Contains(doc, []byte(e[0])) {
			t.Fatalf("the document has no %q", e[0])
		}
		doc = bytes.Replace(doc, []byte(e[0]), []byte(e[1]), 1)
	}
	rep, err := NewValidator().Validate(context.Background(), doc, Options{AllRules: true})
	if err != nil {
		t.Fatal(err)
	}
	var f *Finding
	for i := range rep.Findings {
		if rep.Findings[i].Rule == c.rule && (c.location == "" || rep.Findings[i].Location == c.location) {
			f = &rep.Findings[i]
			break
		}
	}
	if f == nil {
		t.Fatalf("no finding of %s at %q; findings: %+v", c.rule, c.location, rep.Findings)
	}
	if f.Line <= 0 {
		t.Errorf("%s: line %d, want the element's line", c.rule, f.Line)
	}
	if f.Evidence == nil {
		t.Fatalf("%s: no evidence (message %q)", c.rule, f.Message)
	}
	if f.Actual != c.actual || f.Expected != c.expected {
		t.Errorf("%s: actual %q, expected %q; want %q, %q", c.rule, f.Actual, f.Expected, c.actual, c.expected)
	}
	if !strings.Contains(f.Calculation, c.calc) || c.calc == "" && f.Calculation != "" {
		t.Errorf("%s: calculation %q, want it to contain %q", c.rule, f.Calculation, c.calc)
	}
	if c.fieldPath != "" {
		found := false
		for _, fl := range f.Fields {
			found = found || fl.Path == c.fieldPath && fl.Line > 0
		}
		if !found {
			t.Errorf("%s: fields %+v lack %s with its line", c.rule, f.Fields, c.fieldPath)
		}
	}
	if !strings.Contains(f.Message, c.message) || !strings.Contains(f.MessageDE, c.messageDE) {
		t.Errorf("%s: messages\n%s\n%s\nwant them to contain\n%s\n%s", c.rule, f.Message, f.MessageDE, c.message, c.messageDE)
	}
}

// TestEvidenceUBL checks the evidence of a failing rule of each family on
// the UBL fixture: the values the document has, the value the rule
// expected, and both messages saying so.
func TestEvidenceUBL(t *testing.T) {
	const (
		subtotal = `<cbc:TaxableAmount currencyID="EUR">1000.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">190.00</cbc:TaxAmount>`
		line = `<cbc:InvoicedQuantity unitCode="H87">4</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">1000.00</cbc:LineExtensionAmount>`
	)
	cases := []evidenceCase{
		{name: "BR-CO-17 the issue's example", rule: "BR-CO-17",
			edits: [][2]string{{subtotal, `<cbc:TaxableAmount currencyID="EUR">629.72</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="EUR">43.07</cbc:TaxAmount>`}, {"<cbc:Percent>19</cbc:Percent>", "<cbc:Percent>7</cbc:Percent>"}},
			location: "/Invoice/cac:TaxTotal/cac:TaxSubtotal", actual: "43.07", expected: "44.08", calc: "629.72 × 7 % = 44.08",
			fieldPath: "/Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent",
			message:   "Found: 43.07; expected: 44.08 (629.72 × 7 % = 44.08; a difference below 1 is tolerated).",
			messageDE: "Vorhanden: 43,07; erwartet: 44,08 (629,72 × 7 % = 44,08; eine Abweichung unter 1 wird toleriert)."},
		{name: "BR-CO-10 line total", rule: "BR-CO-10",
			edits: [][2]string{{`<cbc:LineExtensionAmount currencyID="EUR">1000.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount`, `<cbc:LineExtensionAmount currencyID="EUR">999.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount`}},
			location: "/Invoice/cac:LegalMonetaryTotal", actual: "999.00", expected: "1000.00", calc: "line net amounts (BT-131): 1000.00",
			fieldPath: "/Invoice/cac:InvoiceLine/cbc:LineExtensionAmount",
			message:   "Found: 999.00; expected: 1000.00", messageDE: "Vorhanden: 999,00; erwartet: 1000,00"},
		{name: "BR-CO-16 amount due", rule: "BR-CO-16",
			edits:  [][2]string{{`<cbc:PayableAmount currencyID="EUR">1190.00`, `<cbc:PayableAmount currencyID="EUR">1109.00`}},
			actual: "1109.00", expected: "1190.00", calc: "= BT-112",
			message: "Found: 1109.00; expected: 1190.00 (= BT-112).", messageDE: "Vorhanden: 1109,00; erwartet: 1190,00"},
		{name: "BR-27 negative price", rule: "BR-27",
			edits:    [][2]string{{`<cbc:PriceAmount currencyID="EUR">250.00`, `<cbc:PriceAmount currencyID="EUR">-250.00`}},
			location: "/Invoice/cac:InvoiceLine", actual: "-250.00", expected: "0 or more",
			message: "Found: -250.00; expected: 0 or more.", messageDE: "Vorhanden: -250,00; erwartet: 0 oder mehr."},
		{name: "BR-29 period", rule: "BR-29",
			edits:  [][2]string{{"<cbc:EndDate>2026-10-27</cbc:EndDate>", "<cbc:EndDate>2026-10-20</cbc:EndDate>"}},
			actual: "2026-10-20", expected: "on or after 2026-10-26", fieldPath: "/Invoice/cac:InvoicePeriod/cbc:StartDate",
			message: "Found: “2026-10-20”; expected: on or after 2026-10-26.", messageDE: "Vorhanden: „2026-10-20“; erwartet: am oder nach dem 2026-10-26."},
		{name: "BR-DEC-23 three decimals", rule: "BR-DEC-23",
			edits:  [][2]string{{line, strings.Replace(line, "1000.00", "1000.005", 1)}},
			actual: "1000.005", expected: "at most two decimal places",
			message: "Found: “1000.005”; expected: at most two decimal places.", messageDE: "erwartet: höchstens zwei Nachkommastellen."},
		{name: "BR-S-08 taxable amount", rule: "BR-S-08",
			edits:  [][2]string{{subtotal, strings.Replace(subtotal, "1000.00", "900.00", 1)}},
			actual: "900.00", expected: "1000.00", calc: "category S at 19 %",
			message:   "Found: 900.00; expected: 1000.00 (line net amounts + charges − allowances of category S at 19 %).",
			messageDE: "Vorhanden: 900,00; erwartet: 1000,00 (Nettobeträge der Positionen + Zuschläge − Nachlässe der Kategorie S zu 19 %)."},
		{name: "BR-S-09 tax amount", rule: "BR-S-09",
			edits:  [][2]string{{subtotal, strings.Replace(subtotal, "190.00", "180.00", 1)}},
			actual: "180.00", expected: "190.00", calc: "1000.00 × 19 % = 190.00",
			message: "Found: 180.00; expected: 190.00", messageDE: "Vorhanden: 180,00; erwartet: 190,00 (1000,00 × 19 % = 190,00)."},
		{name: "BR-CL-23 unit", rule: "BR-CL-23",
			edits:  [][2]string{{`unitCode="H87"`, `unitCode="XXXX"`}},
			actual: "XXXX", expected: "a code of UN/ECE Rec 20/Rec 21", fieldPath: "/Invoice/cac:InvoiceLine/cbc:InvoicedQuantity/@unitCode",
			message: "Found: “XXXX”; expected: a code of UN/ECE Rec 20/Rec 21.", messageDE: "Vorhanden: „XXXX“; erwartet: ein Code aus UN/ECE Rec 20/Rec 21."},
		{name: "UBL-CR-005 UUID", rule: "UBL-CR-005",
			edits:  [][2]string{{"<cbc:ID>RE-2026-0042</cbc:ID>", "<cbc:ID>RE-2026-0042</cbc:ID><cbc:UUID>u-1</cbc:UUID>"}},
			actual: "u-1", fieldPath: "/Invoice/cbc:UUID",
			message: "Found: “u-1”.", messageDE: "Vorhanden: „u-1“."},
		{name: "UBL-SR-34 two line notes", rule: "UBL-SR-34",
			edits:  [][2]string{{"<cbc:ID>1</cbc:ID>", "<cbc:ID>1</cbc:ID><cbc:Note>a</cbc:Note><cbc:Note>b</cbc:Note>"}},
			actual: "2", expected: "at most 1 × cbc:Note", fieldPath: "/Invoice/cac:InvoiceLine/cbc:Note[2]",
			message: "Found: 2; expected: at most 1 × cbc:Note.", messageDE: "Vorhanden: 2; erwartet: höchstens 1 × cbc:Note."},
		{name: "UBL-DT-01 amount", rule: "UBL-DT-01",
			edits:  [][2]string{{`<cbc:PayableAmount currencyID="EUR">1190.00`, `<cbc:PayableAmount currencyID="EUR">1190.001`}},
			actual: "1190.001", expected: "at most two decimal places",
			message: "Found: “1190.001”", messageDE: "Vorhanden: „1190.001“"},
		{name: "BR-DE-17 type code", rule: "BR-DE-17",
			edits:  [][2]string{{"<cbc:InvoiceTypeCode>380", "<cbc:InvoiceTypeCode>383"}},
			actual: "383", expected: "one of 326, 380, 384, 389, 381, 875, 876, 877", fieldPath: "/Invoice/cbc:InvoiceTypeCode",
			message: "Found: “383”; expected: one of 326,", messageDE: "Vorhanden: „383“; erwartet: einer von 326,"},
		{name: "PEPPOL-EN16931-R120 line amount", rule: "PEPPOL-EN16931-R120",
			edits:  [][2]string{{`<cbc:PriceAmount currencyID="EUR">250.00`, `<cbc:PriceAmount currencyID="EUR">240.00`}},
			actual: "1000.00", expected: "960.00", calc: "4 × 240 / 1 + 0.00 − 0.00 = 960.00",
			message: "Found: 1000.00; expected: 960.00", messageDE: "Vorhanden: 1000,00; erwartet: 960,00 (4 × 240 / 1 + 0,00 − 0,00 = 960,00)."},
		{name: "XSD what was expected", rule: "XSD",
			edits:    [][2]string{{"<cbc:ID>RE-2026-0042</cbc:ID>", "<cbc:ID>RE-2026-0042</cbc:ID><cbc:Bogus>1</cbc:Bogus>"}},
			location: "/Invoice/cbc:Bogus", actual: "cbc:Bogus", expected: "one of cbc:CopyIndicator, cbc:UUID, cbc:IssueDate",
			message:   "Found: “cbc:Bogus”; expected: one of cbc:CopyIndicator, cbc:UUID, cbc:IssueDate.",
			messageDE: "Vorhanden: „cbc:Bogus“; erwartet: eines von cbc:CopyIndicator, cbc:UUID, cbc:IssueDate."},
		{name: "XSD a required element missing", rule: "XSD",
			edits:    [][2]string{{`<cbc:PriceAmount currencyID="EUR">250.00</cbc:PriceAmount>`, ""}},
			location: "/Invoice/cac:InvoiceLine/cac:Price", expected: "cbc:PriceAmount",
			message:   "the content of cac:Price is incomplete: a required element is missing. Found: nothing; expected: cbc:PriceAmount.",
			messageDE: "der Inhalt von cac:Price ist unvollständig: ein Pflichtelement fehlt. Vorhanden: nichts; erwartet: cbc:PriceAmount."},
	}
	fixture := readFixture(t, "minimal-ubl.xml")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, fixture) })
	}
}

// TestEvidenceCII checks the evidence of the CII rules on a CII business
// case of the XRechnung test suite.
func TestEvidenceCII(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(sharedDir(t), "conformance", "xrechnung-testsuite/business-cases/standard/01.01a-INVOICE_uncefact.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const settle = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
	cases := []evidenceCase{
		{name: "BR-CO-17", rule: "BR-CO-17",
			edits:    [][2]string{{"<ram:CalculatedAmount>22.04", "<ram:CalculatedAmount>20.50"}},
			location: settle + "/ram:ApplicableTradeTax", actual: "20.50", expected: "22.04", calc: "314.86 × 7 % = 22.04",
			fieldPath: settle + "/ram:ApplicableTradeTax/ram:BasisAmount",
			message:   "Found: 20.50; expected: 22.04 (314.86 × 7 % = 22.04;", messageDE: "Vorhanden: 20,50; erwartet: 22,04 (314,86 × 7 % = 22,04;"},
		{name: "BR-CO-10", rule: "BR-CO-10",
			edits:  [][2]string{{"<ram:LineTotalAmount>314.86", "<ram:LineTotalAmount>300.00"}},
			actual: "300.00", expected: "314.86", calc: "288.79 + 26.07 = 314.86",
			fieldPath: "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[2]/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
			message:   "Found: 300.00; expected: 314.86 (line net amounts (BT-131): 288.79 + 26.07 = 314.86).",
			messageDE: "Vorhanden: 300,00; erwartet: 314,86 (Nettobeträge der Positionen (BT-131): 288,79 + 26,07 = 314,86)."},
		{name: "BR-S-08", rule: "BR-S-08",
			edits:  [][2]string{{"<ram:BasisAmount>314.86", "<ram:BasisAmount>300.00"}},
			actual: "300.00", expected: "314.86", calc: "category S at 7 %",
			message: "Found: 300.00; expected: 314.86", messageDE: "Vorhanden: 300,00; erwartet: 314,86"},
		{name: "BR-DEC-19", rule: "BR-DEC-19",
			edits:  [][2]string{{"<ram:BasisAmount>314.86", "<ram:BasisAmount>314.861"}},
			actual: "314.861", expected: "at most two decimal places",
			message: "Found: “314.861”", messageDE: "Vorhanden: „314.861“"},
		{name: "BR-CL-23", rule: "BR-CL-23",
			edits:  [][2]string{{`unitCode="XPP"`, `unitCode="XXXX"`}},
			actual: "XXXX", expected: "a code of UN/ECE Rec 20/Rec 21",
			message: "Found: “XXXX”", messageDE: "Vorhanden: „XXXX“"},
		{name: "CII-SR-002", rule: "CII-SR-002",
			edits:  [][2]string{{"<rsm:ExchangedDocumentContext>", "<rsm:ExchangedDocumentContext><ram:TestIndicator><udt:Indicator>true</udt:Indicator></ram:TestIndicator>"}},
			actual: "true", fieldPath: "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:TestIndicator",
			message: "Found: “true”.", messageDE: "Vorhanden: „true“."},
		{name: "CII-DT-031", rule: "CII-DT-031",
			edits:  [][2]string{{"<ram:TaxBasisTotalAmount>", `<ram:TaxBasisTotalAmount currencyID="EUR">`}},
			actual: "EUR", fieldPath: settle + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxBasisTotalAmount/@currencyID",
			message: "Found: “EUR”.", messageDE: "Vorhanden: „EUR“."},
		{name: "BR-DE-17", rule: "BR-DE-17",
			edits:  [][2]string{{"<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>383</ram:TypeCode>"}},
			actual: "383", expected: "one of 326, 380, 384, 389, 381, 875, 876, 877",
			message: "Found: “383”", messageDE: "Vorhanden: „383“"},
		{name: "PEPPOL-EN16931-R120", rule: "PEPPOL-EN16931-R120",
			edits:  [][2]string{{"<ram:LineTotalAmount>288.79", "<ram:LineTotalAmount>280.00"}},
			actual: "280.00", expected: "288.79", calc: "= 288.79",
			message: "Found: 280.00; expected: 288.79", messageDE: "Vorhanden: 280,00; erwartet: 288,79"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, doc) })
	}
}

// TestEvidenceLocation checks that a finding's location indexes a
// repeated step and that its line and column are those of the element.
func TestEvidenceLocation(t *testing.T) {
	doc := readFixture(t, "minimal-ubl.xml")
	i, j := bytes.Index(doc, []byte("  <cac:InvoiceLine>")), bytes.Index(doc, []byte("</cac:InvoiceLine>"))+len("</cac:InvoiceLine>\n")
	second := bytes.Replace(doc[i:j], []byte("<cbc:ID>1</cbc:ID>"), []byte("<cbc:ID>2</cbc:ID>"), 1)
	second = bytes.Replace(second, []byte(">250.00<"), []byte(">-250.00<"), 1)
	doc = append(doc[:j:j], append(second, doc[j:]...)...)
	line := bytes.Count(doc[:j], []byte("\n")) + 1
	rep, err := NewValidator().Validate(context.Background(), doc, Options{AllRules: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.Rule != "BR-27" {
			continue
		}
		if f.Location != "/Invoice/cac:InvoiceLine[2]" || f.Line != line || f.Column != 3 {
			t.Errorf("BR-27 at %s, line %d, column %d; want /Invoice/cac:InvoiceLine[2], line %d, column 3", f.Location, f.Line, f.Column, line)
		}
		if len(f.Fields) != 1 || f.Fields[0].Path != "/Invoice/cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount" {
			t.Errorf("BR-27 fields %+v", f.Fields)
		}
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"line":`, `"column":3`, `"actual":"-250.00"`, `"expected":"0 or more"`, `"fields":[{"bt":"BT-146"`} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("JSON %s lacks %s", b, want)
			}
		}
		return
	}
	t.Fatal("BR-27 did not fire")
}

// TestEvidenceIDs checks that every explanation is of a rule the table has
// in that syntax, so that none is left behind when a rule goes.
func TestEvidenceIDs(t *testing.T) {
	rs := compile(allRules())
	for s, table := range explainers() {
		for id := range table {
			found := false
			for _, r := range rs.byID[id] {
				found = found || r.Syntax() == s
			}
			if !found {
				t.Errorf("an explanation of %s %s, a rule the table lacks", s, id)
			}
		}
	}
}

// TestEvidenceAccepted checks that an accepted document's report carries
// no evidence: explanations run only for rules that fired.
func TestEvidenceAccepted(t *testing.T) {
	rep, err := NewValidator().Validate(context.Background(), readFixture(t, "minimal-ubl.xml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Accepted || len(rep.Findings) != 0 {
		t.Fatalf("accepted %v, findings %+v", rep.Accepted, rep.Findings)
	}
}
