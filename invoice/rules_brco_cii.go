package invoice

import (
	"math"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 calculation and co-occurrence rules for CII.

func brcoCIIRules() []rule {
	return append(brcoReasonRules(ciiModelDocAllowance, ciiModelDocCharge, ciiModelLineAllowance, ciiModelLineCharge,
		"../ram:Reason", "../ram:ReasonCode"), []rule{
		{ID: "BR-CO-10", Context: ciiModelTotals,
			Test: func(n *node) bool {
				total, ok := brcoDec(n, "ram:LineTotalAmount")
				if !ok {
					return false
				}
				// xs:decimal(sum(untyped)): the double sum's exact value.
				sum, _ := xmltree.SumUntyped(n, n.Strs("../../ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"))
				d, ok := xmltree.DecimalOfDouble(sum)
				return ok && total.CmpRat(xmltree.RoundDec2(d)) == 0
			}},
		{ID: "BR-CO-11", Context: ciiModelTotals, Test: ciiACTotal("ram:AllowanceTotalAmount", false)},
		{ID: "BR-CO-12", Context: ciiModelTotals, Test: ciiACTotal("ram:ChargeTotalAmount", true)},
		{ID: "BR-CO-13", Context: ciiModelTotals, Test: ciiTaxBasis(brcoDec)},
		{ID: "BR-CO-16", Context: ciiModelTotals, Test: ciiDuePayable(brcoDec, brcoDecTruthy)},
		{ID: "BR-CO-15", Context: ciiModelRoot,
			Test: func(n *node) bool {
				sum := n.First("//ram:SpecifiedTradeSettlementHeaderMonetarySummation")
				for _, cur := range n.Strs(ciiCurrencyPath) {
					var amounts []string
					for _, t := range n.All(ciiSettle + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount") {
						if c, _ := t.Attr("currencyID"); c == cur {
							amounts = append(amounts, t.Value())
						}
					}
					grand, ok1 := brcoDec(sum, "ram:GrandTotalAmount")
					basis, ok2 := brcoDec(sum, "ram:TaxBasisTotalAmount")
					ok := false
					if len(amounts) == 1 && ok1 && ok2 {
						// count(…) eq 1 holds, so xs:decimal(ram:TaxTotalAmount[…])
						// is read: one that is no decimal raises.
						if tax, ok3 := xmltree.CastDec(n, amounts); ok3 && grand.Cmp(basis.Add(tax).Round2()) == 0 {
							ok = true
						}
					}
					if !ok && !(ok1 && ok2 && grand.Cmp(basis) == 0) {
						return false
					}
				}
				return true
			}},
		{ID: "BR-CO-25", Context: ciiModelRoot,
			Test: func(n *node) bool {
				due := math.NaN()
				if e := n.First("//ram:DuePayableAmount"); e != nil {
					due = xmltree.Num(e.Value())
				}
				if !(due > 0) {
					return true
				}
				return n.Has("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime") || n.Has("//ram:SpecifiedTradePaymentTerms/ram:Description")
			}},
		{ID: "BR-CO-04", Context: ciiModelLine,
			Test: func(n *node) bool {
				for _, t := range n.All("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax") {
					if ciiVATType(t) && t.Has("ram:CategoryCode") {
						return true
					}
				}
				return false
			}},
		{ID: "BR-CO-18", Context: ciiModelLine,
			Test: func(n *node) bool {
				return n.Has("//rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax")
			}},
		{ID: "BR-CO-20", Context: ciiModelLinePeriod, Test: brEither("ram:StartDateTime", "ram:EndDateTime")},
		{ID: "BR-CO-19", Context: ciiModelPeriod, Test: brEither("ram:StartDateTime", "ram:EndDateTime"),
			Message:   "An invoicing period (BG-14) needs a start (BT-73) or end date (BT-74).",
			MessageDE: "Ein Abrechnungszeitraum (BG-14) braucht ein Anfangs- (BT-73) oder Enddatum (BT-74)."},
		{ID: "BR-CO-27", Context: ciiModelDebitMeans,
			Test: func(n *node) bool {
				iban, prop := n.Has("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"), n.Has("ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
				return (iban || prop) && !(iban && prop)
			}},
		{ID: "BR-CO-26", Context: ciiModelSeller,
			Test: func(n *node) bool {
				if n.Has("ram:ID") || n.Has("ram:GlobalID") || n.Has("ram:SpecifiedLegalOrganization/ram:ID") {
					return true
				}
				for _, id := range n.All("ram:SpecifiedTaxRegistration/ram:ID") {
					if s, _ := id.Attr("schemeID"); s == "VA" {
						return true
					}
				}
				return false
			}},
		{ID: "BR-CO-14", Context: ciiModelTaxTotal,
			Test: func(n *node) bool {
				return xmltree.AnyUntypedEqRoundedSum(n, []string{n.Value()}, n.Root().Strs(ciiSettle+"/ram:ApplicableTradeTax/ram:CalculatedAmount"))
			}},
		{ID: "BR-CO-09", Context: ciiModelVATReg,
			Test: func(n *node) bool {
				r := []rune(n.Value())
				if len(r) > 2 {
					r = r[:2]
				}
				return strings.Contains(cen1315.list("cii/BR-CO-09/0"), " "+string(r)+" ")
			}},
		{ID: "BR-CO-03", Context: ciiModelHeaderTax,
			Test: func(n *node) bool {
				r := n.Root()
				return !(len(r.Descendants("ram:TaxPointDate")) > 0 && len(r.Descendants("ram:DueDateTypeCode")) > 0)
			}},
		{ID: "BR-CO-17", Context: ciiModelHeaderTax,
			Test: func(n *node) bool {
				var pcts []string
				if xmltree.NormSpace(strings.ToUpper(n.Str("ram:TypeCode"))) == "VAT" {
					pcts = n.Strs("ram:RateApplicablePercent")
				}
				return brcoTaxAmountOK(n, pcts, n.Strs("ram:CalculatedAmount"), n.Strs("ram:BasisAmount"), true)
			}},
	}...)
}

// ciiACTotal is BR-CO-11 (charge false) and BR-CO-12 (charge true): the
// total equals the rounded sum of the header allowances' (charges')
// actual amounts, or there are neither.
func ciiACTotal(total string, charge bool) func(n *node) bool {
	return func(n *node) bool {
		amounts, any := brcoCIIACAmounts(n.Root(), charge)
		if !any && !n.Has(total) {
			return true
		}
		return xmltree.AnyUntypedEqRoundedSum(n, n.Strs(total), amounts)
	}
}

// brcoCIIACAmounts returns the actual amounts of the header allowances
// (charge false) or charges (true) and whether there are any.
func brcoCIIACAmounts(r *node, charge bool) (amounts []string, any bool) {
	for _, ac := range r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
		if ciiIndicatorIs(ac, charge) {
			any = true
			amounts = append(amounts, ac.Strs("ram:ActualAmount")...)
		}
	}
	return amounts, any
}

// brcoDecTruthy is the effective boolean value of xs:decimal(path): false
// where absent or zero.
func brcoDecTruthy(n *node, path string) bool {
	d, ok := brcoDec(n, path)
	return ok && d.Sign() != 0
}

// A decReader reads xs:decimal(path) from n: the decimal, and whether one
// was read (false where absent, or where the cast raised on n).
type decReader func(n *node, path string) (xmltree.Decimal, bool)

// ciiTaxBasis is BR-CO-13: BT-109 = BT-106 − BT-107 + BT-108, rounded, the
// allowances and charges dropping out where absent; dec reads each amount
// (1.3.15 casts the element, 1.3.16 its first).
func ciiTaxBasis(dec decReader) func(n *node) bool {
	return func(n *node) bool {
		basis, ok1 := dec(n, "ram:TaxBasisTotalAmount")
		lines, ok2 := dec(n, "ram:LineTotalAmount")
		if !ok1 || !ok2 {
			return false
		}
		a, okA := dec(n, "ram:AllowanceTotalAmount")
		c, okC := dec(n, "ram:ChargeTotalAmount")
		hasA, hasC := n.Has("ram:AllowanceTotalAmount"), n.Has("ram:ChargeTotalAmount")
		eq := func(x xmltree.Decimal) bool { return basis.Cmp(x.Round2()) == 0 }
		return okA && okC && eq(lines.Sub(a).Add(c)) ||
			okA && !hasC && eq(lines.Sub(a)) ||
			okC && !hasA && eq(lines.Add(c)) ||
			!hasC && !hasA && eq(lines)
	}
}

// ciiDuePayable is BR-CO-16: BT-115 = BT-112 − BT-113 + BT-114, the
// prepaid and rounding amounts dropping out where given says they are not
// given (1.3.15: not(xs:decimal(x)), absent or zero; 1.3.16: not(x),
// absent); dec reads each amount.
func ciiDuePayable(dec decReader, given func(n *node, path string) bool) func(n *node) bool {
	return func(n *node) bool {
		due, ok1 := dec(n, "ram:DuePayableAmount")
		grand, ok2 := dec(n, "ram:GrandTotalAmount")
		if !ok1 || !ok2 {
			return false
		}
		p, okP := dec(n, "ram:TotalPrepaidAmount")
		r, okR := dec(n, "ram:RoundingAmount")
		tp, tr := given(n, "ram:TotalPrepaidAmount"), given(n, "ram:RoundingAmount")
		return okP && okR && due.Cmp(grand.Sub(p).Add(r)) == 0 ||
			okR && !tp && due.Cmp(grand.Add(r)) == 0 ||
			okP && !tr && due.Cmp(grand.Sub(p)) == 0 ||
			!tp && !tr && due.Cmp(grand) == 0
	}
}
