package hybrid

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// code returns the code of err's *Error, or "" when err is nil or none.
func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// withGuideline replaces the XRechnung guideline id of a corpus invoice.
func withGuideline(b []byte, id string) []byte {
	return bytes.Replace(b, []byte("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"), []byte(id), 1)
}

// nested is a PDF whose catalog holds arrays nested n deep.
func nested(n int) []byte {
	return rawPDF("<< /Type /Catalog /Pages 2 0 R /Deep "+strings.Repeat("[", n)+strings.Repeat("]", n)+" >>",
		"<< /Type /Pages /Kids [] /Count 0 >>")
}

// nestedObjStm is a PDF with an object stream whose object holds arrays
// nested n deep, Flate-compressed when flate is true.
func nestedObjStm(n int, flate bool) []byte {
	obj := "<< /Deep " + strings.Repeat("[", n) + strings.Repeat("]", n) + " >>"
	return rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
		stream("/Type /ObjStm /N 1 /First 4", []byte("4 0 "+obj), flate))
}

// filtered is a PDF with a stream of the dictionary entries and data.
func filtered(dict string, data []byte) []byte {
	return rawPDF("<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>", stream(dict, data, false))
}

// zeros is n zero bytes, zlib-compressed.
func zeros(n int) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(make([]byte, n)) //nolint:errcheck // writes to memory
	w.Close()                //nolint:errcheck // writes to memory
	return z.Bytes()
}

// ascii85Of is data in ASCII85 with its end-of-data marker.
func ascii85Of(data []byte) []byte {
	out := make([]byte, ascii85.MaxEncodedLen(len(data)))
	return append(out[:ascii85.Encode(out, data)], "~>"...)
}

// bomb is a PDF with a Flate stream of n zero bytes, compressed twice
// when twice is true.
func bomb(n int, twice bool) []byte {
	if !twice {
		return filtered("/Filter /FlateDecode", zeros(n))
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(zeros(n)) //nolint:errcheck // writes to memory
	w.Close()         //nolint:errcheck // writes to memory
	return filtered("/Filter [/FlateDecode /FlateDecode]", z.Bytes())
}

func TestHybridExtract(t *testing.T) {
	cii := corpus(t, ciiXR)
	ubl := corpus(t, ublXR)
	notInvoice := []byte(`<?xml version="1.0"?><order xmlns="urn:example:order"><id>1</id></order>`)
	doctype := append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>`), cii[bytes.Index(cii, []byte("<rsm:")):]...)
	good := makePDF(t, xmpFor("factur-x.xml", "XRECHNUNG"), attachment{"factur-x.xml", cii, "Alternative"})

	tests := []struct {
		name     string
		pdf      []byte
		limits   Limits
		code     string   // expected error code, "" for success
		file     string   // expected Result.Name
		xml      []byte   // expected Result.XML
		profile  string   // expected Result.Profile
		warnings []string // expected warning codes
	}{
		{name: "factur-x.xml", pdf: good, file: "factur-x.xml", xml: cii, profile: ProfileXRechnung},
		{name: "zugferd-invoice.xml", pdf: makePDF(t, xmpFor("zugferd-invoice.xml", "XRECHNUNG"), attachment{"zugferd-invoice.xml", cii, "Data"}),
			file: "zugferd-invoice.xml", xml: cii, profile: ProfileXRechnung},
		{name: "ZUGFeRD-invoice.xml", pdf: makePDF(t, xmpFor("ZUGFeRD-invoice.xml", "XRECHNUNG"), attachment{"ZUGFeRD-invoice.xml", cii, "Source"}),
			file: "ZUGFeRD-invoice.xml", xml: cii, profile: ProfileXRechnung},
		{name: "xrechnung.xml UBL", pdf: makePDF(t, xmpFor("xrechnung.xml", "XRECHNUNG"), attachment{"xrechnung.xml", ubl, "Alternative"}),
			file: "xrechnung.xml", xml: ubl, profile: ProfileXRechnung},
		{name: "known name beside other XML", pdf: makePDF(t, xmpFor("factur-x.xml", "XRECHNUNG"),
			attachment{"order.xml", notInvoice, "Supplement"}, attachment{"factur-x.xml", cii, "Alternative"}, attachment{"other.xml", ubl, "Supplement"}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung},
		{name: "single invoice XML of another name", pdf: makePDF(t, xmpFor("rechnung-4711.xml", "EN 16931"),
			attachment{"rechnung-4711.xml", withGuideline(ubl, "urn:cen.eu:en16931:2017"), "Alternative"}, attachment{"order.xml", notInvoice, "Supplement"}, attachment{"logo.png", []byte("\x89PNG"), "Supplement"}),
			file: "rechnung-4711.xml", xml: withGuideline(ubl, "urn:cen.eu:en16931:2017"), profile: ProfileEN16931},
		{name: "Kids in the name tree", pdf: kidsPDF(attachment{"logo.png", []byte("\x89PNG"), ""}, attachment{"factur-x.xml", cii, "Alternative"}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung, warnings: []string{WarnXMPMissing}},
		{name: "profile BASIC", pdf: makePDF(t, xmpFor("factur-x.xml", "BASIC"),
			attachment{"factur-x.xml", withGuideline(cii, "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"), "Alternative"}),
			file: "factur-x.xml", xml: withGuideline(cii, "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"), profile: ProfileBasic},
		{name: "AFRelationship missing", pdf: makePDF(t, xmpFor("factur-x.xml", "XRECHNUNG"), attachment{"factur-x.xml", cii, ""}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung, warnings: []string{WarnAFRelationship}},
		{name: "AFRelationship Supplement", pdf: makePDF(t, xmpFor("factur-x.xml", "XRECHNUNG"), attachment{"factur-x.xml", cii, "Supplement"}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung, warnings: []string{WarnAFRelationship}},
		{name: "XMP names another file and profile", pdf: makePDF(t, xmpFor("zugferd-invoice.xml", "EN 16931"), attachment{"factur-x.xml", cii, "Alternative"}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung, warnings: []string{WarnXMPFileName, WarnXMPProfile}},
		{name: "no XMP", pdf: makePDF(t, "", attachment{"factur-x.xml", cii, "Alternative"}),
			file: "factur-x.xml", xml: cii, profile: ProfileXRechnung, warnings: []string{WarnXMPMissing}},

		{name: "not a PDF", pdf: cii, code: CodeNotPDF},
		{name: "empty", pdf: nil, code: CodeNotPDF},
		{name: "no attachment", pdf: makePDF(t, ""), code: CodeNoXML},
		{name: "only a non-invoice XML", pdf: makePDF(t, "", attachment{"order.xml", notInvoice, "Data"}), code: CodeNoXML},
		{name: "two known names", pdf: makePDF(t, "", attachment{"factur-x.xml", cii, "Alternative"}, attachment{"xrechnung.xml", ubl, "Alternative"}), code: CodeTwoXML},
		{name: "two invoice XMLs of other names", pdf: makePDF(t, "", attachment{"a.xml", cii, "Alternative"}, attachment{"b.xml", ubl, "Alternative"}), code: CodeTwoXML},
		{name: "encrypted", pdf: encrypt(t, good, "user"), code: CodeEncrypted},
		{name: "encrypted, no user password", pdf: encrypt(t, good, ""), code: CodeEncrypted},
		{name: "truncated", pdf: good[:len(good)/2], code: CodeUnreadable},
		{name: "DOCTYPE", pdf: makePDF(t, "", attachment{"factur-x.xml", doctype, "Alternative"}), code: CodeXMLNotWellFormed},
		{name: "XML cut short", pdf: makePDF(t, "", attachment{"factur-x.xml", cii[:len(cii)/2], "Alternative"}), code: CodeXMLNotWellFormed},
		{name: "single other .xml not well-formed", pdf: makePDF(t, "", attachment{"invoice.xml", cii[:len(cii)/2], "Alternative"}), code: CodeXMLNotWellFormed},
		{name: "over MaxBytes", pdf: good, limits: Limits{MaxBytes: int64(len(good)) - 1}, code: CodeTooLarge},
		{name: "nested too deep", pdf: nested(100), code: CodePDFBomb},
		{name: "nested within the limit", pdf: nested(50), code: CodeNoXML},
		{name: "nested too deep in a compressed object stream", pdf: nestedObjStm(100, true), code: CodePDFBomb},
		{name: "nested too deep in an object stream", pdf: nestedObjStm(100, false), code: CodePDFBomb},
		{name: "object stream nested within the limit", pdf: nestedObjStm(50, true), code: CodeNoXML},
		{name: "Flate bomb", pdf: bomb(11<<20, false), limits: Limits{MaxDecompressed: 10 << 20}, code: CodePDFBomb},
		{name: "double Flate bomb", pdf: bomb(11<<20, true), limits: Limits{MaxDecompressed: 10 << 20}, code: CodePDFBomb},
		{name: "ASCIIHex then Flate bomb", pdf: filtered("/Filter [/ASCIIHexDecode /FlateDecode]", []byte(hex.EncodeToString(zeros(11<<20))+">")),
			limits: Limits{MaxDecompressed: 10 << 20}, code: CodePDFBomb},
		{name: "ASCII85 then Flate bomb", pdf: filtered("/Filter [/A85 /Fl]", ascii85Of(zeros(11<<20))),
			limits: Limits{MaxDecompressed: 10 << 20}, code: CodePDFBomb},
		{name: "ASCII85 then Flate within the limit", pdf: filtered("/Filter [/ASCII85Decode /FlateDecode]", ascii85Of(zeros(9<<20))),
			limits: Limits{MaxDecompressed: 10 << 20}, code: CodeNoXML},
		{name: "RunLength bomb", pdf: filtered("/Filter /RunLengthDecode", bytes.Repeat([]byte{129, 0}, (11<<20)/128)),
			limits: Limits{MaxDecompressed: 10 << 20}, code: CodePDFBomb},
		{name: "RunLength within the limit", pdf: filtered("/Filter /RunLengthDecode", append(bytes.Repeat([]byte{129, 0, 2, 'a', 'b', 'c'}, (9<<20)/131), 128)),
			limits: Limits{MaxDecompressed: 10 << 20}, code: CodeNoXML},
		{name: "LZW stream", pdf: filtered("/Filter /LZWDecode", []byte{0x80, 0x0b, 0x60, 0x50}), code: CodePDFBomb},
		{name: "indirect Filter", pdf: filtered("/Filter 2 0 R", zeros(10)), code: CodePDFBomb},
		{name: "Flate stream within the limit", pdf: bomb(9<<20, false), limits: Limits{MaxDecompressed: 10 << 20}, code: CodeNoXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Extract(context.Background(), tt.pdf, tt.limits)
			if got := code(err); got != tt.code {
				t.Fatalf("Extract: error %v (code %q), want code %q", err, got, tt.code)
			}
			if tt.code != "" {
				t.Log(err)
				var e *Error
				errors.As(err, &e)
				if e.Message == "" || e.MessageDE == "" {
					t.Errorf("error %q lacks a message: %+v", tt.code, e)
				}
				return
			}
			if res.Name != tt.file || res.Profile != tt.profile || !bytes.Equal(res.XML, tt.xml) {
				t.Errorf("Extract = %q, profile %q, %d bytes XML (equal %v); want %q, %q, %d bytes",
					res.Name, res.Profile, len(res.XML), bytes.Equal(res.XML, tt.xml), tt.file, tt.profile, len(tt.xml))
			}
			var got []string
			for _, w := range res.Warnings {
				got = append(got, w.Code)
				if w.Message == "" || w.MessageDE == "" {
					t.Errorf("warning %q lacks a message", w.Code)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.warnings, ",") {
				t.Errorf("warnings %v, want %v", res.Warnings, tt.warnings)
			}
		})
	}
}

// big is a PDF of more than 30 MB: the invoice beside 30 MB that do not
// compress.
func big(t testing.TB) []byte {
	t.Helper()
	noise := make([]byte, 30<<20)
	rand.Read(noise)
	return makePDF(t, xmpFor("factur-x.xml", "XRECHNUNG"),
		attachment{"factur-x.xml", corpus(t, ciiXR), "Alternative"}, attachment{"scan.bin", noise, "Supplement"})
}

func TestHybridExtractLarge(t *testing.T) {
	pdf := big(t)
	if len(pdf) < 30<<20 {
		t.Fatalf("test PDF is %d bytes, want 30 MB", len(pdf))
	}
	if _, err := Extract(context.Background(), pdf, Limits{}); code(err) != CodeTooLarge {
		t.Fatalf("30 MB under the default limit: %v, want %s", err, CodeTooLarge)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := Extract(context.Background(), pdf, Limits{MaxBytes: 64 << 20})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("30 MB under a 64 MB limit: %v", err)
	}
	if res.Name != "factur-x.xml" {
		t.Errorf("found %q", res.Name)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MB PDF: %d MB allocated", len(pdf)>>20, alloc>>20)
	if alloc > 4*uint64(len(pdf)) {
		t.Errorf("allocated %d bytes for a %d byte PDF, want at most 4 times its size", alloc, len(pdf))
	}
}

func TestHybridExtractContext(t *testing.T) {
	pdf := makePDF(t, "", attachment{"factur-x.xml", corpus(t, ciiXR), "Alternative"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Extract(ctx, pdf, Limits{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}

	large := big(t)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Extract(ctx, large, Limits{MaxBytes: 64 << 20})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("30 MB in 5 ms: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned %v after the deadline", d)
	}
}

func TestHybridGuard(t *testing.T) {
	_, err := guard(context.Background(), func() (*Result, error) { panic("boom") })
	if code(err) != CodeUnreadable || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic: %v, want %s", err, CodeUnreadable)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	_, err = guard(ctx, func() (*Result, error) { <-release; return &Result{}, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging library: %v, want context.DeadlineExceeded", err)
	}
}

func TestHybridIsPDF(t *testing.T) {
	tests := []struct {
		data string
		want bool
	}{
		{"%PDF-1.7\n", true},
		{"\xef\xbb\xbf junk %PDF-1.4", true},
		{strings.Repeat(" ", 1020) + "%PDF-1.4", false},
		{"<?xml version=\"1.0\"?>", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPDF([]byte(tt.data)); got != tt.want {
			t.Errorf("IsPDF(%.20q) = %v, want %v", tt.data, got, tt.want)
		}
	}
}
