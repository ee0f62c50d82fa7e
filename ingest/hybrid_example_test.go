package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// A channel hands a PDF to Submit like any document; a PDF that carries
// no acceptable invoice XML comes back as a *PDFError with a stable code
// and texts for the sender, and nothing of it was kept.
func ExamplePDFError() {
	dir, err := os.MkdirTemp("", "eingang-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := store.OpenFS(dir)
	if err != nil {
		log.Fatal(err)
	}
	sample := directory.Sample()
	p, err := ingest.New(ingest.Config{Store: st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return sample }})
	if err != nil {
		log.Fatal(err)
	}
	_, err = p.Submit(context.Background(), ingest.Submission{Data: []byte("%PDF-1.7\n%%EOF\n"), Channel: "upload", ContentType: "application/pdf"})
	var refused *ingest.PDFError
	if errors.As(err, &refused) {
		fmt.Println(refused.Code)
		fmt.Println(refused.MessageDE)
	}
	// Output:
	// unreadable
	// das PDF kann nicht gelesen werden; es ist beschädigt oder kein gültiges PDF
}

// A channel that answers later (the e-mail channel's reply) rebuilds a
// refusal's texts from its code.
func ExamplePDFRefusal() {
	e := ingest.PDFRefusal("xml-differs")
	fmt.Println(e.Message)
	// Output:
	// the PDF carries an invoice XML that differs from the XML sent with it; send one invoice: the XML alone, the PDF alone, or the PDF with exactly its embedded XML
}
