package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The contexts and tests of the PEPPOL-EN16931-R rules that only CII has
// (see peppolRules in rules_peppol_common.go). Orders are line numbers in
// PEPPOL-EN16931-CII.sch.

const ciiCurrencyPath = ciiSettle + "/ram:InvoiceCurrencyCode"

// ciiTaxTotals returns the header tax totals (BT-110/BT-111) whose currency
// is (or, with !eq, is not) one of the codes at path.
func ciiTaxTotals(settlement *node, path string, eq bool) []*node {
	codes := settlement.Root().Strs(path)
	var out []*node
	for _, t := range settlement.All("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount") {
		c, ok := t.Attr("currencyID")
		if !ok {
			continue
		}
		match := false
		for _, code := range codes {
			if (c == code) == eq {
				match = true
				break
			}
		}
		if match {
			out = append(out, t)
		}
	}
	return out
}

func valuesOf(nodes []*node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Value()
	}
	return out
}

var (
	peppolCIIEmpty = ruleContext{Pattern: patXRCIIPeppolEmpty, Order: 1,
		Match: func(n *node) bool {
			// not(name() = 'ram:ApplicableHeaderTradeDelivery'): the prefix as
			// written, not the namespace (see NameIs).
			return !n.NameIs("ram:ApplicableHeaderTradeDelivery") && len(n.Children) == 0 && xmltree.Blank(n.Text)
		}}
	peppolCIIGrossPrice = ruleContext{Pattern: patXRCIIPeppolPrice, Order: 1, Names: []string{"GrossPriceProductTradePrice"},
		Match: func(n *node) bool {
			return n.Is("ram:GrossPriceProductTradePrice") && n.Parent.Is("ram:SpecifiedLineTradeAgreement") &&
				n.Parent.Parent.Is("ram:IncludedSupplyChainTradeLineItem") && n.Parent.Parent.Parent.Is("rsm:SupplyChainTradeTransaction")
		}}
	peppolCIIContext                        = namedContext(patXRCIIPeppol, 203, "", "", "rsm:ExchangedDocumentContext")
	peppolCIISettlement                     = namedContext(patXRCIIPeppol, 213, "", "", "ram:ApplicableHeaderTradeSettlement")
	peppolCIIBuyer                          = namedContext(patXRCIIPeppol, 227, "", "", "ram:BuyerTradeParty")
	peppolCIISeller                         = namedContext(patXRCIIPeppol, 230, "", "", "ram:SellerTradeParty")
	peppolCIIAC                             = namedContext(patXRCIIPeppol, 241, "", "", "ram:SpecifiedTradeAllowanceCharge")
	peppolCIIACNoBase, peppolCIIACNoPercent = peppolACOnly(peppolCIIAC, 233, 237, "ram:CalculationPercent", "ram:BasisAmount")
	peppolCIIAppliedAC                      = namedContext(patXRCIIPeppol, 249, "", "", "ram:AppliedTradeAllowanceCharge")
	peppolCIIDebit                          = namedContext(patXRCIIPeppol, 252, "", "", "ram:SpecifiedTradeSettlementPaymentMeans").where(peppolDirectDebit("ram:TypeCode"))
	peppolCIILineStart                      = ruleContext{Pattern: patXRCIIPeppol, Order: 257, Names: []string{"StartDateTime"}, Match: ciiLinePeriod("StartDateTime")}
	peppolCIILineEnd                        = ruleContext{Pattern: patXRCIIPeppol, Order: 260, Names: []string{"EndDateTime"}, Match: ciiLinePeriod("EndDateTime")}
	peppolCIILine                           = namedContext(patXRCIIPeppol, 263, "", "", "ram:IncludedSupplyChainTradeLineItem")
	peppolCIIPrice                          = namedContext(patXRCIIPeppol, 298, "", "", "ram:NetPriceProductTradePrice", "ram:GrossPriceProductTradePrice")
	peppolCIIBasisQuantity                  = ruleContext{Pattern: patXRCIIPeppol, Order: 303, Names: []string{"BasisQuantity"},
		Match: func(n *node) bool {
			return n.Is("ram:BasisQuantity") && n.HasAttr("unitCode") &&
				(n.Parent.Is("ram:NetPriceProductTradePrice") || n.Parent.Is("ram:GrossPriceProductTradePrice"))
		}}
)

// ciiLinePeriod matches rsm:SupplyChainTradeTransaction[header period has
// which]/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:<which>.
func ciiLinePeriod(which string) func(n *node) bool {
	return func(n *node) bool {
		p := n.Parent
		if !n.Is("ram:"+which) || !p.Is("ram:BillingSpecifiedPeriod") || !p.Parent.Is("ram:SpecifiedLineTradeSettlement") {
			return false
		}
		line := p.Parent.Parent
		if !line.Is("ram:IncludedSupplyChainTradeLineItem") || !line.Parent.Is("rsm:SupplyChainTradeTransaction") {
			return false
		}
		return line.Parent.Has("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:" + which)
	}
}

// ciiIndicatorOK is normalize-space(ram:ChargeIndicator/udt:Indicator/text())
// = 'true' or 'false'.
func ciiIndicatorOK(n *node) bool {
	v := xmltree.NormSpaceText(n, n.All("ram:ChargeIndicator/udt:Indicator"))
	return v == "true" || v == "false"
}

// anyStringCmp is an existential string comparison of two node sequences.
func anyStringCmp(a, b []string, f func(x, y string) bool) bool {
	for _, x := range a {
		for _, y := range b {
			if f(x, y) {
				return true
			}
		}
	}
	return false
}

// ciiGrossPriceAllowanceOnly is R044: a gross price's discount is an
// allowance.
func ciiGrossPriceAllowanceOnly(n *node) bool {
	return !n.Has("ram:AppliedTradeAllowanceCharge/ram:ActualAmount") ||
		xmltree.In("false", n.Strs("ram:AppliedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator"))
}

// ciiPriceDiscount is R046's discount in CII:
// u:decimalOrZero(ram:AppliedTradeAllowanceCharge/ram:ActualAmount[1]).
// [1] is the first amount of each allowance, so two allowances with an
// amount raise in the cast, as two gross prices do (CII D16B lets
// ram:ChargeAmount repeat).
func ciiPriceDiscount(n *node) (xmltree.Decimal, bool) {
	var firsts []string
	for _, ac := range n.All("ram:AppliedTradeAllowanceCharge") {
		if a := ac.First("ram:ActualAmount"); a != nil {
			firsts = append(firsts, a.Value())
		}
	}
	if len(firsts) == 0 {
		return xmltree.Decimal{}, true
	}
	return xmltree.CastDec(n, firsts)
}

// ciiTaxCurrencyNotInvoice is R005: the VAT accounting currency, where
// given, differs from the invoice currency.
func ciiTaxCurrencyNotInvoice(n *node) bool {
	if !n.Has("ram:TaxCurrencyCode") {
		return true
	}
	return xmltree.NormSpaceText(n, n.All("ram:TaxCurrencyCode")) != xmltree.NormSpaceText(n, n.All("ram:InvoiceCurrencyCode"))
}

// ciiTaxTotalsInTaxCurrency is R054: one VAT total in another currency
// than the invoice's with a VAT accounting currency, none without.
func ciiTaxTotalsInTaxCurrency(n *node) bool {
	want := 0
	if n.Has("ram:TaxCurrencyCode") {
		want = 1
	}
	return len(ciiTaxTotals(n, ciiCurrencyPath, false)) == want
}

// ciiTaxTotalsSameSign is R055: the VAT totals in the VAT accounting and in
// the invoice currency have the same sign.
func ciiTaxTotalsSameSign(n *node) bool {
	doc := valuesOf(ciiTaxTotals(n, ciiCurrencyPath, true))
	if !(n.Root().Has(ciiSettle+"/ram:TaxCurrencyCode") && len(doc) > 0) {
		return true
	}
	tax := valuesOf(ciiTaxTotals(n, ciiSettle+"/ram:TaxCurrencyCode", true))
	// Untyped amounts against the integer 0 (see untypedCmpInt).
	return xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpLt, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpLt, 0) ||
		xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpGe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpGe, 0)
}

// ciiLineStartInPeriod is R110: the line's start date string (format as
// written) is not before the header's.
func ciiLineStartInPeriod(n *node) bool {
	hdr := n.Parent.Parent.Parent.Parent.Strs("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString")
	return anyStringCmp(n.Strs("udt:DateTimeString"), hdr, func(x, y string) bool { return x >= y })
}

// ciiLineEndInPeriod is R111: the line's end date string is not after the
// header's.
func ciiLineEndInPeriod(n *node) bool {
	hdr := n.Parent.Parent.Parent.Parent.Strs("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString")
	return anyStringCmp(n.Strs("udt:DateTimeString"), hdr, func(x, y string) bool { return x <= y })
}

// ciiLineAmountOK is R120 on CII's paths.
func ciiLineAmountOK() func(n *node) bool {
	p := newPeppolLinePaths("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
		"ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
		"ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
		[]string{"ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity",
			"ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:BasisQuantity"},
		"ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge", "ram:ChargeIndicator/udt:Indicator", "ram:ActualAmount",
		ciiCurrencyPath)
	return func(n *node) bool { return peppolLineAmountOK(n, p) }
}

// ciiBasisQuantityUnitOK is R130: the base quantity's unit is the line's
// billed quantity's.
func ciiBasisQuantityUnitOK(n *node) bool {
	u, _ := n.Attr("unitCode")
	line := n.Parent.Parent.Parent
	return line != nil && xmltree.In(u, line.Strs("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"))
}
