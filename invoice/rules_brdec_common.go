package invoice

import "unicode/utf8"

// The EN 16931 decimal rules BR-DEC-01 … BR-DEC-28: amounts have at most two
// fraction digits. Each reads string-length(substring-after(amount, '.')).

// brdecOK reports whether the value at path has at most two characters
// after its first point. substring-after() takes one string: where the path
// selects two values (CII D16B lets every amount the CII rules read here
// repeat) the reference stops with a type error (XPTY0004), raised on n.
func brdecOK(n *node, path string) bool {
	values := n.Strs(path)
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

// brdec is a decimal rule's test of the amount at path.
func brdec(path string) func(n *node) bool {
	return func(n *node) bool { return brdecOK(n, path) }
}

// brdecRules are the decimal rules, a row an id: its UBL context and test,
// then its CII context and test. In UBL, BR-DEC-13 and -15 compare an
// amount's currency with an element the amount cannot have: the
// reference's test always holds.
var brdecRules = []struct {
	id      string
	ubl     ruleContext
	ublTest func(n *node) bool
	cii     ruleContext
	ciiTest func(n *node) bool
}{
	{"BR-DEC-01", ublModelDocAllowance, brdec("cbc:Amount"),
		ciiModelDocAllowance, brdec("../ram:ActualAmount")},
	{"BR-DEC-02", ublModelDocAllowance, brdec("cbc:BaseAmount"),
		ciiModelDocAllowance, brdec("../ram:BasisAmount")},
	{"BR-DEC-05", ublModelDocCharge, brdec("cbc:Amount"),
		ciiModelDocCharge, brdec("../ram:ActualAmount")},
	{"BR-DEC-06", ublModelDocCharge, brdec("cbc:BaseAmount"),
		ciiModelDocCharge, brdec("../ram:BasisAmount")},
	{"BR-DEC-09", ublModelTotals, brdec("cbc:LineExtensionAmount"),
		ciiModelTotals, brdec("ram:LineTotalAmount")},
	{"BR-DEC-10", ublModelTotals, brdec("cbc:AllowanceTotalAmount"),
		ciiModelTotals, brdec("ram:AllowanceTotalAmount")},
	{"BR-DEC-11", ublModelTotals, brdec("cbc:ChargeTotalAmount"),
		ciiModelTotals, brdec("ram:ChargeTotalAmount")},
	{"BR-DEC-12", ublModelTotals, brdec("cbc:TaxExclusiveAmount"),
		ciiModelTotals, brdec("ram:TaxBasisTotalAmount")},
	{"BR-DEC-14", ublModelTotals, brdec("cbc:TaxInclusiveAmount"),
		ciiModelTotals, brdec("ram:GrandTotalAmount")},
	{"BR-DEC-13", ublModelRoot, always,
		ciiModelTotals, brdecTaxTotal},
	{"BR-DEC-15", ublModelRoot, always,
		ciiModelTotals, brdecTaxTotalAccounting},
	{"BR-DEC-16", ublModelTotals, brdec("cbc:PrepaidAmount"),
		ciiModelTotals, brdec("ram:TotalPrepaidAmount")},
	{"BR-DEC-17", ublModelTotals, brdec("cbc:PayableRoundingAmount"),
		ciiModelTotals, brdec("ram:RoundingAmount")},
	{"BR-DEC-18", ublModelTotals, brdec("cbc:PayableAmount"),
		ciiModelTotals, brdec("ram:DuePayableAmount")},
	{"BR-DEC-23", ublModelLine, brdec("cbc:LineExtensionAmount"),
		ciiModelLine, brdec("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")},
	{"BR-DEC-24", ublModelLineAllowance, brdec("cbc:Amount"),
		ciiModelLineAllowance, brdec("../ram:ActualAmount")},
	{"BR-DEC-25", ublModelLineAllowance, brdec("cbc:BaseAmount"),
		ciiModelLineAllowance, brdec("../ram:BasisAmount")},
	{"BR-DEC-27", ublModelLineCharge, brdec("cbc:Amount"),
		ciiModelLineCharge, brdec("../ram:ActualAmount")},
	{"BR-DEC-28", ublModelLineCharge, brdec("cbc:BaseAmount"),
		ciiModelLineCharge, brdec("../ram:BasisAmount")},
	{"BR-DEC-19", ublModelTaxSubtotal, brdec("cbc:TaxableAmount"),
		ciiModelHeaderTax, brdec("ram:BasisAmount")},
	{"BR-DEC-20", ublModelTaxSubtotal, brdec("cbc:TaxAmount"),
		ciiModelHeaderTax, brdec("ram:CalculatedAmount")},
}

// brdecFor returns the decimal rules of one syntax.
func brdecFor(s syntax) []rule {
	rules := make([]rule, 0, len(brdecRules))
	for _, r := range brdecRules {
		if s == syntaxUBL {
			rules = append(rules, rule{ID: r.id, Context: r.ubl, Test: r.ublTest})
		} else {
			rules = append(rules, rule{ID: r.id, Context: r.cii, Test: r.ciiTest})
		}
	}
	return rules
}
