package invoice

import (
	"math"
	"strings"
	"testing"
)

// The rows of these tables state the reference's answer: each was
// evaluated by Saxon-HE 9.9.1 (the engine of the reference's Schematron)
// on the same value, as an untyped element, in the same expression.

// TestUntypedCompare covers untyped general comparisons with numbers.
func TestUntypedCompare(t *testing.T) {
	type row struct {
		v      string
		op     cmpOp
		intK   bool // the other operand is the integer literal k, else the double k
		k      float64
		want   bool
		reason string
	}
	rows := []row{
		{"0", opEq, true, 0, true, "plain zero"},
		{"-0", opEq, true, 0, true, "written as an integer: compared as the integer 0"},
		{"-00", opEq, true, 0, true, "an integer too"},
		{" -0 ", opEq, true, 0, true, "white space around an integer is allowed"},
		{"-0", opLt, true, 0, false, "the integer -0 is 0"},
		{"-0", opEq, false, 0, false, "against a double (or decimal) even '-0' is -0.0, below 0.0 in Java's order"},
		{"-0.0", opEq, true, 0, false, "not an integer: -0.0 as a double, which Java's order puts below 0"},
		{"-.0", opEq, true, 0, false, "the form of BR-E-09's edge variant"},
		{" -0.00 ", opEq, true, 0, false, "white space does not change it"},
		{"-0.0", opLt, true, 0, true, "-0.0 < 0 holds in Java's order"},
		{"-0.", opLt, true, 0, true, "5. and -0. are doubles"},
		{"-0e0", opEq, true, 0, false, "an exponent form is a double"},
		{"-0.0", opLe, true, 0, true, "-0.0 <= 0"},
		{"-0.0", opGe, true, 0, false, "so BR-27's price '-0.00' >= 0 is false"},
		{"0.000", opEq, true, 0, true, "trailing zeros are the same double"},
		{"+0", opEq, true, 0, true, "a plus sign is allowed"},
		{"100", opEq, true, 100, true, ""},
		{"+100", opEq, true, 100, true, ""},
		{"0100", opEq, true, 100, true, "leading zeros"},
		{"100.", opEq, true, 100, true, "a point without decimals"},
		{"1E2", opEq, true, 100, true, "exponent forms cast to xs:double"},
		{"1e2", opEq, true, 100, true, "lower-case exponent"},
		{"1.0e2", opEq, true, 100, true, ""},
		{" 100 ", opEq, true, 100, true, ""},
		{".5", opGt, true, 0, true, "a point without an integer part"},
		{"INF", opGe, true, 100, true, ""},
		{"+INF", opGt, true, 0, true, "Saxon accepts +INF"},
		{"INF", opEq, true, 100, false, ""},
		{"-INF", opLt, true, 0, true, ""},
		{"NaN", opGt, true, 0, true, "Java's order puts NaN above every number"},
		{"NaN", opGe, true, 100, true, "so NaN >= 100 holds"},
		{"NaN", opEq, true, 0, false, ""},
		{"NaN", opLt, true, 0, false, ""},
		{"0", opEq, false, math.Copysign(0, -1), false, "'0' against a sum that rounded to -0.0 (BR-CO-11's '-0.005')"},
		{"-0", opEq, false, math.Copysign(0, -1), true, "-0.0 equals itself"},
		{"-0.00", opEq, false, 0, false, "against a double 0.0"},
		{"0.00", opEq, false, 0, true, ""},
		{"3986.34", opEq, false, 3986.34, true, ""},
	}
	for _, r := range rows {
		ctx := &Node{Local: "x"}
		var got bool
		if r.intK {
			got = untypedCmpInt(ctx, r.v, r.op, int64(r.k))
		} else {
			got = untypedCmpDouble(ctx, r.v, r.op, r.k)
		}
		if got != r.want {
			t.Errorf("%q op %d %v (integer %v) = %v, the reference says %v: %s", r.v, r.op, r.k, r.intK, got, r.want, r.reason)
		}
		if err := ctx.state().xpathErr; err != "" {
			t.Errorf("%q: unexpected dynamic error %s", r.v, err)
		}
	}
}

// TestUntypedDoubleErrors lists values whose cast to xs:double is a
// dynamic error in the reference ("Cannot convert string ... to double"),
// and so rejects the document where a rule compares them with a number.
func TestUntypedDoubleErrors(t *testing.T) {
	for _, v := range []string{"", " ", "1,5", "288.79\u3000", "100.00\ufeff", "\u00a05", "1e", "e2", ".", "-", "+-1", "0x10", "Inf", "inf", "-NaN", "1_000", "1.2.3", "5 5"} {
		if f, ok := untypedDouble(v); ok {
			t.Errorf("untypedDouble(%q) = %v, the reference raises an error", v, f)
		}
		ctx := &Node{Local: "x"}
		untypedCmpInt(ctx, v, opEq, 0)
		if ctx.state().xpathErr == "" {
			t.Errorf("%q = 0 raised no dynamic error", v)
		}
	}
}

// TestDoubleArithmetic covers sum(), round() and xs:decimal() over untyped
// values.
func TestDoubleArithmetic(t *testing.T) {
	ctx := &Node{Local: "x"}
	neg := func(f float64) bool { return f == 0 && math.Signbit(f) }
	if s, empty := sumUntyped(ctx, []string{"-0.00"}); !neg(s) || empty {
		t.Errorf("sum('-0.00') = %v, the reference gives -0.0 (1 div it is -INF)", s)
	}
	if s, _ := sumUntyped(ctx, []string{"-0", "0"}); neg(s) {
		t.Errorf("sum('-0', '0') = -0.0, the reference gives 0.0 (-0.0 + 0.0)")
	}
	if _, empty := sumUntyped(ctx, nil); !empty {
		t.Error("sum(()) is the integer 0")
	}
	if r := round2Double(-0.005); !neg(r) {
		t.Errorf("round(-0.005 * 10 * 10) div 100 = %v, the reference gives -0", r)
	}
	if r := roundDouble(-0.5); !neg(r) {
		t.Errorf("round(-0.5) = %v, the reference gives -0", r)
	}
	for _, c := range []struct {
		x, want float64
	}{
		{3986.345, 3986.35}, // the product 398634.5 rounds up in doubles
		{0.125, 0.13},
		{1.005, 1},    // the product 100.49999999999999: down
		{2.675, 2.68}, // the product 267.5: up
		{-0.5, -0.5},
	} {
		if got := round2Double(c.x); got != c.want {
			t.Errorf("round(%v * 10 * 10) div 100 = %v, the reference gives %v", c.x, got, c.want)
		}
	}
	// xs:decimal(sum(...)) is the double's exact value: 3986.345 becomes
	// 3986.34499999999979991116560995578765869140625, which rounds to
	// two decimals as 3986.34 (the reference's BR-CO-10 on CII).
	d, ok := decimalOfDouble(3986.345)
	if !ok || !strings.HasPrefix(d.FloatString(44), "3986.34499999999979991116560995578765869140625") {
		t.Errorf("xs:decimal(3986.345e0) = %v", d.FloatString(44))
	}
	if r := RoundDec2(d); r.FloatString(2) != "3986.34" {
		t.Errorf("round(xs:decimal(3986.345e0) * 100) div 100 = %s, the reference gives 3986.34", r.FloatString(2))
	}
	if _, ok := decimalOfDouble(math.NaN()); ok {
		t.Error("xs:decimal(NaN) is an error")
	}
}

// TestXSDate covers xs:date casts and comparisons under the reference's
// implicit time zone, UTC.
func TestXSDate(t *testing.T) {
	for _, c := range []struct {
		a, b   string
		before bool // a < b
		reason string
	}{
		{"2016-01-01+01:00", "2016-01-01", true, "midnight at +01:00 is 23:00 UTC the day before (R110 fires)"},
		{"2016-12-31-01:00", "2016-12-31", false, "midnight at -01:00 is 01:00 UTC: later (R111 fires)"},
		{"2016-01-01Z", "2016-01-01", false, "Z is the implicit zone: equal"},
		{"2016-01-01+14:00", "2016-01-01", true, "the earliest zone"},
		{"0000-12-31", "2016-01-01", true, "the cast allows year 0000 (BR-30 fires), the schema does not"},
		{" 2016-01-01 ", "2016-01-02", true, "white space around is allowed"},
	} {
		a, ok1 := xsDate(c.a)
		b, ok2 := xsDate(c.b)
		if !ok1 || !ok2 {
			t.Errorf("xs:date(%q) or xs:date(%q) failed", c.a, c.b)
			continue
		}
		if a.Before(b) != c.before {
			t.Errorf("%s < %s = %v, the reference says %v: %s", c.a, c.b, a.Before(b), c.before, c.reason)
		}
	}
	for _, bad := range []string{"2016-06-27+15:00", "2016-01-01+14:30", "01.01.2016", "20160101", "2018-04-13z", "+2013-01-01", "2016-02-30", ""} {
		if _, ok := xsDate(bad); ok {
			t.Errorf("xs:date(%q) succeeded, the reference raises an error", bad)
		}
	}
	if _, ok := xsDate("2016-01-01"); !ok {
		t.Error("xs:date('2016-01-01') failed")
	}
}

// TestTextNodes covers text() against the string value: a comment or
// processing instruction divides a value into two text nodes, and
// normalize-space() of two is an error; CDATA and character references do
// not divide.
func TestTextNodes(t *testing.T) {
	for _, c := range []struct {
		xml   string
		nodes int
		norm  string // normalize-space(x/text()), "" with an error when nodes > 1
	}{
		{"<x> true </x>", 1, "true"},
		{"<x>tr<!-- c -->ue</x>", 2, ""},
		{"<x>tr<?pi?>ue</x>", 2, ""},
		{"<x><!-- c -->true</x>", 1, "true"},
		{"<x>true<!-- c --></x>", 1, "true"},
		{"<x>tr<![CDATA[u]]>e</x>", 1, "true"},
		{"<x>&#x74;rue</x>", 1, "true"},
		{"<x/>", 0, ""},
		{"<x><!-- c --></x>", 0, ""},
		{"<x>a<!--1-->b<!--2-->c</x>", 3, ""},
	} {
		p := newParser()
		root, err := parse(p, []byte(c.xml), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", c.xml, err)
		}
		if got := len(root.textNodes()); got != c.nodes {
			t.Errorf("%s: %d text nodes, want %d", c.xml, got, c.nodes)
		}
		if got := normSpaceText(root, []*Node{root}); got != c.norm {
			t.Errorf("%s: normalize-space(text()) = %q, want %q", c.xml, got, c.norm)
		}
		if raised := root.state().xpathErr != ""; raised != (c.nodes > 1) {
			t.Errorf("%s: dynamic error %v, want %v", c.xml, raised, c.nodes > 1)
		}
		if !anyTextEq([]*Node{root}, "true") && c.nodes == 1 && c.norm == "true" && !strings.Contains(c.xml, " true ") {
			t.Errorf("%s: text() = 'true' is false", c.xml)
		}
		if c.nodes == 2 && anyTextEq([]*Node{root}, "true") {
			t.Errorf("%s: text() = 'true' holds, though no text node is 'true'", c.xml)
		}
	}
}

// TestNameIs covers name() against the namespace: the prefix as written
// decides.
func TestNameIs(t *testing.T) {
	const ram = `xmlns:ram="` + NSRAM + `"`
	for _, c := range []struct {
		xml  string
		want bool
	}{
		{`<ram:ApplicableHeaderTradeDelivery ` + ram + `/>`, true},
		{`<n2:ApplicableHeaderTradeDelivery xmlns:n2="` + NSRAM + `"/>`, false},
		{`<ApplicableHeaderTradeDelivery xmlns="` + NSRAM + `"/>`, false},
		{`<RAM:ApplicableHeaderTradeDelivery xmlns:RAM="` + NSRAM + `"/>`, false},
		{`<ram:ApplicableHeaderTradeDelivery xmlns:ram="` + NSUDT + `"/>`, true}, // name() ignores the namespace
		{`<ram:ApplicableHeaderTradeSettlement ` + ram + `/>`, false},
	} {
		root, err := parse(newParser(), []byte(c.xml), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if got := root.NameIs("ram:ApplicableHeaderTradeDelivery"); got != c.want {
			t.Errorf("%s: name() = 'ram:ApplicableHeaderTradeDelivery' is %v, want %v", c.xml, got, c.want)
		}
	}
}
