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

// vatTaxAndBase is xs:decimal(tax) and then xs:decimal(taxable) of the VAT
// breakdown (n's parent), as the -09 rules of S, AF and AG read them: an
// empty side gives ok false, a value that is no decimal raises on n.
func vatTaxAndBase(n *node, taxPath, basePath string) (tax, base *big.Rat, ok bool) {
	if tax, ok = xmltree.CastDecimal(n, n.Parent.Strs(taxPath)); !ok {
		return nil, nil, false
	}
	base, ok = xmltree.CastDecimal(n, n.Parent.Strs(basePath))
	return tax, base, ok
}
