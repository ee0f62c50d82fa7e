package hybrid

import (
	"context"
	"testing"
)

// BenchmarkExtract measures PDFs per second through Extract, with
// memory, for a small hybrid invoice and for one of 30 MB.
func BenchmarkExtract(b *testing.B) {
	cii := corpus(b, ciiXR)
	cases := []struct {
		name   string
		pdf    []byte
		limits Limits
	}{
		{"small", makePDF(b, xmpFor("factur-x.xml", "XRECHNUNG"), attachment{"factur-x.xml", cii, "Alternative"}), Limits{}},
		{"kids", kidsPDF(attachment{"factur-x.xml", cii, "Alternative"}), Limits{}},
		{"30MB", big(b), Limits{MaxBytes: 64 << 20}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.pdf)))
			for b.Loop() {
				if _, err := Extract(context.Background(), c.pdf, c.limits); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
		})
	}
}
