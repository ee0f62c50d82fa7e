package invoice

import (
	"strings"

	"github.com/eingang/eingang/schemas"
)

// The meaning of the UBL-CR rules written out: parts of UBL 2.1 that EN 16931
// does not use, where the test is more than a bare not(path).
var crDocs = map[string]ruleDoc{
	"UBL-CR-002": {warning, "cbc:UBLVersionID should not be used, or be 2.1.",
		"cbc:UBLVersionID sollte nicht verwendet werden oder 2.1 lauten."},
	"UBL-CR-412": {warning, "cac:PaymentMeans/cbc:PaymentDueDate should not be used in an invoice; give the due date in cbc:DueDate (BT-9).",
		"cac:PaymentMeans/cbc:PaymentDueDate sollte in einer Rechnung nicht verwendet werden; das Fälligkeitsdatum gehört in cbc:DueDate (BT-9)."},
	"UBL-CR-665": {warning, "A scheme identifier on a document reference should only be used for the invoiced object (document type code 130).",
		"Eine Schema-Kennung an einer Dokumentreferenz sollte nur beim Rechnungsobjekt (Dokumentart 130) verwendet werden."},
	"UBL-CR-666": {fatal, "The invoiced object reference (document type code 130) must not carry an attachment.",
		"Die Referenz auf das Rechnungsobjekt (Dokumentart 130) darf keinen Anhang enthalten."},
	"UBL-CR-673": {fatal, "The invoiced object reference (document type code 130) must not carry a document description.",
		"Die Referenz auf das Rechnungsobjekt (Dokumentart 130) darf keine Dokumentbeschreibung enthalten."},
}

// restrictionDocs returns the meaning of the rules of a restriction table
// (schemas.UBLRestrictions: UBL-CR; schemas.CIIRestrictions: the bare
// not(path) CII-SR rules): the part the path points at should not be used.
func restrictionDocs(table []schemas.Restriction) map[string]ruleDoc {
	docs := make(map[string]ruleDoc, len(table))
	for _, r := range table {
		what := restrictionText(r.Path)
		docs[r.ID] = ruleDoc{ruleFlag(r.Flag),
			what + " is not part of EN 16931 and should not be used; remove it.",
			what + " ist nicht Teil der EN 16931 und sollte nicht verwendet werden; bitte entfernen."}
	}
	return docs
}

// restrictionText names what a restriction's path points at, for messages.
func restrictionText(path string) string {
	path = strings.TrimPrefix(path, "//")
	if i := strings.LastIndexByte(path, '/'); i >= 0 && strings.HasPrefix(path[i+1:], "@") {
		return "the attribute " + path[i+1:] + " of " + path[:i]
	}
	return path
}
