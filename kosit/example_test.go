package kosit_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/kosit"
)

// A document without a specification identifier matches no scenario: the
// reference daemon answers 406 with a report that recommends rejection.
func ExampleNewReport() {
	data := []byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`)
	rep, err := invoice.NewValidator().Validate(context.Background(), data, invoice.Options{})
	if err != nil {
		log.Fatal(err)
	}
	doc := kosit.NewReport(kosit.Document{Name: "invoice.xml", Data: data, Received: time.Now()}, rep, kosit.Engine{})
	fmt.Println("status", kosit.Status(rep))
	fmt.Println("valid", doc.Root().SelectAttrValue("valid", ""))
	for _, m := range doc.FindElements("//rep:message") {
		fmt.Println(m.SelectAttrValue("id", ""), m.SelectAttrValue("code", ""), m.SelectAttrValue("level", ""), m.SelectAttrValue("xpathLocation", ""))
	}
	fmt.Println(doc.FindElement("//rep:assessment/*").Tag)
	// Output:
	// status 406
	// valid false
	// val-scenario.1 SCENARIO error /Invoice/cbc:CustomizationID
	// reject
}

// A ReportWriter writes reports as the daemon answers them, one after
// another from the parts it built once: the command line's --format kosit
// writes each file with one.
func ExampleReportWriter() {
	reports := kosit.NewReportWriter(kosit.Engine{Name: "eingang", Version: "example"})
	data := []byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`)
	rep, err := invoice.NewValidator().Validate(context.Background(), data, invoice.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	if err := reports.Write(&b, kosit.Document{Name: "invoice.xml", Data: data, Received: time.Now()}, rep); err != nil {
		log.Fatal(err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b.Bytes()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(doc.FindElement("//rep:engine/rep:info").Text())
	fmt.Println(doc.FindElement("//rep:documentReference").Text())
	fmt.Println(doc.FindElement("//rep:assessment/*").Tag)
	// Output:
	// example
	// invoice.xml
	// reject
}
