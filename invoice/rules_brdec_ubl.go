package invoice

// The EN 16931 decimal rules BR-DEC-01 … BR-DEC-28: amounts have at most two
// fraction digits. Each reads string-length(substring-after(amount, '.')) of
// the first amount the path selects.

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
