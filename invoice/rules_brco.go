package invoice

import (
	"math"
	"math/big"
	"strings"
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

// brcoDec is xs:decimal(path) of the first item; present is false where the
// path selects nothing (the reference's comparison is then false), ok false
// where the value is no decimal.
func brcoDec(n *Node, path string) (d *big.Rat, present bool) {
	e := n.First(path)
	if e == nil {
		return nil, false
	}
	d, ok := Dec(e.Value())
	return d, ok
}

// brcoSumRound2 is round(sum(values as decimals) * 100) div 100.
func brcoSumRound2(values []string) *big.Rat {
	s, _ := SumDec(values)
	return RoundDec2(s)
}

// brcoACAmounts returns the cbc:Amount values of the allowances (charge
// false) or charges (true) among the AllowanceCharge elements at path.
func brcoACAmounts(n *Node, path string, charge bool) (amounts []string, any bool) {
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
	return Rule{ID: id, Flag: Fatal, Context: ctx, Test: func(*Node) bool { return true }, Message: en, MessageDE: de}
}

var brcoUBLRules = []Rule{
	{ID: "BR-CO-25", Flag: Fatal, Context: ublModelPayable,
		Test: func(n *Node) bool {
			v := Num(n.Value())
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
		Test: func(n *Node) bool {
			total, ok := brcoDec(n, "cbc:LineExtensionAmount")
			if !ok {
				return false
			}
			r := n.Root()
			var lines []string
			for _, l := range append(r.Descendants("cac:InvoiceLine"), r.Descendants("cac:CreditNoteLine")...) {
				lines = append(lines, l.Strs("cbc:LineExtensionAmount")...)
			}
			return total.Cmp(brcoSumRound2(lines)) == 0
		},
		Message:   "The sum of line net amounts (BT-106) must equal the sum of all invoice line net amounts (BT-131).",
		MessageDE: "Die Summe der Positionsnettobeträge (BT-106) muss der Summe aller Nettobeträge der Positionen (BT-131) entsprechen."},
	{ID: "BR-CO-11", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *Node) bool {
			amounts, any := brcoACAmounts(n, "../cac:AllowanceCharge", false)
			total, ok := brcoDec(n, "cbc:AllowanceTotalAmount")
			if ok && total.Cmp(brcoSumRound2(amounts)) == 0 {
				return true
			}
			return !n.Has("cbc:AllowanceTotalAmount") && !any
		},
		Message:   "The sum of allowances on document level (BT-107) must equal the sum of the document level allowance amounts (BT-92).",
		MessageDE: "Die Summe der Nachlässe auf Dokumentenebene (BT-107) muss der Summe der einzelnen Nachlässe (BT-92) entsprechen."},
	{ID: "BR-CO-12", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *Node) bool {
			amounts, any := brcoACAmounts(n, "../cac:AllowanceCharge", true)
			total, ok := brcoDec(n, "cbc:ChargeTotalAmount")
			if ok && total.Cmp(brcoSumRound2(amounts)) == 0 {
				return true
			}
			return !n.Has("cbc:ChargeTotalAmount") && !any
		},
		Message:   "The sum of charges on document level (BT-108) must equal the sum of the document level charge amounts (BT-99).",
		MessageDE: "Die Summe der Zuschläge auf Dokumentenebene (BT-108) muss der Summe der einzelnen Zuschläge (BT-99) entsprechen."},
	{ID: "BR-CO-13", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *Node) bool {
			return brcoTaxExclusiveOK(n, "cbc:LineExtensionAmount", "cbc:ChargeTotalAmount", "cbc:AllowanceTotalAmount", "cbc:TaxExclusiveAmount")
		},
		Message:   "The total without VAT (BT-109) must equal the sum of line net amounts (BT-106) − allowances (BT-107) + charges (BT-108).",
		MessageDE: "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) muss der Summe der Positionsnettobeträge (BT-106) − Nachlässe (BT-107) + Zuschläge (BT-108) entsprechen."},
	{ID: "BR-CO-16", Flag: Fatal, Context: ublModelTotals,
		Test: func(n *Node) bool {
			return brcoPayableOK(n, "cbc:PrepaidAmount", "cbc:PayableRoundingAmount", "cbc:PayableAmount", "cbc:TaxInclusiveAmount")
		},
		Message:   "The amount due (BT-115) must equal the total with VAT (BT-112) − paid amount (BT-113) + rounding amount (BT-114).",
		MessageDE: "Der fällige Betrag (BT-115) muss dem Gesamtbetrag mit Umsatzsteuer (BT-112) − gezahlter Betrag (BT-113) + Rundungsbetrag (BT-114) entsprechen."},
	{ID: "BR-CO-03", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			return !(n.Has("cbc:TaxPointDate") && n.Has("cac:InvoicePeriod/cbc:DescriptionCode"))
		},
		Message:   "The value added tax point date (BT-7) and its code (BT-8) exclude each other: give only one.",
		MessageDE: "Datum (BT-7) und Code (BT-8) der Steuerfälligkeit schließen einander aus: nur eines angeben."},
	{ID: "BR-CO-15", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			for _, cur := range n.Strs("cbc:DocumentCurrencyCode") {
				var amounts []string
				for _, a := range n.All("cac:TaxTotal/cbc:TaxAmount") {
					if c, _ := a.Attr("currencyID"); c == cur {
						amounts = append(amounts, a.Value())
					}
				}
				if len(amounts) != 1 {
					return false
				}
				incl, ok1 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
				excl, ok2 := brcoDec(n, "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")
				tax, ok3 := Dec(amounts[0])
				if !ok1 || !ok2 || !ok3 || incl.Cmp(RoundDec2(ratAdd(excl, tax))) != 0 {
					return false
				}
			}
			return true
		},
		Message:   "The total with VAT (BT-112) must equal the total without VAT (BT-109) + the VAT total (BT-110), which must be given once in the invoice currency.",
		MessageDE: "Der Gesamtbetrag mit Umsatzsteuer (BT-112) muss Gesamtbetrag ohne Umsatzsteuer (BT-109) + Umsatzsteuersumme (BT-110) entsprechen; diese muss genau einmal in Rechnungswährung angegeben sein."},
	brExists("BR-CO-18", ublModelRoot, "cac:TaxTotal/cac:TaxSubtotal", "At least one VAT breakdown (BG-23)", "Mindestens eine Umsatzsteueraufschlüsselung (BG-23)"),
	{ID: "BR-CO-04", Flag: Fatal, Context: ublModelLine,
		Test: func(n *Node) bool {
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
		Test: func(n *Node) bool {
			return n.Has("cbc:StartDate") || n.Has("cbc:EndDate") || n.Has("cbc:DescriptionCode")
		},
		Message:   "An invoicing period (BG-14) needs a start date (BT-73), an end date (BT-74) or a tax point date code (BT-8).",
		MessageDE: "Ein Abrechnungszeitraum (BG-14) braucht ein Anfangs- (BT-73) oder Enddatum (BT-74) oder einen Code der Steuerfälligkeit (BT-8)."},
	{ID: "BR-CO-26", Flag: Fatal, Context: ublModelSupplier,
		Test: func(n *Node) bool {
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
		Test: func(n *Node) bool {
			if !n.Has("cac:TaxSubtotal") {
				return true
			}
			total, ok := brcoDec(n, "cbc:TaxAmount")
			return ok && total.Cmp(brcoSumRound2(n.Strs("cac:TaxSubtotal/cbc:TaxAmount"))) == 0
		},
		Message:   "The VAT total (BT-110) must equal the sum of the VAT category tax amounts (BT-117).",
		MessageDE: "Die Umsatzsteuersumme (BT-110) muss der Summe der Steuerbeträge je Kategorie (BT-117) entsprechen."},
	{ID: "BR-CO-17", Flag: Fatal, Context: ublModelTaxSubtotal,
		Test: func(n *Node) bool {
			var pcts []string
			for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
				pcts = append(pcts, tc.Strs("cbc:Percent")...)
			}
			return brcoTaxAmountOK(pcts, n.Str("cbc:TaxAmount"), n.Has("cbc:TaxAmount"), n.Str("cbc:TaxableAmount"), n.Has("cbc:TaxableAmount"), false)
		},
		Message:   "The VAT category tax amount (BT-117) must equal the taxable amount (BT-116) × the VAT rate (BT-119), rounded to two decimals.",
		MessageDE: "Der Steuerbetrag je Kategorie (BT-117) muss Bemessungsgrundlage (BT-116) × Steuersatz (BT-119) entsprechen, auf zwei Nachkommastellen gerundet."},
	{ID: "BR-CO-09", Flag: Fatal, Context: ublModelVATScheme,
		Test:      func(n *Node) bool { return brcoPrefixOK(n.Str("cbc:CompanyID")) },
		Message:   "A VAT identifier (BT-31, BT-48, BT-63) must start with a country prefix (ISO 3166-1 alpha-2, EL for Greece).",
		MessageDE: "Eine USt-IdNr. (BT-31, BT-48, BT-63) muss mit einem Länderpräfix beginnen (ISO 3166-1 alpha-2, EL für Griechenland)."},
}

// brcoTaxExclusiveOK is BR-CO-13 for both syntaxes.
func brcoTaxExclusiveOK(n *Node, linePath, chargePath, allowPath, exclPath string) bool {
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
		return ok3 && ok4 && excl.Cmp(RoundDec2(ratSub(ratAdd(lines, c), a))) == 0
	case hasA:
		a, ok4 := brcoDec(n, allowPath)
		return ok4 && excl.Cmp(RoundDec2(ratSub(lines, a))) == 0
	case hasC:
		c, ok3 := brcoDec(n, chargePath)
		return ok3 && excl.Cmp(RoundDec2(ratAdd(lines, c))) == 0
	}
	return excl.Cmp(lines) == 0
}

// brcoPayableOK is BR-CO-16 for both syntaxes.
func brcoPayableOK(n *Node, prepaidPath, roundingPath, payablePath, totalPath string) bool {
	hasP, hasR := n.Has(prepaidPath), n.Has(roundingPath)
	payable, ok1 := brcoDec(n, payablePath)
	total, ok2 := brcoDec(n, totalPath)
	if !ok1 || !ok2 {
		return false
	}
	switch {
	case hasP && !hasR:
		p, ok := brcoDec(n, prepaidPath)
		return ok && payable.Cmp(RoundDec2(ratSub(total, p))) == 0
	case !hasP && !hasR:
		return payable.Cmp(total) == 0
	case hasP && hasR:
		p, ok := brcoDec(n, prepaidPath)
		r, ok3 := brcoDec(n, roundingPath)
		return ok && ok3 && RoundDec2(ratSub(payable, r)).Cmp(RoundDec2(ratSub(total, p))) == 0
	}
	r, ok := brcoDec(n, roundingPath)
	return ok && RoundDec2(ratSub(payable, r)).Cmp(total) == 0
}

// brcoTaxAmountOK is BR-CO-17: with rate P, taxable amount B and tax amount
// T: (round(P) = 0 and round(T) = 0) or (round(P) != 0 and |T| - 1 <
// round(|B| * P/100 * 100)/100 < |T| + 1) or (no P and round(T) = 0). The
// CII rule's bounds are inclusive (<=).
func brcoTaxAmountOK(pcts []string, taxS string, hasTax bool, baseS string, hasBase, inclusive bool) bool {
	var tax *big.Rat
	if hasTax {
		var ok bool
		if tax, ok = Dec(taxS); !ok {
			return false
		}
	}
	if len(pcts) == 0 {
		return hasTax && RoundDec(tax).Sign() == 0
	}
	p, ok := Dec(pcts[0])
	if !ok || len(pcts) > 1 {
		return false
	}
	if RoundDec(p).Sign() == 0 {
		return hasTax && RoundDec(tax).Sign() == 0
	}
	if !hasTax || !hasBase {
		return false
	}
	base, ok := Dec(baseS)
	if !ok {
		return false
	}
	want := RoundDec2(new(big.Rat).Mul(new(big.Rat).Abs(base), new(big.Rat).Quo(p, big.NewRat(100, 1))))
	t := new(big.Rat).Abs(tax)
	lo, hi := ratSub(t, big.NewRat(1, 1)).Cmp(want), ratAdd(t, big.NewRat(1, 1)).Cmp(want)
	if inclusive {
		return lo <= 0 && hi >= 0
	}
	return lo < 0 && hi > 0
}

// brcoCIIACAmounts returns the actual amounts of the header allowances
// (charge false) or charges (true) and whether there are any.
func brcoCIIACAmounts(r *Node, charge bool) (amounts []string, any bool) {
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
func brcoDecTruthy(n *Node, path string) bool {
	d, ok := brcoDec(n, path)
	return ok && d.Sign() != 0
}

var brcoCIIRules = []Rule{
	brcoTrue("BR-CO-05", ciiModelDocAllowance, "Allowance reason code and reason must indicate the same allowance.", "Grundcode und Grund des Nachlasses müssen denselben Nachlass bezeichnen."),
	brEither("BR-CO-21", ciiModelDocAllowance, "../ram:Reason", "../ram:ReasonCode", "A document level allowance needs a reason (BT-97) or reason code (BT-98); one", "Ein Nachlass auf Dokumentenebene braucht einen Grund (BT-97) oder Grundcode (BT-98); einer"),
	brcoTrue("BR-CO-06", ciiModelDocCharge, "Charge reason code and reason must indicate the same charge.", "Grundcode und Grund des Zuschlags müssen denselben Zuschlag bezeichnen."),
	brEither("BR-CO-22", ciiModelDocCharge, "../ram:Reason", "../ram:ReasonCode", "A document level charge needs a reason (BT-104) or reason code (BT-105); one", "Ein Zuschlag auf Dokumentenebene braucht einen Grund (BT-104) oder Grundcode (BT-105); einer"),
	{ID: "BR-CO-10", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			total, ok := brcoDec(n, "ram:LineTotalAmount")
			if !ok {
				return false
			}
			// xs:decimal(sum(untyped)): the double sum's exact value.
			sum, _ := sumUntyped(n, n.Strs("../../ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"))
			d, ok := decimalOfDouble(sum)
			return ok && total.Cmp(RoundDec2(d)) == 0
		},
		Message:   "The sum of line net amounts (BT-106) must equal the sum of all invoice line net amounts (BT-131).",
		MessageDE: "Die Summe der Positionsnettobeträge (BT-106) muss der Summe aller Nettobeträge der Positionen (BT-131) entsprechen."},
	{ID: "BR-CO-11", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			amounts, any := brcoCIIACAmounts(n.Root(), false)
			if !any && !n.Has("ram:AllowanceTotalAmount") {
				return true
			}
			return anyUntypedEqRoundedSum(n, n.Strs("ram:AllowanceTotalAmount"), amounts)
		},
		Message:   "The sum of allowances on document level (BT-107) must equal the sum of the document level allowance amounts (BT-92).",
		MessageDE: "Die Summe der Nachlässe auf Dokumentenebene (BT-107) muss der Summe der einzelnen Nachlässe (BT-92) entsprechen."},
	{ID: "BR-CO-12", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			amounts, any := brcoCIIACAmounts(n.Root(), true)
			if !any && !n.Has("ram:ChargeTotalAmount") {
				return true
			}
			return anyUntypedEqRoundedSum(n, n.Strs("ram:ChargeTotalAmount"), amounts)
		},
		Message:   "The sum of charges on document level (BT-108) must equal the sum of the document level charge amounts (BT-99).",
		MessageDE: "Die Summe der Zuschläge auf Dokumentenebene (BT-108) muss der Summe der einzelnen Zuschläge (BT-99) entsprechen."},
	{ID: "BR-CO-13", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			basis, ok1 := brcoDec(n, "ram:TaxBasisTotalAmount")
			lines, ok2 := brcoDec(n, "ram:LineTotalAmount")
			if !ok1 || !ok2 {
				return false
			}
			a, okA := brcoDec(n, "ram:AllowanceTotalAmount")
			c, okC := brcoDec(n, "ram:ChargeTotalAmount")
			hasA, hasC := n.Has("ram:AllowanceTotalAmount"), n.Has("ram:ChargeTotalAmount")
			eq := func(x *big.Rat) bool { return basis.Cmp(RoundDec2(x)) == 0 }
			return okA && okC && eq(ratAdd(ratSub(lines, a), c)) ||
				okA && !hasC && eq(ratSub(lines, a)) ||
				okC && !hasA && eq(ratAdd(lines, c)) ||
				!hasC && !hasA && eq(lines)
		},
		Message:   "The total without VAT (BT-109) must equal the sum of line net amounts (BT-106) − allowances (BT-107) + charges (BT-108).",
		MessageDE: "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) muss der Summe der Positionsnettobeträge (BT-106) − Nachlässe (BT-107) + Zuschläge (BT-108) entsprechen."},
	{ID: "BR-CO-16", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			due, ok1 := brcoDec(n, "ram:DuePayableAmount")
			grand, ok2 := brcoDec(n, "ram:GrandTotalAmount")
			if !ok1 || !ok2 {
				return false
			}
			p, okP := brcoDec(n, "ram:TotalPrepaidAmount")
			r, okR := brcoDec(n, "ram:RoundingAmount")
			tp, tr := brcoDecTruthy(n, "ram:TotalPrepaidAmount"), brcoDecTruthy(n, "ram:RoundingAmount")
			return okP && okR && due.Cmp(ratAdd(ratSub(grand, p), r)) == 0 ||
				okR && !tp && due.Cmp(ratAdd(grand, r)) == 0 ||
				okP && !tr && due.Cmp(ratSub(grand, p)) == 0 ||
				!tp && !tr && due.Cmp(grand) == 0
		},
		Message:   "The amount due (BT-115) must equal the total with VAT (BT-112) − paid amount (BT-113) + rounding amount (BT-114).",
		MessageDE: "Der fällige Betrag (BT-115) muss dem Gesamtbetrag mit Umsatzsteuer (BT-112) − gezahlter Betrag (BT-113) + Rundungsbetrag (BT-114) entsprechen."},
	{ID: "BR-CO-15", Flag: Fatal, Context: ciiModelRoot,
		Test: func(n *Node) bool {
			sum := n.First("//ram:SpecifiedTradeSettlementHeaderMonetarySummation")
			for _, cur := range n.Strs(ciiCurrencyPath) {
				var amounts []string
				for _, t := range n.All(ciiSettle + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:TaxTotalAmount") {
					if c, _ := t.Attr("currencyID"); c == cur {
						amounts = append(amounts, t.Value())
					}
				}
				grand, ok1 := brcoDec(sum, "ram:GrandTotalAmount")
				basis, ok2 := brcoDec(sum, "ram:TaxBasisTotalAmount")
				ok := false
				if len(amounts) == 1 && ok1 && ok2 {
					if tax, ok3 := Dec(amounts[0]); ok3 && grand.Cmp(RoundDec2(ratAdd(basis, tax))) == 0 {
						ok = true
					}
				}
				if !ok && !(ok1 && ok2 && grand.Cmp(basis) == 0) {
					return false
				}
			}
			return true
		},
		Message:   "The total with VAT (BT-112) must equal the total without VAT (BT-109) + the VAT total (BT-110), which must be given once in the invoice currency.",
		MessageDE: "Der Gesamtbetrag mit Umsatzsteuer (BT-112) muss Gesamtbetrag ohne Umsatzsteuer (BT-109) + Umsatzsteuersumme (BT-110) entsprechen; diese muss genau einmal in Rechnungswährung angegeben sein."},
	{ID: "BR-CO-25", Flag: Fatal, Context: ciiModelRoot,
		Test: func(n *Node) bool {
			due := math.NaN()
			if e := n.First("//ram:DuePayableAmount"); e != nil {
				due = Num(e.Value())
			}
			if !(due > 0) {
				return true
			}
			return n.Has("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime") || n.Has("//ram:SpecifiedTradePaymentTerms/ram:Description")
		},
		Message:   "With a positive amount due (BT-115) a payment due date (BT-9) or payment terms (BT-20) must be given.",
		MessageDE: "Bei einem positiven fälligen Betrag (BT-115) muss ein Fälligkeitsdatum (BT-9) oder Zahlungsbedingungen (BT-20) angegeben werden."},
	{ID: "BR-CO-04", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *Node) bool {
			for _, t := range n.All("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax") {
				if ciiVATType(t) && t.Has("ram:CategoryCode") {
					return true
				}
			}
			return false
		},
		Message:   "Each invoice line (BG-25) must give the VAT category of the invoiced item (BT-151).",
		MessageDE: "Jede Rechnungsposition (BG-25) muss die Umsatzsteuerkategorie des Artikels (BT-151) angeben."},
	{ID: "BR-CO-18", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *Node) bool {
			return n.Has("//rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax")
		},
		Message:   "At least one VAT breakdown (BG-23) must be given.",
		MessageDE: "Mindestens eine Umsatzsteueraufschlüsselung (BG-23) muss angegeben werden."},
	brcoTrue("BR-CO-07", ciiModelLineAllowance, "Line allowance reason code and reason must indicate the same allowance.", "Grundcode und Grund des Positionsnachlasses müssen denselben Nachlass bezeichnen."),
	brEither("BR-CO-23", ciiModelLineAllowance, "../ram:Reason", "../ram:ReasonCode", "A line allowance needs a reason (BT-139) or reason code (BT-140); one", "Ein Positionsnachlass braucht einen Grund (BT-139) oder Grundcode (BT-140); einer"),
	brcoTrue("BR-CO-08", ciiModelLineCharge, "Line charge reason code and reason must indicate the same charge.", "Grundcode und Grund des Positionszuschlags müssen denselben Zuschlag bezeichnen."),
	brEither("BR-CO-24", ciiModelLineCharge, "../ram:Reason", "../ram:ReasonCode", "A line charge needs a reason (BT-144) or reason code (BT-145); one", "Ein Positionszuschlag braucht einen Grund (BT-144) oder Grundcode (BT-145); einer"),
	brEither("BR-CO-20", ciiModelLinePeriod, "ram:StartDateTime", "ram:EndDateTime", "A line period (BG-26) needs a start (BT-134) or end date (BT-135); one", "Ein Positionszeitraum (BG-26) braucht ein Anfangs- (BT-134) oder Enddatum (BT-135); eines"),
	brEither("BR-CO-19", ciiModelPeriod, "ram:StartDateTime", "ram:EndDateTime", "An invoicing period (BG-14) needs a start (BT-73) or end date (BT-74); one", "Ein Abrechnungszeitraum (BG-14) braucht ein Anfangs- (BT-73) oder Enddatum (BT-74); eines"),
	{ID: "BR-CO-27", Flag: Fatal, Context: ciiModelDebitMeans,
		Test: func(n *Node) bool {
			iban, prop := n.Has("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"), n.Has("ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
			return (iban || prop) && !(iban && prop)
		},
		Message:   "Either the IBAN or a proprietary identifier of the payment account (BT-84) must be given, not both.",
		MessageDE: "Es muss entweder die IBAN oder eine proprietäre Kontokennung (BT-84) angegeben werden, nicht beides."},
	{ID: "BR-CO-26", Flag: Fatal, Context: ciiModelSeller,
		Test: func(n *Node) bool {
			if n.Has("ram:ID") || n.Has("ram:GlobalID") || n.Has("ram:SpecifiedLegalOrganization/ram:ID") {
				return true
			}
			for _, id := range n.All("ram:SpecifiedTaxRegistration/ram:ID") {
				if s, _ := id.Attr("schemeID"); s == "VA" {
					return true
				}
			}
			return false
		},
		Message:   "The seller must be identified by an identifier (BT-29), a legal registration identifier (BT-30) or a VAT identifier (BT-31).",
		MessageDE: "Der Verkäufer muss durch eine Kennung (BT-29), eine Registernummer (BT-30) oder eine USt-IdNr. (BT-31) bezeichnet werden."},
	{ID: "BR-CO-14", Flag: Fatal, Context: ciiModelTaxTotal,
		Test: func(n *Node) bool {
			return anyUntypedEqRoundedSum(n, []string{n.Value()}, n.Root().Strs(ciiSettle+"/ram:ApplicableTradeTax/ram:CalculatedAmount"))
		},
		Message:   "The VAT total (BT-110) must equal the sum of the VAT category tax amounts (BT-117).",
		MessageDE: "Die Umsatzsteuersumme (BT-110) muss der Summe der Steuerbeträge je Kategorie (BT-117) entsprechen."},
	{ID: "BR-CO-09", Flag: Fatal, Context: ciiModelVATReg,
		Test: func(n *Node) bool {
			r := []rune(n.Value())
			if len(r) > 2 {
				r = r[:2]
			}
			return strings.Contains(clList("cii/BR-CO-09/0"), " "+string(r)+" ")
		},
		Message:   "A VAT identifier (BT-31, BT-48, BT-63) must start with a country prefix (ISO 3166-1 alpha-2, EL for Greece).",
		MessageDE: "Eine USt-IdNr. (BT-31, BT-48, BT-63) muss mit einem Länderpräfix beginnen (ISO 3166-1 alpha-2, EL für Griechenland)."},
	{ID: "BR-CO-03", Flag: Fatal, Context: ciiModelHeaderTax,
		Test: func(n *Node) bool {
			r := n.Root()
			return !(len(r.Descendants("ram:TaxPointDate")) > 0 && len(r.Descendants("ram:DueDateTypeCode")) > 0)
		},
		Message:   "The value added tax point date (BT-7) and its code (BT-8) exclude each other: give only one.",
		MessageDE: "Datum (BT-7) und Code (BT-8) der Steuerfälligkeit schließen einander aus: nur eines angeben."},
	{ID: "BR-CO-17", Flag: Fatal, Context: ciiModelHeaderTax,
		Test: func(n *Node) bool {
			var pcts []string
			if NormSpace(strings.ToUpper(n.Str("ram:TypeCode"))) == "VAT" {
				pcts = n.Strs("ram:RateApplicablePercent")
			}
			return brcoTaxAmountOK(pcts, n.Str("ram:CalculatedAmount"), n.Has("ram:CalculatedAmount"), n.Str("ram:BasisAmount"), n.Has("ram:BasisAmount"), true)
		},
		Message:   "The VAT category tax amount (BT-117) must equal the taxable amount (BT-116) × the VAT rate (BT-119), rounded to two decimals.",
		MessageDE: "Der Steuerbetrag je Kategorie (BT-117) muss Bemessungsgrundlage (BT-116) × Steuersatz (BT-119) entsprechen, auf zwei Nachkommastellen gerundet."},
}
