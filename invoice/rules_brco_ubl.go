package invoice

import (
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 calculation and co-occurrence rules BR-CO-03 … BR-CO-26.

// brcoPrefixOK is BR-CO-09 in UBL: contains(list, substring(id, 1, 2)),
// without spaces around the prefix (so a one-letter or empty prefix passes).
func brcoPrefixOK(id string) bool {
	r := []rune(id)
	if len(r) > 2 {
		r = r[:2]
	}
	return strings.Contains(cen1315.list("ubl/BR-CO-09/0"), string(r))
}

// brcoSumRound2 is round(sum(…/xs:decimal(x)) * 10 * 10) div 100 over one
// value per element (a UBL line, allowance or subtotal has one amount): a
// value that is no decimal raises the reference's dynamic error on ctx, and
// ok is false. The rules compare xs:decimal(total) = …: Saxon reads the
// sum only where the total is there (an empty operand of at most one item
// makes = false at once), so the callers cast it only then.
func brcoSumRound2(ctx *node, values []string) (sum xmltree.Decimal, ok bool) {
	if sum, ok = vatSumDec(ctx, values); !ok {
		return xmltree.Decimal{}, false
	}
	return sum.Round2(), true
}

// ublACTotal is BR-CO-11 (charge false) and BR-CO-12 (charge true): the
// total equals the rounded sum of the document's allowances' (charges')
// amounts, or there are neither.
func ublACTotal(total string, charge bool) func(n *node) bool {
	return func(n *node) bool {
		amounts, any := brcoACAmounts(n, "../cac:AllowanceCharge", charge)
		t, ok := brcoDec(n, total)
		if !ok {
			return !n.Has(total) && !any
		}
		if sum, ok := brcoSumRound2(n, amounts); ok && t.Cmp(sum) == 0 {
			return true
		}
		return !n.Has(total) && !any
	}
}

// brcoACAmounts returns the cbc:Amount values of the allowances (charge
// false) or charges (true) among the AllowanceCharge elements at path.
func brcoACAmounts(n *node, path string, charge bool) (amounts []string, any bool) {
	for _, ac := range n.All(path) {
		if ublChargeIndicatorIs(ac, charge) {
			any = true
			amounts = append(amounts, ac.Strs("cbc:Amount")...)
		}
	}
	return amounts, any
}

func brcoUBLRules() []rule {
	return append(brcoReasonRules(ublModelDocAllowance, ublModelDocCharge, ublModelLineAllowance, ublModelLineCharge,
		"cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode"), []rule{
		{ID: "BR-CO-25", Context: ublModelPayable,
			Test: func(n *node) bool {
				v := xmltree.Num(n.Value())
				if v <= 0 {
					return true
				}
				r := n.Root()
				return v > 0 && (len(r.Descendants("cbc:DueDate")) > 0 || r.Has("//cac:PaymentTerms/cbc:Note"))
			}},
		{ID: "BR-CO-10", Context: ublModelTotals,
			Test: func(n *node) bool {
				total, ok := brcoDec(n, "cbc:LineExtensionAmount")
				if !ok {
					return false
				}
				r := n.Root()
				var lines []string
				for _, l := range append(r.Descendants("cac:InvoiceLine"), r.Descendants("cac:CreditNoteLine")...) {
					lines = append(lines, l.Strs("cbc:LineExtensionAmount")...)
				}
				sum, ok := brcoSumRound2(n, lines)
				return ok && total.Cmp(sum) == 0
			}},
		{ID: "BR-CO-11", Context: ublModelTotals, Test: ublACTotal("cbc:AllowanceTotalAmount", false)},
		{ID: "BR-CO-12", Context: ublModelTotals, Test: ublACTotal("cbc:ChargeTotalAmount", true)},
		{ID: "BR-CO-13", Context: ublModelTotals,
			Test: func(n *node) bool {
				return brcoTaxExclusiveOK(n, "cbc:LineExtensionAmount", "cbc:ChargeTotalAmount", "cbc:AllowanceTotalAmount", "cbc:TaxExclusiveAmount")
			}},
		{ID: "BR-CO-16", Context: ublModelTotals,
			Test: func(n *node) bool {
				return brcoPayableOK(n, "cbc:PrepaidAmount", "cbc:PayableRoundingAmount", "cbc:PayableAmount", "cbc:TaxInclusiveAmount")
			}},
		{ID: "BR-CO-03", Context: ublModelRoot,
			Test: func(n *node) bool {
				return !(n.Has("cbc:TaxPointDate") && n.Has("cac:InvoicePeriod/cbc:DescriptionCode"))
			}},
		{ID: "BR-CO-15", Context: ublModelRoot,
			Test: func(n *node) bool {
				for _, cur := range n.Strs("cbc:DocumentCurrencyCode") {
					var amounts []string
					for _, a := range n.All("cac:TaxTotal/cbc:TaxAmount") {
						if c, _ := a.Attr("currencyID"); c == cur {
							amounts = append(amounts, a.Value())
						}
					}
					// count(cac:TaxTotal/xs:decimal(cbc:TaxAmount[…])) casts
					// every tax amount in the currency before it counts them.
					for _, a := range amounts {
						if _, ok := xmltree.CastDec(n, []string{a}); !ok {
							return false
						}
					}
					if len(amounts) != 1 {
						return false
					}
					incl, ok1 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
					excl, ok2 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")
					tax, ok3 := xmltree.CastDec(n, amounts)
					if !ok1 || !ok2 || !ok3 || incl.Cmp(excl.Add(tax).Round2()) != 0 {
						return false
					}
				}
				return true
			}},
		{ID: "BR-CO-18", Context: ublModelRoot, Test: exists("cac:TaxTotal/cac:TaxSubtotal")},
		{ID: "BR-CO-04", Context: ublModelLine,
			Test: func(n *node) bool {
				for _, c := range ublVATCategories(n, "cac:Item/cac:ClassifiedTaxCategory") {
					if c.Has("cbc:ID") {
						return true
					}
				}
				return false
			}},
		{ID: "BR-CO-20", Context: ublModelLinePeriod, Test: brEither("cbc:StartDate", "cbc:EndDate")},
		{ID: "BR-CO-19", Context: ublModelPeriod,
			Test: func(n *node) bool {
				return n.Has("cbc:StartDate") || n.Has("cbc:EndDate") || n.Has("cbc:DescriptionCode")
			}},
		{ID: "BR-CO-26", Context: ublModelSupplier,
			Test: func(n *node) bool {
				for _, s := range n.All("cac:Party/cac:PartyTaxScheme") {
					if ublVAT(s) && s.Has("cbc:CompanyID") {
						return true
					}
				}
				return n.Has("cac:Party/cac:PartyIdentification/cbc:ID") || n.Has("cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
			}},
		{ID: "BR-CO-14", Context: ublModelTaxTotal,
			Test: func(n *node) bool {
				if !n.Has("cac:TaxSubtotal") {
					return true
				}
				total, ok := brcoDec(n, "cbc:TaxAmount")
				if !ok {
					return false
				}
				sum, ok := brcoSumRound2(n, n.Strs("cac:TaxSubtotal/cbc:TaxAmount"))
				return ok && total.Cmp(sum) == 0
			}},
		{ID: "BR-CO-17", Context: ublModelTaxSubtotal,
			Test: func(n *node) bool {
				var pcts []string
				for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
					pcts = append(pcts, tc.Strs("cbc:Percent")...)
				}
				return brcoTaxAmountOK(n, pcts, n.Strs("cbc:TaxAmount"), n.Strs("cbc:TaxableAmount"), false)
			}},
		{ID: "BR-CO-09", Context: ublModelVATScheme,
			Test: func(n *node) bool { return brcoPrefixOK(n.Str("cbc:CompanyID")) }},
	}...)
}

// brcoTaxExclusiveOK is BR-CO-13 for both syntaxes.
func brcoTaxExclusiveOK(n *node, linePath, chargePath, allowPath, exclPath string) bool {
	hasC, hasA := n.Has(chargePath), n.Has(allowPath)
	excl, ok1 := brcoDec(n, exclPath)
	lines, ok2 := brcoDec(n, linePath)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case hasC && hasA:
		c, ok3 := brcoDec(n, chargePath)
		a, ok4 := brcoDec(n, allowPath)
		return ok3 && ok4 && excl.Cmp(lines.Add(c).Sub(a).Round2()) == 0
	case hasA:
		a, ok4 := brcoDec(n, allowPath)
		return ok4 && excl.Cmp(lines.Sub(a).Round2()) == 0
	case hasC:
		c, ok3 := brcoDec(n, chargePath)
		return ok3 && excl.Cmp(lines.Add(c).Round2()) == 0
	}
	return excl.Cmp(lines) == 0
}

// brcoPayableOK is BR-CO-16 for both syntaxes.
func brcoPayableOK(n *node, prepaidPath, roundingPath, payablePath, totalPath string) bool {
	hasP, hasR := n.Has(prepaidPath), n.Has(roundingPath)
	payable, ok1 := brcoDec(n, payablePath)
	total, ok2 := brcoDec(n, totalPath)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case hasP && !hasR:
		p, ok := brcoDec(n, prepaidPath)
		return ok && payable.Cmp(total.Sub(p).Round2()) == 0
	case !hasP && !hasR:
		return payable.Cmp(total) == 0
	case hasP && hasR:
		p, ok := brcoDec(n, prepaidPath)
		r, ok3 := brcoDec(n, roundingPath)
		return ok && ok3 && payable.Sub(r).Round2().Cmp(total.Sub(p).Round2()) == 0
	}
	r, ok := brcoDec(n, roundingPath)
	return ok && payable.Sub(r).Round2().Cmp(total) == 0
}
