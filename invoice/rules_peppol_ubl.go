package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The PEPPOL BIS Billing 3.0 rules (PEPPOL-EN16931-R…) XRechnung 2.5.0
// carries for UBL: the ones on its list, in the PEPPOL patterns they come
// from. Only the rule contexts that hold a listed rule are kept, as the
// XRechnung build does, so that the first-match order is the merged one.
// Orders are line numbers in PEPPOL-EN16931-UBL.sch.

// peppolIsEmpty matches elements without child elements whose value is
// blank (R008's context //*[not(*) and not(normalize-space())]).
func peppolIsEmpty(n *node) bool { return len(n.Children) == 0 && xmltree.Blank(n.Text) }

func ublIsRootChild(n *node) bool {
	return n.Parent != nil && n.Parent.Parent == nil && isUBLRoot(n.Parent)
}

// ublIsDocOrLineAC matches /*/cac:AllowanceCharge and /*/cac:InvoiceLine|CreditNoteLine/cac:AllowanceCharge.
func ublIsDocOrLineAC(n *node) bool {
	if !n.Is("cac:AllowanceCharge") {
		return false
	}
	if ublIsRootChild(n) {
		return true
	}
	p := n.Parent
	return p != nil && ublIsRootChild(p) &&
		(p.Is("cac:InvoiceLine") && p.Parent.Local == "Invoice" || p.Is("cac:CreditNoteLine") && p.Parent.Local == "CreditNote")
}

// ublLinePeriodDate matches Invoice[cac:InvoicePeriod/cbc:<which>]/cac:InvoiceLine/cac:InvoicePeriod/cbc:<which>.
func ublLinePeriodDate(which string) func(n *node) bool {
	return func(n *node) bool {
		if !n.Is("cbc:"+which) || !n.Parent.Is("cac:InvoicePeriod") {
			return false
		}
		line := n.Parent.Parent
		if line == nil || !ublIsRootChild(line) {
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
	peppolUBLTaxCurrency = ruleContext{Pattern: patXRUBLPeppol, Order: 301, Names: []string{"TaxCurrencyCode"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCBC }}
	peppolUBLCustomer = ruleContext{Pattern: patXRUBLPeppol, Order: 307, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingCustomerParty") }}
	peppolUBLSupplier = ruleContext{Pattern: patXRUBLPeppol, Order: 311, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingSupplierParty") }}
	peppolUBLACNoBase = ruleContext{Pattern: patXRUBLPeppol, Order: 315, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return ublIsDocOrLineAC(n) && n.Has("cbc:MultiplierFactorNumeric") && !n.Has("cbc:BaseAmount")
		}}
	peppolUBLACNoPercent = ruleContext{Pattern: patXRUBLPeppol, Order: 319, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return ublIsDocOrLineAC(n) && !n.Has("cbc:MultiplierFactorNumeric") && n.Has("cbc:BaseAmount")
		}}
	peppolUBLAC    = ruleContext{Pattern: patXRUBLPeppol, Order: 323, Names: []string{"AllowanceCharge"}, Match: ublIsDocOrLineAC}
	peppolUBLDebit = ruleContext{Pattern: patXRUBLPeppol, Order: 338, Names: []string{"PaymentMeans"},
		Match: func(n *node) bool {
			c := n.NormStr("cbc:PaymentMeansCode")
			return n.Space == xmltree.NSCAC && (c == "49" || c == "59")
		}}
	peppolUBLLineStart = ruleContext{Pattern: patXRUBLPeppol, Order: 349, Names: []string{"StartDate"}, Match: ublLinePeriodDate("StartDate")}
	peppolUBLLineEnd   = ruleContext{Pattern: patXRUBLPeppol, Order: 354, Names: []string{"EndDate"}, Match: ublLinePeriodDate("EndDate")}
	peppolUBLLine      = ruleContext{Pattern: patXRUBLPeppol, Order: 360, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	peppolUBLPriceAC = ruleContext{Pattern: patXRUBLPeppol, Order: 415, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && n.Parent.Is("cac:Price") }}
	peppolUBLBaseQuantity = ruleContext{Pattern: patXRUBLPeppol, Order: 423, Names: []string{"BaseQuantity"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSCBC && n.Parent.Is("cac:Price") && n.HasAttr("unitCode")
		}}
)

// peppolUBLTaxAmountsSign compares the signs of the tax totals in tax and
// document currency (R055).
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

var peppolUBLRules = []rule{
	{ID: "PEPPOL-EN16931-R008", Context: peppolUBLEmpty,
		Test: never},
	{ID: "PEPPOL-EN16931-R001", Context: peppolUBLRoot,
		Test:      func(n *node) bool { return n.Has("cbc:ProfileID") },
		Message:   "The business process type (BT-23, cbc:ProfileID) must be given.",
		MessageDE: "Die Geschäftsprozesskennung (BT-23, cbc:ProfileID) muss angegeben werden."},
	{ID: "PEPPOL-EN16931-R053", Context: peppolUBLRoot,
		Test: func(n *node) bool {
			c := 0
			for _, t := range n.All("cac:TaxTotal") {
				if t.Has("cac:TaxSubtotal") {
					c++
				}
			}
			return c == 1
		}},
	{ID: "PEPPOL-EN16931-R054", Context: peppolUBLRoot,
		Test: func(n *node) bool {
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
		}},
	{ID: "PEPPOL-EN16931-R055", Context: peppolUBLRoot,
		Test: func(n *node) bool {
			if !n.Has("cbc:TaxCurrencyCode") {
				return true
			}
			tax, doc := peppolUBLTaxAmounts(n, "cbc:TaxCurrencyCode"), peppolUBLTaxAmounts(n, "cbc:DocumentCurrencyCode")
			// Untyped amounts against the integer 0 (see untypedCmpInt).
			return xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpLe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpLe, 0) ||
				xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpGe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpGe, 0)
		}},
	{ID: "PEPPOL-EN16931-R005", Context: peppolUBLTaxCurrency,
		Test: func(n *node) bool {
			return xmltree.NormSpaceText(n, []*node{n}) != xmltree.NormSpaceText(n, n.Parent.All("cbc:DocumentCurrencyCode"))
		}},
	{ID: "PEPPOL-EN16931-R010", Context: peppolUBLCustomer,
		Test: func(n *node) bool { return n.Has("cbc:EndpointID") }},
	{ID: "PEPPOL-EN16931-R020", Context: peppolUBLSupplier,
		Test: func(n *node) bool { return n.Has("cbc:EndpointID") }},
	{ID: "PEPPOL-EN16931-R041", Context: peppolUBLACNoBase,
		Test: never},
	{ID: "PEPPOL-EN16931-R042", Context: peppolUBLACNoPercent,
		Test: never},
	{ID: "PEPPOL-EN16931-R040", Context: peppolUBLAC,
		Test: func(n *node) bool {
			if !(n.Has("cbc:MultiplierFactorNumeric") && n.Has("cbc:BaseAmount")) {
				return true
			}
			amount, ok := peppolDecOr(n, "cbc:Amount", 0)
			if !ok {
				return false
			}
			base, ok := xmltree.CastDecimal(n, n.Strs("cbc:BaseAmount"))
			if !ok {
				return false
			}
			pct, ok := xmltree.CastDecimal(n, n.Strs("cbc:MultiplierFactorNumeric"))
			if !ok {
				return false
			}
			want := new(big.Rat).Mul(base, pct)
			want.Quo(want, big.NewRat(100, 1))
			return peppolSlack(amount, want, peppolSlackValue(n, "cbc:DocumentCurrencyCode"))
		}},
	{ID: "PEPPOL-EN16931-R043", Context: peppolUBLAC,
		Test: func(n *node) bool {
			v := xmltree.NormSpaceText(n, n.All("cbc:ChargeIndicator"))
			return v == "true" || v == "false"
		}},
	{ID: "PEPPOL-EN16931-R061", Context: peppolUBLDebit,
		Test: func(n *node) bool { return n.Has("cac:PaymentMandate/cbc:ID") }},
	{ID: "PEPPOL-EN16931-R110", Context: peppolUBLLineStart,
		Test: func(n *node) bool {
			// xs:date(text()) against xs:date(../../../cac:InvoicePeriod/cbc:StartDate):
			// dates with and without time zone compare as instants (see xsDate).
			a, ok1 := xmltree.CastDate(n, n.TextNodes())
			b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:StartDate"))
			return ok1 && ok2 && !a.Before(b)
		}},
	{ID: "PEPPOL-EN16931-R111", Context: peppolUBLLineEnd,
		Test: func(n *node) bool {
			// xs:date(text()) against xs:date(../../../cac:InvoicePeriod/cbc:EndDate):
			// dates with and without time zone compare as instants (see xsDate).
			a, ok1 := xmltree.CastDate(n, n.TextNodes())
			b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:EndDate"))
			return ok1 && ok2 && !a.After(b)
		}},
	{ID: "PEPPOL-EN16931-R120", Context: peppolUBLLine,
		Test: func(n *node) bool {
			qtyPath := "cbc:CreditedQuantity"
			if n.Root().Local == "Invoice" && n.Root().Space == xmltree.NSInvoice {
				qtyPath = "cbc:InvoicedQuantity"
			}
			// The lets in their order; a cast that raises stops here.
			lineAmount, ok1 := peppolDecOr(n, "cbc:LineExtensionAmount", 0)
			qty, ok2 := peppolDecOr(n, qtyPath, 1)
			price, ok3 := peppolDecOr(n, "cac:Price/cbc:PriceAmount", 0)
			base, ok4 := peppolBaseQuantity(n, "cac:Price/cbc:BaseQuantity")
			acs := n.All("cac:AllowanceCharge")
			allowances, ok5 := peppolACTotal(n, acs, "cbc:ChargeIndicator", "cbc:Amount", "false")
			charges, ok6 := peppolACTotal(n, acs, "cbc:ChargeIndicator", "cbc:Amount", "true")
			if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
				return false
			}
			want := new(big.Rat).Quo(price, base)
			want.Mul(want, qty)
			want.Add(want, charges)
			want.Sub(want, allowances)
			return peppolSlack(lineAmount, want, peppolSlackValue(n, "cbc:DocumentCurrencyCode"))
		}},
	{ID: "PEPPOL-EN16931-R121", Context: peppolUBLLine,
		Test: func(n *node) bool {
			values := n.Strs("cac:Price/cbc:BaseQuantity")
			if len(values) == 0 {
				return true
			}
			d, ok := xmltree.CastDecimal(n, values)
			return ok && d.Sign() > 0
		}},
	{ID: "PEPPOL-EN16931-R101", Context: peppolUBLLine,
		Test: func(n *node) bool {
			return !n.Has("cac:DocumentReference") || xmltree.In("130", n.Strs("cac:DocumentReference/cbc:DocumentTypeCode"))
		}},
	{ID: "PEPPOL-EN16931-R044", Context: peppolUBLPriceAC,
		Test: func(n *node) bool { return n.NormStr("cbc:ChargeIndicator") == "false" }},
	{ID: "PEPPOL-EN16931-R046", Context: peppolUBLPriceAC,
		Test: func(n *node) bool {
			if !n.Has("cbc:BaseAmount") {
				return true
			}
			// xs:decimal(../cbc:PriceAmount) = …: without a net price the
			// comparison is false before the right side is read.
			net, ok := xmltree.CastDecimal(n, n.Parent.Strs("cbc:PriceAmount"))
			if !ok {
				return false
			}
			gross, ok2 := xmltree.CastDecimal(n, n.Strs("cbc:BaseAmount"))
			disc, ok3 := xmltree.CastDecimal(n, n.Strs("cbc:Amount"))
			if !ok2 || !ok3 {
				return false // an absent amount makes the comparison false; a bad one raised
			}
			return net.Cmp(new(big.Rat).Sub(gross, disc)) == 0
		}},
	{ID: "PEPPOL-EN16931-R130", Context: peppolUBLBaseQuantity,
		Test: func(n *node) bool {
			line := n.Parent.Parent
			if line == nil || !(line.Has("cbc:InvoicedQuantity") || line.Has("cbc:CreditedQuantity")) {
				return true
			}
			qtyPath := "cbc:CreditedQuantity/@unitCode"
			if n.Root().Local == "Invoice" && n.Root().Space == xmltree.NSInvoice {
				qtyPath = "cbc:InvoicedQuantity/@unitCode"
			}
			u, _ := n.Attr("unitCode")
			return xmltree.In(u, line.Strs(qtyPath))
		}},
}
