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

// peppolSlackValue is 0.5 for invoices in HUF, else 0.02.
// It is computed once per document ($slackValue is a global variable).
func peppolSlackValue(n *node, currencyPath string) *big.Rat {
	return n.Memo("peppol.slack", func() any {
		if xrIn("HUF", n.Root().Strs(currencyPath)) {
			return big.NewRat(1, 2)
		}
		return big.NewRat(2, 100)
	}).(*big.Rat)
}

// peppolSlack is u:slack: |exp - val| <= slack.
func peppolSlack(exp, val, slack *big.Rat) bool {
	d := new(big.Rat).Sub(exp, val)
	return d.Abs(d).Cmp(slack) <= 0
}

// peppolDecOr is "if (x) then xs:decimal(x) else def", and u:slack's
// xs:decimal parameter given "if (x) then x else 0": x cast with
// xmltree.CastDecimal, so two values (CII D16B lets the amounts and prices
// repeat) or one that is no decimal raise the reference's dynamic error
// on n; ok is false then.
func peppolDecOr(n *node, path string, def int64) (d *big.Rat, ok bool) {
	values := n.Strs(path)
	if len(values) == 0 {
		return big.NewRat(def, 1), true
	}
	return xmltree.CastDecimal(n, values)
}

// peppolBaseQuantity is R120's $baseQuantity: "if (q and xs:decimal(q) !=
// 0) then xs:decimal(q) else …" over the paths in turn, else 1. ok is
// false where a cast raised.
func peppolBaseQuantity(n *node, paths ...string) (d *big.Rat, ok bool) {
	for _, p := range paths {
		values := n.Strs(p)
		if len(values) == 0 {
			continue
		}
		d, ok := xmltree.CastDecimal(n, values)
		if !ok {
			return nil, false
		}
		if d.Sign() != 0 {
			return d, true
		}
	}
	return big.NewRat(1, 1), true
}

// peppolACTotal is round(sum(amounts of allowances or charges whose
// normalized indicator is ind, each cast with xs:decimal(.)) * 100) div
// 100, or 0 when there are none. A value that is no decimal raises the
// reference's dynamic error on ctx, and ok is false.
func peppolACTotal(ctx *node, acs []*node, indPath, amountPath, ind string) (total *big.Rat, ok bool) {
	sum := new(big.Rat)
	found := false
	for _, ac := range acs {
		if xmltree.NormSpace(ac.Str(indPath)) != ind {
			continue
		}
		found = true
		for _, a := range ac.Strs(amountPath) {
			d, ok := xmltree.CastDecimal(ctx, []string{a})
			if !ok {
				return nil, false
			}
			sum.Add(sum, d)
		}
	}
	if !found {
		return sum, true
	}
	return xmltree.RoundDec2(sum), true
}

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
	peppolUBLEmpty = Context{Pattern: XRUBLPeppolEmpty, Order: 256, Match: peppolIsEmpty}
	peppolUBLRoot  = Context{Pattern: XRUBLPeppol, Order: 282, Names: []string{"Invoice", "CreditNote"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSInvoice && n.Local == "Invoice" || n.Space == xmltree.NSCreditNote && n.Local == "CreditNote"
		}}
	peppolUBLTaxCurrency = Context{Pattern: XRUBLPeppol, Order: 301, Names: []string{"TaxCurrencyCode"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCBC }}
	peppolUBLCustomer = Context{Pattern: XRUBLPeppol, Order: 307, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingCustomerParty") }}
	peppolUBLSupplier = Context{Pattern: XRUBLPeppol, Order: 311, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingSupplierParty") }}
	peppolUBLACNoBase = Context{Pattern: XRUBLPeppol, Order: 315, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return ublIsDocOrLineAC(n) && n.Has("cbc:MultiplierFactorNumeric") && !n.Has("cbc:BaseAmount")
		}}
	peppolUBLACNoPercent = Context{Pattern: XRUBLPeppol, Order: 319, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return ublIsDocOrLineAC(n) && !n.Has("cbc:MultiplierFactorNumeric") && n.Has("cbc:BaseAmount")
		}}
	peppolUBLAC    = Context{Pattern: XRUBLPeppol, Order: 323, Names: []string{"AllowanceCharge"}, Match: ublIsDocOrLineAC}
	peppolUBLDebit = Context{Pattern: XRUBLPeppol, Order: 338, Names: []string{"PaymentMeans"},
		Match: func(n *node) bool {
			c := xrFirstNorm(n, "cbc:PaymentMeansCode")
			return n.Space == xmltree.NSCAC && (c == "49" || c == "59")
		}}
	peppolUBLLineStart = Context{Pattern: XRUBLPeppol, Order: 349, Names: []string{"StartDate"}, Match: ublLinePeriodDate("StartDate")}
	peppolUBLLineEnd   = Context{Pattern: XRUBLPeppol, Order: 354, Names: []string{"EndDate"}, Match: ublLinePeriodDate("EndDate")}
	peppolUBLLine      = Context{Pattern: XRUBLPeppol, Order: 360, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	peppolUBLPriceAC = Context{Pattern: XRUBLPeppol, Order: 415, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && n.Parent.Is("cac:Price") }}
	peppolUBLBaseQuantity = Context{Pattern: XRUBLPeppol, Order: 423, Names: []string{"BaseQuantity"},
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

var peppolUBLRules = []Rule{
	{ID: "PEPPOL-EN16931-R008", Flag: Fatal, Context: peppolUBLEmpty,
		Test:      func(n *node) bool { return false },
		Message:   "The document must not contain empty elements: remove the element or give it a value.",
		MessageDE: "Das Dokument darf keine leeren Elemente enthalten: Element entfernen oder mit einem Wert füllen."},
	{ID: "PEPPOL-EN16931-R001", Flag: Fatal, Context: peppolUBLRoot,
		Test:      func(n *node) bool { return n.Has("cbc:ProfileID") },
		Message:   "The business process type (BT-23, cbc:ProfileID) must be given.",
		MessageDE: "Die Geschäftsprozesskennung (BT-23, cbc:ProfileID) muss angegeben werden."},
	{ID: "PEPPOL-EN16931-R053", Flag: Fatal, Context: peppolUBLRoot,
		Test: func(n *node) bool {
			c := 0
			for _, t := range n.All("cac:TaxTotal") {
				if t.Has("cac:TaxSubtotal") {
					c++
				}
			}
			return c == 1
		},
		Message:   "Exactly one tax total with VAT breakdown (cac:TaxTotal with cac:TaxSubtotal) must be given.",
		MessageDE: "Es muss genau eine Steuersumme mit Aufschlüsselung (cac:TaxTotal mit cac:TaxSubtotal) angegeben werden."},
	{ID: "PEPPOL-EN16931-R054", Flag: Fatal, Context: peppolUBLRoot,
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
		},
		Message:   "A tax total without breakdown (BT-111) must be given exactly when a VAT accounting currency (BT-6) is given.",
		MessageDE: "Eine Steuersumme ohne Aufschlüsselung (BT-111) muss genau dann angegeben werden, wenn eine Steuerwährung (BT-6) angegeben ist."},
	{ID: "PEPPOL-EN16931-R055", Flag: Fatal, Context: peppolUBLRoot,
		Test: func(n *node) bool {
			if !n.Has("cbc:TaxCurrencyCode") {
				return true
			}
			tax, doc := peppolUBLTaxAmounts(n, "cbc:TaxCurrencyCode"), peppolUBLTaxAmounts(n, "cbc:DocumentCurrencyCode")
			// Untyped amounts against the integer 0 (see untypedCmpInt).
			return xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpLe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpLe, 0) ||
				xmltree.AnyUntypedCmpInt(n, tax, xmltree.OpGe, 0) && xmltree.AnyUntypedCmpInt(n, doc, xmltree.OpGe, 0)
		},
		Message:   "The VAT total (BT-110) and the VAT total in accounting currency (BT-111) must have the same sign.",
		MessageDE: "Die Umsatzsteuersumme (BT-110) und die Summe in Steuerwährung (BT-111) müssen dasselbe Vorzeichen haben."},
	{ID: "PEPPOL-EN16931-R005", Flag: Fatal, Context: peppolUBLTaxCurrency,
		Test: func(n *node) bool {
			return xmltree.NormSpaceText(n, []*node{n}) != xmltree.NormSpaceText(n, n.Parent.All("cbc:DocumentCurrencyCode"))
		},
		Message:   "The VAT accounting currency (BT-6) must differ from the invoice currency (BT-5); leave it out otherwise.",
		MessageDE: "Die Steuerwährung (BT-6) muss sich von der Rechnungswährung (BT-5) unterscheiden; sonst weglassen."},
	{ID: "PEPPOL-EN16931-R010", Flag: Fatal, Context: peppolUBLCustomer,
		Test:      func(n *node) bool { return n.Has("cbc:EndpointID") },
		Message:   "The buyer electronic address (BT-49) must be given.",
		MessageDE: "Die elektronische Adresse des Käufers (BT-49) muss angegeben werden."},
	{ID: "PEPPOL-EN16931-R020", Flag: Fatal, Context: peppolUBLSupplier,
		Test:      func(n *node) bool { return n.Has("cbc:EndpointID") },
		Message:   "The seller electronic address (BT-34) must be given.",
		MessageDE: "Die elektronische Adresse des Verkäufers (BT-34) muss angegeben werden."},
	{ID: "PEPPOL-EN16931-R041", Flag: Fatal, Context: peppolUBLACNoBase,
		Test:      func(n *node) bool { return false },
		Message:   "An allowance or charge with a percentage needs its base amount.",
		MessageDE: "Ein Nachlass oder Zuschlag mit Prozentsatz braucht den Grundbetrag."},
	{ID: "PEPPOL-EN16931-R042", Flag: Fatal, Context: peppolUBLACNoPercent,
		Test:      func(n *node) bool { return false },
		Message:   "An allowance or charge with a base amount needs its percentage.",
		MessageDE: "Ein Nachlass oder Zuschlag mit Grundbetrag braucht den Prozentsatz."},
	{ID: "PEPPOL-EN16931-R040", Flag: Fatal, Context: peppolUBLAC,
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
		},
		Message:   "The allowance or charge amount must equal base amount × percentage / 100.",
		MessageDE: "Der Betrag des Nachlasses oder Zuschlags muss Grundbetrag × Prozentsatz / 100 entsprechen."},
	{ID: "PEPPOL-EN16931-R043", Flag: Fatal, Context: peppolUBLAC,
		Test: func(n *node) bool {
			v := xmltree.NormSpaceText(n, n.All("cbc:ChargeIndicator"))
			return v == "true" || v == "false"
		},
		Message:   "The charge indicator must be true or false.",
		MessageDE: "Der Zuschlagsindikator muss true oder false sein."},
	{ID: "PEPPOL-EN16931-R061", Flag: Fatal, Context: peppolUBLDebit,
		Test:      func(n *node) bool { return n.Has("cac:PaymentMandate/cbc:ID") },
		Message:   "A direct debit needs the mandate reference (BT-89).",
		MessageDE: "Eine Lastschrift braucht die Mandatsreferenz (BT-89)."},
	{ID: "PEPPOL-EN16931-R110", Flag: Fatal, Context: peppolUBLLineStart,
		Test: func(n *node) bool {
			// xs:date(text()) against xs:date(../../../cac:InvoicePeriod/cbc:StartDate):
			// dates with and without time zone compare as instants (see xsDate).
			a, ok1 := xmltree.CastDate(n, n.TextNodes())
			b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:StartDate"))
			return ok1 && ok2 && !a.Before(b)
		},
		Message:   "The start of a line period (BT-134) must lie within the invoicing period (BG-14).",
		MessageDE: "Der Beginn eines Positionszeitraums (BT-134) muss im Abrechnungszeitraum (BG-14) liegen."},
	{ID: "PEPPOL-EN16931-R111", Flag: Fatal, Context: peppolUBLLineEnd,
		Test: func(n *node) bool {
			// xs:date(text()) against xs:date(../../../cac:InvoicePeriod/cbc:EndDate):
			// dates with and without time zone compare as instants (see xsDate).
			a, ok1 := xmltree.CastDate(n, n.TextNodes())
			b, ok2 := xmltree.CastDate(n, n.Root().Strs("cac:InvoicePeriod/cbc:EndDate"))
			return ok1 && ok2 && !a.After(b)
		},
		Message:   "The end of a line period (BT-135) must lie within the invoicing period (BG-14).",
		MessageDE: "Das Ende eines Positionszeitraums (BT-135) muss im Abrechnungszeitraum (BG-14) liegen."},
	{ID: "PEPPOL-EN16931-R120", Flag: Warning, Context: peppolUBLLine,
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
		},
		Message:   "The line net amount (BT-131) should equal quantity × (net price / price base quantity) + line charges − line allowances.",
		MessageDE: "Der Nettobetrag der Position (BT-131) soll Menge × (Nettopreis / Basismenge) + Zuschläge − Nachlässe der Position entsprechen."},
	{ID: "PEPPOL-EN16931-R121", Flag: Fatal, Context: peppolUBLLine,
		Test: func(n *node) bool {
			values := n.Strs("cac:Price/cbc:BaseQuantity")
			if len(values) == 0 {
				return true
			}
			d, ok := xmltree.CastDecimal(n, values)
			return ok && d.Sign() > 0
		},
		Message:   "The price base quantity (BT-149) must be above zero.",
		MessageDE: "Die Basismenge des Preises (BT-149) muss größer als null sein."},
	{ID: "PEPPOL-EN16931-R101", Flag: Fatal, Context: peppolUBLLine,
		Test: func(n *node) bool {
			return !n.Has("cac:DocumentReference") || xrIn("130", n.Strs("cac:DocumentReference/cbc:DocumentTypeCode"))
		},
		Message:   "A line document reference may only name the invoiced object (document type code 130).",
		MessageDE: "Eine Dokumentreferenz der Position darf nur das Rechnungsobjekt bezeichnen (Dokumentart 130)."},
	{ID: "PEPPOL-EN16931-R044", Flag: Fatal, Context: peppolUBLPriceAC,
		Test:      func(n *node) bool { return xrFirstNorm(n, "cbc:ChargeIndicator") == "false" },
		Message:   "Only allowances are allowed on the item price: the charge indicator must be false.",
		MessageDE: "Am Artikelpreis sind nur Nachlässe erlaubt: der Zuschlagsindikator muss false sein."},
	{ID: "PEPPOL-EN16931-R046", Flag: Fatal, Context: peppolUBLPriceAC,
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
		},
		Message:   "The item net price (BT-146) must equal the gross price (BT-148) minus the price discount (BT-147).",
		MessageDE: "Der Nettopreis (BT-146) muss dem Bruttopreis (BT-148) abzüglich des Preisnachlasses (BT-147) entsprechen."},
	{ID: "PEPPOL-EN16931-R130", Flag: Fatal, Context: peppolUBLBaseQuantity,
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
			return xrIn(u, line.Strs(qtyPath))
		},
		Message:   "The unit of the price base quantity (BT-150) must be the unit of the invoiced quantity (BT-130).",
		MessageDE: "Die Einheit der Basismenge (BT-150) muss der Einheit der Rechnungsmenge (BT-130) entsprechen."},
}
