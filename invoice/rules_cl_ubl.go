package invoice

import (
	"strings"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The tests and contexts of the EN 16931 code list rules that only UBL has
// (see clRules in rules_cl_common.go).

// clNoteSubject is BR-CL-08: a note starting "#XXX#" must use a subject
// code of the list.
func clNoteSubject(list string) func(n *node) bool {
	return func(n *node) bool {
		v := n.Value()
		i := strings.IndexByte(v, '#')
		if i < 0 {
			return true
		}
		rest := v[i+1:]
		j := strings.IndexByte(rest, '#')
		if j < 0 {
			return true // substring-before gives "", not three characters
		}
		code := rest[:j]
		if utf8.RuneCountInString(code) != 3 {
			return true
		}
		return strings.Contains(list, code)
	}
}

// ublTypeCodeListed is BR-CL-01: an invoice type code of the invoice list,
// a credit note type code of the credit note list.
func ublTypeCodeListed(ed cenEdition) func(*node) bool {
	invoice, creditNote := ed.set("ubl/BR-CL-01/0"), ed.set("ubl/BR-CL-01/1")
	return func(n *node) bool {
		if n.Local == "InvoiceTypeCode" {
			return clIn(n.Value(), invoice)
		}
		return clIn(n.Value(), creditNote)
	}
}

// ublPartySchemeListed is BR-CL-10: a party identifier's scheme is an ICD
// code, or, for the seller and the payee, SEPA.
func ublPartySchemeListed(ed cenEdition) func(*node) bool {
	icd, sepa := ed.set("ubl/BR-CL-10/0"), ed.set("ubl/BR-CL-10/1")
	return func(n *node) bool {
		s, _ := n.Attr("schemeID")
		if clIn(s, icd) {
			return true
		}
		return clIn(s, sepa) && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
	}
}

// ublCodesObjectID is BR-CL-07's context: an invoiced object identifier
// (a document reference of type 130) with a scheme.
var ublCodesObjectID = ruleContext{Pattern: patUBLCodes, Order: 1166, Names: []string{"ID"},
	Match: func(n *node) bool {
		p := n.Parent
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && (p.Is("cac:AdditionalDocumentReference") || p.Is("cac:DocumentReference")) &&
			xmltree.In("130", p.Strs("cbc:DocumentTypeCode"))
	}}
