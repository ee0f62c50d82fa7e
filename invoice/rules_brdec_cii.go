package invoice

import (
	"strconv"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 decimal rules for CII (see rules_brdec_common.go).

var brdecCIIRules = []Rule{
	{ID: "BR-DEC-01", Context: ciiModelDocAllowance, Test: brdec("../ram:ActualAmount")},
	{ID: "BR-DEC-02", Context: ciiModelDocAllowance, Test: brdec("../ram:BasisAmount")},
	{ID: "BR-DEC-05", Context: ciiModelDocCharge, Test: brdec("../ram:ActualAmount")},
	{ID: "BR-DEC-06", Context: ciiModelDocCharge, Test: brdec("../ram:BasisAmount")},
	{ID: "BR-DEC-09", Context: ciiModelTotals, Test: brdec("ram:LineTotalAmount")},
	{ID: "BR-DEC-10", Context: ciiModelTotals, Test: brdec("ram:AllowanceTotalAmount")},
	{ID: "BR-DEC-11", Context: ciiModelTotals, Test: brdec("ram:ChargeTotalAmount")},
	{ID: "BR-DEC-12", Context: ciiModelTotals, Test: brdec("ram:TaxBasisTotalAmount")},
	{ID: "BR-DEC-14", Context: ciiModelTotals, Test: brdec("ram:GrandTotalAmount")},
	{ID: "BR-DEC-13", Context: ciiModelTotals,
		Test: func(n *node) bool {
			totals := n.All("ram:TaxTotalAmount")
			if len(totals) == 0 {
				return true
			}
			cur := n.Root().Strs(ciiCurrencyPath)
			for _, t := range totals {
				c, _ := t.Attr("currencyID")
				if !xrIn(c, cur) || brdecRoundedNum(t, t.Value()) {
					return true
				}
			}
			return false
		}},
	{ID: "BR-DEC-15", Context: ciiModelTotals,
		Test: func(n *node) bool {
			totals := n.All("ram:TaxTotalAmount")
			if len(totals) == 0 {
				return true
			}
			tcc := n.Root().Strs(ciiSettle + "/ram:TaxCurrencyCode")
			for _, t := range totals {
				c, _ := t.Attr("currencyID")
				if len(tcc) == 0 || xrIn(c, tcc) && brdecRoundedNum(t, t.Value()) {
					return true
				}
			}
			return false
		}},
	{ID: "BR-DEC-16", Context: ciiModelTotals, Test: brdec("ram:TotalPrepaidAmount")},
	{ID: "BR-DEC-17", Context: ciiModelTotals, Test: brdec("ram:RoundingAmount")},
	{ID: "BR-DEC-18", Context: ciiModelTotals, Test: brdec("ram:DuePayableAmount")},
	{ID: "BR-DEC-23", Context: ciiModelLine, Test: brdec("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")},
	{ID: "BR-DEC-24", Context: ciiModelLineAllowance, Test: brdec("../ram:ActualAmount")},
	{ID: "BR-DEC-25", Context: ciiModelLineAllowance, Test: brdec("../ram:BasisAmount")},
	{ID: "BR-DEC-27", Context: ciiModelLineCharge, Test: brdec("../ram:ActualAmount")},
	{ID: "BR-DEC-28", Context: ciiModelLineCharge, Test: brdec("../ram:BasisAmount")},
	{ID: "BR-DEC-19", Context: ciiModelHeaderTax, Test: brdec("ram:BasisAmount")},
	{ID: "BR-DEC-20", Context: ciiModelHeaderTax, Test: brdec("ram:CalculatedAmount")},
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
