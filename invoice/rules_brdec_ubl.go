package invoice

import (
	"strconv"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 decimal rules BR-DEC-01 … BR-DEC-28: amounts have at most two
// fraction digits. Each reads string-length(substring-after(amount, '.')).

// brdecOK reports whether the value at path has at most two characters
// after its first point. substring-after() takes one string: where the path
// selects two values (CII D16B lets every amount the CII rules read here
// repeat) the reference stops with a type error (XPTY0004), raised on n.
func brdecOK(n *node, path string) bool {
	values := n.Strs(path)
	if len(values) > 1 {
		n.Raise("a sequence of more than one item is not allowed as the first argument of substring-after()")
		return false
	}
	v := ""
	if len(values) == 1 {
		v = values[0]
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return utf8.RuneCountInString(v[i+1:]) <= 2
		}
	}
	return true
}

// brdec builds a decimal rule.
func brdec(id string, ctx Context, path, term, termDE string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:      func(n *node) bool { return brdecOK(n, path) },
		Message:   term + " may have at most two decimal places.",
		MessageDE: termDE + " darf höchstens zwei Nachkommastellen haben."}
}

// brdecNever builds the rules whose test compares an amount's currency
// with an element the amount cannot have (the reference's test always
// holds): they have an id but can never fire.
func brdecNever(id string, ctx Context, term, termDE string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx, Test: func(*node) bool { return true },
		Message:   term + " may have at most two decimal places.",
		MessageDE: termDE + " darf höchstens zwei Nachkommastellen haben."}
}

var brdecUBLRules = []Rule{
	brdec("BR-DEC-01", ublModelDocAllowance, "cbc:Amount", "The document level allowance amount (BT-92)", "Der Betrag des Nachlasses (BT-92)"),
	brdec("BR-DEC-02", ublModelDocAllowance, "cbc:BaseAmount", "The document level allowance base amount (BT-93)", "Der Grundbetrag des Nachlasses (BT-93)"),
	brdec("BR-DEC-05", ublModelDocCharge, "cbc:Amount", "The document level charge amount (BT-99)", "Der Betrag des Zuschlags (BT-99)"),
	brdec("BR-DEC-06", ublModelDocCharge, "cbc:BaseAmount", "The document level charge base amount (BT-100)", "Der Grundbetrag des Zuschlags (BT-100)"),
	brdec("BR-DEC-09", ublModelTotals, "cbc:LineExtensionAmount", "The sum of line net amounts (BT-106)", "Die Summe der Positionsnettobeträge (BT-106)"),
	brdec("BR-DEC-10", ublModelTotals, "cbc:AllowanceTotalAmount", "The sum of allowances (BT-107)", "Die Summe der Nachlässe (BT-107)"),
	brdec("BR-DEC-11", ublModelTotals, "cbc:ChargeTotalAmount", "The sum of charges (BT-108)", "Die Summe der Zuschläge (BT-108)"),
	brdec("BR-DEC-12", ublModelTotals, "cbc:TaxExclusiveAmount", "The total without VAT (BT-109)", "Der Gesamtbetrag ohne Umsatzsteuer (BT-109)"),
	brdec("BR-DEC-14", ublModelTotals, "cbc:TaxInclusiveAmount", "The total with VAT (BT-112)", "Der Gesamtbetrag mit Umsatzsteuer (BT-112)"),
	brdec("BR-DEC-16", ublModelTotals, "cbc:PrepaidAmount", "The paid amount (BT-113)", "Der gezahlte Betrag (BT-113)"),
	brdec("BR-DEC-17", ublModelTotals, "cbc:PayableRoundingAmount", "The rounding amount (BT-114)", "Der Rundungsbetrag (BT-114)"),
	brdec("BR-DEC-18", ublModelTotals, "cbc:PayableAmount", "The amount due (BT-115)", "Der fällige Betrag (BT-115)"),
	brdecNever("BR-DEC-13", ublModelRoot, "The VAT total (BT-110)", "Die Umsatzsteuersumme (BT-110)"),
	brdecNever("BR-DEC-15", ublModelRoot, "The VAT total in accounting currency (BT-111)", "Die Umsatzsteuersumme in Steuerwährung (BT-111)"),
	brdec("BR-DEC-23", ublModelLine, "cbc:LineExtensionAmount", "The line net amount (BT-131)", "Der Nettobetrag der Position (BT-131)"),
	brdec("BR-DEC-24", ublModelLineAllowance, "cbc:Amount", "The line allowance amount (BT-136)", "Der Betrag des Positionsnachlasses (BT-136)"),
	brdec("BR-DEC-25", ublModelLineAllowance, "cbc:BaseAmount", "The line allowance base amount (BT-137)", "Der Grundbetrag des Positionsnachlasses (BT-137)"),
	brdec("BR-DEC-27", ublModelLineCharge, "cbc:Amount", "The line charge amount (BT-141)", "Der Betrag des Positionszuschlags (BT-141)"),
	brdec("BR-DEC-28", ublModelLineCharge, "cbc:BaseAmount", "The line charge base amount (BT-142)", "Der Grundbetrag des Positionszuschlags (BT-142)"),
	brdec("BR-DEC-19", ublModelTaxSubtotal, "cbc:TaxableAmount", "The VAT category taxable amount (BT-116)", "Die Bemessungsgrundlage (BT-116)"),
	brdec("BR-DEC-20", ublModelTaxSubtotal, "cbc:TaxAmount", "The VAT category tax amount (BT-117)", "Der Steuerbetrag der Kategorie (BT-117)"),
}

// brdecRoundedNum is ". = round(. * 100) div 100": untyped, so double
// arithmetic and an untyped comparison with a double.
func brdecRoundedNum(ctx *node, v string) bool {
	x, ok := xmltree.UntypedDouble(v)
	if !ok {
		ctx.Raise("cannot convert string " + strconv.Quote(v) + " to xs:double")
		return false
	}
	return xmltree.UntypedCmpDouble(ctx, v, xmltree.OpEq, xmltree.RoundDouble(x*100)/100)
}
