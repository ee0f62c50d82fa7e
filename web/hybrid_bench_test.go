package web

import (
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// BenchmarkHybridUpload sends the same invoices through the upload API as
// XML and as ZUGFeRD / Factur-X PDFs carrying them (filesystem store, 16
// clients), and reports invoices/s, latency percentiles, peak RSS and the
// allocations per upload (gateway and client together): what extracting
// the XML from a PDF costs beside validating it.
func BenchmarkHybridUpload(b *testing.B) {
	xmls := corpusDocs(b)
	if len(xmls) > 300 {
		xmls = xmls[:300]
	}
	pdfs := make([][]byte, len(xmls))
	for i, x := range xmls {
		pdfs[i] = testenv.HybridPDF(b, x, "XRECHNUNG")
	}
	b.Run("xml", func(b *testing.B) {
		b.ReportAllocs()
		uploadDocs(b, newEnvWith(b, fsStore(b), 20<<20, 0, asServed), 0, xmls, "application/xml", nil)
	})
	b.Run("pdf", func(b *testing.B) {
		b.ReportAllocs()
		uploadDocs(b, newEnvWith(b, fsStore(b), 20<<20, 0, asServed), 0, pdfs, "application/pdf", nil)
	})
}
