package invoice

import (
	"strings"
	"unicode/utf8"

	"github.com/eingang/eingang/schemas"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 code list rules BR-CL-01 … BR-CL-26. The lists are those of
// the CEN validation artefacts 1.3.15 (package schemas).

// clIn is the reference's code test: the normalized value has no space and
// stands in the list.
func clIn(value string, set codeSet) bool {
	v := xmltree.NormSpace(value)
	return !strings.Contains(v, " ") && set[v]
}

// A codeSet holds the codes of a list: exactly the values v for which the
// reference's contains(list, concat(' ', v, ' ')) holds, found with one
// lookup instead of a search of the list (Rec 20 has 2,000 codes).
type codeSet map[string]bool

// clSet returns the code list of key as a set.
func clSet(key string) codeSet {
	list := clList(key)
	set := codeSet{}
	for _, c := range strings.Split(list, " ") {
		if strings.Contains(list, " "+c+" ") {
			set[c] = true
		}
	}
	return set
}

// clList returns a code list, panicking at start if the key is unknown (a
// programming error the tests catch).
func clList(key string) string {
	l := schemas.CodeList(key)
	if l == "" {
		panic("invoice: no code list " + key)
	}
	return l
}

// clValue builds a rule testing the element's value against a code list.
func clValue(id string, ctx Context, list codeSet, what, whatDE string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:      func(n *node) bool { return clIn(n.Value(), list) },
		Message:   what + " must be a code of the list the rule names; correct the code.",
		MessageDE: whatDE + " muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."}
}

// clAttr builds a rule testing an attribute against a code list.
func clAttr(id string, ctx Context, attr string, list codeSet, what, whatDE string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:      func(n *node) bool { v, _ := n.Attr(attr); return clIn(v, list) },
		Message:   what + " must be a code of the list the rule names; correct the code.",
		MessageDE: whatDE + " muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."}
}

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

// clExemption is BR-CL-22: the VATEX code, compared in upper case.
func clExemption(vatex codeSet) func(n *node) bool {
	return func(n *node) bool {
		v := n.Value()
		return !strings.Contains(xmltree.NormSpace(v), " ") && vatex[xmltree.NormSpace(strings.ToUpper(v))]
	}
}

// clMimeOK is BR-CL-24's list of MIME codes for attachments.
func clMimeOK(n *node) bool {
	m, _ := n.Attr("mimeCode")
	return xrIn(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet"})
}

func ublCodes(order int, names []string, match func(n *node) bool) Context {
	return Context{Pattern: UBLCodes, Order: order, Names: names, Match: match}
}

var (
	ublCodesTypeCode = ublCodes(1151, []string{"InvoiceTypeCode", "CreditNoteTypeCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesAmount   = ublCodes(1154, []string{"Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount", "LineExtensionAmount",
		"TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount"},
		func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesDocCurrency = ublCodes(1157, []string{"DocumentCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesTaxCurrency = ublCodes(1160, []string{"TaxCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesPeriodCode  = ublCodes(1163, []string{"DescriptionCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC && n.Parent.Is("cac:InvoicePeriod") })
	ublCodesObjectID    = ublCodes(1166, []string{"ID"}, func(n *node) bool {
		p := n.Parent
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && (p.Is("cac:AdditionalDocumentReference") || p.Is("cac:DocumentReference")) &&
			xrIn("130", p.Strs("cbc:DocumentTypeCode"))
	})
	ublCodesPartyID = ublCodes(1169, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:PartyIdentification")
	})
	ublCodesLegalID = ublCodes(1172, []string{"CompanyID"}, func(n *node) bool {
		return n.Is("cbc:CompanyID") && n.HasAttr("schemeID") && n.Parent.Is("cac:PartyLegalEntity")
	})
	ublCodesClassification = ublCodes(1175, []string{"ItemClassificationCode"}, func(n *node) bool {
		return n.Is("cbc:ItemClassificationCode") && n.HasAttr("listID") && n.Parent.Is("cac:CommodityClassification")
	})
	ublCodesCountry = ublCodes(1179, []string{"IdentificationCode"}, func(n *node) bool {
		return n.Is("cbc:IdentificationCode") && n.Parent.Is("cac:Country")
	})
	ublCodesOrigin = ublCodes(1182, []string{"IdentificationCode"}, func(n *node) bool {
		return n.Is("cbc:IdentificationCode") && n.Parent.Is("cac:OriginCountry")
	})
	ublCodesPaymentMeans = ublCodes(1185, []string{"PaymentMeansCode"}, func(n *node) bool {
		return n.Is("cbc:PaymentMeansCode") && n.Parent.Is("cac:PaymentMeans")
	})
	ublCodesTaxCategory  = ublCodes(1188, []string{"ID"}, func(n *node) bool { return n.Is("cbc:ID") && n.Parent.Is("cac:TaxCategory") })
	ublCodesItemCategory = ublCodes(1191, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.Parent.Is("cac:ClassifiedTaxCategory")
	})
	ublCodesAllowanceReason = ublCodes(1194, []string{"AllowanceChargeReasonCode"}, func(n *node) bool {
		return n.Is("cbc:AllowanceChargeReasonCode") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, false)
	})
	ublCodesChargeReason = ublCodes(1197, []string{"AllowanceChargeReasonCode"}, func(n *node) bool {
		return n.Is("cbc:AllowanceChargeReasonCode") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, true)
	})
	ublCodesItemID = ublCodes(1200, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:StandardItemIdentification")
	})
	ublCodesExemption = ublCodes(1203, []string{"TaxExemptionReasonCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesQuantity  = ublCodes(1206, []string{"InvoicedQuantity", "BaseQuantity", "CreditedQuantity"}, func(n *node) bool {
		return n.Space == xmltree.NSCBC && n.HasAttr("unitCode")
	})
	ublCodesBinary = ublCodes(1210, []string{"EmbeddedDocumentBinaryObject"}, func(n *node) bool {
		return n.Space == xmltree.NSCBC && n.HasAttr("mimeCode")
	})
	ublCodesEndpoint   = ublCodes(1213, []string{"EndpointID"}, func(n *node) bool { return n.Space == xmltree.NSCBC && n.HasAttr("schemeID") })
	ublCodesDeliveryID = ublCodes(1216, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:DeliveryLocation")
	})
)

var clUBLRules = []Rule{
	{ID: "BR-CL-08", Flag: Fatal, Context: ublModelNote, Test: clNoteSubject(clList("ubl/BR-CL-08/0")),
		Message:   "A note subject code (#XXX# at the start of BT-21) must be from UNTDID 4451.",
		MessageDE: "Ein Betreff-Code einer Notiz (#XXX# am Anfang von BT-21) muss aus UNTDID 4451 stammen."},
	{ID: "BR-CL-01", Flag: Fatal, Context: ublCodesTypeCode,
		Test: func() func(*node) bool {
			invoice, creditNote := clSet("ubl/BR-CL-01/0"), clSet("ubl/BR-CL-01/1")
			return func(n *node) bool {
				if n.Local == "InvoiceTypeCode" {
					return clIn(n.Value(), invoice)
				}
				return clIn(n.Value(), creditNote)
			}
		}(),
		Message:   "The invoice type code (BT-3) must be a code of UNTDID 1001 allowed for invoices or credit notes.",
		MessageDE: "Der Rechnungstyp (BT-3) muss ein für Rechnungen bzw. Gutschriften zulässiger Code aus UNTDID 1001 sein."},
	clAttr("BR-CL-03", ublCodesAmount, "currencyID", clSet("ubl/BR-CL-03/0"), "The currency of an amount (@currencyID, ISO 4217)", "Die Währung eines Betrags (@currencyID, ISO 4217)"),
	clValue("BR-CL-04", ublCodesDocCurrency, clSet("ubl/BR-CL-04/0"), "The invoice currency code (BT-5, ISO 4217)", "Der Währungscode der Rechnung (BT-5, ISO 4217)"),
	clValue("BR-CL-05", ublCodesTaxCurrency, clSet("ubl/BR-CL-05/0"), "The VAT accounting currency code (BT-6, ISO 4217)", "Der Code der Steuerwährung (BT-6, ISO 4217)"),
	clValue("BR-CL-06", ublCodesPeriodCode, clSet("ubl/BR-CL-06/0"), "The value added tax point date code (BT-8, UNTDID 2005)", "Der Code der Steuerfälligkeit (BT-8, UNTDID 2005)"),
	clAttr("BR-CL-07", ublCodesObjectID, "schemeID", clSet("ubl/BR-CL-07/0"), "The scheme of the invoiced object identifier (BT-18, UNTDID 1153)", "Das Schema der Kennung des Rechnungsobjekts (BT-18, UNTDID 1153)"),
	{ID: "BR-CL-10", Flag: Fatal, Context: ublCodesPartyID,
		Test: func() func(*node) bool {
			icd, sepa := clSet("ubl/BR-CL-10/0"), clSet("ubl/BR-CL-10/1")
			return func(n *node) bool {
				s, _ := n.Attr("schemeID")
				if clIn(s, icd) {
					return true
				}
				return clIn(s, sepa) && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
			}
		}(),
		Message:   "The scheme of a party identifier must be an ISO 6523 ICD code (SEPA only for seller and payee).",
		MessageDE: "Das Schema einer Parteikennung muss ein ISO-6523-ICD-Code sein (SEPA nur bei Verkäufer und Zahlungsempfänger)."},
	clAttr("BR-CL-11", ublCodesLegalID, "schemeID", clSet("ubl/BR-CL-11/0"), "The scheme of a legal registration identifier (ISO 6523 ICD)", "Das Schema einer Registernummer (ISO 6523 ICD)"),
	clAttr("BR-CL-13", ublCodesClassification, "listID", clSet("ubl/BR-CL-13/0"), "The scheme of an item classification identifier (BT-158, UNTDID 7143)", "Das Schema einer Artikelklassifizierung (BT-158, UNTDID 7143)"),
	clValue("BR-CL-14", ublCodesCountry, clSet("ubl/BR-CL-14/0"), "A country code (ISO 3166-1 alpha-2)", "Ein Ländercode (ISO 3166-1 alpha-2)"),
	clValue("BR-CL-15", ublCodesOrigin, clSet("ubl/BR-CL-15/0"), "The item country of origin (BT-159, ISO 3166-1 alpha-2)", "Das Ursprungsland des Artikels (BT-159, ISO 3166-1 alpha-2)"),
	clValue("BR-CL-16", ublCodesPaymentMeans, clSet("ubl/BR-CL-16/0"), "The payment means code (BT-81, UNTDID 4461)", "Der Zahlungsartcode (BT-81, UNTDID 4461)"),
	clValue("BR-CL-17", ublCodesTaxCategory, clSet("ubl/BR-CL-17/0"), "A VAT category code (UNTDID 5305 subset)", "Ein Code der Umsatzsteuerkategorie (Teilmenge von UNTDID 5305)"),
	clValue("BR-CL-18", ublCodesItemCategory, clSet("ubl/BR-CL-18/0"), "The invoiced item VAT category code (BT-151, UNTDID 5305 subset)", "Die Umsatzsteuerkategorie des Artikels (BT-151, Teilmenge von UNTDID 5305)"),
	clValue("BR-CL-19", ublCodesAllowanceReason, clSet("ubl/BR-CL-19/0"), "An allowance reason code (UNTDID 5189)", "Ein Code für den Grund eines Nachlasses (UNTDID 5189)"),
	clValue("BR-CL-20", ublCodesChargeReason, clSet("ubl/BR-CL-20/0"), "A charge reason code (UNTDID 7161)", "Ein Code für den Grund eines Zuschlags (UNTDID 7161)"),
	clAttr("BR-CL-21", ublCodesItemID, "schemeID", clSet("ubl/BR-CL-21/0"), "The scheme of an item standard identifier (BT-157, ISO 6523 ICD)", "Das Schema einer Artikelkennung (BT-157, ISO 6523 ICD)"),
	{ID: "BR-CL-22", Flag: Fatal, Context: ublCodesExemption,
		Test:      clExemption(clSet("ubl/BR-CL-22/0")),
		Message:   "A VAT exemption reason code (BT-121) must be a VATEX code.",
		MessageDE: "Ein Code für den Befreiungsgrund (BT-121) muss ein VATEX-Code sein."},
	clAttr("BR-CL-23", ublCodesQuantity, "unitCode", clSet("ubl/BR-CL-23/0"), "A unit of measure (UN/ECE Rec 20 with Rec 21)", "Eine Mengeneinheit (UN/ECE Rec 20 mit Rec 21)"),
	{ID: "BR-CL-24", Flag: Fatal, Context: ublCodesBinary, Test: clMimeOK,
		Message:   "An attached document (BT-125) must be PDF, PNG, JPEG, CSV, XLSX or ODS.",
		MessageDE: "Ein angehängtes Dokument (BT-125) muss PDF, PNG, JPEG, CSV, XLSX oder ODS sein."},
	clAttr("BR-CL-25", ublCodesEndpoint, "schemeID", clSet("ubl/BR-CL-25/0"), "The scheme of an electronic address (CEF EAS)", "Das Schema einer elektronischen Adresse (CEF EAS)"),
	clAttr("BR-CL-26", ublCodesDeliveryID, "schemeID", clSet("ubl/BR-CL-26/0"), "The scheme of a delivery location identifier (BT-71, ISO 6523 ICD)", "Das Schema einer Lieferortkennung (BT-71, ISO 6523 ICD)"),
}
