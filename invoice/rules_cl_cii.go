package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 code list rules for CII (see rules_cl_ubl.go for the lists).

func ciiCodes(order int, names []string, match func(n *node) bool) Context {
	return Context{Pattern: CIICodes, Order: order, Names: names, Match: match}
}

func ramAttr(attr string) func(n *node) bool {
	return func(n *node) bool { return n.Space == xmltree.NSRAM && n.HasAttr(attr) }
}

var (
	ciiCodesTypeCode = ciiCodes(968, []string{"TypeCode"}, func(n *node) bool {
		return n.Is("ram:TypeCode") && n.Parent.Is("rsm:ExchangedDocument")
	})
	ciiCodesTaxTotal        = ciiCodes(971, []string{"TaxTotalAmount"}, ramAttr("currencyID"))
	ciiCodesInvoiceCurrency = ciiCodes(974, []string{"InvoiceCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesTaxCurrency     = ciiCodes(977, []string{"TaxCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesDueDateType     = ciiCodes(980, []string{"DueDateTypeCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesReferenceType   = ciiCodes(983, []string{"ReferenceTypeCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesSubject         = ciiCodes(986, []string{"SubjectCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesGlobalID        = ciiCodes(989, []string{"GlobalID"}, func(n *node) bool {
		return n.Space == xmltree.NSRAM && n.HasAttr("schemeID") && n.Ancestor("ram:SpecifiedTradeProduct") == nil && n.Ancestor("ram:ShipToTradeParty") == nil
	})
	ciiCodesID = ciiCodes(992, []string{"ID"}, func(n *node) bool {
		return n.Space == xmltree.NSRAM && n.HasAttr("schemeID") && n.Ancestor("ram:SpecifiedTaxRegistration") == nil
	})
	ciiCodesClassCode = ciiCodes(995, []string{"ClassCode"}, ramAttr("listID"))
	ciiCodesCountry   = ciiCodes(998, []string{"CountryID"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesOrigin    = ciiCodes(1001, []string{"ID"}, func(n *node) bool {
		return n.Is("ram:ID") && n.Parent.Is("ram:OriginTradeCountry")
	})
	ciiCodesPaymentMeans = ciiCodes(1004, []string{"TypeCode"}, func(n *node) bool {
		return n.Is("ram:TypeCode") && n.Parent.Is("ram:SpecifiedTradeSettlementPaymentMeans")
	})
	ciiCodesACCategory = ciiCodes(1007, []string{"CategoryCode"}, func(n *node) bool {
		return n.Is("ram:CategoryCode") && n.Parent.Is("ram:CategoryTradeTax")
	})
	ciiCodesTaxCategory = ciiCodes(1010, []string{"CategoryCode"}, func(n *node) bool {
		return n.Is("ram:CategoryCode") && n.Parent.Is("ram:ApplicableTradeTax")
	})
	ciiCodesAllowanceReason = ciiCodes(1013, []string{"ReasonCode"}, func(n *node) bool {
		return n.Is("ram:ReasonCode") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && ciiIndicatorIs(n.Parent, false)
	})
	ciiCodesChargeReason = ciiCodes(1016, []string{"ReasonCode"}, func(n *node) bool {
		return n.Is("ram:ReasonCode") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && ciiIndicatorIs(n.Parent, true)
	})
	ciiCodesProductID = ciiCodes(1019, []string{"GlobalID"}, func(n *node) bool {
		return n.Is("ram:GlobalID") && n.HasAttr("schemeID") && n.Parent.Is("ram:SpecifiedTradeProduct")
	})
	ciiCodesExemption = ciiCodes(1023, []string{"ExemptionReasonCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiCodesQuantity  = ciiCodes(1026, []string{"BasisQuantity", "BilledQuantity"}, ramAttr("unitCode"))
	ciiCodesBinary    = ciiCodes(1029, []string{"AttachmentBinaryObject"}, ramAttr("mimeCode"))
	ciiCodesURIID     = ciiCodes(1032, []string{"URIID"}, func(n *node) bool {
		return n.Is("ram:URIID") && n.HasAttr("schemeID") && n.Parent.Is("ram:URIUniversalCommunication")
	})
	ciiCodesShipToID = ciiCodes(1035, []string{"GlobalID"}, func(n *node) bool {
		return n.Is("ram:GlobalID") && n.HasAttr("schemeID") && n.Parent.Is("ram:ShipToTradeParty") && n.Parent.Parent.Is("ram:ApplicableHeaderTradeDelivery")
	})
)

var clCIIRules = []Rule{
	clValue("BR-CL-01", ciiCodesTypeCode, clSet("cii/BR-CL-01/0"), "The invoice type code (BT-3, UNTDID 1001)", "Der Rechnungstyp (BT-3, UNTDID 1001)"),
	clAttr("BR-CL-03", ciiCodesTaxTotal, "currencyID", clSet("cii/BR-CL-03/0"), "The currency of the VAT total (@currencyID, ISO 4217)", "Die Währung der Umsatzsteuersumme (@currencyID, ISO 4217)"),
	clValue("BR-CL-04", ciiCodesInvoiceCurrency, clSet("cii/BR-CL-04/0"), "The invoice currency code (BT-5, ISO 4217)", "Der Währungscode der Rechnung (BT-5, ISO 4217)"),
	clValue("BR-CL-05", ciiCodesTaxCurrency, clSet("cii/BR-CL-05/0"), "The VAT accounting currency code (BT-6, ISO 4217)", "Der Code der Steuerwährung (BT-6, ISO 4217)"),
	clValue("BR-CL-06", ciiCodesDueDateType, clSet("cii/BR-CL-06/0"), "The value added tax point date code (BT-8, UNTDID 2475)", "Der Code der Steuerfälligkeit (BT-8, UNTDID 2475)"),
	clValue("BR-CL-07", ciiCodesReferenceType, clSet("cii/BR-CL-07/0"), "The scheme of the invoiced object identifier (BT-18, UNTDID 1153)", "Das Schema der Kennung des Rechnungsobjekts (BT-18, UNTDID 1153)"),
	clValue("BR-CL-08", ciiCodesSubject, clSet("cii/BR-CL-08/0"), "The invoice note subject code (BT-21, UNTDID 4451)", "Der Betreff-Code einer Notiz (BT-21, UNTDID 4451)"),
	clAttr("BR-CL-10", ciiCodesGlobalID, "schemeID", clSet("cii/BR-CL-10/0"), "The scheme of a global identifier (ISO 6523 ICD)", "Das Schema einer globalen Kennung (ISO 6523 ICD)"),
	clAttr("BR-CL-11", ciiCodesID, "schemeID", clSet("cii/BR-CL-11/0"), "The scheme of an identifier (ISO 6523 ICD)", "Das Schema einer Kennung (ISO 6523 ICD)"),
	clAttr("BR-CL-13", ciiCodesClassCode, "listID", clSet("cii/BR-CL-13/0"), "The scheme of an item classification identifier (BT-158, UNTDID 7143)", "Das Schema einer Artikelklassifizierung (BT-158, UNTDID 7143)"),
	clValue("BR-CL-14", ciiCodesCountry, clSet("cii/BR-CL-14/0"), "A country code (ISO 3166-1 alpha-2)", "Ein Ländercode (ISO 3166-1 alpha-2)"),
	clValue("BR-CL-15", ciiCodesOrigin, clSet("cii/BR-CL-15/0"), "The item country of origin (BT-159, ISO 3166-1 alpha-2)", "Das Ursprungsland des Artikels (BT-159, ISO 3166-1 alpha-2)"),
	clValue("BR-CL-16", ciiCodesPaymentMeans, clSet("cii/BR-CL-16/0"), "The payment means code (BT-81, UNTDID 4461)", "Der Zahlungsartcode (BT-81, UNTDID 4461)"),
	clValue("BR-CL-17", ciiCodesACCategory, clSet("cii/BR-CL-17/0"), "A VAT category code of an allowance or charge (UNTDID 5305 subset)", "Ein Code der Umsatzsteuerkategorie eines Nachlasses oder Zuschlags (Teilmenge von UNTDID 5305)"),
	clValue("BR-CL-18", ciiCodesTaxCategory, clSet("cii/BR-CL-18/0"), "A VAT category code (UNTDID 5305 subset)", "Ein Code der Umsatzsteuerkategorie (Teilmenge von UNTDID 5305)"),
	clValue("BR-CL-19", ciiCodesAllowanceReason, clSet("cii/BR-CL-19/0"), "An allowance reason code (UNTDID 5189)", "Ein Code für den Grund eines Nachlasses (UNTDID 5189)"),
	clValue("BR-CL-20", ciiCodesChargeReason, clSet("cii/BR-CL-20/0"), "A charge reason code (UNTDID 7161)", "Ein Code für den Grund eines Zuschlags (UNTDID 7161)"),
	clAttr("BR-CL-21", ciiCodesProductID, "schemeID", clSet("cii/BR-CL-21/0"), "The scheme of an item standard identifier (BT-157, ISO 6523 ICD)", "Das Schema einer Artikelkennung (BT-157, ISO 6523 ICD)"),
	{ID: "BR-CL-22", Flag: Fatal, Context: ciiCodesExemption,
		Test:      clExemption(clSet("cii/BR-CL-22/0")),
		Message:   "A VAT exemption reason code (BT-121) must be a VATEX code.",
		MessageDE: "Ein Code für den Befreiungsgrund (BT-121) muss ein VATEX-Code sein."},
	clAttr("BR-CL-23", ciiCodesQuantity, "unitCode", clSet("cii/BR-CL-23/0"), "A unit of measure (UN/ECE Rec 20 with Rec 21)", "Eine Mengeneinheit (UN/ECE Rec 20 mit Rec 21)"),
	{ID: "BR-CL-24", Flag: Fatal, Context: ciiCodesBinary, Test: clMimeOK,
		Message:   "An attached document (BT-125) must be PDF, PNG, JPEG, CSV, XLSX or ODS.",
		MessageDE: "Ein angehängtes Dokument (BT-125) muss PDF, PNG, JPEG, CSV, XLSX oder ODS sein."},
	clAttr("BR-CL-25", ciiCodesURIID, "schemeID", clSet("cii/BR-CL-25/0"), "The scheme of an electronic address (CEF EAS)", "Das Schema einer elektronischen Adresse (CEF EAS)"),
	clAttr("BR-CL-26", ciiCodesShipToID, "schemeID", clSet("cii/BR-CL-26/0"), "The scheme of a delivery location identifier (BT-71, ISO 6523 ICD)", "Das Schema einer Lieferortkennung (BT-71, ISO 6523 ICD)"),
}
