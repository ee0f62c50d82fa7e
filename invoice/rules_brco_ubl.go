package invoice

import (
	"math/big"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 calculation and co-occurrence rules BR-CO-03 … BR-CO-26.

// brcoPrefixOK is BR-CO-09 in UBL: contains(list, substring(id, 1, 2)),
// without spaces around the prefix (so a one-letter or empty prefix passes).
func brcoPrefixOK(id string) bool {
	r := []rune(id)
	if len(r) > 2 {
		r = r[:2]
	}
	return strings.Contains(clList("ubl/BR-CO-09/0"), string(r))
}

// brcoDec is xs:decimal(path) (see xmltree.CastDecimal); present is false
// where the path selects nothing (the reference's comparison is then false)
// or the cast raised a dynamic error.
func brcoDec(n *node, path string) (d *big.Rat, present bool) {
	return xmltree.CastDecimal(n, n.Strs(path))
}

// brcoSumRound2 is round(sum(…/xs:decimal(x)) * 10 * 10) div 100 over one
// value per element (a UBL line, allowance or subtotal has one amount): a
// value that is no decimal raises the reference's dynamic error on ctx, and
// ok is false. The rules compare xs:decimal(total) = …: Saxon reads the
// sum only where the total is there (an empty operand of at most one item
// makes = false at once), so the callers cast it only then.
func brcoSumRound2(ctx *node, values []string) (sum *big.Rat, ok bool) {
	sum = new(big.Rat)
	for _, v := range values {
		d, ok := xmltree.CastDecimal(ctx, []string{v})
		if !ok {
			return nil, false
		}
		sum.Add(sum, d)
	}
	return xmltree.RoundDec2(sum), true
}

// brcoACAmounts returns the cbc:Amount values of the allowances (charge
// false) or charges (true) among the AllowanceCharge elements at path.
func brcoACAmounts(n *node, path string, charge bool) (amounts []string, any bool) {
	for _, ac := range n.All(path) {
		if ublChargeIndicatorIs(ac, charge) {
			any = true
			amounts = append(amounts, ac.Strs("cbc:Amount")...)
		}
	}
	return amounts, any
}

func ratAdd(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }
func ratSub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }

// brcoTrue builds the rules whose test is true(): they exist in the
// reference with an id but can never fire.
func brcoTrue(id string, ctx Context, en, de string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx, Test: func(*node) bool { return true }, Message: en, MessageDE: de}
}

var brcoUBLRules = []Rule{
	{ID: "BR-CO-25", Flag: Fatal, Context: ublModelPayable,
		Test: func(n *node) bool {
			v := xmltree.Num(n.Value())
			if v <= 0 {
				return true
			}
			r := n.Root()
			return v > 0 && (len(r.Descendants("cbc:DueDate")) > 0 || r.Has("//cac:PaymentTerms/cbc:Note"))
		},
		Message:   "With a positive amount due (BT-115) a payment due date (BT-9) or payment terms (BT-20) must be given.",
		MessageDE: "Bei einem positiven fälligen Betrag (BT-115) muss ein Fälligkeitsdatum (BT-9) oder Zahlungsbedingungen (BT-20) angegeben werden."},
	brcoTrue("BR-CO-05", ublModelDocAllowance, "Allowance reason code and reason must indicate the same allowance.", "Grundcode und Grund des Nachlasses müssen denselben Nachlass bezeichnen."),
	brEither("BR-CO-21", ublModelDocAllowance, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A document level allowance needs a reason (BT-97) or reason code (BT-98); one", "Ein Nachlass auf Dokumentenebene braucht einen Grund (BT-97) oder Grundcode (BT-98); einer"),
	brcoTrue("BR-CO-06", ublModelDocCharge, "Charge reason code and reason must indicate the same charge.", "Grundcode und Grund des Zuschlags müssen denselben Zuschlag bezeichnen."),
	brEither("BR-CO-22", ublModelDocCharge, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A document level charge needs a reason (BT-104) or reason code (BT-105); one", "Ein Zuschlag auf Dokumentenebene braucht einen Grund (BT-104) oder Grundcode (BT-105); einer"),
	{ID: "BR-CO-10", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *node) bool {
			total, ok := brcoDec(n, "cbc:LineExtensionAmount")
			if !ok {
				return false
			}
			r := n.Root()
			var lines []string
			for _, l := range append(r.Descendants("cac:InvoiceLine"), r.Descendants("cac:CreditNoteLine")...) {
				lines = append(lines, l.Strs("cbc:LineExtensionAmount")...)
			}
			sum, ok := brcoSumRound2(n, lines)
			return ok && total.Cmp(sum) == 0
		},
		Message:   "The sum of line net amounts (BT-106) must equal the sum of all invoice line net amounts (BT-131).",
		MessageDE: "Die Summe der Positionsnettobeträge (BT-106) muss der Summe aller Nettobeträge der Positionen (BT-131) entsprechen."},
	{ID: "BR-CO-11", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *node) bool {
			amounts, any := brcoACAmounts(n, "../cac:AllowanceCharge", false)
			total, ok := brcoDec(n, "cbc:AllowanceTotalAmount")
			if !ok {
				return !n.Has("cbc:AllowanceTotalAmount") && !any
			}
			if sum, ok := brcoSumRound2(n, amounts); ok && total.Cmp(sum) == 0 {
				return true
			}
			return !n.Has("cbc:AllowanceTotalAmount") && !any
		},
		Message:   "The sum of allowances on document level (BT-107) must equal the sum of the document level allowance amounts (BT-92).",
		MessageDE: "Die Summe der Nachlässe auf Dokumentenebene (BT-107) muss der Summe der einzelnen Nachlässe (BT-92) entsprechen."},
	{ID: "BR-CO-12", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *node) bool {
			amounts, any := brcoACAmounts(n, "../cac:AllowanceCharge", true)
			total, ok := brcoDec(n, "cbc:ChargeTotalAmount")
			if !ok {
				return !n.Has("cbc:ChargeTotalAmount") && !any
			}
			if sum, ok := brcoSumRound2(n, amounts); ok && total.Cmp(sum) == 0 {
				return true
			}
			return !n.Has("cbc:ChargeTotalAmount") && !any
		},
		Message:   "The sum of charges on document level (BT-108) must equal the sum of the document level charge amounts (BT-99).",
		MessageDE: "Die Summe der Zuschläge auf Dokumentenebene (BT-108) muss der Summe der einzelnen Zuschläge (BT-99) entsprechen."},
	{ID: "BR-CO-13", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *node) bool {
			return brcoTaxExclusiveOK(n, "cbc:LineExtensionAmount", "cbc:ChargeTotalAmount", "cbc:AllowanceTotalAmount", "cbc:TaxExclusiveAmount")
		},
		Message:   "The total without VAT (BT-109) must equal the sum of line net amounts (BT-106) − allowances (BT-107) + charges (BT-108).",
		MessageDE: "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) muss der Summe der Positionsnettobeträge (BT-106) − Nachlässe (BT-107) + Zuschläge (BT-108) entsprechen."},
	{ID: "BR-CO-16", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *node) bool {
			return brcoPayableOK(n, "cbc:PrepaidAmount", "cbc:PayableRoundingAmount", "cbc:PayableAmount", "cbc:TaxInclusiveAmount")
		},
		Message:   "The amount due (BT-115) must equal the total with VAT (BT-112) − paid amount (BT-113) + rounding amount (BT-114).",
		MessageDE: "Der fällige Betrag (BT-115) muss dem Gesamtbetrag mit Umsatzsteuer (BT-112) − gezahlter Betrag (BT-113) + Rundungsbetrag (BT-114) entsprechen."},
	{ID: "BR-CO-03", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *node) bool {
			return !(n.Has("cbc:TaxPointDate") && n.Has("cac:InvoicePeriod/cbc:DescriptionCode"))
		},
		Message:   "The value added tax point date (BT-7) and its code (BT-8) exclude each other: give only one.",
		MessageDE: "Datum (BT-7) und Code (BT-8) der Steuerfälligkeit schließen einander aus: nur eines angeben."},
	{ID: "BR-CO-15", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *node) bool {
			for _, cur := range n.Strs("cbc:DocumentCurrencyCode") {
				var amounts []string
				for _, a := range n.All("cac:TaxTotal/cbc:TaxAmount") {
					if c, _ := a.Attr("currencyID"); c == cur {
						amounts = append(amounts, a.Value())
					}
				}
				// count(cac:TaxTotal/xs:decimal(cbc:TaxAmount[…])) casts
				// every tax amount in the currency before it counts them.
				for _, a := range amounts {
					if _, ok := xmltree.CastDecimal(n, []string{a}); !ok {
						return false
					}
				}
				if len(amounts) != 1 {
					return false
				}
				incl, ok1 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
				excl, ok2 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")
				tax, ok3 := xmltree.CastDecimal(n, amounts)
				if !ok1 || !ok2 || !ok3 || incl.Cmp(xmltree.RoundDec2(ratAdd(excl, tax))) != 0 {
					return false
				}
			}
			return true
		},
		Message:   "The total with VAT (BT-112) must equal the total without VAT (BT-109) + the VAT total (BT-110), which must be given once in the invoice currency.",
		MessageDE: "Der Gesamtbetrag mit Umsatzsteuer (BT-112) muss Gesamtbetrag ohne Umsatzsteuer (BT-109) + Umsatzsteuersumme (BT-110) entsprechen; diese muss genau einmal in Rechnungswährung angegeben sein."},
	brExists("BR-CO-18", ublModelRoot, "cac:TaxTotal/cac:TaxSubtotal", "At least one VAT breakdown (BG-23)", "Mindestens eine Umsatzsteueraufschlüsselung (BG-23)"),
	{ID: "BR-CO-04", Flag: Fatal, Context: ublModelLine,
		Test: func(n *node) bool {
			for _, c := range ublVATCategories(n, "cac:Item/cac:ClassifiedTaxCategory") {
				if c.Has("cbc:ID") {
					return true
				}
			}
			return false
		},
		Message:   "Each invoice line (BG-25) must give the VAT category of the invoiced item (BT-151).",
		MessageDE: "Jede Rechnungsposition (BG-25) muss die Umsatzsteuerkategorie des Artikels (BT-151) angeben."},
	brcoTrue("BR-CO-07", ublModelLineAllowance, "Line allowance reason code and reason must indicate the same allowance.", "Grundcode und Grund des Positionsnachlasses müssen denselben Nachlass bezeichnen."),
	brEither("BR-CO-23", ublModelLineAllowance, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A line allowance needs a reason (BT-139) or reason code (BT-140); one", "Ein Positionsnachlass braucht einen Grund (BT-139) oder Grundcode (BT-140); einer"),
	brcoTrue("BR-CO-08", ublModelLineCharge, "Line charge reason code and reason must indicate the same charge.", "Grundcode und Grund des Positionszuschlags müssen denselben Zuschlag bezeichnen."),
	brEither("BR-CO-24", ublModelLineCharge, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A line charge needs a reason (BT-144) or reason code (BT-145); one", "Ein Positionszuschlag braucht einen Grund (BT-144) oder Grundcode (BT-145); einer"),
	brEither("BR-CO-20", ublModelLinePeriod, "cbc:StartDate", "cbc:EndDate", "A line period (BG-26) needs a start (BT-134) or end date (BT-135); one", "Ein Positionszeitraum (BG-26) braucht ein Anfangs- (BT-134) oder Enddatum (BT-135); eines"),
	{ID: "BR-CO-19", Flag: Fatal, Context: ublModelPeriod,
		Test: func(n *node) bool {
			return n.Has("cbc:StartDate") || n.Has("cbc:EndDate") || n.Has("cbc:DescriptionCode")
		},
		Message:   "An invoicing period (BG-14) needs a start date (BT-73), an end date (BT-74) or a tax point date code (BT-8).",
		MessageDE: "Ein Abrechnungszeitraum (BG-14) braucht ein Anfangs- (BT-73) oder Enddatum (BT-74) oder einen Code der Steuerfälligkeit (BT-8)."},
	{ID: "BR-CO-26", Flag: Fatal, Context: ublModelSupplier,
		Test: func(n *node) bool {
			for _, s := range n.All("cac:Party/cac:PartyTaxScheme") {
				if ublVAT(s) && s.Has("cbc:CompanyID") {
					return true
				}
			}
			return n.Has("cac:Party/cac:PartyIdentification/cbc:ID") || n.Has("cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
		},
		Message:   "The seller must be identified by an identifier (BT-29), a legal registration identifier (BT-30) or a VAT identifier (BT-31).",
		MessageDE: "Der Verkäufer muss durch eine Kennung (BT-29), eine Registernummer (BT-30) oder eine USt-IdNr. (BT-31) bezeichnet werden."},
	{ID: "BR-CO-14", Flag: Fatal, Context: ublModelTaxTotal,
		Test: func(n *node) bool {
			if !n.Has("cac:TaxSubtotal") {
				return true
			}
			total, ok := brcoDec(n, "cbc:TaxAmount")
			if !ok {
				return false
			}
			sum, ok := brcoSumRound2(n, n.Strs("cac:TaxSubtotal/cbc:TaxAmount"))
			return ok && total.Cmp(sum) == 0
		},
		Message:   "The VAT total (BT-110) must equal the sum of the VAT category tax amounts (BT-117).",
		MessageDE: "Die Umsatzsteuersumme (BT-110) muss der Summe der Steuerbeträge je Kategorie (BT-117) entsprechen."},
	{ID: "BR-CO-17", Flag: Fatal, Context: ublModelTaxSubtotal,
		Test: func(n *node) bool {
			var pcts []string
			for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
				pcts = append(pcts, tc.Strs("cbc:Percent")...)
			}
			return brcoTaxAmountOK(n, pcts, n.Strs("cbc:TaxAmount"), n.Strs("cbc:TaxableAmount"), false)
		},
		Message:   "The VAT category tax amount (BT-117) must equal the taxable amount (BT-116) × the VAT rate (BT-119), rounded to two decimals.",
		MessageDE: "Der Steuerbetrag je Kategorie (BT-117) muss Bemessungsgrundlage (BT-116) × Steuersatz (BT-119) entsprechen, auf zwei Nachkommastellen gerundet."},
	{ID: "BR-CO-09", Flag: Fatal, Context: ublModelVATScheme,
		Test:      func(n *node) bool { return brcoPrefixOK(n.Str("cbc:CompanyID")) },
		Message:   "A VAT identifier (BT-31, BT-48, BT-63) must start with a country prefix (ISO 3166-1 alpha-2, EL for Greece).",
		MessageDE: "Eine USt-IdNr. (BT-31, BT-48, BT-63) muss mit einem Länderpräfix beginnen (ISO 3166-1 alpha-2, EL für Griechenland)."},
}

// brcoTaxExclusiveOK is BR-CO-13 for both syntaxes.
func brcoTaxExclusiveOK(n *node, linePath, chargePath, allowPath, exclPath string) bool {
	hasC, hasA := n.Has(chargePath), n.Has(allowPath)
	excl, ok1 := brcoDec(n, exclPath)
	lines, ok2 := brcoDec(n, linePath)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case hasC && hasA:
		c, ok3 := brcoDec(n, chargePath)
		a, ok4 := brcoDec(n, allowPath)
		return ok3 && ok4 && excl.Cmp(xmltree.RoundDec2(ratSub(ratAdd(lines, c), a))) == 0
	case hasA:
		a, ok4 := brcoDec(n, allowPath)
		return ok4 && excl.Cmp(xmltree.RoundDec2(ratSub(lines, a))) == 0
	case hasC:
		c, ok3 := brcoDec(n, chargePath)
		return ok3 && excl.Cmp(xmltree.RoundDec2(ratAdd(lines, c))) == 0
	}
	return excl.Cmp(lines) == 0
}

// brcoPayableOK is BR-CO-16 for both syntaxes.
func brcoPayableOK(n *node, prepaidPath, roundingPath, payablePath, totalPath string) bool {
	hasP, hasR := n.Has(prepaidPath), n.Has(roundingPath)
	payable, ok1 := brcoDec(n, payablePath)
	total, ok2 := brcoDec(n, totalPath)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case hasP && !hasR:
		p, ok := brcoDec(n, prepaidPath)
		return ok && payable.Cmp(xmltree.RoundDec2(ratSub(total, p))) == 0
	case !hasP && !hasR:
		return payable.Cmp(total) == 0
	case hasP && hasR:
		p, ok := brcoDec(n, prepaidPath)
		r, ok3 := brcoDec(n, roundingPath)
		return ok && ok3 && xmltree.RoundDec2(ratSub(payable, r)).Cmp(xmltree.RoundDec2(ratSub(total, p))) == 0
	}
	r, ok := brcoDec(n, roundingPath)
	return ok && xmltree.RoundDec2(ratSub(payable, r)).Cmp(total) == 0
}

// brcoTaxAmountOK is BR-CO-17: with rate P, taxable amount B and tax amount
// T: (round(P) = 0 and round(T) = 0) or (round(P) != 0 and |T| - 1 <
// round(|B| * P/100 * 100)/100 < |T| + 1) or (no P and round(T) = 0). The
// CII rule's bounds are inclusive (<=). Each of P, T and B is an
// xs:decimal() cast, read only where the source's and/or reach it: more
// than one value (two VAT categories' rates, or the amounts CII D16B lets
// repeat) or one that is no decimal raises the reference's dynamic error on
// ctx (xmltree.CastDecimal).
func brcoTaxAmountOK(ctx *node, pcts, taxes, bases []string, inclusive bool) bool {
	p, hasP := xmltree.CastDecimal(ctx, pcts)
	if len(pcts) > 0 && !hasP {
		return false // raised
	}
	if !hasP || xmltree.RoundDec(p).Sign() == 0 {
		tax, ok := xmltree.CastDecimal(ctx, taxes)
		return ok && xmltree.RoundDec(tax).Sign() == 0
	}
	tax, ok := xmltree.CastDecimal(ctx, taxes)
	if !ok {
		return false
	}
	base, ok := xmltree.CastDecimal(ctx, bases)
	if !ok {
		return false
	}
	want := xmltree.RoundDec2(new(big.Rat).Mul(new(big.Rat).Abs(base), new(big.Rat).Quo(p, big.NewRat(100, 1))))
	t := new(big.Rat).Abs(tax)
	lo, hi := ratSub(t, big.NewRat(1, 1)).Cmp(want), ratAdd(t, big.NewRat(1, 1)).Cmp(want)
	if inclusive {
		return lo <= 0 && hi >= 0
	}
	return lo < 0 && hi > 0
}

// brcoCIIACAmounts returns the actual amounts of the header allowances
// (charge false) or charges (true) and whether there are any.
func brcoCIIACAmounts(r *node, charge bool) (amounts []string, any bool) {
	for _, ac := range r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
		if ciiIndicatorIs(ac, charge) {
			any = true
			amounts = append(amounts, ac.Strs("ram:ActualAmount")...)
		}
	}
	return amounts, any
}

// brcoDecTruthy is the effective boolean value of xs:decimal(path): false
// where absent or zero.
func brcoDecTruthy(n *node, path string) bool {
	d, ok := brcoDec(n, path)
	return ok && d.Sign() != 0
}
