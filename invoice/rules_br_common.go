package invoice

import (
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 core business rules BR-01 … BR-65 and BR-B-01/02, a row an
// id with its UBL and its CII rule (catalogue_br.go says what each means).
// Where both syntaxes test alike, the row names one helper of this file
// with each syntax's paths; the tests of one syntax alone are in
// rules_br_ubl.go and rules_br_cii.go.
func brRules() []ruleRow {
	return []ruleRow{
		{"BR-65", on(ublModelClassification, hasAttr("listID")),
			on(ciiModelClassification, func(n *node) bool { return n.NormStr("ram:ClassCode/@listID") != "" || !n.Has("ram:ClassCode") })},
		{"BR-52", on(ublModelDocRef, brNotBlank("cbc:ID")),
			on(ciiModelDocRef, brNotBlank("ram:IssuerAssignedID"))},
		{"BR-51", on(ublModelCardNumber, func(n *node) bool { return utf8.RuneCountInString(xmltree.NormSpace(n.Value())) <= 10 }),
			rule{Flag: fatal, Context: ciiModelCard,
				Test:      func(n *node) bool { return utf8.RuneCountInString(n.Str("ram:ID")) <= 10 },
				Message:   "Only the last four to six digits of the payment card number (BT-87) may be given.",
				MessageDE: "Von der Kartennummer (BT-87) dürfen nur die letzten vier bis sechs Ziffern angegeben werden."}},
		{"BR-50", on(ublModelPayeeAccount, brNotBlank("cbc:ID")),
			on(ciiModelPayeeAccount, brEither("ram:IBANID", "ram:ProprietaryID"))},
		{"BR-57", on(ublModelDeliveryAddress, exists("cac:Country/cbc:IdentificationCode")),
			on(ciiModelDelivery, ciiDeliveryCountryGiven)},
		{"BR-31", on(ublModelDocAllowance, exists("cbc:Amount")),
			on(ciiModelDocAllowance, exists("../ram:ActualAmount"))},
		{"BR-32", on(ublModelDocAllowance, ublHasVATCategoryID),
			on(ciiModelDocAllowance, ciiACHasVATCategory)},
		{"BR-33", on(ublModelDocAllowance, brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")),
			on(ciiModelDocAllowance, brEither("../ram:Reason", "../ram:ReasonCode"))},
		{"BR-36", on(ublModelDocCharge, exists("cbc:Amount")),
			on(ciiModelDocCharge, exists("../ram:ActualAmount"))},
		{"BR-37", on(ublModelDocCharge, ublHasVATCategoryID),
			on(ciiModelDocCharge, ciiACHasVATCategory)},
		{"BR-38", on(ublModelDocCharge, brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")),
			on(ciiModelDocCharge, brEither("../ram:Reason", "../ram:ReasonCode"))},
		{"BR-12", on(ublModelTotals, exists("cbc:LineExtensionAmount")),
			on(ciiModelTotals, exists("ram:LineTotalAmount"))},
		{"BR-13", on(ublModelTotals, exists("cbc:TaxExclusiveAmount")),
			on(ciiModelTotals, exists("ram:TaxBasisTotalAmount"))},
		{"BR-14", on(ublModelTotals, exists("cbc:TaxInclusiveAmount")),
			on(ciiModelTotals, exists("ram:GrandTotalAmount"))},
		{"BR-15", on(ublModelTotals, exists("cbc:PayableAmount")),
			on(ciiModelTotals, exists("ram:DuePayableAmount"))},

		{"BR-01", on(ublModelRoot, brNotBlank("cbc:CustomizationID")),
			on(ciiModelRoot, brNotBlank("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"))},
		{"BR-02", on(ublModelRoot, brNotBlank("cbc:ID")),
			on(ciiModelRoot, brNotBlank("rsm:ExchangedDocument/ram:ID"))},
		{"BR-03", on(ublModelRoot, brNotBlank("cbc:IssueDate")),
			rule{Context: ciiModelRoot, Test: ciiIssueDateGiven,
				Message:   "The invoice issue date (BT-2) must be given (format 102).",
				MessageDE: "Das Rechnungsdatum (BT-2) muss angegeben werden (Format 102)."}},
		{"BR-04", on(ublModelRoot, brEitherNotBlank("cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode")),
			on(ciiModelRoot, brNotBlank("rsm:ExchangedDocument/ram:TypeCode"))},
		{"BR-05", on(ublModelRoot, brNotBlank("cbc:DocumentCurrencyCode")),
			on(ciiModelRoot, brNotBlank(ciiCurrencyPath))},
		{"BR-06", on(ublModelRoot, brNotBlank("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")),
			on(ciiModelRoot, brNotBlank(ciiSeller+"/ram:Name"))},
		{"BR-07", on(ublModelRoot, brNotBlank("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")),
			on(ciiModelRoot, brNotBlank(ciiBuyer+"/ram:Name"))},
		{"BR-08", on(ublModelRoot, exists("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress")),
			on(ciiModelRoot, exists(ciiSeller+"/ram:PostalTradeAddress"))},
		{"BR-09", on(ublModelSupplierAddress, brNotBlank("cac:Country/cbc:IdentificationCode")),
			on(ciiModelRoot, brNotBlank(ciiSeller+"/ram:PostalTradeAddress/ram:CountryID"))},
		{"BR-10", on(ublModelRoot, exists("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")),
			on(ciiModelRoot, exists(ciiBuyer+"/ram:PostalTradeAddress"))},
		{"BR-11", on(ublModelCustomerAddress, brNotBlank("cac:Country/cbc:IdentificationCode")),
			on(ciiModelRoot, brNotBlank(ciiBuyer+"/ram:PostalTradeAddress/ram:CountryID"))},
		{"BR-16", on(ublModelRoot, brEither("cac:InvoiceLine", "cac:CreditNoteLine")),
			on(ciiModelRoot, func(n *node) bool { return len(n.Descendants("ram:IncludedSupplyChainTradeLineItem")) > 0 })},
		{"BR-53", on(ublModelRoot, ublTaxCurrencyHasTotal),
			rule{Context: ciiModelTotals, Test: ciiTaxCurrencyHasTotal,
				Message:   "With a VAT accounting currency (BT-6) the VAT total in that currency (BT-111) must be given, and BT-6 must differ from the invoice currency.",
				MessageDE: "Bei einer Steuerwährung (BT-6) muss die Umsatzsteuersumme in dieser Währung (BT-111) angegeben werden, und BT-6 muss sich von der Rechnungswährung unterscheiden."}},
		{"BR-62", on(ublModelSupplierEndpoint, hasAttr("schemeID")),
			on(ciiModelRoot, func(n *node) bool { return ciiEndpointSchemeOK(n, ciiSeller) })},
		{"BR-63", on(ublModelCustomerEndpoint, hasAttr("schemeID")),
			on(ciiModelRoot, func(n *node) bool { return ciiEndpointSchemeOK(n, ciiBuyer) })},
		{"BR-B-01", on(ublModelRoot, ublSplitPaymentInItaly),
			on(ciiModelRoot, ciiSplitPaymentInItaly)},
		{"BR-B-02", on(ublModelRoot, ublSplitPaymentNotStandard),
			on(ciiModelRoot, ciiSplitPaymentNotStandard)},

		{"BR-21", on(ublModelLine, brNotBlank("cbc:ID")),
			on(ciiModelLine, brNotBlank("ram:AssociatedDocumentLineDocument/ram:LineID"))},
		{"BR-22", on(ublModelLine, brEither("cbc:InvoicedQuantity", "cbc:CreditedQuantity")),
			on(ciiModelLine, exists("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"))},
		{"BR-23", on(ublModelLine, brEither("cbc:InvoicedQuantity/@unitCode", "cbc:CreditedQuantity/@unitCode")),
			on(ciiModelLine, exists("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"))},
		{"BR-24", on(ublModelLine, exists("cbc:LineExtensionAmount")),
			on(ciiModelLine, exists("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"))},
		{"BR-25", on(ublModelLine, brNotBlank("cac:Item/cbc:Name")),
			on(ciiModelLine, brNotBlank("ram:SpecifiedTradeProduct/ram:Name"))},
		{"BR-26", on(ublModelLine, exists("cac:Price/cbc:PriceAmount")),
			on(ciiModelLine, exists("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"))},
		{"BR-27", on(ublModelLine, brNonNegative("cac:Price/cbc:PriceAmount")),
			on(ciiModelLine, brNonNegative("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"))},
		{"BR-28", on(ublModelLine, brNonNegativeIfGiven("cac:Price/cac:AllowanceCharge/cbc:BaseAmount")),
			on(ciiModelLine, brNonNegativeIfGiven("ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount"))},
		{"BR-64", on(ublModelStandardID, hasAttr("schemeID")),
			on(ciiModelLine, func(n *node) bool {
				return n.NormStr("ram:SpecifiedTradeProduct/ram:GlobalID/@schemeID") != "" || !n.Has("ram:SpecifiedTradeProduct/ram:GlobalID")
			})},
		{"BR-41", on(ublModelLineAllowance, exists("cbc:Amount")),
			on(ciiModelLineAllowance, exists("../ram:ActualAmount"))},
		{"BR-42", on(ublModelLineAllowance, brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")),
			on(ciiModelLineAllowance, brEither("../ram:Reason", "../ram:ReasonCode"))},
		{"BR-43", on(ublModelLineCharge, exists("cbc:Amount")),
			on(ciiModelLineCharge, exists("../ram:ActualAmount"))},
		{"BR-44", on(ublModelLineCharge, brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")),
			on(ciiModelLineCharge, brEither("../ram:Reason", "../ram:ReasonCode"))},
		{"BR-30", on(ublModelLinePeriod, ublPeriodOK),
			on(ciiModelLinePeriod, ciiPeriodOK)},
		{"BR-29", on(ublModelPeriod, ublPeriodOK),
			on(ciiModelPeriod, ciiPeriodOK)},
		{"BR-54", on(ublModelItemProperty, brBoth("cbc:Name", "cbc:Value")),
			on(ciiModelCharacteristic, brBoth("ram:Description", "ram:Value"))},
		{"BR-17", on(ublModelPayee, brPayeeNotSeller("cac:PartyName/cbc:Name", "../cac:AccountingSupplierParty/cac:Party/",
			"cac:PartyName/cbc:Name", "cac:PartyIdentification/cbc:ID")),
			on(ciiModelPayee, brPayeeNotSeller("ram:Name", "../../ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/",
				"ram:Name", "ram:ID", "ram:SpecifiedLegalOrganization/ram:ID"))},
		{"BR-49", on(ublModelPaymentMeans, exists("cbc:PaymentMeansCode")),
			on(ciiModelPaymentMeans, exists("ram:TypeCode"))},
		{"BR-61", on(ublModelPaymentMeans, ublTransferHasAccount),
			on(ciiModelPayeeAccount, brEither("ram:IBANID", "ram:ProprietaryID"))},
		{"BR-55", on(ublModelBillingRef, exists("cac:InvoiceDocumentReference/cbc:ID")),
			on(ciiModelPrecedingRef, brNotBlank("ram:IssuerAssignedID"))},
		{"BR-18", on(ublModelTaxRep, brNotBlank("cac:PartyName/cbc:Name")),
			on(ciiModelTaxRep, exists("ram:Name"))},
		{"BR-19", on(ublModelTaxRep, exists("cac:PostalAddress")),
			on(ciiModelTaxRep, exists("ram:PostalTradeAddress"))},
		{"BR-20", on(ublModelTaxRepAddress, brNotBlank("cac:Country/cbc:IdentificationCode")),
			on(ciiModelTaxRep, exists("ram:PostalTradeAddress/ram:CountryID"))},
		{"BR-56", on(ublModelTaxRep, ublTaxRepHasVATID),
			on(ciiModelTaxRep, ciiTaxRepHasVATID)},
		{"BR-45", on(ublModelTaxSubtotal, exists("cbc:TaxableAmount")),
			on(ciiModelHeaderTax, exists("ram:BasisAmount"))},
		{"BR-46", on(ublModelTaxSubtotal, exists("cbc:TaxAmount")),
			on(ciiModelHeaderTax, exists("ram:CalculatedAmount"))},
		{"BR-47", on(ublModelTaxSubtotal, ublHasVATCategoryID),
			on(ciiModelHeaderTax, func(n *node) bool { return ciiVATType(n) && n.Has("ram:CategoryCode") })},
		{"BR-48", on(ublModelTaxSubtotal, ublRateOrNotSubject),
			on(ciiModelHeaderTax, func(n *node) bool {
				return ciiVATType(n) && (n.Has("ram:RateApplicablePercent") || xmltree.In("O", n.Strs("ram:CategoryCode")))
			})},
	}
}

// brNotBlank is "normalize-space(path) != ”".
func brNotBlank(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return p.NormStr(n) != "" }
}

// brEitherNotBlank is "normalize-space(a) != ” or normalize-space(b) != ”".
func brEitherNotBlank(a, b string) func(n *node) bool {
	pa, pb := xp(a), xp(b)
	return func(n *node) bool { return pa.NormStr(n) != "" || pb.NormStr(n) != "" }
}

// brEither is "exists(a) or exists(b)".
func brEither(a, b string) func(n *node) bool {
	pa, pb := xp(a), xp(b)
	return func(n *node) bool { return pa.Has(n) || pb.Has(n) }
}

// brBoth is "exists(a) and exists(b)".
func brBoth(a, b string) func(n *node) bool {
	pa, pb := xp(a), xp(b)
	return func(n *node) bool { return pa.Has(n) && pb.Has(n) }
}

// brAnyNum is path op k, k an integer literal: the untyped values at path
// compared existentially (see untypedCmpInt).
func brAnyNum(n *node, path string, op xmltree.CmpOp, k int64) bool {
	return xmltree.AnyUntypedCmpInt(n, n.Strs(path), op, k)
}

// brNonNegative is "path >= 0" (BR-27).
func brNonNegative(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return xmltree.AnyUntypedCmpInt(n, p.Strs(n), xmltree.OpGe, 0) }
}

// brNonNegativeIfGiven is "path >= 0 or not(path)" (BR-28).
func brNonNegativeIfGiven(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return !p.Has(n) || xmltree.AnyUntypedCmpInt(n, p.Strs(n), xmltree.OpGe, 0) }
}

// brPayeeNotSeller is BR-17: the payee has a name (at name) and shares
// none of the values at same with the seller (seller + each of same).
func brPayeeNotSeller(name, seller string, same ...string) func(n *node) bool {
	pName := xp(name)
	payee, sellers := make([]*xmltree.Path, len(same)), make([]*xmltree.Path, len(same))
	for i, p := range same {
		payee[i], sellers[i] = xp(p), xp(seller+p)
	}
	return func(n *node) bool {
		if !pName.Has(n) {
			return false
		}
		for i := range same {
			if xmltree.AnyIn(payee[i].Strs(n), sellers[i].Strs(n)) {
				return false
			}
		}
		return true
	}
}
