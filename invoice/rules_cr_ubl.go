package invoice

import (
	"github.com/eingang/eingang/schemas"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// UBL-CR: parts of UBL 2.1 that EN 16931 does not use. Most are a bare
// not(path) and come from the table schemas.UBLRestrictions; the rest are
// written out below.

// ublCRRules are the UBL-CR rules: the table plus those whose test is more
// than not(path). The table's paths are all evaluated from the root in one
// walk per document.
func ublCRRules() []rule {
	rules := restrictionRules(schemas.UBLRestrictions, map[int]ruleContext{391: ublSyntaxRoot})
	adrIs130 := func(adr *node) bool { return xmltree.In("130", adr.Strs("cbc:DocumentTypeCode")) }
	return append(rules,
		rule{ID: "UBL-CR-002", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return !n.Has("cbc:UBLVersionID") || xmltree.In("2.1", n.Strs("cbc:UBLVersionID")) }},
		rule{ID: "UBL-CR-412", Context: ublSyntaxRoot,
			Test: func(n *node) bool {
				// ../cn:CreditNote from the root element: the document is a credit note.
				return !n.Has("cac:PaymentMeans/cbc:PaymentDueDate") || n.Space == xmltree.NSCreditNote && n.Local == "CreditNote"
			}},
		rule{ID: "UBL-CR-665", Context: ublSyntaxRoot,
			Test: func(n *node) bool {
				for _, adr := range n.Root().Descendants("cac:AdditionalDocumentReference") {
					codes := adr.Strs("cbc:DocumentTypeCode")
					other := len(codes) == 0
					for _, c := range codes {
						if c != "130" {
							other = true
						}
					}
					if other && adr.Has("cbc:ID/@schemeID") {
						return false
					}
				}
				return true
			}},
		rule{ID: "UBL-CR-666", Context: ublSyntaxRoot,
			Test: func(n *node) bool {
				for _, adr := range n.Root().Descendants("cac:AdditionalDocumentReference") {
					if adrIs130(adr) && adr.Has("cac:Attachment") {
						return false
					}
				}
				return true
			}},
		rule{ID: "UBL-CR-673", Context: ublSyntaxRoot,
			Test: func(n *node) bool {
				for _, adr := range n.Root().Descendants("cac:AdditionalDocumentReference") {
					if adrIs130(adr) && adr.Has("cbc:DocumentDescription") {
						return false
					}
				}
				return true
			}},
	)
}
