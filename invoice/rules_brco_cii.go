package invoice

import (
	"math"
	"math/big"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 calculation and co-occurrence rules for CII.

var brcoCIIRules = []Rule{
	brcoTrue("BR-CO-05", ciiModelDocAllowance, "Allowance reason code and reason must indicate the same allowance.", "Grundcode und Grund des Nachlasses müssen denselben Nachlass bezeichnen."),
	brEither("BR-CO-21", ciiModelDocAllowance, "../ram:Reason", "../ram:ReasonCode", "A document level allowance needs a reason (BT-97) or reason code (BT-98); one", "Ein Nachlass auf Dokumentenebene braucht einen Grund (BT-97) oder Grundcode (BT-98); einer"),
	brcoTrue("BR-CO-06", ciiModelDocCharge, "Charge reason code and reason must indicate the same charge.", "Grundcode und Grund des Zuschlags müssen denselben Zuschlag bezeichnen."),
	brEither("BR-CO-22", ciiModelDocCharge, "../ram:Reason", "../ram:ReasonCode", "A document level charge needs a reason (BT-104) or reason code (BT-105); one", "Ein Zuschlag auf Dokumentenebene braucht einen Grund (BT-104) oder Grundcode (BT-105); einer"),
	{ID: "BR-CO-10", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *node) bool {
			total, ok := brcoDec(n, "ram:LineTotalAmount")
			if !ok {
				return false
			}
			// xs:decimal(sum(untyped)): the double sum's exact value.
			sum, _ := xmltree.SumUntyped(n, n.Strs("../../ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"))
			d, ok := xmltree.DecimalOfDouble(sum)
			return ok && total.Cmp(xmltree.RoundDec2(d)) == 0
		},
		Message:   "The sum of line net amounts (BT-106) must equal the sum of all invoice line net amounts (BT-131).",
		MessageDE: "Die Summe der Positionsnettobeträge (BT-106) muss der Summe aller Nettobeträge der Positionen (BT-131) entsprechen."},
	{ID: "BR-CO-11", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *node) bool {
			amounts, any := brcoCIIACAmounts(n.Root(), false)
			if !any && !n.Has("ram:AllowanceTotalAmount") {
				return true
			}
			return xmltree.AnyUntypedEqRoundedSum(n, n.Strs("ram:AllowanceTotalAmount"), amounts)
		},
		Message:   "The sum of allowances on document level (BT-107) must equal the sum of the document level allowance amounts (BT-92).",
		MessageDE: "Die Summe der Nachlässe auf Dokumentenebene (BT-107) muss der Summe der einzelnen Nachlässe (BT-92) entsprechen."},
	{ID: "BR-CO-12", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *node) bool {
			amounts, any := brcoCIIACAmounts(n.Root(), true)
			if !any && !n.Has("ram:ChargeTotalAmount") {
				return true
			}
			return xmltree.AnyUntypedEqRoundedSum(n, n.Strs("ram:ChargeTotalAmount"), amounts)
		},
		Message:   "The sum of charges on document level (BT-108) must equal the sum of the document level charge amounts (BT-99).",
		MessageDE: "Die Summe der Zuschläge auf Dokumentenebene (BT-108) muss der Summe der einzelnen Zuschläge (BT-99) entsprechen."},
	{ID: "BR-CO-13", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *node) bool {
			basis, ok1 := brcoDec(n, "ram:TaxBasisTotalAmount")
			lines, ok2 := brcoDec(n, "ram:LineTotalAmount")
			if !ok1 || !ok2 {
				return false
			}
			a, okA := brcoDec(n, "ram:AllowanceTotalAmount")
			c, okC := brcoDec(n, "ram:ChargeTotalAmount")
			hasA, hasC := n.Has("ram:AllowanceTotalAmount"), n.Has("ram:ChargeTotalAmount")
			eq := func(x *big.Rat) bool { return basis.Cmp(xmltree.RoundDec2(x)) == 0 }
			return okA && okC && eq(ratAdd(ratSub(lines, a), c)) ||
				okA && !hasC && eq(ratSub(lines, a)) ||
				okC && !hasA && eq(ratAdd(lines, c)) ||
				!hasC && !hasA && eq(lines)
		},
		Message:   "The total without VAT (BT-109) must equal the sum of line net amounts (BT-106) − allowances (BT-107) + charges (BT-108).",
		MessageDE: "Der Gesamtbetrag ohne Umsatzsteuer (BT-109) muss der Summe der Positionsnettobeträge (BT-106) − Nachlässe (BT-107) + Zuschläge (BT-108) entsprechen."},
	{ID: "BR-CO-16", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *node) bool {
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
		Test: func(n *node) bool {
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
					// count(…) eq 1 holds, so xs:decimal(ram:TaxTotalAmount[…])
					// is read: one that is no decimal raises.
					if tax, ok3 := xmltree.CastDecimal(n, amounts); ok3 && grand.Cmp(xmltree.RoundDec2(ratAdd(basis, tax))) == 0 {
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
		Test: func(n *node) bool {
			due := math.NaN()
			if e := n.First("//ram:DuePayableAmount"); e != nil {
				due = xmltree.Num(e.Value())
			}
			if !(due > 0) {
				return true
			}
			return n.Has("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime") || n.Has("//ram:SpecifiedTradePaymentTerms/ram:Description")
		},
		Message:   "With a positive amount due (BT-115) a payment due date (BT-9) or payment terms (BT-20) must be given.",
		MessageDE: "Bei einem positiven fälligen Betrag (BT-115) muss ein Fälligkeitsdatum (BT-9) oder Zahlungsbedingungen (BT-20) angegeben werden."},
	{ID: "BR-CO-04", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *node) bool {
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
		Test: func(n *node) bool {
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
		Test: func(n *node) bool {
			iban, prop := n.Has("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"), n.Has("ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
			return (iban || prop) && !(iban && prop)
		},
		Message:   "Either the IBAN or a proprietary identifier of the payment account (BT-84) must be given, not both.",
		MessageDE: "Es muss entweder die IBAN oder eine proprietäre Kontokennung (BT-84) angegeben werden, nicht beides."},
	{ID: "BR-CO-26", Flag: Fatal, Context: ciiModelSeller,
		Test: func(n *node) bool {
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
		Test: func(n *node) bool {
			return xmltree.AnyUntypedEqRoundedSum(n, []string{n.Value()}, n.Root().Strs(ciiSettle+"/ram:ApplicableTradeTax/ram:CalculatedAmount"))
		},
		Message:   "The VAT total (BT-110) must equal the sum of the VAT category tax amounts (BT-117).",
		MessageDE: "Die Umsatzsteuersumme (BT-110) muss der Summe der Steuerbeträge je Kategorie (BT-117) entsprechen."},
	{ID: "BR-CO-09", Flag: Fatal, Context: ciiModelVATReg,
		Test: func(n *node) bool {
			r := []rune(n.Value())
			if len(r) > 2 {
				r = r[:2]
			}
			return strings.Contains(clList("cii/BR-CO-09/0"), " "+string(r)+" ")
		},
		Message:   "A VAT identifier (BT-31, BT-48, BT-63) must start with a country prefix (ISO 3166-1 alpha-2, EL for Greece).",
		MessageDE: "Eine USt-IdNr. (BT-31, BT-48, BT-63) muss mit einem Länderpräfix beginnen (ISO 3166-1 alpha-2, EL für Griechenland)."},
	{ID: "BR-CO-03", Flag: Fatal, Context: ciiModelHeaderTax,
		Test: func(n *node) bool {
			r := n.Root()
			return !(len(r.Descendants("ram:TaxPointDate")) > 0 && len(r.Descendants("ram:DueDateTypeCode")) > 0)
		},
		Message:   "The value added tax point date (BT-7) and its code (BT-8) exclude each other: give only one.",
		MessageDE: "Datum (BT-7) und Code (BT-8) der Steuerfälligkeit schließen einander aus: nur eines angeben."},
	{ID: "BR-CO-17", Flag: Fatal, Context: ciiModelHeaderTax,
		Test: func(n *node) bool {
			var pcts []string
			if xmltree.NormSpace(strings.ToUpper(n.Str("ram:TypeCode"))) == "VAT" {
				pcts = n.Strs("ram:RateApplicablePercent")
			}
			return brcoTaxAmountOK(n, pcts, n.Strs("ram:CalculatedAmount"), n.Strs("ram:BasisAmount"), true)
		},
		Message:   "The VAT category tax amount (BT-117) must equal the taxable amount (BT-116) × the VAT rate (BT-119), rounded to two decimals.",
		MessageDE: "Der Steuerbetrag je Kategorie (BT-117) muss Bemessungsgrundlage (BT-116) × Steuersatz (BT-119) entsprechen, auf zwei Nachkommastellen gerundet."},
}
