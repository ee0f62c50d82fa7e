package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The PEPPOL BIS Billing 3.0 rules XRechnung 2.5.0 carries for CII, with the
// changes the XRechnung build makes (R053, R055, R040 and R120 rewritten,
// R008 and R044/R046 added in patterns of their own, R043 numbered -1/-2
// for its two contexts). Orders are line numbers in PEPPOL-EN16931-CII.sch.

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

func ciiIsSTAC(n *node) bool { return n.Is("ram:SpecifiedTradeAllowanceCharge") }

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
	peppolCIIContext = ruleContext{Pattern: patXRCIIPeppol, Order: 203, Names: []string{"ExchangedDocumentContext"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRSM }}
	peppolCIISettlement = ruleContext{Pattern: patXRCIIPeppol, Order: 213, Names: []string{"ApplicableHeaderTradeSettlement"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIIBuyer = ruleContext{Pattern: patXRCIIPeppol, Order: 227, Names: []string{"BuyerTradeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIISeller = ruleContext{Pattern: patXRCIIPeppol, Order: 230, Names: []string{"SellerTradeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIIACNoBase = ruleContext{Pattern: patXRCIIPeppol, Order: 233, Names: []string{"SpecifiedTradeAllowanceCharge"},
		Match: func(n *node) bool {
			return ciiIsSTAC(n) && n.Has("ram:CalculationPercent") && !n.Has("ram:BasisAmount")
		}}
	peppolCIIACNoPercent = ruleContext{Pattern: patXRCIIPeppol, Order: 237, Names: []string{"SpecifiedTradeAllowanceCharge"},
		Match: func(n *node) bool {
			return ciiIsSTAC(n) && !n.Has("ram:CalculationPercent") && n.Has("ram:BasisAmount")
		}}
	peppolCIIAC        = ruleContext{Pattern: patXRCIIPeppol, Order: 241, Names: []string{"SpecifiedTradeAllowanceCharge"}, Match: ciiIsSTAC}
	peppolCIIAppliedAC = ruleContext{Pattern: patXRCIIPeppol, Order: 249, Names: []string{"AppliedTradeAllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIIDebit = ruleContext{Pattern: patXRCIIPeppol, Order: 252, Names: []string{"SpecifiedTradeSettlementPaymentMeans"},
		Match: func(n *node) bool {
			c := n.NormStr("ram:TypeCode")
			return n.Space == xmltree.NSRAM && (c == "49" || c == "59")
		}}
	peppolCIILineStart = ruleContext{Pattern: patXRCIIPeppol, Order: 257, Names: []string{"StartDateTime"}, Match: ciiLinePeriod("StartDateTime")}
	peppolCIILineEnd   = ruleContext{Pattern: patXRCIIPeppol, Order: 260, Names: []string{"EndDateTime"}, Match: ciiLinePeriod("EndDateTime")}
	peppolCIILine      = ruleContext{Pattern: patXRCIIPeppol, Order: 263, Names: []string{"IncludedSupplyChainTradeLineItem"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIIPrice = ruleContext{Pattern: patXRCIIPeppol, Order: 298, Names: []string{"NetPriceProductTradePrice", "GrossPriceProductTradePrice"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	peppolCIIBasisQuantity = ruleContext{Pattern: patXRCIIPeppol, Order: 303, Names: []string{"BasisQuantity"},
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

var peppolCIIRules = []rule{
	{ID: "PEPPOL-EN16931-R008", Context: peppolCIIEmpty,
		Test: never},
	{ID: "PEPPOL-EN16931-R044", Context: peppolCIIGrossPrice,
		Test: func(n *node) bool {
			return !n.Has("ram:AppliedTradeAllowanceCharge/ram:ActualAmount") ||
				xmltree.In("false", n.Strs("ram:AppliedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator"))
		}},
	{ID: "PEPPOL-EN16931-R046", Context: peppolCIIGrossPrice,
		Test: func(n *node) bool {
			if !n.Has("ram:ChargeAmount") {
				return true
			}
			// xs:decimal(../ram:NetPriceProductTradePrice/ram:ChargeAmount) =
			// xs:decimal(ram:ChargeAmount) - u:decimalOrZero(
			// ram:AppliedTradeAllowanceCharge/ram:ActualAmount[1]): CII D16B
			// lets ram:ChargeAmount repeat, and [1] is the first amount of
			// each allowance, so two of either raise in the cast.
			// Without a net price the comparison is false before the
			// right side is read.
			net, ok1 := xmltree.CastDecimal(n, n.Parent.Strs("ram:NetPriceProductTradePrice/ram:ChargeAmount"))
			if !ok1 {
				return false
			}
			gross, ok2 := xmltree.CastDecimal(n, n.Strs("ram:ChargeAmount"))
			var firsts []string
			for _, ac := range n.All("ram:AppliedTradeAllowanceCharge") {
				if a := ac.First("ram:ActualAmount"); a != nil {
					firsts = append(firsts, a.Value())
				}
			}
			disc := new(big.Rat)
			ok3 := true
			if len(firsts) > 0 {
				disc, ok3 = xmltree.CastDecimal(n, firsts)
			}
			if !ok2 || !ok3 {
				return false
			}
			return net.Cmp(new(big.Rat).Sub(gross, disc)) == 0
		}},
	{ID: "PEPPOL-EN16931-R001", Context: peppolCIIContext,
		Test: func(n *node) bool { return n.Has("ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") }},
	{ID: "PEPPOL-EN16931-R005", Context: peppolCIISettlement,
		Test: func(n *node) bool {
			if !n.Has("ram:TaxCurrencyCode") {
				return true
			}
			return xmltree.NormSpaceText(n, n.All("ram:TaxCurrencyCode")) != xmltree.NormSpaceText(n, n.All("ram:InvoiceCurrencyCode"))
		}},
	{ID: "PEPPOL-EN16931-R053", Context: peppolCIISettlement,
		Test:      func(n *node) bool { return len(ciiTaxTotals(n, ciiCurrencyPath, true)) <= 1 },
		Message:   "At most one VAT total (BT-110) in the invoice currency may be given.",
		MessageDE: "Es darf höchstens eine Umsatzsteuersumme (BT-110) in Rechnungswährung angegeben werden."},
	{ID: "PEPPOL-EN16931-R054", Context: peppolCIISettlement,
		Test: func(n *node) bool {
			want := 0
			if n.Has("ram:TaxCurrencyCode") {
				want = 1
			}
			return len(ciiTaxTotals(n, ciiCurrencyPath, false)) == want
		}},
	{ID: "PEPPOL-EN16931-R055", Context: peppolCIISettlement,
		Test: func(n *node) bool {
			doc := valuesOf(ciiTaxTotals(n, ciiCurrencyPath, true))
			if !(n.Root().Has(ciiSettle+"/ram:TaxCurrencyCode") && len(doc) > 0) {
				return true
			}
			tax := valuesOf(ciiTaxTotals(n, ciiSettle+"/ram:TaxCurrencyCode", true))
			// Untyped amounts against the integer 0 (see untypedCmpInt).
			return xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpLt, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpLt, 0) ||
				xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpGe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpGe, 0)
		}},
	{ID: "PEPPOL-EN16931-R010", Context: peppolCIIBuyer,
		Test: func(n *node) bool { return n.Has("ram:URIUniversalCommunication/ram:URIID") }},
	{ID: "PEPPOL-EN16931-R020", Context: peppolCIISeller,
		Test: func(n *node) bool { return n.Has("ram:URIUniversalCommunication/ram:URIID") }},
	{ID: "PEPPOL-EN16931-R041", Context: peppolCIIACNoBase,
		Test: never},
	{ID: "PEPPOL-EN16931-R042", Context: peppolCIIACNoPercent,
		Test: never},
	{ID: "PEPPOL-EN16931-R040", Context: peppolCIIAC,
		Test: func(n *node) bool {
			if !(n.Has("ram:CalculationPercent") && n.Has("ram:BasisAmount")) {
				return true
			}
			amount, ok := peppolDecOr(n, "ram:ActualAmount", 0) // CII D16B lets it repeat
			if !ok {
				return false
			}
			base, ok := xmltree.CastDecimal(n, n.Strs("ram:BasisAmount"))
			if !ok {
				return false
			}
			pct, ok := xmltree.CastDecimal(n, n.Strs("ram:CalculationPercent"))
			if !ok {
				return false
			}
			want := new(big.Rat).Mul(base, pct)
			want.Quo(want, big.NewRat(100, 1))
			return peppolSlack(amount, want, peppolSlackValue(n, ciiCurrencyPath))
		}},
	{ID: "PEPPOL-EN16931-R043-1", Context: peppolCIIAC,
		Test: ciiIndicatorOK},
	{ID: "PEPPOL-EN16931-R043-2", Context: peppolCIIAppliedAC,
		Test: ciiIndicatorOK},
	{ID: "PEPPOL-EN16931-R061", Context: peppolCIIDebit,
		Test: func(n *node) bool { return n.Has("../ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID") }},
	{ID: "PEPPOL-EN16931-R110", Context: peppolCIILineStart,
		Test: func(n *node) bool {
			hdr := n.Parent.Parent.Parent.Parent.Strs("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString")
			return anyStringCmp(n.Strs("udt:DateTimeString"), hdr, func(x, y string) bool { return x >= y })
		}},
	{ID: "PEPPOL-EN16931-R111", Context: peppolCIILineEnd,
		Test: func(n *node) bool {
			hdr := n.Parent.Parent.Parent.Parent.Strs("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString")
			return anyStringCmp(n.Strs("udt:DateTimeString"), hdr, func(x, y string) bool { return x <= y })
		}},
	{ID: "PEPPOL-EN16931-R120", Context: peppolCIILine,
		Test: func(n *node) bool {
			const (
				agreement = "ram:SpecifiedLineTradeAgreement/"
				settle    = "ram:SpecifiedLineTradeSettlement/"
			)
			// The lets in their order; a cast that raises stops here.
			lineAmount, ok1 := peppolDecOr(n, settle+"ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", 0)
			qty, ok2 := peppolDecOr(n, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", 1)
			price, ok3 := peppolDecOr(n, agreement+"ram:NetPriceProductTradePrice/ram:ChargeAmount", 0)
			base, ok4 := peppolBaseQuantity(n, agreement+"ram:NetPriceProductTradePrice/ram:BasisQuantity", agreement+"ram:GrossPriceProductTradePrice/ram:BasisQuantity")
			acs := n.All(settle + "ram:SpecifiedTradeAllowanceCharge")
			allowances, ok5 := peppolACTotal(n, acs, "ram:ChargeIndicator/udt:Indicator", "ram:ActualAmount", "false")
			charges, ok6 := peppolACTotal(n, acs, "ram:ChargeIndicator/udt:Indicator", "ram:ActualAmount", "true")
			if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
				return false
			}
			want := new(big.Rat).Quo(price, base)
			want.Mul(want, qty)
			want.Add(want, charges)
			want.Sub(want, allowances)
			return peppolSlack(lineAmount, want, peppolSlackValue(n, ciiCurrencyPath))
		}},
	{ID: "PEPPOL-EN16931-R101", Context: peppolCIILine,
		Test: func(n *node) bool {
			const p = "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument"
			return !n.Has(p) || xmltree.In("130", n.Strs(p+"/ram:TypeCode"))
		}},
	{ID: "PEPPOL-EN16931-R121", Context: peppolCIIPrice,
		Test: func(n *node) bool {
			values := n.Strs("ram:BasisQuantity")
			if len(values) == 0 {
				return true
			}
			d, ok := xmltree.CastDecimal(n, values)
			return ok && d.Sign() > 0
		}},
	{ID: "PEPPOL-EN16931-R130", Context: peppolCIIBasisQuantity,
		Test: func(n *node) bool {
			u, _ := n.Attr("unitCode")
			line := n.Parent.Parent.Parent
			return line != nil && xmltree.In(u, line.Strs("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"))
		}},
}
