package invoice

import (
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 decimal rules BR-DEC-01 … BR-DEC-28: amounts have at most two
// fraction digits. Each reads string-length(substring-after(amount, '.')).

// brdecOK reports whether the value at path has at most two characters
// after its first point. substring-after() takes one string: where the path
// selects two values (CII D16B lets every amount the CII rules read here
// repeat) the reference stops with a type error (XPTY0004), raised on n.
func brdecOK(n *node, path *xmltree.Path) bool {
	values := path.Strs(n)
	if len(values) > 1 {
		n.Raise("a sequence of more than one item is not allowed as the first argument of substring-after()")
		return false
	}
	v := ""
	if len(values) == 1 {
		v = values[0]
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return utf8.RuneCountInString(v[i+1:]) <= 2
		}
	}
	return true
}

// brdecRow is the decimal rule id on the amount at ublPath in UBL's
// context ubl and at ciiPath in CII's context cii.
func brdecRow(id string, ubl ruleContext, ublPath string, cii ruleContext, ciiPath string) ruleRow {
	pu, pc := xp(ublPath), xp(ciiPath)
	return ruleRow{id,
		on(ubl, func(n *node) bool { return brdecOK(n, pu) }),
		on(cii, func(n *node) bool { return brdecOK(n, pc) })}
}

// brdecRules are the decimal rules, a row an id: its UBL and its CII rule,
// most of them the amount's path in each. In UBL, BR-DEC-13 and -15 compare
// an amount's currency with an element the amount cannot have: the
// reference's test always holds.
func brdecRules() []ruleRow {
	return []ruleRow{
		brdecRow("BR-DEC-01", ublModelDocAllowance, "cbc:Amount", ciiModelDocAllowance, "../ram:ActualAmount"),
		brdecRow("BR-DEC-02", ublModelDocAllowance, "cbc:BaseAmount", ciiModelDocAllowance, "../ram:BasisAmount"),
		brdecRow("BR-DEC-05", ublModelDocCharge, "cbc:Amount", ciiModelDocCharge, "../ram:ActualAmount"),
		brdecRow("BR-DEC-06", ublModelDocCharge, "cbc:BaseAmount", ciiModelDocCharge, "../ram:BasisAmount"),
		brdecRow("BR-DEC-09", ublModelTotals, "cbc:LineExtensionAmount", ciiModelTotals, "ram:LineTotalAmount"),
		brdecRow("BR-DEC-10", ublModelTotals, "cbc:AllowanceTotalAmount", ciiModelTotals, "ram:AllowanceTotalAmount"),
		brdecRow("BR-DEC-11", ublModelTotals, "cbc:ChargeTotalAmount", ciiModelTotals, "ram:ChargeTotalAmount"),
		brdecRow("BR-DEC-12", ublModelTotals, "cbc:TaxExclusiveAmount", ciiModelTotals, "ram:TaxBasisTotalAmount"),
		brdecRow("BR-DEC-14", ublModelTotals, "cbc:TaxInclusiveAmount", ciiModelTotals, "ram:GrandTotalAmount"),
		{"BR-DEC-13", on(ublModelRoot, always), on(ciiModelTotals, brdecTaxTotal)},
		{"BR-DEC-15", on(ublModelRoot, always), on(ciiModelTotals, brdecTaxTotalAccounting)},
		brdecRow("BR-DEC-16", ublModelTotals, "cbc:PrepaidAmount", ciiModelTotals, "ram:TotalPrepaidAmount"),
		brdecRow("BR-DEC-17", ublModelTotals, "cbc:PayableRoundingAmount", ciiModelTotals, "ram:RoundingAmount"),
		brdecRow("BR-DEC-18", ublModelTotals, "cbc:PayableAmount", ciiModelTotals, "ram:DuePayableAmount"),
		brdecRow("BR-DEC-23", ublModelLine, "cbc:LineExtensionAmount", ciiModelLine, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
		brdecRow("BR-DEC-24", ublModelLineAllowance, "cbc:Amount", ciiModelLineAllowance, "../ram:ActualAmount"),
		brdecRow("BR-DEC-25", ublModelLineAllowance, "cbc:BaseAmount", ciiModelLineAllowance, "../ram:BasisAmount"),
		brdecRow("BR-DEC-27", ublModelLineCharge, "cbc:Amount", ciiModelLineCharge, "../ram:ActualAmount"),
		brdecRow("BR-DEC-28", ublModelLineCharge, "cbc:BaseAmount", ciiModelLineCharge, "../ram:BasisAmount"),
		brdecRow("BR-DEC-19", ublModelTaxSubtotal, "cbc:TaxableAmount", ciiModelHeaderTax, "ram:BasisAmount"),
		brdecRow("BR-DEC-20", ublModelTaxSubtotal, "cbc:TaxAmount", ciiModelHeaderTax, "ram:CalculatedAmount"),
	}
}
