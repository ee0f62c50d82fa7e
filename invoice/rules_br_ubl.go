package invoice

import (
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 core business rules BR-01 … BR-65 and BR-B-01/02.

// brPeriodOK is "(exists(end) and exists(start) and xs:date(end) >=
// xs:date(start)) or not(exists(start)) or not(exists(end))".
func brPeriodOK(n *node, start, end string) bool {
	if !n.Has(start) || !n.Has(end) {
		return true
	}
	e, ok1 := xmltree.CastDate(n, n.Strs(end))
	s, ok2 := xmltree.CastDate(n, n.Strs(start))
	return !ok1 || !ok2 || !e.Before(s)
}

// brUBLHasB reports the B categories BR-B-01/02 look for.
func brAnyIs(values []string, code string) bool { return xmltree.In(code, values) }

var brUBLRules = []rule{
	{ID: "BR-52", Context: ublModelDocRef, Test: brNotBlank("cbc:ID")},
	{ID: "BR-63", Context: ublModelCustomerEndpoint,
		Test: hasAttr("schemeID")},
	{ID: "BR-11", Context: ublModelCustomerAddress, Test: brNotBlank("cac:Country/cbc:IdentificationCode")},
	{ID: "BR-51", Context: ublModelCardNumber,
		Test: func(n *node) bool { return utf8.RuneCountInString(xmltree.NormSpace(n.Value())) <= 10 }},
	{ID: "BR-57", Context: ublModelDeliveryAddress, Test: brExists("cac:Country/cbc:IdentificationCode")},
	{ID: "BR-31", Context: ublModelDocAllowance, Test: brExists("cbc:Amount")},
	{ID: "BR-32", Context: ublModelDocAllowance,
		Test: ublHasVATCategoryID},
	{ID: "BR-33", Context: ublModelDocAllowance, Test: brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")},
	{ID: "BR-36", Context: ublModelDocCharge, Test: brExists("cbc:Amount")},
	{ID: "BR-37", Context: ublModelDocCharge,
		Test: ublHasVATCategoryID},
	{ID: "BR-38", Context: ublModelDocCharge, Test: brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")},
	{ID: "BR-12", Context: ublModelTotals, Test: brExists("cbc:LineExtensionAmount")},
	{ID: "BR-13", Context: ublModelTotals, Test: brExists("cbc:TaxExclusiveAmount")},
	{ID: "BR-14", Context: ublModelTotals, Test: brExists("cbc:TaxInclusiveAmount")},
	{ID: "BR-15", Context: ublModelTotals, Test: brExists("cbc:PayableAmount")},

	{ID: "BR-01", Context: ublModelRoot, Test: brNotBlank("cbc:CustomizationID")},
	{ID: "BR-02", Context: ublModelRoot, Test: brNotBlank("cbc:ID")},
	{ID: "BR-03", Context: ublModelRoot, Test: brNotBlank("cbc:IssueDate")},
	{ID: "BR-04", Context: ublModelRoot,
		Test: func(n *node) bool {
			return n.NormStr("cbc:InvoiceTypeCode") != "" || n.NormStr("cbc:CreditNoteTypeCode") != ""
		}},
	{ID: "BR-05", Context: ublModelRoot, Test: brNotBlank("cbc:DocumentCurrencyCode")},
	{ID: "BR-06", Context: ublModelRoot, Test: brNotBlank("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")},
	{ID: "BR-07", Context: ublModelRoot, Test: brNotBlank("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")},
	{ID: "BR-08", Context: ublModelRoot, Test: brExists("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress")},
	{ID: "BR-10", Context: ublModelRoot, Test: brExists("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")},
	{ID: "BR-16", Context: ublModelRoot, Test: brEither("cac:InvoiceLine", "cac:CreditNoteLine")},
	{ID: "BR-53", Context: ublModelRoot,
		Test: func(n *node) bool {
			var currencies []string
			for _, a := range n.Root().Descendants("cbc:TaxAmount") {
				if a.Parent.Is("cac:TaxTotal") {
					if c, ok := a.Attr("currencyID"); ok {
						currencies = append(currencies, c)
					}
				}
			}
			for _, tc := range n.Strs("cbc:TaxCurrencyCode") {
				if !xmltree.In(tc, currencies) {
					return false
				}
			}
			return true
		}},
	{ID: "BR-B-01", Context: ublModelRoot,
		Test: func(n *node) bool {
			r := n.Root()
			hasB := func() bool {
				var codes []string
				for _, tc := range r.Descendants("cac:TaxCategory") {
					codes = append(codes, tc.Strs("cbc:ID")...)
				}
				for _, tc := range r.Descendants("cac:ClassifiedTaxCategory") {
					codes = append(codes, tc.Strs("cbc:ID")...)
				}
				return brAnyIs(codes, "B")
			}()
			if !hasB {
				return true
			}
			for _, c := range r.Descendants("cbc:IdentificationCode") {
				if c.Value() != "IT" {
					return false
				}
			}
			return true
		}},
	{ID: "BR-B-02", Context: ublModelRoot,
		Test: func(n *node) bool {
			classified := []string{}
			for _, tc := range n.Root().Descendants("cac:ClassifiedTaxCategory") {
				classified = append(classified, tc.Strs("cbc:ID")...)
			}
			acCodes := n.Strs("cac:AllowanceCharge/cac:TaxCategory/cbc:ID")
			hasB := brAnyIs(n.Strs("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"), "B") || brAnyIs(acCodes, "B") || brAnyIs(classified, "B")
			if !hasB {
				return true
			}
			hasS := brAnyIs(n.Strs("cac:TaxTotal/cac:TaxSubtotal/cbc:ID"), "S") || brAnyIs(acCodes, "S") || brAnyIs(classified, "S")
			return !hasS
		}},

	{ID: "BR-21", Context: ublModelLine, Test: brNotBlank("cbc:ID")},
	{ID: "BR-22", Context: ublModelLine, Test: brEither("cbc:InvoicedQuantity", "cbc:CreditedQuantity")},
	{ID: "BR-23", Context: ublModelLine, Test: brEither("cbc:InvoicedQuantity/@unitCode", "cbc:CreditedQuantity/@unitCode")},
	{ID: "BR-24", Context: ublModelLine, Test: brExists("cbc:LineExtensionAmount")},
	{ID: "BR-25", Context: ublModelLine, Test: brNotBlank("cac:Item/cbc:Name")},
	{ID: "BR-26", Context: ublModelLine, Test: brExists("cac:Price/cbc:PriceAmount")},
	{ID: "BR-27", Context: ublModelLine,
		Test: func(n *node) bool {
			return brAnyNum(n, "cac:Price/cbc:PriceAmount", xmltree.OpGe, 0)
		}},
	{ID: "BR-28", Context: ublModelLine,
		Test: func(n *node) bool {
			const p = "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"
			return !n.Has(p) || brAnyNum(n, p, xmltree.OpGe, 0)
		}},
	{ID: "BR-41", Context: ublModelLineAllowance, Test: brExists("cbc:Amount")},
	{ID: "BR-42", Context: ublModelLineAllowance, Test: brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")},
	{ID: "BR-43", Context: ublModelLineCharge, Test: brExists("cbc:Amount")},
	{ID: "BR-44", Context: ublModelLineCharge, Test: brEither("cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode")},
	{ID: "BR-30", Context: ublModelLinePeriod,
		Test: func(n *node) bool { return brPeriodOK(n, "cbc:StartDate", "cbc:EndDate") }},
	{ID: "BR-29", Context: ublModelPeriod,
		Test: func(n *node) bool { return brPeriodOK(n, "cbc:StartDate", "cbc:EndDate") }},
	{ID: "BR-54", Context: ublModelItemProperty,
		Test: func(n *node) bool { return n.Has("cbc:Name") && n.Has("cbc:Value") }},
	{ID: "BR-65", Context: ublModelClassification,
		Test: hasAttr("listID")},
	{ID: "BR-64", Context: ublModelStandardID,
		Test: hasAttr("schemeID")},
	{ID: "BR-17", Context: ublModelPayee,
		Test: func(n *node) bool {
			if !n.Has("cac:PartyName/cbc:Name") {
				return false
			}
			return !xmltree.AnyIn(n.Strs("cac:PartyName/cbc:Name"), n.Strs("../cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name")) &&
				!xmltree.AnyIn(n.Strs("cac:PartyIdentification/cbc:ID"), n.Strs("../cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID"))
		}},
	{ID: "BR-50", Context: ublModelPayeeAccount, Test: brNotBlank("cbc:ID")},
	{ID: "BR-49", Context: ublModelPaymentMeans, Test: brExists("cbc:PaymentMeansCode")},
	{ID: "BR-61", Context: ublModelPaymentMeans,
		Test: func(n *node) bool {
			code := n.NormStr("cbc:PaymentMeansCode")
			transfer := code == "30" || code == "58"
			return !transfer || n.Has("cac:PayeeFinancialAccount/cbc:ID")
		}},
	{ID: "BR-55", Context: ublModelBillingRef, Test: brExists("cac:InvoiceDocumentReference/cbc:ID")},
	{ID: "BR-62", Context: ublModelSupplierEndpoint,
		Test: hasAttr("schemeID")},
	{ID: "BR-09", Context: ublModelSupplierAddress, Test: brNotBlank("cac:Country/cbc:IdentificationCode")},
	{ID: "BR-18", Context: ublModelTaxRep, Test: brNotBlank("cac:PartyName/cbc:Name")},
	{ID: "BR-19", Context: ublModelTaxRep, Test: brExists("cac:PostalAddress")},
	{ID: "BR-56", Context: ublModelTaxRep,
		Test: func(n *node) bool {
			for _, s := range n.All("cac:PartyTaxScheme") {
				if ublVAT(s) && s.Has("cbc:CompanyID") {
					return true
				}
			}
			return false
		}},
	{ID: "BR-20", Context: ublModelTaxRepAddress, Test: brNotBlank("cac:Country/cbc:IdentificationCode")},
	{ID: "BR-45", Context: ublModelTaxSubtotal, Test: brExists("cbc:TaxableAmount")},
	{ID: "BR-46", Context: ublModelTaxSubtotal, Test: brExists("cbc:TaxAmount")},
	{ID: "BR-47", Context: ublModelTaxSubtotal,
		Test: ublHasVATCategoryID},
	{ID: "BR-48", Context: ublModelTaxSubtotal,
		Test: func(n *node) bool {
			for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
				if tc.Has("cbc:Percent") || ublCat(tc) == "O" {
					return true
				}
			}
			return false
		}},
}

// ublHasVATCategoryID is exists(cac:TaxCategory[VAT scheme]/cbc:ID).
func ublHasVATCategoryID(n *node) bool {
	for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
		if tc.Has("cbc:ID") {
			return true
		}
	}
	return false
}
