package invoice

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportTextGolden writes the text report of documents of different
// outcomes (accepted, rejected by the rules with errors and warnings, no
// scenario, not well-formed) and compares each with its golden file in
// testdata/report.
func TestReportTextGolden(t *testing.T) {
	fixture := readFixture(t, "minimal-ubl.xml")
	cases := []struct {
		name, file string
		doc        []byte
	}{
		{"accepted", "minimal-ubl.xml", fixture},
		{"rejected-totals", "minimal-ubl.xml (payable changed)",
			bytes.Replace(fixture, []byte(`<cbc:PayableAmount currencyID="EUR">1190.00`), []byte(`<cbc:PayableAmount currencyID="EUR">1109.00`), 1)},
		{"not-wellformed", "minimal-ubl.xml (cut short)", fixture[:1200]},
		{"no-scenario", "en16931/cii/examples/CII_business_example_01.xml", nil},
		{"rejected-cii", "xrechnung-testsuite/business-cases/standard/01.01a-INVOICE_uncefact.xml (seller removed)", nil},
	}
	v := NewValidator()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := c.doc
			if doc == nil {
				path, _, _ := strings.Cut(c.file, " (")
				b, err := os.ReadFile(filepath.Join(sharedDir(t), "conformance", path))
				if err != nil {
					t.Fatal(err)
				}
				doc = b
				if strings.Contains(c.file, "seller removed") {
					i, j := bytes.Index(doc, []byte("<ram:SellerTradeParty>")), bytes.Index(doc, []byte("</ram:SellerTradeParty>"))
					doc = append(doc[:i:i], doc[j+len("</ram:SellerTradeParty>"):]...)
				}
			}
			// The release is named: the default one depends on the day.
			rep, err := v.Validate(context.Background(), doc, Options{Model: true, Release: Release20260131})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := rep.WriteText(&b, c.file); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("report", c.name+".txt"), b.Bytes())
		})
	}
}
