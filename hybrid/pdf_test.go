package hybrid

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// corpus reads an invoice of the conformance corpus.
func corpus(t testing.TB, rel string) []byte {
	t.Helper()
	dir := os.Getenv("EINGANG_SHARED")
	if dir == "" {
		dir = "../../shared"
	}
	b, err := os.ReadFile(filepath.Join(dir, "conformance", rel))
	if err != nil {
		t.Fatalf("conformance corpus: %v (set EINGANG_SHARED)", err)
	}
	return b
}

const (
	ciiXR = "xrechnung-testsuite/technical-cases/cius/01.06_minimal_test_uncefact.xml"
	ublXR = "xrechnung-testsuite/technical-cases/cius/01.05_minimal_test_ubl.xml"
)

// attachment is a file to embed in a test PDF.
type attachment struct {
	name string
	data []byte
	rel  string // AFRelationship, "" for none
}

// makePDF makes a one-page PDF with pdfcpu that embeds files, flat in the
// EmbeddedFiles name tree, compressed, in object streams, and with xmp as
// its XMP metadata if not empty (testenv.PDF).
func makePDF(t testing.TB, xmp string, files ...attachment) []byte {
	t.Helper()
	fs := make([]testenv.EmbeddedFile, len(files))
	for i, f := range files {
		fs[i] = testenv.EmbeddedFile{Name: f.name, Data: f.data, Rel: f.rel}
	}
	return testenv.PDF(t, xmp, fs...)
}

// xmpFor is XMP metadata with the Factur-X extension schema.
func xmpFor(name, level string) string { return testenv.FacturXXMP(name, level) }

// encrypt encrypts pdf with pdfcpu (testenv.EncryptPDF).
func encrypt(t testing.TB, pdf []byte, user string) []byte { return testenv.EncryptPDF(t, pdf, user) }

// rawPDF writes objects (the bodies of objects 1..n, object 1 the
// catalog) as a PDF with a classic cross-reference table, by hand.
func rawPDF(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// stream is the body of a stream object holding data, Flate-compressed
// when flate is true.
func stream(dict string, data []byte, flate bool) string {
	if flate {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data) //nolint:errcheck // writes to memory
		w.Close()     //nolint:errcheck // writes to memory
		data = z.Bytes()
		dict += " /Filter /FlateDecode"
	}
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// kidsPDF embeds files in an EmbeddedFiles name tree of two levels of
// Kids, one leaf per file, by hand: pdfcpu writes flat trees.
func kidsPDF(files ...attachment) []byte {
	// 1 catalog, 2 pages, 3 names, 4 root node, 5 intermediate node, then
	// per file: leaf, filespec, stream.
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Names 3 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		"<< /EmbeddedFiles 4 0 R >>",
		"<< /Kids [5 0 R] >>",
		"",
	}
	var kids []string
	for i, f := range files {
		n := 6 + 3*i
		kids = append(kids, fmt.Sprintf("%d 0 R", n))
		rel := ""
		if f.rel != "" {
			rel = " /AFRelationship /" + f.rel
		}
		objs = append(objs,
			fmt.Sprintf("<< /Limits [(%s) (%s)] /Names [(%s) %d 0 R] >>", f.name, f.name, f.name, n+1),
			fmt.Sprintf("<< /Type /Filespec /F (%s) /UF (%s) /EF << /F %d 0 R >>%s >>", f.name, f.name, n+2, rel),
			stream("/Type /EmbeddedFile", f.data, true))
	}
	objs[4] = "<< /Kids [" + strings.Join(kids, " ") + "] >>"
	return rawPDF(objs...)
}
