package invoice

import (
	"fmt"
	"github.com/eingang/eingang/invoice/internal/xmltree"
	"math/big"
	"strings"
)

// Evidence of the calculation rules BR-CO-09 … BR-CO-17: the total the
// document has and the one its parts give.

// maxTermFields bounds the terms of a sum a finding lists as fields.
const maxTermFields = 20

// sumEvidence is the evidence that total must equal the rounded sum of
// terms, named termsEN and termsDE ("line net amounts (BT-131)").
func sumEvidence(total *Field, terms []Field, termsEN, termsDE string) *Evidence {
	vals := make([]string, len(terms))
	for i, t := range terms {
		vals[i] = t.Value
	}
	s := new(big.Rat)
	for _, v := range vals {
		s.Add(s, xmltree.DecOr(v))
	}
	want := money(xmltree.RoundDec2(s))
	ev := &Evidence{Expected: want, numeric: true}
	if total != nil {
		ev.Actual = total.Value
		ev.Fields = append(ev.Fields, *total)
	}
	switch {
	case len(vals) == 0:
		ev.Calculation, ev.calculationDE = "no "+termsEN, "keine "+termsDE
	case len(vals) <= 6:
		sum := strings.Join(vals, " + ") + " = " + want
		ev.Calculation, ev.calculationDE = termsEN+": "+sum, termsDE+": "+sum
	default:
		ev.Calculation = fmt.Sprintf("%s: the sum of %d = %s", termsEN, len(vals), want)
		ev.calculationDE = fmt.Sprintf("%s: Summe von %d = %s", termsDE, len(vals), want)
	}
	if len(terms) > maxTermFields {
		terms = terms[:maxTermFields]
	}
	ev.Fields = append(ev.Fields, terms...)
	return ev
}

// A term is one field of a calculation with its sign: +1, -1, or 0 for the
// result.
type term struct {
	path, bt string
	sign     int
}

// calcEvidence is the evidence that the result field must equal the
// rounded sum of the signed terms, each read from n (a term the document
// lacks counts as zero and is left out).
func calcEvidence(n *node, result term, terms ...term) *Evidence {
	ev := &Evidence{numeric: true}
	if f := field(n, result.path, result.bt); f != nil {
		ev.Actual = f.Value
		ev.Fields = append(ev.Fields, *f)
	}
	s := new(big.Rat)
	var calc strings.Builder
	used, last := 0, ""
	for _, t := range terms {
		f := field(n, t.path, t.bt)
		if f == nil {
			continue
		}
		ev.Fields = append(ev.Fields, *f)
		d := xmltree.DecOr(f.Value)
		v := t.bt + " " + f.Value
		switch {
		case calc.Len() == 0 && t.sign < 0:
			calc.WriteString("−" + v)
		case calc.Len() == 0:
			calc.WriteString(v)
		case t.sign < 0:
			calc.WriteString(" − " + v)
		default:
			calc.WriteString(" + " + v)
		}
		used++
		last = t.bt
		if t.sign < 0 {
			d = new(big.Rat).Neg(d)
		}
		s.Add(s, d)
	}
	ev.Expected = money(xmltree.RoundDec2(s))
	switch {
	case used == 1:
		ev.Calculation = "= " + last
	case used > 1:
		ev.Calculation = calc.String() + " = " + ev.Expected
	}
	return ev
}

// taxEvidence is BR-CO-17's: the tax amount must be the taxable amount ×
// the rate, rounded to two decimals; the reference tolerates a difference
// below 1.
func taxEvidence(n *node, taxPath, basePath, ratePath string) *Evidence {
	ev := &Evidence{numeric: true, Fields: fieldsOf(n, taxPath, "BT-117", basePath, "BT-116", ratePath, "BT-119")}
	ev.Actual = n.Str(taxPath)
	rate, okR := xmltree.Dec(n.Str(ratePath))
	base, okB := xmltree.Dec(n.Str(basePath))
	if !okR || xmltree.RoundDec(rate).Sign() == 0 {
		ev.Expected = "0.00"
		ev.Calculation, ev.calculationDE = "no VAT rate above zero", "kein Steuersatz über null"
		return ev
	}
	if !okB {
		return ev
	}
	want := xmltree.RoundDec2(new(big.Rat).Mul(new(big.Rat).Abs(base), new(big.Rat).Quo(rate, big.NewRat(100, 1))))
	ev.Expected = money(want)
	calc := fmt.Sprintf("%s × %s %% = %s", n.Str(basePath), ratString(rate), ev.Expected)
	ev.Calculation = calc + "; a difference below 1 is tolerated"
	ev.calculationDE = calc + "; eine Abweichung unter 1 wird toleriert"
	return ev
}

// vatIDEvidence is BR-CO-09's: the VAT identifier and the prefix it
// needs.
func vatIDEvidence(n *node, path string) *Evidence {
	e := n
	if path != "" {
		if e = n.First(path); e == nil {
			return nil
		}
	}
	return valueOf(e, "", "", "a country code of ISO 3166-1 alpha-2 as its first two letters (EL for Greece)",
		"ein Ländercode nach ISO 3166-1 alpha-2 als die ersten beiden Buchstaben (EL für Griechenland)")
}

// brcoUBLEvidence explains the UBL BR-CO rules.
func brcoUBLEvidence() map[string]explainer {
	lineAmounts := func(n *node) []Field {
		r := n.Root()
		var out []Field
		for _, name := range []string{"cac:InvoiceLine", "cac:CreditNoteLine"} {
			for _, l := range r.Descendants(name) {
				out = append(out, allFields(l, "cbc:LineExtensionAmount", "BT-131")...)
			}
		}
		return out
	}
	acAmounts := func(n *node, charge bool, bt string) []Field {
		var out []Field
		for _, ac := range n.All("../cac:AllowanceCharge") {
			if ublChargeIndicatorIs(ac, charge) {
				out = append(out, allFields(ac, "cbc:Amount", bt)...)
			}
		}
		return out
	}
	return map[string]explainer{
		"BR-CO-09": func(n *node) *Evidence { return vatIDEvidence(n, "cbc:CompanyID") },
		"BR-CO-10": func(n *node) *Evidence {
			return sumEvidence(field(n, "cbc:LineExtensionAmount", "BT-106"), lineAmounts(n), "line net amounts (BT-131)", "Nettobeträge der Positionen (BT-131)")
		},
		"BR-CO-11": func(n *node) *Evidence {
			return sumEvidence(field(n, "cbc:AllowanceTotalAmount", "BT-107"), acAmounts(n, false, "BT-92"), "document level allowances (BT-92)", "Nachlässe auf Dokumentenebene (BT-92)")
		},
		"BR-CO-12": func(n *node) *Evidence {
			return sumEvidence(field(n, "cbc:ChargeTotalAmount", "BT-108"), acAmounts(n, true, "BT-99"), "document level charges (BT-99)", "Zuschläge auf Dokumentenebene (BT-99)")
		},
		"BR-CO-13": func(n *node) *Evidence {
			return calcEvidence(n, term{"cbc:TaxExclusiveAmount", "BT-109", 0},
				term{"cbc:LineExtensionAmount", "BT-106", 1}, term{"cbc:AllowanceTotalAmount", "BT-107", -1}, term{"cbc:ChargeTotalAmount", "BT-108", 1})
		},
		"BR-CO-14": func(n *node) *Evidence {
			return sumEvidence(field(n, "cbc:TaxAmount", "BT-110"), allFields(n, "cac:TaxSubtotal/cbc:TaxAmount", "BT-117"), "VAT category tax amounts (BT-117)", "Steuerbeträge je Kategorie (BT-117)")
		},
		"BR-CO-15": func(n *node) *Evidence {
			cur := n.Str("cbc:DocumentCurrencyCode")
			var tax []*node
			for _, a := range n.All("cac:TaxTotal/cbc:TaxAmount") {
				if c, _ := a.Attr("currencyID"); c == cur {
					tax = append(tax, a)
				}
			}
			if len(tax) != 1 {
				return &Evidence{Actual: fmt.Sprint(len(tax)), Expected: "1 VAT total (BT-110) in " + cur, expectedDE: "1 Umsatzsteuersumme (BT-110) in " + cur,
					Fields: allFields(n, "cac:TaxTotal/cbc:TaxAmount", "BT-110")}
			}
			ev := calcEvidence(n, term{"cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "BT-112", 0}, term{"cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "BT-109", 1})
			t := tax[0]
			ev.Fields = append(ev.Fields, Field{BT: "BT-110", Path: t.Path(), Value: t.Value(), Line: t.Line()})
			want := xmltree.RoundDec2(ratAdd(xmltree.DecOr(n.Str("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")), xmltree.DecOr(t.Value())))
			ev.Expected = money(want)
			ev.Calculation = "BT-109 " + n.Str("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") + " + BT-110 " + t.Value() + " = " + ev.Expected
			return ev
		},
		"BR-CO-16": func(n *node) *Evidence {
			return calcEvidence(n, term{"cbc:PayableAmount", "BT-115", 0},
				term{"cbc:TaxInclusiveAmount", "BT-112", 1}, term{"cbc:PrepaidAmount", "BT-113", -1}, term{"cbc:PayableRoundingAmount", "BT-114", 1})
		},
		"BR-CO-17": func(n *node) *Evidence {
			return taxEvidence(n, "cbc:TaxAmount", "cbc:TaxableAmount", "cac:TaxCategory/cbc:Percent")
		},
	}
}

// brcoCIIEvidence explains the CII BR-CO rules.
func brcoCIIEvidence() map[string]explainer {
	acAmounts := func(n *node, charge bool, bt string) []Field {
		var out []Field
		for _, ac := range n.Root().All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
			if ciiIndicatorIs(ac, charge) {
				out = append(out, allFields(ac, "ram:ActualAmount", bt)...)
			}
		}
		return out
	}
	return map[string]explainer{
		"BR-CO-09": func(n *node) *Evidence { return vatIDEvidence(n, "") },
		"BR-CO-10": func(n *node) *Evidence {
			lines := allFields(n, "../../ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", "BT-131")
			return sumEvidence(field(n, "ram:LineTotalAmount", "BT-106"), lines, "line net amounts (BT-131)", "Nettobeträge der Positionen (BT-131)")
		},
		"BR-CO-11": func(n *node) *Evidence {
			return sumEvidence(field(n, "ram:AllowanceTotalAmount", "BT-107"), acAmounts(n, false, "BT-92"), "document level allowances (BT-92)", "Nachlässe auf Dokumentenebene (BT-92)")
		},
		"BR-CO-12": func(n *node) *Evidence {
			return sumEvidence(field(n, "ram:ChargeTotalAmount", "BT-108"), acAmounts(n, true, "BT-99"), "document level charges (BT-99)", "Zuschläge auf Dokumentenebene (BT-99)")
		},
		"BR-CO-13": func(n *node) *Evidence {
			return calcEvidence(n, term{"ram:TaxBasisTotalAmount", "BT-109", 0},
				term{"ram:LineTotalAmount", "BT-106", 1}, term{"ram:AllowanceTotalAmount", "BT-107", -1}, term{"ram:ChargeTotalAmount", "BT-108", 1})
		},
		"BR-CO-14": func(n *node) *Evidence {
			total := &Field{BT: "BT-110", Path: n.Path(), Value: n.Value(), Line: n.Line()}
			return sumEvidence(total, allFields(n.Root(), ciiSettle+"/ram:ApplicableTradeTax/ram:CalculatedAmount", "BT-117"), "VAT category tax amounts (BT-117)", "Steuerbeträge je Kategorie (BT-117)")
		},
		"BR-CO-16": func(n *node) *Evidence {
			return calcEvidence(n, term{"ram:DuePayableAmount", "BT-115", 0},
				term{"ram:GrandTotalAmount", "BT-112", 1}, term{"ram:TotalPrepaidAmount", "BT-113", -1}, term{"ram:RoundingAmount", "BT-114", 1})
		},
		"BR-CO-17": func(n *node) *Evidence {
			return taxEvidence(n, "ram:CalculatedAmount", "ram:BasisAmount", "ram:RateApplicablePercent")
		},
	}
}
