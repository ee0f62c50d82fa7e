package invoice

// Evidence of the EN 16931 core rules (BR-nn) that compare values: prices
// that must not be negative, periods that must not end before they start.

// notNegative is the evidence of a value that must not be negative.
func notNegative(n *node, path, bt string) *Evidence {
	f := field(n, path, bt)
	if f == nil {
		return nil
	}
	return &Evidence{Actual: f.Value, Expected: "0 or more", expectedDE: "0 oder mehr", numeric: true, Fields: []Field{*f}}
}

// periodEvidence is the evidence of a period whose end lies before its
// start.
func periodEvidence(n *node, start, end, startBT, endBT string) *Evidence {
	s, e := field(n, start, startBT), field(n, end, endBT)
	if s == nil || e == nil {
		return nil
	}
	return &Evidence{Actual: e.Value, Expected: "on or after " + s.Value, expectedDE: "am oder nach dem " + s.Value,
		Fields: []Field{*s, *e}}
}

func brUBLEvidence() map[string]explainer {
	return map[string]explainer{
		"BR-27": func(n *node) *Evidence { return notNegative(n, "cac:Price/cbc:PriceAmount", "BT-146") },
		"BR-28": func(n *node) *Evidence {
			return notNegative(n, "cac:Price/cac:AllowanceCharge/cbc:BaseAmount", "BT-148")
		},
		"BR-29": func(n *node) *Evidence { return periodEvidence(n, "cbc:StartDate", "cbc:EndDate", "BT-73", "BT-74") },
		"BR-30": func(n *node) *Evidence { return periodEvidence(n, "cbc:StartDate", "cbc:EndDate", "BT-134", "BT-135") },
	}
}

func brCIIEvidence() map[string]explainer {
	const (
		start = "ram:StartDateTime/udt:DateTimeString"
		end   = "ram:EndDateTime/udt:DateTimeString"
	)
	return map[string]explainer{
		"BR-27": func(n *node) *Evidence {
			return notNegative(n, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", "BT-146")
		},
		"BR-28": func(n *node) *Evidence {
			return notNegative(n, "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount", "BT-148")
		},
		"BR-29": func(n *node) *Evidence { return periodEvidence(n, start, end, "BT-73", "BT-74") },
		"BR-30": func(n *node) *Evidence { return periodEvidence(n, start, end, "BT-134", "BT-135") },
	}
}
