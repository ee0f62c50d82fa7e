package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the VAT category rules that both syntaxes use.

// vatSumDec is sum(…/xs:decimal(x)) over one value per element (a UBL
// line or allowance has one amount): a value that is no decimal raises
// the reference's dynamic error on ctx, and ok is false.
func vatSumDec(ctx *node, values []string) (sum *big.Rat, ok bool) {
	sum = new(big.Rat)
	for _, v := range values {
		d, ok := xmltree.CastDecimal(ctx, []string{v})
		if !ok {
			return nil, false
		}
		sum.Add(sum, d)
	}
	return sum, true
}

// vatRateIn is …Category/xs:decimal(cbc:Percent) = $rate over one value
// per category: existential; a value that is no decimal raises on ctx.
func vatRateIn(ctx *node, values []string, rate *big.Rat) bool {
	for _, v := range values {
		if d, ok := xmltree.CastDecimal(ctx, []string{v}); ok && d.Cmp(rate) == 0 {
			return true
		}
	}
	return false
}
