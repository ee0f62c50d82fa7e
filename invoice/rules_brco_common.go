package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the EN 16931 calculation and co-occurrence rules that both
// syntaxes use.

// brcoDec is xs:decimal(path) (see xmltree.CastDec); present is false
// where the path selects nothing (the reference's comparison is then false)
// or the cast raised a dynamic error.
func brcoDec(n *node, path string) (d xmltree.Decimal, present bool) {
	return xmltree.CastDec(n, n.Strs(path))
}

func ratAdd(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }

// brcoTaxAmountOK is BR-CO-17: with rate P, taxable amount B and tax amount
// T: (round(P) = 0 and round(T) = 0) or (round(P) != 0 and |T| - 1 <
// round(|B| * P/100 * 100)/100 < |T| + 1) or (no P and round(T) = 0). The
// CII rule's bounds are inclusive (<=). Each of P, T and B is an
// xs:decimal() cast, read only where the source's and/or reach it: more
// than one value (two VAT categories' rates, or the amounts CII D16B lets
// repeat) or one that is no decimal raises the reference's dynamic error on
// ctx (xmltree.CastDecimal).
func brcoTaxAmountOK(ctx *node, pcts, taxes, bases []string, inclusive bool) bool {
	p, hasP := xmltree.CastDec(ctx, pcts)
	if len(pcts) > 0 && !hasP {
		return false // raised
	}
	if !hasP || p.Round().Sign() == 0 {
		tax, ok := xmltree.CastDec(ctx, taxes)
		return ok && tax.Round().Sign() == 0
	}
	tax, ok := xmltree.CastDec(ctx, taxes)
	if !ok {
		return false
	}
	base, ok := xmltree.CastDec(ctx, bases)
	if !ok {
		return false
	}
	want := base.Abs().Mul(p.Quo(xmltree.DecimalInt(100))).Round2()
	t, one := tax.Abs(), xmltree.DecimalInt(1)
	lo, hi := t.Sub(one).Cmp(want), t.Add(one).Cmp(want)
	if inclusive {
		return lo <= 0 && hi >= 0
	}
	return lo < 0 && hi > 0
}

// brcoReasonRules are BR-CO-05 … BR-CO-08 and BR-CO-21 … BR-CO-24 of one
// syntax, given its contexts of document and line allowances and charges
// and the paths of a reason and a reason code from them: each needs a
// reason or a reason code (21 … 24); that code and reason name the same
// allowance or charge (05 … 08) the reference does not test, so those
// always hold.
func brcoReasonRules(docAllowance, docCharge, lineAllowance, lineCharge ruleContext, reason, code string) []rule {
	return []rule{
		{ID: "BR-CO-05", Context: docAllowance, Test: always},
		{ID: "BR-CO-21", Context: docAllowance, Test: brEither(reason, code)},
		{ID: "BR-CO-06", Context: docCharge, Test: always},
		{ID: "BR-CO-22", Context: docCharge, Test: brEither(reason, code)},
		{ID: "BR-CO-07", Context: lineAllowance, Test: always},
		{ID: "BR-CO-23", Context: lineAllowance, Test: brEither(reason, code)},
		{ID: "BR-CO-08", Context: lineCharge, Test: always},
		{ID: "BR-CO-24", Context: lineCharge, Test: brEither(reason, code)},
	}
}
