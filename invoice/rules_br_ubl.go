package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// The tests of the EN 16931 core business rules that only UBL has (see
// brRules in rules_br_common.go).

// ublPeriodOK is BR-29/30: "(exists(cbc:EndDate) and exists(cbc:StartDate)
// and xs:date(cbc:EndDate) >= xs:date(cbc:StartDate)) or
// not(exists(cbc:StartDate)) or not(exists(cbc:EndDate))".
func ublPeriodOK(n *node) bool {
	const start, end = "cbc:StartDate", "cbc:EndDate"
	if !n.Has(start) || !n.Has(end) {
		return true
	}
	e, ok1 := xmltree.CastDate(n, n.Strs(end))
	s, ok2 := xmltree.CastDate(n, n.Strs(start))
	return !ok1 || !ok2 || !e.Before(s)
}

// ublTaxCurrencyHasTotal is BR-53: every VAT accounting currency has a VAT
// total in it.
func ublTaxCurrencyHasTotal(n *node) bool {
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
}

// ublSplitPaymentInItaly is BR-B-01: with a B category anywhere, every
// country code is IT.
func ublSplitPaymentInItaly(n *node) bool {
	r := n.Root()
	var codes []string
	for _, tc := range r.Descendants("cac:TaxCategory") {
		codes = append(codes, tc.Strs("cbc:ID")...)
	}
	for _, tc := range r.Descendants("cac:ClassifiedTaxCategory") {
		codes = append(codes, tc.Strs("cbc:ID")...)
	}
	if !xmltree.In("B", codes) {
		return true
	}
	for _, c := range r.Descendants("cbc:IdentificationCode") {
		if c.Value() != "IT" {
			return false
		}
	}
	return true
}

// ublSplitPaymentNotStandard is BR-B-02: an invoice with a B category has
// no S category.
func ublSplitPaymentNotStandard(n *node) bool {
	classified := []string{}
	for _, tc := range n.Root().Descendants("cac:ClassifiedTaxCategory") {
		classified = append(classified, tc.Strs("cbc:ID")...)
	}
	acCodes := n.Strs("cac:AllowanceCharge/cac:TaxCategory/cbc:ID")
	hasB := xmltree.In("B", n.Strs("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID")) || xmltree.In("B", acCodes) || xmltree.In("B", classified)
	if !hasB {
		return true
	}
	hasS := xmltree.In("S", n.Strs("cac:TaxTotal/cac:TaxSubtotal/cbc:ID")) || xmltree.In("S", acCodes) || xmltree.In("S", classified)
	return !hasS
}

// ublTransferHasAccount is BR-61: a credit transfer (30, 58) names the
// payee's account.
func ublTransferHasAccount(n *node) bool {
	code := n.NormStr("cbc:PaymentMeansCode")
	transfer := code == "30" || code == "58"
	return !transfer || n.Has("cac:PayeeFinancialAccount/cbc:ID")
}

// ublTaxRepHasVATID is BR-56: the tax representative has a VAT identifier.
func ublTaxRepHasVATID(n *node) bool {
	for _, s := range n.All("cac:PartyTaxScheme") {
		if ublVAT(s) && s.Has("cbc:CompanyID") {
			return true
		}
	}
	return false
}

// ublRateOrNotSubject is BR-48: the VAT category has a rate, or is O.
func ublRateOrNotSubject(n *node) bool {
	for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
		if tc.Has("cbc:Percent") || ublCat(tc) == "O" {
			return true
		}
	}
	return false
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
