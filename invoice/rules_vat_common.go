package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the VAT category rules that both syntaxes use.

// vatSumDec is sum(…/xs:decimal(x)) over one value per element (a UBL
// line or allowance has one amount): a value that is no decimal raises
// the reference's dynamic error on ctx, and ok is false.
func vatSumDec(ctx *node, values []string) (sum xmltree.Decimal, ok bool) {
	for _, v := range values {
		d, ok := xmltree.CastDec(ctx, []string{v})
		if !ok {
			return xmltree.Decimal{}, false
		}
		sum = sum.Add(d)
	}
	return sum, true
}

// vatRateIn is …Category/xs:decimal(cbc:Percent) = $rate over one value
// per category: existential; a value that is no decimal raises on ctx.
func vatRateIn(ctx *node, values []string, rate xmltree.Decimal) bool {
	for _, v := range values {
		if d, ok := xmltree.CastDec(ctx, []string{v}); ok && d.Cmp(rate) == 0 {
			return true
		}
	}
	return false
}

// vatTaxAndBase is xs:decimal(tax) and then xs:decimal(taxable) of the VAT
// breakdown (n's parent), as the -09 rules of S, AF and AG read them: an
// empty side gives ok false, a value that is no decimal raises on n.
func vatTaxAndBase(n *node, taxPath, basePath string) (tax, base xmltree.Decimal, ok bool) {
	if tax, ok = xmltree.CastDec(n, n.Parent.Strs(taxPath)); !ok {
		return xmltree.Decimal{}, xmltree.Decimal{}, false
	}
	base, ok = xmltree.CastDec(n, n.Parent.Strs(basePath))
	return tax, base, ok
}
