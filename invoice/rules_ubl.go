package invoice

import (
	"strings"

	"github.com/eingang/eingang/schemas"
)

// UBL-CR: parts of UBL 2.1 that EN 16931 does not use. Most are a bare
// not(path) and come from the table schemas.UBLRestrictions; the rest are
// written out below.

// restrictionHit reports whether a restriction's path selects anything
// from n: child steps, a // search of the document, the alternatives
// (cac:InvoiceLine|cac:CreditNoteLine)/…, an attribute at the end.
func restrictionHit(n *Node, path string) bool {
	if rest, ok := strings.CutPrefix(path, "(cac:InvoiceLine|cac:CreditNoteLine)/"); ok {
		return n.Has("cac:InvoiceLine/"+rest) || n.Has("cac:CreditNoteLine/"+rest)
	}
	if attr, ok := strings.CutPrefix(path, "//@"); ok {
		return anyAttr(n.Root(), attr)
	}
	return n.Has(path)
}

func anyAttr(e *Node, attr string) bool {
	if e.HasAttr(attr) {
		return true
	}
	for _, c := range e.Children {
		if anyAttr(c, attr) {
			return true
		}
	}
	return false
}

// restrictionText names what a restriction's path points at, for messages.
func restrictionText(path string) string {
	path = strings.TrimPrefix(path, "//")
	if i := strings.LastIndexByte(path, '/'); i >= 0 && strings.HasPrefix(path[i+1:], "@") {
		return "the attribute " + path[i+1:] + " of " + path[:i]
	}
	return path
}

// restrictionRules turns a restriction table into rules, with the contexts
// their lines name.
func restrictionRules(table []schemas.Restriction, contexts map[int]Context) []Rule {
	rules := make([]Rule, 0, len(table))
	for _, r := range table {
		ctx, ok := contexts[r.Context]
		if !ok {
			panic("invoice: no context for line " + r.ID)
		}
		path := r.Path
		what := restrictionText(path)
		rules = append(rules, Rule{ID: r.ID, Flag: Flag(r.Flag), Context: ctx,
			Test:      func(n *Node) bool { return !restrictionHit(n, path) },
			Message:   what + " is not part of EN 16931 and should not be used; remove it.",
			MessageDE: what + " ist nicht Teil der EN 16931 und sollte nicht verwendet werden; bitte entfernen."})
	}
	return rules
}

// ublCRRules are the UBL-CR rules: the table plus those whose test is more
// than not(path).
func ublCRRules() []Rule {
	rules := restrictionRules(schemas.UBLRestrictions, map[int]Context{391: ublSyntaxRoot})
	adrIs130 := func(adr *Node) bool { return xrIn("130", adr.Strs("cbc:DocumentTypeCode")) }
	return append(rules,
		Rule{ID: "UBL-CR-002", Flag: Warning, Context: ublSyntaxRoot,
			Test:      func(n *Node) bool { return !n.Has("cbc:UBLVersionID") || xrIn("2.1", n.Strs("cbc:UBLVersionID")) },
			Message:   "cbc:UBLVersionID should not be used, or be 2.1.",
			MessageDE: "cbc:UBLVersionID sollte nicht verwendet werden oder 2.1 lauten."},
		Rule{ID: "UBL-CR-412", Flag: Warning, Context: ublSyntaxRoot,
			Test: func(n *Node) bool {
				// ../cn:CreditNote from the root element: the document is a credit note.
				return !n.Has("cac:PaymentMeans/cbc:PaymentDueDate") || n.Space == NSCreditNote && n.Local == "CreditNote"
			},
			Message:   "cac:PaymentMeans/cbc:PaymentDueDate should not be used in an invoice; give the due date in cbc:DueDate (BT-9).",
			MessageDE: "cac:PaymentMeans/cbc:PaymentDueDate sollte in einer Rechnung nicht verwendet werden; das Fälligkeitsdatum gehört in cbc:DueDate (BT-9)."},
		Rule{ID: "UBL-CR-665", Flag: Warning, Context: ublSyntaxRoot,
			Test: func(n *Node) bool {
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
			},
			Message:   "A scheme identifier on a document reference should only be used for the invoiced object (document type code 130).",
			MessageDE: "Eine Schema-Kennung an einer Dokumentreferenz sollte nur beim Rechnungsobjekt (Dokumentart 130) verwendet werden."},
		Rule{ID: "UBL-CR-666", Flag: Fatal, Context: ublSyntaxRoot,
			Test: func(n *Node) bool {
				for _, adr := range n.Root().Descendants("cac:AdditionalDocumentReference") {
					if adrIs130(adr) && adr.Has("cac:Attachment") {
						return false
					}
				}
				return true
			},
			Message:   "The invoiced object reference (document type code 130) must not carry an attachment.",
			MessageDE: "Die Referenz auf das Rechnungsobjekt (Dokumentart 130) darf keinen Anhang enthalten."},
		Rule{ID: "UBL-CR-673", Flag: Fatal, Context: ublSyntaxRoot,
			Test: func(n *Node) bool {
				for _, adr := range n.Root().Descendants("cac:AdditionalDocumentReference") {
					if adrIs130(adr) && adr.Has("cbc:DocumentDescription") {
						return false
					}
				}
				return true
			},
			Message:   "The invoiced object reference (document type code 130) must not carry a document description.",
			MessageDE: "Die Referenz auf das Rechnungsobjekt (Dokumentart 130) darf keine Dokumentbeschreibung enthalten."},
	)
}
