package invoice

import (
	"strconv"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 decimal rules' tests of CII alone (see rules_brdec_common.go).

// brdecTaxTotal is BR-DEC-13 in CII: the VAT total in the invoice currency.
func brdecTaxTotal(n *node) bool {
	totals := n.All("ram:TaxTotalAmount")
	if len(totals) == 0 {
		return true
	}
	cur := n.Root().Strs(ciiCurrencyPath)
	for _, t := range totals {
		c, _ := t.Attr("currencyID")
		if !xmltree.In(c, cur) || brdecRoundedNum(t, t.Value()) {
			return true
		}
	}
	return false
}

// brdecTaxTotalAccounting is BR-DEC-15 in CII: the VAT total in the VAT
// accounting currency.
func brdecTaxTotalAccounting(n *node) bool {
	totals := n.All("ram:TaxTotalAmount")
	if len(totals) == 0 {
		return true
	}
	tcc := n.Root().Strs(ciiSettle + "/ram:TaxCurrencyCode")
	for _, t := range totals {
		c, _ := t.Attr("currencyID")
		if len(tcc) == 0 || xmltree.In(c, tcc) && brdecRoundedNum(t, t.Value()) {
			return true
		}
	}
	return false
}

// brdecRoundedNum is ". = round(. * 100) div 100": untyped, so double
// arithmetic and an untyped comparison with a double.
func brdecRoundedNum(ctx *node, v string) bool {
	x, ok := xmltree.UntypedDouble(v)
	if !ok {
		ctx.Raise("cannot convert string " + strconv.Quote(v) + " to xs:double")
		return false
	}
	return xmltree.UntypedCmpDouble(ctx, v, xmltree.OpEq, xmltree.RoundDouble(x*100)/100)
}
