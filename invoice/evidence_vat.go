package invoice

import (
	"fmt"
	"github.com/eingang/eingang/invoice/internal/xmltree"
	"math/big"
	"strings"
)

// Evidence of the VAT category rules (BR-S, BR-Z, BR-E, BR-AE, BR-IC,
// BR-G, BR-O, BR-AF, BR-AG): the rate a line, allowance or charge gives,
// and the taxable and tax amounts of a breakdown against those its lines
// and rate give.

// rateEvidence is the evidence of the -05 … -07 rules: the rate the
// category has where the rule looked, and the one it allows.
func rateEvidence(n *node, path, bt, code string) *Evidence {
	ev := &Evidence{numeric: true, Fields: fieldsOf(n, path, bt)}
	if len(ev.Fields) > 0 {
		ev.Actual = ev.Fields[0].Value
	}
	switch code {
	case "S":
		ev.Expected, ev.expectedDE = "a rate above 0", "ein Satz über 0"
	case "L", "M":
		ev.Expected, ev.expectedDE = "a rate of 0 or more", "ein Satz von 0 oder mehr"
	case "O":
		ev.Expected, ev.expectedDE = "no rate", "kein Satz"
	default:
		ev.Expected, ev.expectedDE = "0", "0"
	}
	return ev
}

// baseEvidence is the evidence of the -08 rules: the breakdown's taxable
// amount against its category's (and, where rate is set, rate's) lines,
// charges and allowances.
func baseEvidence(taxable *Field, want *big.Rat, code string, rate *big.Rat) *Evidence {
	ev := &Evidence{numeric: true, Expected: money(want)}
	if taxable != nil {
		ev.Actual = taxable.Value
		ev.Fields = []Field{*taxable}
	}
	of, ofDE := "category "+code, "der Kategorie "+code
	if rate != nil {
		of += " at " + ratString(rate) + " %"
		ofDE += " zu " + ratString(rate) + " %"
	}
	ev.Calculation = "line net amounts + charges − allowances of " + of
	ev.calculationDE = "Nettobeträge der Positionen + Zuschläge − Nachlässe " + ofDE
	return ev
}

// amountEvidence is the evidence of the -09 rules: the breakdown's tax
// amount against taxable amount × rate (S, L, M) or zero.
func amountEvidence(tax *node, taxPath, basePath, ratePath, code string) *Evidence {
	ev := &Evidence{numeric: true, Fields: fieldsOf(tax, taxPath, "BT-117", basePath, "BT-116", ratePath, "BT-119")}
	ev.Actual = tax.Str(taxPath)
	switch code {
	case "S", "L", "M":
		base, ok1 := xmltree.Dec(tax.Str(basePath))
		rate, ok2 := xmltree.Dec(tax.Str(ratePath))
		if !ok1 || !ok2 {
			return ev
		}
		want := xmltree.RoundDec2(new(big.Rat).Mul(base, new(big.Rat).Quo(rate, big.NewRat(100, 1))))
		ev.Expected = money(want)
		ev.Calculation = fmt.Sprintf("%s × %s %% = %s", tax.Str(basePath), ratString(rate), ev.Expected)
	default:
		ev.Expected = "0"
	}
	return ev
}

// vatEvidence builds the explanations of every category's rules from the
// syntax's own readings.
func vatEvidence(rate func(n *node, bt, code string) *Evidence, base, amount func(n *node, code string) *Evidence) map[string]explainer {
	m := map[string]explainer{}
	for _, c := range vatCategories {
		code := c.code
		for _, id := range c.ids {
			switch id[strings.LastIndexByte(id, '-'):] {
			case "-05":
				m[id] = func(n *node) *Evidence { return rate(n, "BT-152", code) }
			case "-06":
				m[id] = func(n *node) *Evidence { return rate(n, "BT-96", code) }
			case "-07":
				m[id] = func(n *node) *Evidence { return rate(n, "BT-103", code) }
			case "-08":
				m[id] = func(n *node) *Evidence { return base(n, code) }
			case "-09":
				m[id] = func(n *node) *Evidence { return amount(n, code) }
			}
		}
	}
	return m
}

func vatUBLEvidence() map[string]explainer {
	return vatEvidence(
		func(n *node, bt, code string) *Evidence { return rateEvidence(n, "cbc:Percent", bt, code) },
		func(n *node, code string) *Evidence {
			r := n.Root()
			var rate *big.Rat
			if code == "S" || code == "L" || code == "M" {
				d, ok := xmltree.Dec(n.Str("cbc:Percent"))
				if !ok {
					return nil
				}
				rate = d
			}
			line := "cac:InvoiceLine"
			if len(r.Descendants(line)) == 0 {
				line = "cac:CreditNoteLine"
			}
			var rd *xmltree.Decimal
			if rate != nil {
				d := xmltree.DecimalOf(rate)
				rd = &d
			}
			base, ok := vatBase(r, line, code, rd, newUBLVATPaths())
			if !ok {
				return nil // an amount that is no decimal: the rule raised
			}
			return baseEvidence(field(n.Parent, "cbc:TaxableAmount", "BT-116"), base.Rat(), code, rate)
		},
		func(n *node, code string) *Evidence {
			return amountEvidence(n.Parent, "cbc:TaxAmount", "cbc:TaxableAmount", "cac:TaxCategory/cbc:Percent", code)
		})
}

func vatCIIEvidence() map[string]explainer {
	header := func(n *node) *node {
		if n.Is("ram:CategoryCode") {
			return n.Parent
		}
		return n
	}
	return vatEvidence(
		func(n *node, bt, code string) *Evidence {
			return rateEvidence(n, "ram:RateApplicablePercent", bt, code)
		},
		func(n *node, code string) *Evidence {
			t := header(n)
			var rate *big.Rat
			if code == "S" {
				d, ok := xmltree.Dec(t.Str("ram:RateApplicablePercent"))
				if !ok {
					return nil
				}
				rate = d
			}
			base, ok := ciiVATBase(n.Root(), code, rate, cen1315)
			if !ok {
				return nil // an amount that is no decimal, or two: the rule raised
			}
			return baseEvidence(field(t, "ram:BasisAmount", "BT-116"), base, code, rate)
		},
		func(n *node, code string) *Evidence {
			return amountEvidence(header(n), "ram:CalculatedAmount", "ram:BasisAmount", "ram:RateApplicablePercent", code)
		})
}
