package invoice

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// FuzzValidate feeds arbitrary bytes to the validator, seeded with the
// fixtures and, where present, the conformance test suite. It must never
// panic and always return a report, and the report of the validator that
// reuses its parsers must equal that of a parser used for the first time.
func FuzzValidate(f *testing.F) {
	f.Add(readFixture(f, "minimal-ubl.xml"))
	f.Add([]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a>\xfc</a>`))
	files, _ := filepath.Glob(filepath.Join(testenv.SharedDir(), "conformance", "xrechnung-testsuite", "*", "*", "*.xml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	v := NewValidator()
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := v.Validate(context.Background(), data, Options{AllRules: true, Model: true})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Accepted && rep.RejectReason == "" {
			t.Fatal("rejected without a reason")
		}
		if rep.Accepted && rep.Errors() > 0 {
			t.Fatal("accepted with errors")
		}
		fresh := *v
		fresh.parsers = &sync.Pool{New: func() any { return newParser() }}
		if got, want := reportJSON(t, v, data), reportJSON(t, &fresh, data); got != want {
			t.Fatalf("reused parser:\n%s\nfresh parser:\n%s", got, want)
		}
	})
}
