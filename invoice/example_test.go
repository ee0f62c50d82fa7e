package invoice_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"

	"github.com/eingang/eingang/invoice"
)

// Validate checks one document the way the KoSIT reference validator does
// with the XRechnung configuration, and reads its EN 16931 model.
func ExampleValidate() {
	data, err := os.ReadFile("testdata/minimal-ubl.xml")
	if err != nil {
		log.Fatal(err)
	}
	rep, err := invoice.Validate(context.Background(), data)
	if err != nil {
		log.Fatal(err) // only when the context ends first
	}
	fmt.Println("accepted:", rep.Accepted)
	fmt.Println("scenario:", rep.Scenario)
	fmt.Println("Leitweg-ID:", rep.Invoice.BuyerReference.Value)
	for _, f := range rep.Findings {
		fmt.Println(f.Level, f.Rule, f.Location)
	}
	// Output:
	// accepted: true
	// scenario: EN16931 XRechnung (UBL Invoice)
	// Leitweg-ID: 16071103-0001-17
}

// A Validator compiles the rules once and is safe for concurrent use.
// Every problem of a document is a finding of its report, never an error.
// Options.AllRules also lists the findings of the rules the reference
// skips (here all of them, once no scenario matches), as not counted.
func ExampleValidator_Validate() {
	v := invoice.NewValidator()
	good, err := os.ReadFile("testdata/minimal-ubl.xml")
	if err != nil {
		log.Fatal(err)
	}
	noLeitwegID := bytes.Replace(good, []byte("<cbc:BuyerReference>16071103-0001-17</cbc:BuyerReference>"), nil, 1)
	for _, doc := range []struct {
		name string
		data []byte
	}{
		{"no Leitweg-ID", noLeitwegID},
		{"cut short", good[:len(good)/2]},
		{"no scenario", bytes.Replace(noLeitwegID, []byte("xrechnung_3.0"), []byte("xrechnung_9.9"), 1)},
	} {
		rep, err := v.Validate(context.Background(), doc.data, invoice.Options{AllRules: true})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: accepted %t, reason %q, %d errors\n", doc.name, rep.Accepted, rep.RejectReason, rep.Errors())
		for _, f := range rep.Findings {
			if f.Level == invoice.LevelError {
				fmt.Printf("  %s at %s (counted: %t)\n", f.Rule, f.Location, f.Counted)
			}
		}
	}
	// Output:
	// no Leitweg-ID: accepted false, reason "rules", 1 errors
	//   BR-DE-15 at /Invoice (counted: true)
	// cut short: accepted false, reason "not-wellformed", 1 errors
	//   XML-WELLFORMED at line 50 (counted: true)
	// no scenario: accepted false, reason "no-scenario", 1 errors
	//   SCENARIO at /Invoice/cbc:CustomizationID (counted: true)
	//   BR-DE-15 at /Invoice (counted: false)
}
