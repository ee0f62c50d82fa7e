package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the PEPPOL-EN16931-R rules that both syntaxes use.

// peppolSlackValue is 0.5 for invoices in HUF, else 0.02.
// It is computed once per document ($slackValue is a global variable).
func peppolSlackValue(n *node, currencyPath string) *big.Rat {
	return n.Memo("peppol.slack", func() any {
		if xmltree.In("HUF", n.Root().Strs(currencyPath)) {
			return big.NewRat(1, 2)
		}
		return big.NewRat(2, 100)
	}).(*big.Rat)
}

// peppolSlack is u:slack: |exp - val| <= slack.
func peppolSlack(exp, val, slack *big.Rat) bool {
	d := new(big.Rat).Sub(exp, val)
	return d.Abs(d).Cmp(slack) <= 0
}

// peppolDecOr is "if (x) then xs:decimal(x) else def", and u:slack's
// xs:decimal parameter given "if (x) then x else 0": x cast with
// xmltree.CastDecimal, so two values (CII D16B lets the amounts and prices
// repeat) or one that is no decimal raise the reference's dynamic error
// on n; ok is false then.
func peppolDecOr(n *node, path string, def int64) (d *big.Rat, ok bool) {
	values := n.Strs(path)
	if len(values) == 0 {
		return big.NewRat(def, 1), true
	}
	return xmltree.CastDecimal(n, values)
}

// peppolBaseQuantity is R120's $baseQuantity: "if (q and xs:decimal(q) !=
// 0) then xs:decimal(q) else …" over the paths in turn, else 1. ok is
// false where a cast raised.
func peppolBaseQuantity(n *node, paths ...string) (d *big.Rat, ok bool) {
	for _, p := range paths {
		values := n.Strs(p)
		if len(values) == 0 {
			continue
		}
		d, ok := xmltree.CastDecimal(n, values)
		if !ok {
			return nil, false
		}
		if d.Sign() != 0 {
			return d, true
		}
	}
	return big.NewRat(1, 1), true
}

// peppolACTotal is round(sum(amounts of allowances or charges whose
// normalized indicator is ind, each cast with xs:decimal(.)) * 100) div
// 100, or 0 when there are none. A value that is no decimal raises the
// reference's dynamic error on ctx, and ok is false.
func peppolACTotal(ctx *node, acs []*node, indPath, amountPath, ind string) (total *big.Rat, ok bool) {
	sum := new(big.Rat)
	found := false
	for _, ac := range acs {
		if xmltree.NormSpace(ac.Str(indPath)) != ind {
			continue
		}
		found = true
		for _, a := range ac.Strs(amountPath) {
			d, ok := xmltree.CastDecimal(ctx, []string{a})
			if !ok {
				return nil, false
			}
			sum.Add(sum, d)
		}
	}
	if !found {
		return sum, true
	}
	return xmltree.RoundDec2(sum), true
}
