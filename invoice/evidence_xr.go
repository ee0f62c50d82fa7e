package invoice

import (
	"fmt"
	"github.com/eingang/eingang/invoice/internal/xmltree"
	"math/big"
	"strings"
)

// Evidence of the XRechnung rules (BR-DE) and of its PEPPOL-EN16931-R
// rules: the values they compare and what they expect.

// lineAmountEvidence is PEPPOL-EN16931-R120's: the line net amount against
// quantity × price / base quantity + charges − allowances.
func lineAmountEvidence(n *node, amountPath, qtyPath, pricePath string, basePaths []string, acPath, indPath, acAmountPath string) *Evidence {
	qty, ok1 := peppolDecOr(n, xp(qtyPath), 1)
	price, ok2 := peppolDecOr(n, xp(pricePath), 0)
	var bases []*xmltree.Path
	for _, p := range basePaths {
		bases = append(bases, xp(p))
	}
	base, ok3 := peppolBaseQuantity(n, bases...)
	acs := n.All(acPath)
	allowances, ok4 := peppolACTotal(n, acs, xp(indPath), xp(acAmountPath), "false")
	charges, ok5 := peppolACTotal(n, acs, xp(indPath), xp(acAmountPath), "true")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 {
		return nil // a value that is no decimal: the rule raised
	}
	want := price.Quo(base).Mul(qty).Add(charges).Sub(allowances).Rat()
	ev := &Evidence{Actual: n.Str(amountPath), Expected: money(xmltree.RoundDec2(want)), numeric: true,
		Fields: fieldsOf(n, amountPath, "BT-131", qtyPath, "BT-129", pricePath, "BT-146")}
	for _, p := range basePaths {
		if f := field(n, p, "BT-149"); f != nil {
			ev.Fields = append(ev.Fields, *f)
			break
		}
	}
	ev.Calculation = fmt.Sprintf("%s × %s / %s + %s − %s = %s", ratString(qty.Rat()), ratString(price.Rat()), ratString(base.Rat()), money(charges.Rat()), money(allowances.Rat()), ev.Expected)
	return ev
}

// percentEvidence is PEPPOL-EN16931-R040's: an allowance or charge amount
// against base amount × percentage / 100.
func percentEvidence(n *node, amountPath, basePath, pctPath string) *Evidence {
	base, ok1 := xmltree.Dec(n.Str(basePath))
	pct, ok2 := xmltree.Dec(n.Str(pctPath))
	if !ok1 || !ok2 {
		return nil
	}
	want := new(big.Rat).Mul(base, pct)
	want.Quo(want, big.NewRat(100, 1))
	ev := &Evidence{Actual: n.Str(amountPath), Expected: money(xmltree.RoundDec2(want)), numeric: true,
		Fields: fieldsOf(n, amountPath, "", basePath, "", pctPath, "")}
	ev.Calculation = fmt.Sprintf("%s × %s %% = %s", n.Str(basePath), ratString(pct), ev.Expected)
	return ev
}

// withinEvidence is PEPPOL-EN16931-R110's and R111's: a line period date
// against the invoicing period's.
func withinEvidence(date *Field, bound *Field, start bool) *Evidence {
	if date == nil {
		return nil
	}
	ev := &Evidence{Actual: date.Value, Fields: []Field{*date}}
	if bound == nil {
		ev.Expected, ev.expectedDE = "an invoicing period (BG-14)", "ein Abrechnungszeitraum (BG-14)"
		return ev
	}
	ev.Fields = append(ev.Fields, *bound)
	if start {
		ev.Expected, ev.expectedDE = "on or after "+bound.Value, "am oder nach dem "+bound.Value
	} else {
		ev.Expected, ev.expectedDE = "on or before "+bound.Value, "am oder vor dem "+bound.Value
	}
	return ev
}

// oneOfEvidence is the evidence of a value that must be one of values.
func oneOfEvidence(f *Field, values []string) *Evidence {
	if f == nil {
		return nil
	}
	list := strings.Join(values, ", ")
	return &Evidence{Actual: f.Value, Expected: "one of " + list, expectedDE: "einer von " + list, Fields: []Field{*f}}
}

// ibanEvidence is BR-DE-19's.
func ibanEvidence(f *Field) *Evidence {
	if f == nil {
		return nil
	}
	return &Evidence{Actual: f.Value, Expected: "an IBAN with a valid check sum", expectedDE: "eine IBAN mit gültiger Prüfsumme", Fields: []Field{*f}}
}

var xrSpecs = []string{SpecXRechnung, SpecExtension, SpecCVD}

func xrUBLEvidence() map[string]explainer {
	return map[string]explainer{
		"BR-DE-17": func(n *node) *Evidence {
			f := field(n.Root(), "cbc:InvoiceTypeCode", "BT-3")
			if f == nil {
				f = field(n.Root(), "cbc:CreditNoteTypeCode", "BT-3")
			}
			return oneOfEvidence(f, xrTypeCodes)
		},
		"BR-DE-19": func(n *node) *Evidence { return ibanEvidence(field(n, "cac:PayeeFinancialAccount/cbc:ID", "BT-84")) },
		"BR-DE-21": func(n *node) *Evidence {
			return oneOfEvidence(field(n.Root(), "cbc:CustomizationID", "BT-24"), xrSpecs)
		},
		"PEPPOL-EN16931-R040": func(n *node) *Evidence {
			return percentEvidence(n, "cbc:Amount", "cbc:BaseAmount", "cbc:MultiplierFactorNumeric")
		},
		"PEPPOL-EN16931-R110": func(n *node) *Evidence {
			return withinEvidence(&Field{BT: "BT-134", Path: n.Path(), Value: n.Value(), Line: n.Line()}, field(n.Root(), "cac:InvoicePeriod/cbc:StartDate", "BT-73"), true)
		},
		"PEPPOL-EN16931-R111": func(n *node) *Evidence {
			return withinEvidence(&Field{BT: "BT-135", Path: n.Path(), Value: n.Value(), Line: n.Line()}, field(n.Root(), "cac:InvoicePeriod/cbc:EndDate", "BT-74"), false)
		},
		"PEPPOL-EN16931-R120": func(n *node) *Evidence {
			qty := "cbc:CreditedQuantity"
			if n.Root().Local == "Invoice" {
				qty = "cbc:InvoicedQuantity"
			}
			return lineAmountEvidence(n, "cbc:LineExtensionAmount", qty, "cac:Price/cbc:PriceAmount", []string{"cac:Price/cbc:BaseQuantity"},
				"cac:AllowanceCharge", "cbc:ChargeIndicator", "cbc:Amount")
		},
		"PEPPOL-EN16931-R121": func(n *node) *Evidence {
			return notNegativeNorZero(field(n, "cac:Price/cbc:BaseQuantity", "BT-149"))
		},
	}
}

func xrCIIEvidence() map[string]explainer {
	const (
		agreement = "ram:SpecifiedLineTradeAgreement/"
		settle    = "ram:SpecifiedLineTradeSettlement/"
		hdrPeriod = "../../../../ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod/"
	)
	return map[string]explainer{
		"BR-DE-17": func(n *node) *Evidence {
			return oneOfEvidence(field(n.Root(), "rsm:ExchangedDocument/ram:TypeCode", "BT-3"), xrTypeCodes)
		},
		"BR-DE-19": func(n *node) *Evidence {
			return ibanEvidence(field(n, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID", "BT-84"))
		},
		"BR-DE-21": func(n *node) *Evidence {
			return oneOfEvidence(field(n.Root(), "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "BT-24"), xrSpecs)
		},
		"PEPPOL-EN16931-R040": func(n *node) *Evidence {
			return percentEvidence(n, "ram:ActualAmount", "ram:BasisAmount", "ram:CalculationPercent")
		},
		"PEPPOL-EN16931-R110": func(n *node) *Evidence {
			return withinEvidence(field(n, "udt:DateTimeString", "BT-134"), field(n, hdrPeriod+"ram:StartDateTime/udt:DateTimeString", "BT-73"), true)
		},
		"PEPPOL-EN16931-R111": func(n *node) *Evidence {
			return withinEvidence(field(n, "udt:DateTimeString", "BT-135"), field(n, hdrPeriod+"ram:EndDateTime/udt:DateTimeString", "BT-74"), false)
		},
		"PEPPOL-EN16931-R120": func(n *node) *Evidence {
			return lineAmountEvidence(n, settle+"ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
				"ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", agreement+"ram:NetPriceProductTradePrice/ram:ChargeAmount",
				[]string{agreement + "ram:NetPriceProductTradePrice/ram:BasisQuantity", agreement + "ram:GrossPriceProductTradePrice/ram:BasisQuantity"},
				settle+"ram:SpecifiedTradeAllowanceCharge", "ram:ChargeIndicator/udt:Indicator", "ram:ActualAmount")
		},
	}
}

// notNegativeNorZero is the evidence of a value that must be above zero.
func notNegativeNorZero(f *Field) *Evidence {
	if f == nil {
		return nil
	}
	return &Evidence{Actual: f.Value, Expected: "above 0", expectedDE: "über 0", numeric: true, Fields: []Field{*f}}
}
