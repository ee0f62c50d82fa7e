package invoice

import (
	"strconv"
	"strings"
	"sync"

	"github.com/eingang/eingang/invoice/internal/xmltree"
	"github.com/eingang/eingang/schemas"
)

// The EN 16931 code list rules BR-CL-01 … BR-CL-26: the lists, those of an
// edition of the CEN validation artefacts (package schemas), and the tests
// both syntaxes use.

// A cenEdition is an edition of the CEN validation artefacts' code lists.
type cenEdition string

// The editions the releases use.
const (
	cen1315 cenEdition = "1.3.15"
	cen1316 cenEdition = "1.3.16"
)

// The code list rules of each edition, built once per process: their code
// sets take milliseconds to build (Rec 20 has 2,000 codes), and every
// validator's tables share them.
var (
	clRules1315 = sync.OnceValue(func() []ruleRow { return buildCLRules(cen1315) })
	clRules1316 = sync.OnceValue(func() []ruleRow { return buildCLRules(cen1316) })
)

// clRules returns the code list rules with the lists of edition ed.
func clRules(ed cenEdition) []ruleRow {
	if ed == cen1316 {
		return clRules1316()
	}
	return clRules1315()
}

// buildCLRules builds the code list rules with the lists of edition ed, a
// row an id: its UBL and its CII rule. Most test one element's value or
// attribute against the list of each syntax's own (ubl/<id>/0, cii/<id>/0):
// their rows give each syntax's context alone.
func buildCLRules(ed cenEdition) []ruleRow {
	clSet, clList := ed.set, ed.list
	clValues := func(id string, ubl, cii ruleContext) ruleRow { return clValuesIn(ed, id, ubl, cii) }
	clAttrs := func(id, attr string, ubl, cii ruleContext) ruleRow { return clAttrsIn(ed, id, attr, ubl, cii) }
	return []ruleRow{
		{"BR-CL-08", on(ublModelNote, clNoteSubject(clList("ubl/BR-CL-08/0"))),
			rule{Context: namedContext(patCIICodes, 986, "", "", "ram:SubjectCode"), Test: clValue(clSet("cii/BR-CL-08/0")),
				Message:   "The invoice note subject code (BT-21, UNTDID 4451) must be a code of the list the rule names; correct the code.",
				MessageDE: "Der Betreff-Code einer Notiz (BT-21, UNTDID 4451) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."}},
		{"BR-CL-01", on(namedContext(patUBLCodes, 1151, "", "", "cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode"), ublTypeCodeListed(ed)),
			on(namedContext(patCIICodes, 968, "", "rsm:ExchangedDocument", "ram:TypeCode"), clValue(clSet("cii/BR-CL-01/0")))},
		clAttrs("BR-CL-03", "currencyID",
			namedContext(patUBLCodes, 1154, "", "", "cbc:Amount", "cbc:BaseAmount", "cbc:PriceAmount", "cbc:TaxAmount", "cbc:TaxableAmount", "cbc:LineExtensionAmount",
				"cbc:TaxExclusiveAmount", "cbc:TaxInclusiveAmount", "cbc:AllowanceTotalAmount", "cbc:ChargeTotalAmount", "cbc:PrepaidAmount", "cbc:PayableRoundingAmount", "cbc:PayableAmount"),
			namedContext(patCIICodes, 971, "currencyID", "", "ram:TaxTotalAmount")).
			ciiSays("The currency of the VAT total (@currencyID, ISO 4217) must be a code of the list the rule names; correct the code.",
				"Die Währung der Umsatzsteuersumme (@currencyID, ISO 4217) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."),
		clValues("BR-CL-04", namedContext(patUBLCodes, 1157, "", "", "cbc:DocumentCurrencyCode"), namedContext(patCIICodes, 974, "", "", "ram:InvoiceCurrencyCode")),
		clValues("BR-CL-05", namedContext(patUBLCodes, 1160, "", "", "cbc:TaxCurrencyCode"), namedContext(patCIICodes, 977, "", "", "ram:TaxCurrencyCode")),
		clValues("BR-CL-06", namedContext(patUBLCodes, 1163, "", "cac:InvoicePeriod", "cbc:DescriptionCode"), namedContext(patCIICodes, 980, "", "", "ram:DueDateTypeCode")).
			ciiSays("The value added tax point date code (BT-8, UNTDID 2475) must be a code of the list the rule names; correct the code.",
				"Der Code der Steuerfälligkeit (BT-8, UNTDID 2475) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."),
		{"BR-CL-07", on(ublCodesObjectID, clAttr("schemeID", clSet("ubl/BR-CL-07/0"))),
			on(namedContext(patCIICodes, 983, "", "", "ram:ReferenceTypeCode"), clValue(clSet("cii/BR-CL-07/0")))},
		{"BR-CL-10", on(namedContext(patUBLCodes, 1169, "schemeID", "cac:PartyIdentification", "cbc:ID"), ublPartySchemeListed(ed)),
			rule{Context: ciiCodesGlobalID, Test: clAttr("schemeID", clSet("cii/BR-CL-10/0")),
				Message:   "The scheme of a global identifier (ISO 6523 ICD) must be a code of the list the rule names; correct the code.",
				MessageDE: "Das Schema einer globalen Kennung (ISO 6523 ICD) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."}},
		clAttrs("BR-CL-11", "schemeID", namedContext(patUBLCodes, 1172, "schemeID", "cac:PartyLegalEntity", "cbc:CompanyID"), ciiCodesID).
			ciiSays("The scheme of an identifier (ISO 6523 ICD) must be a code of the list the rule names; correct the code.",
				"Das Schema einer Kennung (ISO 6523 ICD) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."),
		clAttrs("BR-CL-13", "listID", namedContext(patUBLCodes, 1175, "listID", "cac:CommodityClassification", "cbc:ItemClassificationCode"),
			namedContext(patCIICodes, 995, "listID", "", "ram:ClassCode")),
		clValues("BR-CL-14", namedContext(patUBLCodes, 1179, "", "cac:Country", "cbc:IdentificationCode"), namedContext(patCIICodes, 998, "", "", "ram:CountryID")),
		clValues("BR-CL-15", namedContext(patUBLCodes, 1182, "", "cac:OriginCountry", "cbc:IdentificationCode"),
			namedContext(patCIICodes, 1001, "", "ram:OriginTradeCountry", "ram:ID")),
		clValues("BR-CL-16", namedContext(patUBLCodes, 1185, "", "cac:PaymentMeans", "cbc:PaymentMeansCode"),
			namedContext(patCIICodes, 1004, "", "ram:SpecifiedTradeSettlementPaymentMeans", "ram:TypeCode")),
		clValues("BR-CL-17", namedContext(patUBLCodes, 1188, "", "cac:TaxCategory", "cbc:ID"), namedContext(patCIICodes, 1007, "", "ram:CategoryTradeTax", "ram:CategoryCode")).
			ciiSays("A VAT category code of an allowance or charge (UNTDID 5305 subset) must be a code of the list the rule names; correct the code.",
				"Ein Code der Umsatzsteuerkategorie eines Nachlasses oder Zuschlags (Teilmenge von UNTDID 5305) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."),
		clValues("BR-CL-18", namedContext(patUBLCodes, 1191, "", "cac:ClassifiedTaxCategory", "cbc:ID"), namedContext(patCIICodes, 1010, "", "ram:ApplicableTradeTax", "ram:CategoryCode")).
			ciiSays("A VAT category code (UNTDID 5305 subset) must be a code of the list the rule names; correct the code.",
				"Ein Code der Umsatzsteuerkategorie (Teilmenge von UNTDID 5305) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."),
		clValues("BR-CL-19", reasonContext(patUBLCodes, 1194, "cbc:AllowanceChargeReasonCode", "cac:AllowanceCharge", ublChargeIndicatorIs, false),
			reasonContext(patCIICodes, 1013, "ram:ReasonCode", "ram:SpecifiedTradeAllowanceCharge", ciiIndicatorIs, false)),
		clValues("BR-CL-20", reasonContext(patUBLCodes, 1197, "cbc:AllowanceChargeReasonCode", "cac:AllowanceCharge", ublChargeIndicatorIs, true),
			reasonContext(patCIICodes, 1016, "ram:ReasonCode", "ram:SpecifiedTradeAllowanceCharge", ciiIndicatorIs, true)),
		clAttrs("BR-CL-21", "schemeID", namedContext(patUBLCodes, 1200, "schemeID", "cac:StandardItemIdentification", "cbc:ID"),
			namedContext(patCIICodes, 1019, "schemeID", "ram:SpecifiedTradeProduct", "ram:GlobalID")),
		{"BR-CL-22", on(namedContext(patUBLCodes, 1203, "", "", "cbc:TaxExemptionReasonCode"), clExemption(clSet("ubl/BR-CL-22/0"))),
			on(namedContext(patCIICodes, 1023, "", "", "ram:ExemptionReasonCode"), clExemption(clSet("cii/BR-CL-22/0")))},
		clAttrs("BR-CL-23", "unitCode", namedContext(patUBLCodes, 1206, "unitCode", "", "cbc:InvoicedQuantity", "cbc:BaseQuantity", "cbc:CreditedQuantity"),
			namedContext(patCIICodes, 1026, "unitCode", "", "ram:BasisQuantity", "ram:BilledQuantity")),
		{"BR-CL-24", on(namedContext(patUBLCodes, 1210, "mimeCode", "", "cbc:EmbeddedDocumentBinaryObject"), clMimeOK),
			on(namedContext(patCIICodes, 1029, "mimeCode", "", "ram:AttachmentBinaryObject"), clMimeOK)},
		clAttrs("BR-CL-25", "schemeID", namedContext(patUBLCodes, 1213, "schemeID", "", "cbc:EndpointID"),
			namedContext(patCIICodes, 1032, "schemeID", "ram:URIUniversalCommunication", "ram:URIID")),
		clAttrs("BR-CL-26", "schemeID", namedContext(patUBLCodes, 1216, "schemeID", "cac:DeliveryLocation", "cbc:ID"), ciiCodesShipToID),
	}
}

// clChanged lists the code list rules whose lists differ between editions
// from and to, by syntax: the rows a release that moves to edition to
// replaces.
func clChanged(from, to cenEdition) map[string]syntax {
	changed := map[string]syntax{}
	for _, row := range clRules(from) {
		for _, s := range []syntax{syntaxUBL, syntaxCII} {
			for n := 0; n < 4; n++ {
				k := s.String() + "/" + row.id + "/" + strconv.Itoa(n)
				if schemas.CodeListIn(string(from), k) != schemas.CodeListIn(string(to), k) {
					changed[row.id] |= s
				}
			}
		}
	}
	return changed
}

// clValuesIn is the code list rule id on the element's value in both
// syntaxes, in UBL's context ubl and CII's context cii, with edition ed's
// lists.
func clValuesIn(ed cenEdition, id string, ubl, cii ruleContext) ruleRow {
	return ruleRow{id, on(ubl, clValue(ed.set("ubl/"+id+"/0"))), on(cii, clValue(ed.set("cii/"+id+"/0")))}
}

// clAttrsIn is the code list rule id on the element's attribute attr in
// both syntaxes, in UBL's context ubl and CII's context cii, with edition
// ed's lists.
func clAttrsIn(ed cenEdition, id, attr string, ubl, cii ruleContext) ruleRow {
	return ruleRow{id, on(ubl, clAttr(attr, ed.set("ubl/"+id+"/0"))), on(cii, clAttr(attr, ed.set("cii/"+id+"/0")))}
}

// reasonContext is the code list context of pattern p at order that
// selects the reason codes qname of an allowance (charge false) or a charge
// (charge true) parent, as isCharge reads its indicator.
func reasonContext(p pattern, order int, qname, parent string, isCharge func(ac *node, want bool) bool, charge bool) ruleContext {
	c := namedContext(p, order, "", parent, qname)
	named := c.Match
	c.Match = func(n *node) bool { return named(n) && isCharge(n.Parent, charge) }
	return c
}

// clIn is the reference's code test: the normalized value has no space and
// stands in the list.
func clIn(value string, set *codeSet) bool {
	v := xmltree.NormSpace(value)
	return !strings.Contains(v, " ") && set.has(v)
}

// A codeSet holds the codes of a list: exactly the values v for which the
// reference's contains(list, concat(' ', v, ' ')) holds, found with one
// lookup instead of a search of the list (Rec 20 has 2,000 codes). The
// set is made at its first look-up, by whichever validation needs it
// first: made for every list while the rules compiled, before any
// document could start, they cost a process that only compiles the rules
// two fifths of its CPU time.
type codeSet struct {
	list  string
	once  sync.Once
	codes map[string]bool
}

// set returns the code list of key as a set.
func (ed cenEdition) set(key string) *codeSet { return &codeSet{list: ed.list(key)} }

// has reports whether v is a code of the list.
func (s *codeSet) has(v string) bool {
	s.once.Do(func() {
		codes := strings.Split(s.list, " ")
		s.codes = make(map[string]bool, len(codes))
		for i, c := range codes {
			// A code between two others has a space on each side; the
			// first and the last only where the list starts or ends
			// with one.
			if 0 < i && i < len(codes)-1 || strings.Contains(s.list, " "+c+" ") {
				s.codes[c] = true
			}
		}
	})
	return s.codes[v]
}

// list returns a code list, panicking at start if the key is unknown (a
// programming error the tests catch).
func (ed cenEdition) list(key string) string {
	l := schemas.CodeListIn(string(ed), key)
	if l == "" {
		panic("invoice: no code list " + key)
	}
	return l
}

// clValue tests the element's value against a code list.
func clValue(list *codeSet) func(n *node) bool {
	return func(n *node) bool { return clIn(n.Value(), list) }
}

// clAttr tests an attribute against a code list.
func clAttr(attr string, list *codeSet) func(n *node) bool {
	return func(n *node) bool { v, _ := n.Attr(attr); return clIn(v, list) }
}

// clExemption is BR-CL-22: the VATEX code, compared in upper case.
func clExemption(vatex *codeSet) func(n *node) bool {
	return func(n *node) bool {
		v := n.Value()
		return !strings.Contains(xmltree.NormSpace(v), " ") && vatex.has(xmltree.NormSpace(strings.ToUpper(v)))
	}
}

// clMimeOK is BR-CL-24's list of MIME codes for attachments.
func clMimeOK(n *node) bool {
	m, _ := n.Attr("mimeCode")
	return xmltree.In(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet"})
}
