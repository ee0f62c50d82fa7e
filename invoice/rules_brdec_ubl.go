package invoice

import (
	"strconv"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 decimal rules BR-DEC-01 … BR-DEC-28: amounts have at most two
// fraction digits. Each reads string-length(substring-after(amount, '.')) of
// the first amount the path selects.

// brdecOK reports whether the first value at path has at most two
// characters after its first point.
func brdecOK(n *node, path string) bool {
	v := n.Str(path)
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return utf8.RuneCountInString(v[i+1:]) <= 2
		}
	}
	return true
}

// brdec is a decimal rule's test of the first amount at path.
func brdec(path string) func(n *node) bool {
	return func(n *node) bool { return brdecOK(n, path) }
}

var brdecUBLRules = []Rule{
	{ID: "BR-DEC-01", Context: ublModelDocAllowance, Test: brdec("cbc:Amount")},
	{ID: "BR-DEC-02", Context: ublModelDocAllowance, Test: brdec("cbc:BaseAmount")},
	{ID: "BR-DEC-05", Context: ublModelDocCharge, Test: brdec("cbc:Amount")},
	{ID: "BR-DEC-06", Context: ublModelDocCharge, Test: brdec("cbc:BaseAmount")},
	{ID: "BR-DEC-09", Context: ublModelTotals, Test: brdec("cbc:LineExtensionAmount")},
	{ID: "BR-DEC-10", Context: ublModelTotals, Test: brdec("cbc:AllowanceTotalAmount")},
	{ID: "BR-DEC-11", Context: ublModelTotals, Test: brdec("cbc:ChargeTotalAmount")},
	{ID: "BR-DEC-12", Context: ublModelTotals, Test: brdec("cbc:TaxExclusiveAmount")},
	{ID: "BR-DEC-14", Context: ublModelTotals, Test: brdec("cbc:TaxInclusiveAmount")},
	{ID: "BR-DEC-16", Context: ublModelTotals, Test: brdec("cbc:PrepaidAmount")},
	{ID: "BR-DEC-17", Context: ublModelTotals, Test: brdec("cbc:PayableRoundingAmount")},
	{ID: "BR-DEC-18", Context: ublModelTotals, Test: brdec("cbc:PayableAmount")},
	// BR-DEC-13 and -15 compare an amount's currency with an element the
	// amount cannot have: the reference's test always holds.
	{ID: "BR-DEC-13", Context: ublModelRoot, Test: always},
	{ID: "BR-DEC-15", Context: ublModelRoot, Test: always},
	{ID: "BR-DEC-23", Context: ublModelLine, Test: brdec("cbc:LineExtensionAmount")},
	{ID: "BR-DEC-24", Context: ublModelLineAllowance, Test: brdec("cbc:Amount")},
	{ID: "BR-DEC-25", Context: ublModelLineAllowance, Test: brdec("cbc:BaseAmount")},
	{ID: "BR-DEC-27", Context: ublModelLineCharge, Test: brdec("cbc:Amount")},
	{ID: "BR-DEC-28", Context: ublModelLineCharge, Test: brdec("cbc:BaseAmount")},
	{ID: "BR-DEC-19", Context: ublModelTaxSubtotal, Test: brdec("cbc:TaxableAmount")},
	{ID: "BR-DEC-20", Context: ublModelTaxSubtotal, Test: brdec("cbc:TaxAmount")},
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
