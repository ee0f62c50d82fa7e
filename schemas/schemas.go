// Package schemas holds the definitions the validator checks documents
// against that are data rather than logic: the code lists of the EN 16931
// rules (generated from the CEN validation artefacts by
// schemas/internal/codegen) and the structure of UBL 2.1 and CII D16B.
package schemas

// The generated files and their inputs: `make generate` sets EINGANG_SHARED
// (the shared folder) and CEN_ARTEFACTS (a copy of the CEN validation
// artefacts, see schemas/internal/codegen).
//
//go:generate go run ./internal/xsdgen -xsd ${EINGANG_SHARED}/xsd -out structure_gen.go
//go:generate go run ./internal/codegen -cen ${CEN_ARTEFACTS} -out codelists_gen.go -restrictions restrictions_gen.go
//go:generate go run ./internal/codegen -cen ${CEN_ARTEFACTS_1316} -base ${CEN_ARTEFACTS} -edition 1.3.16 -var codeLists1316 -out codelists_1316_gen.go

// A Restriction is a syntax rule of EN 16931 (UBL-CR, CII-SR) that an
// element or attribute the syntax allows is not used: the rule fails where
// Path selects something from the element its rule context (the line
// Context of the reference Schematron) selects. Path is a prefixed XPath
// of child steps, possibly starting with // or with
// (cac:InvoiceLine|cac:CreditNoteLine)/, possibly ending with an attribute.
type Restriction struct {
	ID      string
	Flag    string // fatal or warning
	Context int
	Path    string
}

// CodeList returns the codes a reference code list rule accepts, as a
// space-separated list with a space at each end (" EUR USD "), for a key
// "<syntax>/<rule id>/<n>": the n-th list in the rule's test, e.g.
// "ubl/BR-CL-03/0". It returns "" for an unknown key.
func CodeList(key string) string { return codeLists[key] }

// CodeListIn returns the code list of key as the given edition of the CEN
// validation artefacts has it ("1.3.15", "1.3.16"): an edition carries the
// lists it changed and shares the rest with the one before it. It returns
// "" for an unknown key or edition.
func CodeListIn(edition, key string) string {
	switch edition {
	case "1.3.15":
		return codeLists[key]
	case "1.3.16":
		if l, ok := codeLists1316[key]; ok {
			return l
		}
		return codeLists[key]
	}
	return ""
}
