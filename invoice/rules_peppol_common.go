package invoice

import (
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The PEPPOL BIS Billing 3.0 rules (PEPPOL-EN16931-R…) XRechnung 2.5.0
// carries, a row an id with its UBL and its CII rule (catalogue_peppol.go
// says what each means), and the helpers both syntaxes use. XRechnung
// rewrites some for CII (R053, R055, R040 and R120), adds R008 and
// R044/R046 there in patterns of their own and numbers R043 -1/-2 for its
// two CII contexts; the contexts and the tests of one syntax alone are in
// rules_peppol_ubl.go and rules_peppol_cii.go.
func peppolRules() []ruleRow {
	return []ruleRow{
		{"PEPPOL-EN16931-R008", on(peppolUBLEmpty, never), on(peppolCIIEmpty, never)},
		{"PEPPOL-EN16931-R044", on(peppolUBLPriceAC, func(n *node) bool { return n.NormStr("cbc:ChargeIndicator") == "false" }),
			on(peppolCIIGrossPrice, ciiGrossPriceAllowanceOnly)},
		{"PEPPOL-EN16931-R046", on(peppolUBLPriceAC, peppolGrossPriceOK("cbc:BaseAmount", "cbc:PriceAmount", ublPriceDiscount)),
			on(peppolCIIGrossPrice, peppolGrossPriceOK("ram:ChargeAmount", "ram:NetPriceProductTradePrice/ram:ChargeAmount", ciiPriceDiscount))},
		{"PEPPOL-EN16931-R001",
			rule{Context: peppolUBLRoot, Test: exists("cbc:ProfileID"),
				Message:   "The business process type (BT-23, cbc:ProfileID) must be given.",
				MessageDE: "Die Geschäftsprozesskennung (BT-23, cbc:ProfileID) muss angegeben werden."},
			on(peppolCIIContext, exists("ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"))},
		{"PEPPOL-EN16931-R005", on(peppolUBLTaxCurrency, ublTaxCurrencyNotDocument), on(peppolCIISettlement, ciiTaxCurrencyNotInvoice)},
		{"PEPPOL-EN16931-R053", on(peppolUBLRoot, ublOneTaxBreakdown),
			rule{Context: peppolCIISettlement, Test: func(n *node) bool { return len(ciiTaxTotals(n, ciiCurrencyPath, true)) <= 1 },
				Message:   "At most one VAT total (BT-110) in the invoice currency may be given.",
				MessageDE: "Es darf höchstens eine Umsatzsteuersumme (BT-110) in Rechnungswährung angegeben werden."}},
		{"PEPPOL-EN16931-R054", on(peppolUBLRoot, ublTaxTotalsWithoutBreakdown), on(peppolCIISettlement, ciiTaxTotalsInTaxCurrency)},
		{"PEPPOL-EN16931-R055", on(peppolUBLRoot, ublTaxTotalsSameSign), on(peppolCIISettlement, ciiTaxTotalsSameSign)},
		{"PEPPOL-EN16931-R010", on(peppolUBLCustomer, exists("cbc:EndpointID")), on(peppolCIIBuyer, exists("ram:URIUniversalCommunication/ram:URIID"))},
		{"PEPPOL-EN16931-R020", on(peppolUBLSupplier, exists("cbc:EndpointID")), on(peppolCIISeller, exists("ram:URIUniversalCommunication/ram:URIID"))},
		{"PEPPOL-EN16931-R041", on(peppolUBLACNoBase, never), on(peppolCIIACNoBase, never)},
		{"PEPPOL-EN16931-R042", on(peppolUBLACNoPercent, never), on(peppolCIIACNoPercent, never)},
		{"PEPPOL-EN16931-R040", on(peppolUBLAC, peppolACAmountOK("cbc:Amount", "cbc:BaseAmount", "cbc:MultiplierFactorNumeric", "cbc:DocumentCurrencyCode")),
			on(peppolCIIAC, peppolACAmountOK("ram:ActualAmount", "ram:BasisAmount", "ram:CalculationPercent", ciiCurrencyPath))},
		{"PEPPOL-EN16931-R043", on(peppolUBLAC, ublIndicatorOK), rule{}},
		{"PEPPOL-EN16931-R043-1", rule{}, on(peppolCIIAC, ciiIndicatorOK)},
		{"PEPPOL-EN16931-R043-2", rule{}, on(peppolCIIAppliedAC, ciiIndicatorOK)},
		{"PEPPOL-EN16931-R061", on(peppolUBLDebit, exists("cac:PaymentMandate/cbc:ID")),
			on(peppolCIIDebit, exists("../ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"))},
		{"PEPPOL-EN16931-R110", on(peppolUBLLineStart, ublLineStartInPeriod), on(peppolCIILineStart, ciiLineStartInPeriod)},
		{"PEPPOL-EN16931-R111", on(peppolUBLLineEnd, ublLineEndInPeriod), on(peppolCIILineEnd, ciiLineEndInPeriod)},
		{"PEPPOL-EN16931-R120", on(peppolUBLLine, ublLineAmountOK()), on(peppolCIILine, ciiLineAmountOK())},
		{"PEPPOL-EN16931-R121", on(peppolUBLLine, peppolBaseQuantityPositive("cac:Price/cbc:BaseQuantity")),
			on(peppolCIIPrice, peppolBaseQuantityPositive("ram:BasisQuantity"))},
		{"PEPPOL-EN16931-R101", on(peppolUBLLine, peppolNoneOr("cac:DocumentReference", "cac:DocumentReference/cbc:DocumentTypeCode", "130")),
			on(peppolCIILine, peppolNoneOr("ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument",
				"ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument/ram:TypeCode", "130"))},
		{"PEPPOL-EN16931-R130", on(peppolUBLBaseQuantity, ublBaseQuantityUnitOK), on(peppolCIIBasisQuantity, ciiBasisQuantityUnitOK)},
	}
}

// peppolACOnly returns the contexts of R041 and R042 at the orders
// noBase and noPercent: the allowances and charges of ac with the
// percentage at percent but no base amount at base, and the reverse.
func peppolACOnly(ac ruleContext, noBase, noPercent int, percent, base string) (withoutBase, withoutPercent ruleContext) {
	withoutBase, withoutPercent = ac, ac
	withoutBase.Order, withoutPercent.Order = noBase, noPercent
	withoutBase.Match = func(n *node) bool { return ac.Match(n) && n.Has(percent) && !n.Has(base) }
	withoutPercent.Match = func(n *node) bool { return ac.Match(n) && !n.Has(percent) && n.Has(base) }
	return withoutBase, withoutPercent
}

// peppolDirectDebit selects the payment means whose code at path is a
// direct debit (49, 59): R061's context.
func peppolDirectDebit(path string) func(n *node) bool {
	return func(n *node) bool {
		c := n.NormStr(path)
		return c == "49" || c == "59"
	}
}

// peppolGrossPriceOK is R046: where a gross price (at gross) is given,
// xs:decimal(net) = xs:decimal(gross) - discount, net read from the
// parent and discount as each syntax has it. Without a net price the
// comparison is false before the right side is read; a cast that raises
// makes it false too.
func peppolGrossPriceOK(gross, net string, discount func(n *node) (xmltree.Decimal, bool)) func(n *node) bool {
	return func(n *node) bool {
		if !n.Has(gross) {
			return true
		}
		netPrice, ok1 := xmltree.CastDec(n, n.Parent.Strs(net))
		if !ok1 {
			return false
		}
		grossPrice, ok2 := xmltree.CastDec(n, n.Strs(gross))
		disc, ok3 := discount(n)
		if !ok2 || !ok3 {
			return false
		}
		return netPrice.Cmp(grossPrice.Sub(disc)) == 0
	}
}

// peppolACAmountOK is R040: with a base amount and a percentage, the
// amount (0 where absent) is base × percentage / 100 within the slack;
// each a path of one syntax, currency that of the invoice currency code.
// The casts run in the source's order; one that raises stops there.
func peppolACAmountOK(amount, base, percent, currency string) func(n *node) bool {
	pAmount, pBase, pPercent, pCurrency := xp(amount), xp(base), xp(percent), xp(currency)
	return func(n *node) bool {
		if !(pPercent.Has(n) && pBase.Has(n)) {
			return true
		}
		a, ok := peppolDecOr(n, pAmount, 0) // CII D16B lets it repeat
		if !ok {
			return false
		}
		b, ok := xmltree.CastDec(n, pBase.Strs(n))
		if !ok {
			return false
		}
		pct, ok := xmltree.CastDec(n, pPercent.Strs(n))
		if !ok {
			return false
		}
		want := b.Mul(pct).Quo(xmltree.DecimalInt(100))
		return peppolSlack(a, want, peppolSlackValue(n, pCurrency))
	}
}

// peppolLinePaths are one syntax's paths of R120 from the line: its net
// amount, quantity, net price, the base quantities in the order the source
// tries them, its allowances and charges with their indicator and amount,
// and the invoice currency code from the root.
type peppolLinePaths struct {
	amount, quantity, price  *xmltree.Path
	baseQuantity             []*xmltree.Path
	charges, indicator, each *xmltree.Path
	currency                 *xmltree.Path
}

// newPeppolLinePaths compiles R120's paths of one syntax.
func newPeppolLinePaths(amount, quantity, price string, baseQuantity []string, charges, indicator, each, currency string) peppolLinePaths {
	p := peppolLinePaths{amount: xp(amount), quantity: xp(quantity), price: xp(price),
		charges: xp(charges), indicator: xp(indicator), each: xp(each), currency: xp(currency)}
	for _, b := range baseQuantity {
		p.baseQuantity = append(p.baseQuantity, xp(b))
	}
	return p
}

// peppolLineAmountOK is R120: the line net amount is net price ÷ base
// quantity × quantity + charges - allowances, within the slack. The lets
// run in their order; a cast that raises stops there.
func peppolLineAmountOK(n *node, p peppolLinePaths) bool {
	lineAmount, ok1 := peppolDecOr(n, p.amount, 0)
	qty, ok2 := peppolDecOr(n, p.quantity, 1)
	price, ok3 := peppolDecOr(n, p.price, 0)
	base, ok4 := peppolBaseQuantity(n, p.baseQuantity...)
	acs := p.charges.All(n)
	allowances, ok5 := peppolACTotal(n, acs, p.indicator, p.each, "false")
	charges, ok6 := peppolACTotal(n, acs, p.indicator, p.each, "true")
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 {
		return false
	}
	want := price.Quo(base).Mul(qty).Add(charges).Sub(allowances)
	return peppolSlack(lineAmount, want, peppolSlackValue(n, p.currency))
}

// peppolBaseQuantityPositive is R121: the base quantity at path, where
// given, is above zero (xs:decimal(): two values or one that is no decimal
// raise).
func peppolBaseQuantityPositive(path string) func(n *node) bool {
	return func(n *node) bool {
		values := n.Strs(path)
		if len(values) == 0 {
			return true
		}
		d, ok := xmltree.CastDec(n, values)
		return ok && d.Sign() > 0
	}
}

// peppolNoneOr is "not(elem) or (code = values at path)": no element at elem,
// or code among the values at path (R101).
func peppolNoneOr(elem, path, code string) func(n *node) bool {
	return func(n *node) bool { return !n.Has(elem) || xmltree.In(code, n.Strs(path)) }
}

// peppolSlackValue is 0.5 for invoices in HUF, else 0.02.
// It is computed once per document ($slackValue is a global variable).
func peppolSlackValue(n *node, currencyPath *xmltree.Path) xmltree.Decimal {
	return xmltree.Memo(n, &peppolSlackKey, func() xmltree.Decimal {
		if xmltree.In("HUF", currencyPath.Strs(n.Root())) {
			return xmltree.DecimalInt(5).Quo(xmltree.DecimalInt(10))
		}
		return xmltree.DecimalInt(2).Quo(xmltree.DecimalInt(100))
	})
}

var peppolSlackKey xmltree.MemoKey[xmltree.Decimal]

// peppolSlack is u:slack: |exp - val| <= slack.
func peppolSlack(exp, val, slack xmltree.Decimal) bool {
	return exp.Sub(val).Abs().Cmp(slack) <= 0
}

// peppolDecOr is "if (x) then xs:decimal(x) else def", and u:slack's
// xs:decimal parameter given "if (x) then x else 0": x cast with
// xmltree.CastDecimal, so two values (CII D16B lets the amounts and prices
// repeat) or one that is no decimal raise the reference's dynamic error
// on n; ok is false then.
func peppolDecOr(n *node, path *xmltree.Path, def int64) (d xmltree.Decimal, ok bool) {
	values := path.Strs(n)
	if len(values) == 0 {
		return xmltree.DecimalInt(def), true
	}
	return xmltree.CastDec(n, values)
}

// peppolBaseQuantity is R120's $baseQuantity: "if (q and xs:decimal(q) !=
// 0) then xs:decimal(q) else …" over the paths in turn, else 1. ok is
// false where a cast raised.
func peppolBaseQuantity(n *node, paths ...*xmltree.Path) (d xmltree.Decimal, ok bool) {
	for _, p := range paths {
		values := p.Strs(n)
		if len(values) == 0 {
			continue
		}
		d, ok := xmltree.CastDec(n, values)
		if !ok {
			return xmltree.Decimal{}, false
		}
		if d.Sign() != 0 {
			return d, true
		}
	}
	return xmltree.DecimalInt(1), true
}

// peppolACTotal is round(sum(amounts of allowances or charges whose
// normalized indicator is ind, each cast with xs:decimal(.)) * 100) div
// 100, or 0 when there are none. A value that is no decimal raises the
// reference's dynamic error on ctx, and ok is false.
func peppolACTotal(ctx *node, acs []*node, indPath, amountPath *xmltree.Path, ind string) (total xmltree.Decimal, ok bool) {
	var sum xmltree.Decimal
	found := false
	for _, ac := range acs {
		if indPath.NormStr(ac) != ind {
			continue
		}
		found = true
		for _, a := range amountPath.Strs(ac) {
			d, ok := xmltree.CastDec(ctx, []string{a})
			if !ok {
				return xmltree.Decimal{}, false
			}
			sum = sum.Add(d)
		}
	}
	if !found {
		return sum, true
	}
	return sum.Round2(), true
}
