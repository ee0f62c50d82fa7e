package hybrid_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/eingang/eingang/hybrid"
)

func ExampleExtract() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, pdf := range [][]byte{
		hybridPDF("factur-x.xml", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
		hybridPDF("factur-x.xml", "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"),
		[]byte("<Invoice/>"),
	} {
		res, err := hybrid.Extract(ctx, pdf, hybrid.Limits{})
		var e *hybrid.Error
		if errors.As(err, &e) {
			fmt.Println("rejected:", e.Code)
			continue
		}
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s, profile %s\n", res.Name, res.Profile)
		if p := hybrid.ProfileProblem(res.Guideline); p != nil {
			fmt.Println(p.Message)
		}
	}
	// Output:
	// factur-x.xml, profile XRECHNUNG
	// factur-x.xml, profile BASIC
	// ZUGFeRD profile BASIC is not an EN 16931 invoice: it is a subset that lacks parts of the invoice lines' details (item attributes, line allowances and charges, line period) and other EN 16931 elements; send the profile EN 16931 or XRECHNUNG
	// rejected: not-pdf
}

// hybridPDF is a PDF that embeds, uncompressed, a CII invoice of the
// guideline id as the file name.
func hybridPDF(name, guideline string) []byte {
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">
<rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>` + guideline + `</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
</rsm:CrossIndustryInvoice>`
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(" + name + ") 3 0 R] >> >> >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		"<< /Type /Filespec /F (" + name + ") /UF (" + name + ") /AFRelationship /Alternative /EF << /F 4 0 R >> >>",
		fmt.Sprintf("<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length %d >>\nstream\n%s\nendstream", len(xml), xml),
	}
	pdf := []byte("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = len(pdf)
		pdf = fmt.Appendf(pdf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := len(pdf)
	pdf = fmt.Appendf(pdf, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		pdf = fmt.Appendf(pdf, "%010d 00000 n \n", off)
	}
	return fmt.Appendf(pdf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
}

// Texts gives a code's explanation without an Error, e.g. to answer a
// sender later from a recorded code.
func ExampleTexts() {
	en, de, ok := hybrid.Texts(hybrid.CodeEncrypted)
	fmt.Println(ok)
	fmt.Println(en)
	fmt.Println(de)
	// Output:
	// true
	// the PDF is encrypted; a ZUGFeRD / Factur-X PDF (PDF/A-3) must not be encrypted
	// das PDF ist verschlüsselt; ein ZUGFeRD-/Factur-X-PDF (PDF/A-3) darf nicht verschlüsselt sein
}
