package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The contexts and tests of the PEPPOL-EN16931-R rules that only UBL has
// (see peppolRules in rules_peppol_common.go): the rules on XRechnung's
// list, in the PEPPOL patterns they come from. Only the rule contexts that hold a listed rule are kept, as the
// XRechnung build does, so that the first-match order is the merged one.
// Orders are line numbers in PEPPOL-EN16931-UBL.sch.

// peppolIsEmpty matches elements without child elements whose value is
// blank (R008's context //*[not(*) and not(normalize-space())]).
func peppolIsEmpty(n *node) bool { return len(n.Children) == 0 && xmltree.Blank(n.Text) }

// ublIsDocOrLineAC matches /*/cac:AllowanceCharge and /*/cac:InvoiceLine|CreditNoteLine/cac:AllowanceCharge.
func ublIsDocOrLineAC(n *node) bool {
	if !n.Is("cac:AllowanceCharge") {
		return false
	}
	if ublChildOfRoot(n) {
		return true
	}
	p := n.Parent
	return p != nil && ublChildOfRoot(p) &&
		(p.Is("cac:InvoiceLine") && p.Parent.Local == "Invoice" || p.Is("cac:CreditNoteLine") && p.Parent.Local == "CreditNote")
}

// ublLinePeriodDate matches Invoice[cac:InvoicePeriod/cbc:<which>]/cac:InvoiceLine/cac:InvoicePeriod/cbc:<which>.
func ublLinePeriodDate(which string) func(n *node) bool {
	return func(n *node) bool {
		if !n.Is("cbc:"+which) || !n.Parent.Is("cac:InvoicePeriod") {
			return false
		}
		line := n.Parent.Parent
		if line == nil || !ublChildOfRoot(line) {
			return false
		}
		r := line.Parent
		return (line.Is("cac:InvoiceLine") && r.Local == "Invoice" || line.Is("cac:CreditNoteLine") && r.Local == "CreditNote") &&
			r.Has("cac:InvoicePeriod/cbc:"+which)
	}
}

var (
	peppolUBLEmpty = ruleContext{Pattern: patXRUBLPeppolEmpty, Order: 256, Match: peppolIsEmpty}
	peppolUBLRoot  = ruleContext{Pattern: patXRUBLPeppol, Order: 282, Names: []string{"Invoice", "CreditNote"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSInvoice && n.Local == "Invoice" || n.Space == xmltree.NSCreditNote && n.Local == "CreditNote"
		}}
	peppolUBLTaxCurrency                    = namedContext(patXRUBLPeppol, 301, "", "", "cbc:TaxCurrencyCode")
	peppolUBLCustomer                       = namedContext(patXRUBLPeppol, 307, "", "cac:AccountingCustomerParty", "cac:Party")
	peppolUBLSupplier                       = namedContext(patXRUBLPeppol, 311, "", "cac:AccountingSupplierParty", "cac:Party")
	peppolUBLAC                             = ruleContext{Pattern: patXRUBLPeppol, Order: 323, Names: []string{"AllowanceCharge"}, Match: ublIsDocOrLineAC}
	peppolUBLACNoBase, peppolUBLACNoPercent = peppolACOnly(peppolUBLAC, 315, 319, "cbc:MultiplierFactorNumeric", "cbc:BaseAmount")
	peppolUBLDebit                          = namedContext(patXRUBLPeppol, 338, "", "", "cac:PaymentMeans").where(peppolDirectDebit("cbc:PaymentMeansCode"))
	peppolUBLLineStart                      = ruleContext{Pattern: patXRUBLPeppol, Order: 349, Names: []string{"StartDate"}, Match: ublLinePeriodDate("StartDate")}
	peppolUBLLineEnd                        = ruleContext{Pattern: patXRUBLPeppol, Order: 354, Names: []string{"EndDate"}, Match: ublLinePeriodDate("EndDate")}
	peppolUBLLine                           = namedContext(patXRUBLPeppol, 360, "", "", "cac:InvoiceLine", "cac:CreditNoteLine")
	peppolUBLPriceAC                        = namedContext(patXRUBLPeppol, 415, "", "cac:Price", "cac:AllowanceCharge")
	peppolUBLBaseQuantity                   = namedContext(patXRUBLPeppol, 423, "unitCode", "cac:Price", "cbc:BaseQuantity")
)

// peppolUBLTaxAmounts returns the VAT totals in the currency at
// currencyPath (R055).
func peppolUBLTaxAmounts(r *node, currencyPath string) []string {
	cur := xmltree.NormSpace(r.Str(currencyPath))
	var out []string
	for _, a := range r.All("cac:TaxTotal/cbc:TaxAmount") {
		if c, _ := a.Attr("currencyID"); c == cur {
			out = append(out, a.Value())
		}
	}
	return out
}

// ublPriceDiscount is R046's discount in UBL: xs:decimal(cbc:Amount); an
// absent amount makes the comparison false.
func ublPriceDiscount(n *node) (xmltree.Decimal, bool) {
	return xmltree.CastDec(n, n.Strs("cbc:Amount"))
}

// ublTaxCurrencyNotDocument is R005: the VAT accounting currency differs
// from the document currency.
func ublTaxCurrencyNotDocument(n *node) bool {
	return xmltree.NormSpaceText(n, []*node{n}) != xmltree.NormSpaceText(n, n.Parent.All("cbc:DocumentCurrencyCode"))
}

// ublOneTaxBreakdown is R053: exactly one VAT total has a breakdown.
func ublOneTaxBreakdown(n *node) bool {
	c := 0
	for _, t := range n.All("cac:TaxTotal") {
		if t.Has("cac:TaxSubtotal") {
			c++
		}
	}
	return c == 1
}

// ublTaxTotalsWithoutBreakdown is R054: one VAT total without breakdown
// with a VAT accounting currency, none without.
func ublTaxTotalsWithoutBreakdown(n *node) bool {
	c := 0
	for _, t := range n.All("cac:TaxTotal") {
		if !t.Has("cac:TaxSubtotal") {
			c++
		}
	}
	want := 0
	if n.Has("cbc:TaxCurrencyCode") {
		want = 1
	}
	return c == want
}

// ublTaxTotalsSameSign is R055: the VAT totals in the VAT accounting and in
// the document currency have the same sign (zero counts as either).
func ublTaxTotalsSameSign(n *node) bool {
	if !n.Has("cbc:TaxCurrencyCode") {
		return true
	}
	tax, doc := peppolUBLTaxAmounts(n, "cbc:TaxCurrencyCode"), peppolUBLTaxAmounts(n, "cbc:DocumentCurrencyCode")
	// Untyped amounts against the integer 0 (see untypedCmpInt).
	return xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpLe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpLe, 0) ||
		xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpGe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpGe, 0)
}

// ublIndicatorOK is R043: the charge indicator is true or false.
func ublIndicatorOK(n *node) bool {
	v := xmltree.NormSpaceText(n, n.All("cbc:ChargeIndicator"))
	return v == "true" || v == "false"
}

// ublLineStartInPeriod is R110: xs:date(text()) against
// xs:date(../../../cac:InvoicePeriod/cbc:StartDate): dates with and
// without time zone compare as instants (see xsDate).
func ublLineStartInPeriod(n *node) bool {
	a, ok1 := xmltree.CastDate(n, n.TextNodes())
	b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:StartDate"))
	return ok1 && ok2 && !a.Before(b)
}

// ublLineEndInPeriod is R111, as R110 on the end dates.
func ublLineEndInPeriod(n *node) bool {
	a, ok1 := xmltree.CastDate(n, n.TextNodes())
	b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:EndDate"))
	return ok1 && ok2 && !a.After(b)
}

// ublIsInvoice reports whether the document is an invoice (not a credit
// note).
func ublIsInvoice(n *node) bool {
	return n.Root().Local == "Invoice" && n.Root().Space == xmltree.NSInvoice
}

// ublLineAmountOK is R120 on UBL's paths; the quantity is the invoiced
// or the credited one, as the document is.
func ublLineAmountOK() func(n *node) bool {
	paths := func(quantity string) peppolLinePaths {
		return newPeppolLinePaths("cbc:LineExtensionAmount", quantity, "cac:Price/cbc:PriceAmount", []string{"cac:Price/cbc:BaseQuantity"},
			"cac:AllowanceCharge", "cbc:ChargeIndicator", "cbc:Amount", "cbc:DocumentCurrencyCode")
	}
	invoice, creditNote := paths("cbc:InvoicedQuantity"), paths("cbc:CreditedQuantity")
	return func(n *node) bool {
		if ublIsInvoice(n) {
			return peppolLineAmountOK(n, invoice)
		}
		return peppolLineAmountOK(n, creditNote)
	}
}

// ublBaseQuantityUnitOK is R130: the base quantity's unit is the line
// quantity's, where the line has a quantity.
func ublBaseQuantityUnitOK(n *node) bool {
	line := n.Parent.Parent
	if line == nil || !(line.Has("cbc:InvoicedQuantity") || line.Has("cbc:CreditedQuantity")) {
		return true
	}
	qtyPath := "cbc:CreditedQuantity/@unitCode"
	if ublIsInvoice(n) {
		qtyPath = "cbc:InvoicedQuantity/@unitCode"
	}
	u, _ := n.Attr("unitCode")
	return xmltree.In(u, line.Strs(qtyPath))
}
