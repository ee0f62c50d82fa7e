package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 code list rules for CII (see rules_cl_common.go for the lists).

func ciiCodes(order int, names []string, match func(n *node) bool) ruleContext {
	return ruleContext{Pattern: patCIICodes, Order: order, Names: names, Match: match}
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

var clCIIRules = []rule{
	{ID: "BR-CL-01", Context: ciiCodesTypeCode, Test: clValue(clSet("cii/BR-CL-01/0"))},
	{ID: "BR-CL-03", Context: ciiCodesTaxTotal, Test: clAttr("currencyID", clSet("cii/BR-CL-03/0")),
		Message:   "The currency of the VAT total (@currencyID, ISO 4217) must be a code of the list the rule names; correct the code.",
		MessageDE: "Die Währung der Umsatzsteuersumme (@currencyID, ISO 4217) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-04", Context: ciiCodesInvoiceCurrency, Test: clValue(clSet("cii/BR-CL-04/0"))},
	{ID: "BR-CL-05", Context: ciiCodesTaxCurrency, Test: clValue(clSet("cii/BR-CL-05/0"))},
	{ID: "BR-CL-06", Context: ciiCodesDueDateType, Test: clValue(clSet("cii/BR-CL-06/0")),
		Message:   "The value added tax point date code (BT-8, UNTDID 2475) must be a code of the list the rule names; correct the code.",
		MessageDE: "Der Code der Steuerfälligkeit (BT-8, UNTDID 2475) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-07", Context: ciiCodesReferenceType, Test: clValue(clSet("cii/BR-CL-07/0"))},
	{ID: "BR-CL-08", Context: ciiCodesSubject, Test: clValue(clSet("cii/BR-CL-08/0")),
		Message:   "The invoice note subject code (BT-21, UNTDID 4451) must be a code of the list the rule names; correct the code.",
		MessageDE: "Der Betreff-Code einer Notiz (BT-21, UNTDID 4451) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-10", Context: ciiCodesGlobalID, Test: clAttr("schemeID", clSet("cii/BR-CL-10/0")),
		Message:   "The scheme of a global identifier (ISO 6523 ICD) must be a code of the list the rule names; correct the code.",
		MessageDE: "Das Schema einer globalen Kennung (ISO 6523 ICD) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-11", Context: ciiCodesID, Test: clAttr("schemeID", clSet("cii/BR-CL-11/0")),
		Message:   "The scheme of an identifier (ISO 6523 ICD) must be a code of the list the rule names; correct the code.",
		MessageDE: "Das Schema einer Kennung (ISO 6523 ICD) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-13", Context: ciiCodesClassCode, Test: clAttr("listID", clSet("cii/BR-CL-13/0"))},
	{ID: "BR-CL-14", Context: ciiCodesCountry, Test: clValue(clSet("cii/BR-CL-14/0"))},
	{ID: "BR-CL-15", Context: ciiCodesOrigin, Test: clValue(clSet("cii/BR-CL-15/0"))},
	{ID: "BR-CL-16", Context: ciiCodesPaymentMeans, Test: clValue(clSet("cii/BR-CL-16/0"))},
	{ID: "BR-CL-17", Context: ciiCodesACCategory, Test: clValue(clSet("cii/BR-CL-17/0")),
		Message:   "A VAT category code of an allowance or charge (UNTDID 5305 subset) must be a code of the list the rule names; correct the code.",
		MessageDE: "Ein Code der Umsatzsteuerkategorie eines Nachlasses oder Zuschlags (Teilmenge von UNTDID 5305) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-18", Context: ciiCodesTaxCategory, Test: clValue(clSet("cii/BR-CL-18/0")),
		Message:   "A VAT category code (UNTDID 5305 subset) must be a code of the list the rule names; correct the code.",
		MessageDE: "Ein Code der Umsatzsteuerkategorie (Teilmenge von UNTDID 5305) muss ein Code der zugehörigen Codeliste sein; bitte den Code korrigieren."},
	{ID: "BR-CL-19", Context: ciiCodesAllowanceReason, Test: clValue(clSet("cii/BR-CL-19/0"))},
	{ID: "BR-CL-20", Context: ciiCodesChargeReason, Test: clValue(clSet("cii/BR-CL-20/0"))},
	{ID: "BR-CL-21", Context: ciiCodesProductID, Test: clAttr("schemeID", clSet("cii/BR-CL-21/0"))},
	{ID: "BR-CL-22", Context: ciiCodesExemption,
		Test: clExemption(clSet("cii/BR-CL-22/0"))},
	{ID: "BR-CL-23", Context: ciiCodesQuantity, Test: clAttr("unitCode", clSet("cii/BR-CL-23/0"))},
	{ID: "BR-CL-24", Context: ciiCodesBinary, Test: clMimeOK},
	{ID: "BR-CL-25", Context: ciiCodesURIID, Test: clAttr("schemeID", clSet("cii/BR-CL-25/0"))},
	{ID: "BR-CL-26", Context: ciiCodesShipToID, Test: clAttr("schemeID", clSet("cii/BR-CL-26/0"))},
}
