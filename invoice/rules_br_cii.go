package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// The tests of the EN 16931 core business rules that only CII has (see
// brRules in rules_br_common.go).

const ciiSeller = ciiAgreement + "/ram:SellerTradeParty"
const ciiBuyer = ciiAgreement + "/ram:BuyerTradeParty"

// ciiDeliveryCountryGiven is BR-57: a delivery address has a country.
func ciiDeliveryCountryGiven(n *node) bool {
	const a = "ram:ShipToTradeParty/ram:PostalTradeAddress"
	return !n.Has(a) || n.NormStr(a+"/ram:CountryID") != ""
}

// ciiTaxCurrencyHasTotal is BR-53: with a VAT accounting currency, a VAT
// total in it, and that currency is not the invoice currency.
func ciiTaxCurrencyHasTotal(n *node) bool {
	r := n.Root()
	tcc := r.Strs(ciiSettle + "/ram:TaxCurrencyCode")
	if len(tcc) == 0 {
		return true
	}
	return xmltree.AnyIn(n.Strs("ram:TaxTotalAmount/@currencyID"), tcc) && !xmltree.AnyIn(tcc, r.Strs(ciiCurrencyPath))
}

// ciiIssueDateGiven is BR-03: an issue date in format 102, not blank.
func ciiIssueDateGiven(n *node) bool {
	d := brDateString102(n, "rsm:ExchangedDocument/ram:IssueDateTime")
	return len(d) > 0 && xmltree.NormSpace(d[0]) != ""
}

// ciiSplitPaymentInItaly is BR-B-01: with a B category anywhere, every
// country code is IT.
func ciiSplitPaymentInItaly(n *node) bool {
	cats := ciiAllValues(n, "ram:CategoryCode")
	if !xmltree.In("B", cats) {
		return true
	}
	for _, c := range ciiAllValues(n, "ram:CountryID") {
		if c != "IT" {
			return false
		}
	}
	return true
}

// ciiSplitPaymentNotStandard is BR-B-02: an invoice with a B category has
// no S category.
func ciiSplitPaymentNotStandard(n *node) bool {
	cats := ciiAllValues(n, "ram:CategoryCode")
	return !xmltree.In("B", cats) || !xmltree.In("S", cats)
}

// ciiTaxRepHasVATID is BR-56: the tax representative's first VAT
// registration (schemeID VA) is not blank.
func ciiTaxRepHasVATID(n *node) bool {
	for _, id := range n.All("ram:SpecifiedTaxRegistration/ram:ID") {
		if s, _ := id.Attr("schemeID"); s == "VA" {
			return xmltree.NormSpace(id.Value()) != ""
		}
	}
	return false
}

// ciiACHasVATCategory is ../ram:CategoryTradeTax[upper-case(ram:TypeCode) = 'VAT']/ram:CategoryCode.
func ciiACHasVATCategory(n *node) bool {
	for _, t := range n.All("../ram:CategoryTradeTax") {
		if ciiVATType(t) && t.Has("ram:CategoryCode") {
			return true
		}
	}
	return false
}

// ciiEndpointSchemeOK is BR-62/63: the first electronic address of the
// party has a scheme, or the party has none.
func ciiEndpointSchemeOK(n *node, party string) bool {
	comms := n.All(party + "/ram:URIUniversalCommunication")
	if len(comms) == 0 {
		return true
	}
	// URIUniversalCommunication[1] is the first of each party's.
	for _, c := range comms {
		if c.Position() == 1 {
			if xmltree.NormSpace(c.Str("ram:URIID/@schemeID")) != "" {
				return true
			}
			break
		}
	}
	return false
}

// ciiAllValues returns the values of every element named name anywhere.
func ciiAllValues(n *node, name string) []string {
	var out []string
	for _, e := range n.Root().Descendants(name) {
		out = append(out, e.Value())
	}
	return out
}

// brDateString102 is path/udt:DateTimeString[@format = '102'].
func brDateString102(n *node, path string) []string {
	var out []string
	for _, d := range n.All(path + "/udt:DateTimeString") {
		if f, _ := d.Attr("format"); f == "102" {
			out = append(out, d.Value())
		}
	}
	return out
}

// ciiPeriodOK is BR-29/30: the end date is not before the start date
// (format 102 strings compared), where both are given.
func ciiPeriodOK(n *node) bool {
	if !n.Has("ram:EndDateTime") || !n.Has("ram:StartDateTime") {
		return true
	}
	return anyStringCmp(brDateString102(n, "ram:EndDateTime"), brDateString102(n, "ram:StartDateTime"), func(x, y string) bool { return x >= y })
}
