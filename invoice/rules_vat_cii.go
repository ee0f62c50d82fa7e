package invoice

import (
	"math"
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The VAT category rules for CII (see rules_vat_ubl.go for the categories
// and catalogue_vat.go for what each rule means).

// ciiSchemeIDs reports whether an element at path has @schemeID in schemes.
func ciiSchemeIDs(r *node, path string, schemes ...string) bool {
	for _, id := range r.All(path) {
		if s, ok := id.Attr("schemeID"); ok && xmltree.In(s, schemes) {
			return true
		}
	}
	return false
}

// Party identifier conditions of the CII category rules.
func ciiPartiesAE(r *node) bool {
	seller := ciiSchemeIDs(r, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA", "FC") ||
		ciiSchemeIDs(r, "//ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
	buyer := ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") ||
		r.Has("//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID")
	return seller && buyer
}
func ciiPartiesSeller(r *node) bool {
	return ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiSeller+"/ram:SpecifiedTaxRegistration/ram:ID", "VA", "FC") ||
		ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiAgreement+"/ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesG(r *node) bool {
	return ciiSchemeIDs(r, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") ||
		ciiSchemeIDs(r, "//ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesIC(r *node) bool {
	return ciiPartiesG(r) && ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesO(r *node) bool {
	return !ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiSeller+"/ram:SpecifiedTaxRegistration/ram:ID", "VA") &&
		!ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiAgreement+"/ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") &&
		!ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}

// ciiVATBase computes R(Σ line net amounts) + R(Σ charges) − R(Σ
// allowances) of a category (and rate), each rounded to two decimals. As
// the source writes sum(…/xs:decimal(ram:LineTotalAmount)) and
// sum(…/xs:decimal(ram:ActualAmount)), each line's and each allowance's
// amount is cast on its own (xmltree.SumCastDecimal): two of them (CII D16B
// allows any number) or one that is no decimal raise the reference's
// dynamic error on r, and ok is false.
//
// From edition 1.3.16 on, each allowance's and charge's amount is
// ram:ActualAmount[1]: a second one is not read.
func ciiVATBase(r *node, code string, rate *big.Rat, ed cenEdition) (base *big.Rat, ok bool) {
	// ram:…Tax/xs:decimal(ram:RateApplicablePercent) = $rate, after the
	// category code (and before it, in the allowances, the indicator).
	rateOK := func(taxes []*node) bool {
		if rate == nil {
			return true
		}
		for _, t := range taxes {
			if d, ok := xmltree.CastDecimal(r, t.Strs("ram:RateApplicablePercent")); ok && d.Cmp(rate) == 0 {
				return true
			}
		}
		return false
	}
	var lines, charges, allowances []*node
	for _, s := range r.All(ciiLine + "/ram:SpecifiedLineTradeSettlement") {
		if xmltree.In(code, s.Strs("ram:ApplicableTradeTax/ram:CategoryCode")) && rateOK(s.All("ram:ApplicableTradeTax")) {
			lines = append(lines, s.All("ram:SpecifiedTradeSettlementLineMonetarySummation")...)
		}
	}
	for _, ac := range r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
		if !xmltree.In(code, ac.Strs("ram:CategoryTradeTax/ram:CategoryCode")) {
			continue
		}
		if ciiIndicatorIs(ac, true) && rateOK(ac.All("ram:CategoryTradeTax")) {
			charges = append(charges, ac)
		}
		if ciiIndicatorIs(ac, false) && rateOK(ac.All("ram:CategoryTradeTax")) {
			allowances = append(allowances, ac)
		}
	}
	l, ok1 := xmltree.SumCastDecimal(r, lines, "ram:LineTotalAmount")
	sumAmounts := xmltree.SumCastDecimal
	if ed != cen1315 {
		sumAmounts = xmltree.SumCastFirstDecimal
	}
	c, ok2 := sumAmounts(r, charges, "ram:ActualAmount")
	a, ok3 := sumAmounts(r, allowances, "ram:ActualAmount")
	if !ok1 || !ok2 || !ok3 {
		return nil, false
	}
	s := xmltree.RoundDec2(l)
	s.Add(s, xmltree.RoundDec2(c))
	return s.Sub(s, xmltree.RoundDec2(a)), true
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

// ciiCastIndicators evaluates (ram:ChargeIndicator/udt:Indicator cast as
// xs:boolean) on every document level allowance and charge, as the
// predicates of CII BR-Z-08 and BR-O-08 do before they look at the
// category: an indicator that is missing (a udt:IndicatorString) raises
// the reference's dynamic error. BR-O-08 (basis = sums) reads the sums
// even without a basis amount, BR-Z-08 (basis - 1 < sums) only with one.
func ciiCastIndicators(ctx *node) {
	for _, ac := range ctx.Root().All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
		if _, ok := xmltree.CastBoolean(ctx, ac.Strs("ram:ChargeIndicator/udt:Indicator")); !ok {
			return
		}
	}
}

// ciiVATNear is the -08 rule of AE, E, G, IC, Z: basis − 1 < Σ < basis + 1
// (double arithmetic), for the breakdown the category code n belongs to.
func ciiVATNear(code string, ed cenEdition) func(n *node) bool {
	return func(n *node) bool {
		// ../ram:BasisAmount - 1: none leaves the comparison empty
		// (false, the sums unread); two, or one that is no number, stop
		// the reference.
		b, ok := xmltree.UntypedNumber(n, n.Parent.Strs("ram:BasisAmount"))
		if !ok {
			return false
		}
		base, ok := ciiVATBase(n.Root(), code, nil, ed)
		if !ok {
			return false
		}
		s := ratFloat(base)
		return b-1 < s && b+1 > s
	}
}

// ciiVATEqualsPerRate is BR-S-08: for the breakdown's rate, the basis equals
// Σ (double comparison).
func ciiVATEqualsPerRate(code string, ed cenEdition) func(n *node) bool {
	return func(n *node) bool {
		for _, rs := range n.Parent.Strs("ram:RateApplicablePercent") {
			rate, ok := xmltree.CastDecimal(n, []string{rs}) // ../ram:RateApplicablePercent/xs:decimal(.)
			if !ok {
				return false
			}
			base, ok := ciiVATBase(n.Root(), code, rate, ed)
			if !ok {
				return false
			}
			if !xmltree.AnyUntypedCmpDouble(n, n.Parent.Strs("ram:BasisAmount"), xmltree.OpEq, ratFloat(base)) {
				return false
			}
		}
		return true
	}
}

// ciiVATRules builds the category rules for CII as edition ed of the CEN
// artefacts has them (they differ in the -08 sums).
func ciiVATRules(ed cenEdition) []rule {
	var rules []rule
	r := func(id string, ctx ruleContext, test func(*node) bool) {
		rules = append(rules, rule{ID: id, Context: ctx, Test: test})
	}
	ctx := func(order int, names []string, match func(n *node) bool) ruleContext {
		return ruleContext{Pattern: patCIIModel, Order: order, Names: names, Match: match}
	}
	// Header contexts: the category code element of a breakdown (with or
	// without the VAT type), or the breakdown itself.
	hdrCode := func(order int, code string, vat bool) ruleContext {
		return ctx(order, []string{"CategoryCode"}, func(n *node) bool {
			p := n.Parent
			return n.Is("ram:CategoryCode") && p.Is("ram:ApplicableTradeTax") && p.Parent.Is("ram:ApplicableHeaderTradeSettlement") &&
				n.Value() == code && (!vat || ciiVATType(p))
		})
	}
	hdrTax := func(order int, code string) ruleContext {
		return ctx(order, []string{"ApplicableTradeTax"}, func(n *node) bool {
			return n.Is("ram:ApplicableTradeTax") && n.Parent.Is("ram:ApplicableHeaderTradeSettlement") && n.Parent.Parent.Is("rsm:SupplyChainTradeTransaction") &&
				xmltree.In(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	acTax := func(order int, code string, charge bool) ruleContext {
		return ctx(order, []string{"CategoryTradeTax"}, func(n *node) bool {
			return n.Is("ram:CategoryTradeTax") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && ciiIndicatorIs(n.Parent, charge) &&
				xmltree.In(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	lineTax := func(order int, code string) ruleContext {
		return ctx(order, []string{"ApplicableTradeTax"}, func(n *node) bool {
			p := n.Parent
			return n.Is("ram:ApplicableTradeTax") && p.Is("ram:SpecifiedLineTradeSettlement") && p.Parent.Is("ram:IncludedSupplyChainTradeLineItem") &&
				p.Parent.Parent.Is("rsm:SupplyChainTradeTransaction") && xmltree.In(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	// ram:RateApplicablePercent = 0, > 0, >= 0: untyped against an integer.
	rate := func(op xmltree.CmpOp) func(n *node) bool {
		return func(n *node) bool { return brAnyNum(n, "ram:RateApplicablePercent", op, 0) }
	}
	zero, pos, nonNeg := xmltree.OpEq, xmltree.OpGt, xmltree.OpGe
	// IGIC rates in CII must be above zero, where UBL allows zero.
	igic := func(id string, ctx ruleContext, what, whatDE string) {
		rules = append(rules, rule{ID: id, Context: ctx, Test: rate(pos),
			Message:   "The VAT rate of " + what + " with IGIC, Canary Islands (L) must be above zero.",
			MessageDE: "Der Steuersatz " + whatDE + " mit IGIC, Kanarische Inseln (L) muss größer als null sein."})
	}
	noRate := func(n *node) bool { return !n.Has("ram:RateApplicablePercent") }
	reasons := func(prefix string) func(n *node) bool {
		return func(n *node) bool {
			return n.Has(prefix+"ram:ExemptionReason") || n.Has(prefix+"ram:ExemptionReasonCode")
		}
	}
	noReasons := func(prefix string) func(n *node) bool {
		return func(n *node) bool {
			return !n.Has(prefix+"ram:ExemptionReason") && !n.Has(prefix+"ram:ExemptionReasonCode")
		}
	}
	calcZero := func(path string) func(n *node) bool {
		return func(n *node) bool { return brAnyNum(n, path, xmltree.OpEq, 0) }
	}
	parties := func(f func(*node) bool) func(n *node) bool { return func(n *node) bool { return f(n.Root()) } }
	always := func(*node) bool { return true }

	// AE: reverse charge.
	r("BR-AE-08", hdrCode(178, "AE", true), ciiVATNear("AE", ed))
	r("BR-AE-09", hdrCode(178, "AE", true), calcZero("../ram:CalculatedAmount"))
	r("BR-AE-10", hdrCode(178, "AE", true), reasons("../"))
	r("BR-AE-03", acTax(183, "AE", false), parties(ciiPartiesAE))
	r("BR-AE-06", acTax(183, "AE", false), rate(zero))
	r("BR-AE-04", acTax(187, "AE", true), parties(ciiPartiesAE))
	r("BR-AE-07", acTax(187, "AE", true), rate(zero))
	r("BR-AE-02", lineTax(191, "AE"), parties(ciiPartiesAE))
	r("BR-AE-05", lineTax(191, "AE"), rate(zero))
	// L: IGIC.
	r("BR-AF-08", hdrTax(195, "L"), func(n *node) bool { return ciiVATEqualsPerRateAt(n, "L", ed) })
	r("BR-AF-09", hdrTax(195, "L"), always)
	r("BR-AF-10", hdrTax(195, "L"), noReasons(""))
	r("BR-AF-02", lineTax(200, "L"), parties(ciiPartiesSeller))
	igic("BR-AF-05", lineTax(200, "L"), "a line (BT-152)", "einer Position (BT-152)")
	r("BR-AF-03", acTax(204, "L", false), parties(ciiPartiesSeller))
	igic("BR-AF-06", acTax(204, "L", false), "an allowance (BT-96)", "eines Nachlasses (BT-96)")
	r("BR-AF-04", acTax(208, "L", true), parties(ciiPartiesSeller))
	igic("BR-AF-07", acTax(208, "L", true), "a charge (BT-103)", "eines Zuschlags (BT-103)")
	// M: IPSI.
	r("BR-AG-08", hdrTax(212, "M"), func(n *node) bool { return ciiVATEqualsPerRateAt(n, "M", ed) })
	r("BR-AG-09", hdrTax(212, "M"), always)
	r("BR-AG-10", hdrTax(212, "M"), noReasons(""))
	r("BR-AG-02", lineTax(217, "M"), parties(ciiPartiesSeller))
	r("BR-AG-05", lineTax(217, "M"), rate(nonNeg))
	r("BR-AG-03", acTax(221, "M", false), parties(ciiPartiesSeller))
	r("BR-AG-06", acTax(221, "M", false), rate(nonNeg))
	r("BR-AG-04", acTax(225, "M", true), parties(ciiPartiesSeller))
	r("BR-AG-07", acTax(225, "M", true), rate(nonNeg))
	// E: exempt.
	r("BR-E-08", hdrCode(229, "E", true), ciiVATNear("E", ed))
	r("BR-E-09", hdrCode(229, "E", true), calcZero("../ram:CalculatedAmount"))
	r("BR-E-10", hdrCode(229, "E", true), reasons("../"))
	r("BR-E-03", acTax(234, "E", false), parties(ciiPartiesSeller))
	r("BR-E-06", acTax(234, "E", false), rate(zero))
	r("BR-E-04", acTax(238, "E", true), parties(ciiPartiesSeller))
	r("BR-E-07", acTax(238, "E", true), rate(zero))
	r("BR-E-02", lineTax(242, "E"), parties(ciiPartiesSeller))
	r("BR-E-05", lineTax(242, "E"), rate(zero))
	// G: export.
	r("BR-G-08", hdrCode(246, "G", true), ciiVATNear("G", ed))
	r("BR-G-09", hdrCode(246, "G", true), calcZero("../ram:CalculatedAmount"))
	r("BR-G-10", hdrCode(246, "G", true), reasons("../"))
	r("BR-G-03", acTax(251, "G", false), parties(ciiPartiesG))
	r("BR-G-06", acTax(251, "G", false), rate(zero))
	r("BR-G-04", acTax(255, "G", true), parties(ciiPartiesG))
	r("BR-G-07", acTax(255, "G", true), rate(zero))
	r("BR-G-02", lineTax(259, "G"), parties(ciiPartiesG))
	r("BR-G-05", lineTax(259, "G"), rate(zero))
	// K: intra-community.
	icHdr := hdrCode(263, "K", true)
	r("BR-IC-08", icHdr, ciiVATNear("K", ed))
	r("BR-IC-09", icHdr, calcZero("../ram:CalculatedAmount"))
	r("BR-IC-10", icHdr, reasons("../"))
	r("BR-IC-11", icHdr, func(n *node) bool {
		return n.Root().Has(ciiDelivery+"/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString") ||
			n.Has("../../ram:BillingSpecifiedPeriod/ram:StartDateTime") || n.Has("../../ram:BillingSpecifiedPeriod/ram:EndDateTime")
	})
	r("BR-IC-12", icHdr, func(n *node) bool {
		return n.Root().Has(ciiDelivery + "/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID")
	})
	r("BR-IC-03", acTax(270, "K", false), parties(ciiPartiesIC))
	r("BR-IC-06", acTax(270, "K", false), rate(zero))
	r("BR-IC-04", acTax(274, "K", true), parties(ciiPartiesIC))
	r("BR-IC-07", acTax(274, "K", true), rate(zero))
	r("BR-IC-02", lineTax(278, "K"), parties(ciiPartiesIC))
	r("BR-IC-05", lineTax(278, "K"), rate(zero))
	// O: not subject to VAT.
	oHdr := hdrTax(282, "O")
	r("BR-O-08", oHdr, func(n *node) bool {
		ciiCastIndicators(n)
		base, ok := ciiVATBase(n.Root(), "O", nil, ed)
		return ok && xmltree.AnyUntypedCmpDouble(n, n.Strs("ram:BasisAmount"), xmltree.OpEq, ratFloat(base))
	})
	r("BR-O-09", oHdr, calcZero("ram:CalculatedAmount"))
	r("BR-O-10", oHdr, reasons(""))
	otherTax := func(name string) func(n *node) bool {
		return func(n *node) bool {
			for _, t := range n.Root().Descendants(name) {
				for _, c := range t.Strs("ram:CategoryCode") {
					if c != "O" {
						return false
					}
				}
			}
			return true
		}
	}
	r("BR-O-11", oHdr, otherTax("ram:ApplicableTradeTax"))
	r("BR-O-12", oHdr, otherTax("ram:ApplicableTradeTax"))
	r("BR-O-13", oHdr, otherTax("ram:CategoryTradeTax"))
	r("BR-O-14", oHdr, otherTax("ram:CategoryTradeTax"))
	r("BR-O-03", acTax(291, "O", false), parties(ciiPartiesO))
	r("BR-O-06", acTax(291, "O", false), noRate)
	r("BR-O-04", acTax(295, "O", true), parties(ciiPartiesO))
	r("BR-O-07", acTax(295, "O", true), noRate)
	r("BR-O-02", lineTax(299, "O"), parties(ciiPartiesO))
	r("BR-O-05", lineTax(299, "O"), noRate)
	// S: standard rate.
	sHdr := hdrCode(303, "S", false)
	r("BR-S-08", sHdr, ciiVATEqualsPerRate("S", ed))
	r("BR-S-09", sHdr, func(n *node) bool {
		// abs(xs:decimal(../ram:CalculatedAmount)) - 1 < round(abs(
		// xs:decimal(../ram:BasisAmount)) * ../ram:RateApplicablePercent)
		// div 100: an empty side leaves the comparison false; two amounts
		// (CII D16B allows them) stop the reference.
		tax, base, ok := vatTaxAndBase(n, "ram:CalculatedAmount", "ram:BasisAmount")
		if !ok {
			return false
		}
		rate, ok := xmltree.UntypedNumber(n, n.Parent.Strs("ram:RateApplicablePercent"))
		if !ok {
			return false
		}
		t := math.Abs(tax.Float64())
		want := xmltree.RoundDouble(math.Abs(base.Float64())*rate) / 100
		return t-1 < want && t+1 > want
	})
	r("BR-S-10", sHdr, noReasons("../"))
	r("BR-S-02", lineTax(308, "S"), parties(ciiPartiesSeller))
	r("BR-S-05", lineTax(308, "S"), rate(pos))
	r("BR-S-03", acTax(312, "S", false), parties(ciiPartiesSeller))
	r("BR-S-06", acTax(312, "S", false), rate(pos))
	r("BR-S-04", acTax(316, "S", true), parties(ciiPartiesSeller))
	r("BR-S-07", acTax(316, "S", true), rate(pos))
	// Z: zero rated.
	zHdr := hdrCode(320, "Z", false)
	r("BR-Z-08", zHdr, func(n *node) bool {
		if n.Parent.Has("ram:BasisAmount") { // (() - 1 < ...) is false before the sums are read
			ciiCastIndicators(n)
		}
		return ciiVATNear("Z", ed)(n)
	})
	r("BR-Z-09", zHdr, calcZero("../ram:CalculatedAmount"))
	r("BR-Z-10", zHdr, noReasons("../"))
	r("BR-Z-03", acTax(325, "Z", false), parties(ciiPartiesSeller))
	r("BR-Z-06", acTax(325, "Z", false), rate(zero))
	r("BR-Z-04", acTax(329, "Z", true), parties(ciiPartiesSeller))
	r("BR-Z-07", acTax(329, "Z", true), rate(zero))
	r("BR-Z-02", lineTax(333, "Z"), parties(ciiPartiesSeller))
	r("BR-Z-05", lineTax(333, "Z"), rate(zero))

	// -01: the breakdown exists when the category is used (document level).
	// The category codes they count are read once per document.
	codesKey := new(xmltree.MemoKey[*ciiTaxCodes])
	hdrPath := xp("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax")
	linePath := xp("//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax")
	cttPath := xp("//ram:CategoryTradeTax")
	codes := func(n *node) *ciiTaxCodes {
		return xmltree.Memo(n, codesKey, func() *ciiTaxCodes {
			r := n.Root()
			return &ciiTaxCodes{hdr: ciiCategoryCodes(r, hdrPath), line: ciiCategoryCodes(r, linePath), ctt: ciiCategoryCodes(r, cttPath)}
		})
	}
	hdr := func(n *node, code string) int { return ciiCountCat(codes(n).hdr, code) }
	line := func(n *node, code string) int { return ciiCountCat(codes(n).line, code) }
	ctt := func(n *node, code string) int { return ciiCountCat(codes(n).ctt, code) }
	for _, c := range []struct{ id, code string }{{"BR-Z-01", "Z"}, {"BR-E-01", "E"}, {"BR-AE-01", "AE"}, {"BR-IC-01", "K"}, {"BR-G-01", "G"}} {
		code := c.code
		r(c.id, ciiModelRoot, func(n *node) bool {
			if hdr(n, code) == 0 && line(n, code) == 0 && ctt(n, code) == 0 {
				return true
			}
			return hdr(n, code) == 1 && (line(n, code) > 0 || ctt(n, code) > 0)
		})
	}
	r("BR-O-01", ciiModelRoot, func(n *node) bool {
		return hdr(n, "O") == 0 || hdr(n, "O") == 1 && (line(n, "O") > 0 || ctt(n, "O") > 0)
	})
	for _, c := range []struct{ id, code string }{{"BR-S-01", "S"}, {"BR-AF-01", "L"}, {"BR-AG-01", "M"}} {
		code := c.code
		r(c.id, ciiModelRoot, func(n *node) bool {
			return (line(n, code)+hdr(n, code) >= 2 || line(n, code) == 0) && (ctt(n, code)+hdr(n, code) >= 2 || ctt(n, code) == 0)
		})
	}
	return rules
}

// ciiVATEqualsPerRateAt is BR-AF-08/AG-08: their context is the breakdown,
// whose ../ram:RateApplicablePercent does not exist, so the rule holds.
func ciiVATEqualsPerRateAt(n *node, code string, ed cenEdition) bool {
	return len(n.Strs("../ram:RateApplicablePercent")) == 0 || ciiVATEqualsPerRate(code, ed)(n.First("ram:CategoryCode"))
}

// ciiTaxCodes are the ram:CategoryCode values of the tax elements the -01
// rules count, per element: of the breakdowns, of the lines and of the
// allowances and charges.
type ciiTaxCodes struct{ hdr, line, ctt [][]string }

// ciiCategoryCodes returns the ram:CategoryCode values of each element at path.
func ciiCategoryCodes(r *node, path *xmltree.Path) [][]string {
	var codes [][]string
	for _, t := range path.All(r) {
		codes = append(codes, t.Strs("ram:CategoryCode"))
	}
	return codes
}

// ciiCountCat counts the elements with ram:CategoryCode = code.
func ciiCountCat(codes [][]string, code string) int {
	c := 0
	for _, cs := range codes {
		if xmltree.In(code, cs) {
			c++
		}
	}
	return c
}
