package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the PEPPOL-EN16931-R rules that both syntaxes use.

// peppolSlackValue is 0.5 for invoices in HUF, else 0.02.
// It is computed once per document ($slackValue is a global variable).
func peppolSlackValue(n *node, currencyPath string) *big.Rat {
	return xmltree.Memo(n, &peppolSlackKey, func() *big.Rat {
		if xmltree.In("HUF", n.Root().Strs(currencyPath)) {
			return big.NewRat(1, 2)
		}
		return big.NewRat(2, 100)
	})
}

var peppolSlackKey xmltree.MemoKey[*big.Rat]

// peppolSlack is u:slack: |exp - val| <= slack.
func peppolSlack(exp, val, slack *big.Rat) bool {
	d := new(big.Rat).Sub(exp, val)
	return d.Abs(d).Cmp(slack) <= 0
}

// peppolDecOr is "if (x) then xs:decimal(x) else def".
func peppolDecOr(n *node, path string, def int64) *big.Rat {
	if e := n.First(path); e != nil {
		if d, ok := xmltree.Dec(e.Value()); ok {
			return d
		}
	}
	return big.NewRat(def, 1)
}

// peppolACTotal is round(sum(amounts of allowances or charges whose
// normalized indicator is ind) * 100) div 100, or 0 when there are none.
func peppolACTotal(acs []*node, indPath, amountPath, ind string) *big.Rat {
	sum := new(big.Rat)
	found := false
	for _, ac := range acs {
		if xmltree.NormSpace(ac.Str(indPath)) != ind {
			continue
		}
		found = true
		for _, a := range ac.Strs(amountPath) {
			sum.Add(sum, xmltree.DecOr(a))
		}
	}
	if !found {
		return sum
	}
	return xmltree.RoundDec2(sum)
}
