package hybrid

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzExtract feeds Extract mutations of generated PDFs: it must return
// a result or an *Error, never panic, hang or return a result that is not
// well-formed invoice XML.
func FuzzExtract(f *testing.F) {
	cii := corpus(f, ciiXR)
	ubl := corpus(f, ublXR)
	good := makePDF(f, xmpFor("factur-x.xml", "XRECHNUNG"), attachment{"factur-x.xml", cii, "Alternative"})
	for _, seed := range [][]byte{
		good,
		good[:len(good)/2],
		makePDF(f, "", attachment{"xrechnung.xml", ubl, "Data"}, attachment{"order.xml", []byte("<a/>"), ""}),
		makePDF(f, "", attachment{"a.xml", cii, ""}, attachment{"b.xml", ubl, ""}),
		makePDF(f, ""),
		encrypt(f, good, "user"),
		kidsPDF(attachment{"factur-x.xml", cii, "Alternative"}, attachment{"x.png", []byte("png"), ""}),
		nested(60),
		bomb(1<<16, true),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pdf []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := Extract(ctx, pdf, Limits{MaxBytes: 1 << 20, MaxDecompressed: 8 << 20})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) && !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error is no *Error: %v", err)
			}
			if res != nil {
				t.Fatalf("a result beside the error %v", err)
			}
			return
		}
		x, ierr := inspect(res.XML)
		if ierr != nil {
			t.Fatalf("result %q is not well-formed: %v", res.Name, ierr)
		}
		if res.Guideline != x.guideline || res.Profile != ProfileOf(x.guideline) {
			t.Fatalf("profile %q of %q, XML says %q", res.Profile, res.Guideline, x.guideline)
		}
	})
}
