package xmltree

import (
	"errors"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// This file carries the value semantics of XPath 2.0 that the rules need,
// so that a rule written in Go compares, casts and rounds the way the
// reference's Schematron (run by Saxon) does.

// NormSpace is XPath normalize-space: trims and folds runs of white space
// (space, tab, CR, LF) to one space.
func NormSpace(s string) string {
	if Normalized(s) {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, isXMLSpace), " ")
}

// normalized reports whether normalize-space(s) == s: no white space at
// either end and only single spaces between words.
func Normalized(s string) bool {
	prevSpace := true // a leading space is not normalized
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case '\t', '\r', '\n':
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

func isXMLSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }

// trimSpace removes XML white space (space, tab, CR, LF) at both ends.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// Blank reports whether normalize-space(s) is the empty string.
func Blank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// Dec casts s to xs:decimal the way xs:decimal() does: white space around the
// value is allowed; sign, digits and one optional point; no exponent. ok is
// false where the cast would raise a dynamic error.
func Dec(s string) (d *big.Rat, ok bool) {
	s = trimSpace(s)
	if !IsDecimalLexical(s) {
		return nil, false
	}
	if d, ok := smallDecimal(s); ok { // the amounts, quantities and rates of invoices
		return d.Rat(), true
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	return r, ok
}

// IsDecimalLexical reports whether s is written as an xs:decimal: an
// optional sign, at least one digit and at most one point.
func IsDecimalLexical(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}

// DecOr returns Dec(s), or zero where s is not a decimal.
func DecOr(s string) *big.Rat {
	if d, ok := Dec(s); ok {
		return d
	}
	return new(big.Rat)
}

// Num is XPath number() (and the cast of an untyped value to xs:double):
// NaN where s is not a number.
func Num(s string) float64 {
	s = trimSpace(s)
	switch s {
	case "INF", "+INF":
		return math.Inf(1)
	case "-INF":
		return math.Inf(-1)
	case "NaN", "":
		return math.NaN()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// Bool casts an untyped value to xs:boolean ("true"/"1", "false"/"0", white
// space around allowed). ok is false where the cast fails.
func Bool(s string) (v, ok bool) {
	switch trimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// RoundDec is XPath round() on a decimal: to the nearest integer, halves
// toward positive infinity.
func RoundDec(d *big.Rat) *big.Rat {
	x := new(big.Rat).Add(d, big.NewRat(1, 2))
	return floorRat(x)
}

// RoundDec2 is round(d * 10 * 10) div 100: round to two decimals, halves up.
func RoundDec2(d *big.Rat) *big.Rat {
	if d.IsInt() || d.Denom().IsUint64() && 100%d.Denom().Uint64() == 0 {
		return new(big.Rat).Set(d) // two decimals at most already
	}
	x := new(big.Rat).Mul(d, big.NewRat(100, 1))
	x = RoundDec(x)
	return x.Quo(x, big.NewRat(100, 1))
}

func floorRat(x *big.Rat) *big.Rat {
	q := new(big.Int)
	m := new(big.Int)
	q.DivMod(x.Num(), x.Denom(), m) // Euclidean: m >= 0, so q is the floor
	return new(big.Rat).SetInt(q)
}

// RoundNum is XPath round() on a double.
func RoundNum(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	return math.Floor(f + 0.5)
}

// SumDec adds the decimals of values; ok is false if any is not a decimal
// (the reference would stop with a dynamic error).
func SumDec(values []string) (sum *big.Rat, ok bool) {
	sum = new(big.Rat)
	for _, v := range values {
		d, ok := Dec(v)
		if !ok {
			return sum, false
		}
		sum.Add(sum, d)
	}
	return sum, true
}

// SumNum is XPath sum() over untyped values: each is cast to xs:double.
func SumNum(values []string) float64 {
	var s float64
	for _, v := range values {
		s += Num(v)
	}
	return s
}

// DecEq reports whether two decimals are equal.
func DecEq(a, b *big.Rat) bool { return a != nil && b != nil && a.Cmp(b) == 0 }

// Dec2 is a shorthand for a decimal constant written as a string, e.g. Dec2("0.01").
func Dec2(s string) *big.Rat {
	d, ok := Dec(s)
	if !ok {
		panic("invoice: bad decimal constant " + s)
	}
	return d
}

// InList is the reference's contains(list, concat(' ', code, ' ')): whether
// code is one of the space-separated codes of list. Write list with a space
// at each end, as ' A B C '.
func InList(code string, list string) bool {
	return strings.Contains(list, " "+code+" ")
}

// Text nodes and dynamic errors.
//
// XPath distinguishes an element's string value (all its text, read by
// "." and by a path used as a value) from its text nodes (text()): a
// comment or processing instruction inside a value divides it into two
// text nodes. Functions that take one item (normalize-space, string-length,
// the casts xs:date(), xs:decimal()) raise a dynamic error when given two,
// and the reference's Schematron then stops: the document is rejected with
// schematron-processing-error, whatever the rules found before.

// textNodes returns what text() selects: the element's text nodes in
// order, none for an empty element. Text after a child element counts as
// one text node per gap between children (a comment there is not tracked).
func (n *Node) TextNodes() []string {
	if n == nil {
		return nil
	}
	var out []string
	if n.Text != "" {
		prev := 0
		for _, c := range n.state().cuts(n) {
			if int(c.at) > prev {
				out = append(out, n.Text[prev:c.at])
			}
			prev = int(c.at)
		}
		if len(n.Text) > prev {
			out = append(out, n.Text[prev:])
		}
	}
	for _, c := range n.Children {
		if c.follow != "" {
			out = append(out, c.follow)
		}
	}
	return out
}

// oneText reports whether the element's Text is all of its text nodes
// (none where it is empty): a leaf no comment divides, the common case,
// which needs no slice.
func (n *Node) oneText() bool {
	return len(n.Children) == 0 && (n.Text == "" || n.state().cuts(n) == nil)
}

// anyTextEq is path/text() = want: an untyped value compared with a string
// compares as strings, and = over a sequence is existential: true where
// some text node of some element equals want, codepoint by codepoint. A
// value a comment divides matches in neither of its parts.
func AnyTextEq(elems []*Node, want string) bool {
	for _, e := range elems {
		if e.oneText() {
			if e.Text == want {
				return true
			}
			continue
		}
		for _, t := range e.TextNodes() {
			if t == want {
				return true
			}
		}
	}
	return false
}

// Raise records an XPath dynamic error of the rule being tested; the first
// one of a pattern stops the reference's Schematron. The rule engine takes
// it with TakeError after each test.
func (n *Node) Raise(msg string) {
	if d := n.state(); d.xpathErr == "" {
		d.xpathErr = msg
	}
}

// TakeError returns the XPath dynamic error raised in n's document since
// the last call, or "", and clears it.
func (n *Node) TakeError() string {
	d := n.state()
	msg := d.xpathErr
	if msg != "" {
		d.xpathErr = ""
	}
	return msg
}

// RaisedError returns where n's document keeps the XPath dynamic error
// raised since it was last taken: the rule engine reads and clears it
// after each test, as TakeError does, without finding the document's
// state every time.
func (n *Node) RaisedError() *string { return &n.state().xpathErr }

// normSpaceText is normalize-space(path/text()) over the elements the path
// selected: the text nodes of all of them form one sequence, and more than
// one item raises a dynamic error (the reference's message: "A sequence of
// more than one item is not allowed as the first argument of
// fn:normalize-space()"). No text node gives "".
func NormSpaceText(ctx *Node, elems []*Node) string {
	var one string
	count := 0
	for _, e := range elems {
		if e.oneText() {
			if e.Text != "" {
				one = e.Text
				count++
			}
			continue
		}
		for _, t := range e.TextNodes() {
			one = t
			count++
		}
	}
	if count > 1 {
		ctx.Raise("a sequence of more than one text node is not allowed as the argument of normalize-space()")
		return ""
	}
	return NormSpace(one)
}

// CastDecimal is xs:decimal(path) over the values a path selected: the
// empty sequence for none (ok false, no error: a comparison with it is
// false); more than one value is a type error (XPTY0004) and a value that
// is no decimal a dynamic error (FORG0001), both raised on ctx. The schemas
// type every element the rules cast as a decimal, so on a valid document
// only the count can fail: CII D16B allows any number of each amount of
// the header summation (ram:LineTotalAmount, ...), of a breakdown
// (ram:BasisAmount, ram:CalculatedAmount), of an allowance
// (ram:ActualAmount) and of a price (ram:ChargeAmount), and a second one
// stops the reference's Schematron (BR-CO-10 .. BR-CO-17, BR-S-09, the -08
// sums through SumCastDecimal, PEPPOL R040/R046/R120/R121). On a
// schema-invalid document a value such as 1E2 or INF raises too, in the
// UBL rules as well. Where the source compares xs:decimal(x) = … and x is
// absent, Saxon answers false without reading the right side (an empty
// operand of at most one item), so callers cast what follows only then.
func CastDecimal(ctx *Node, values []string) (d *big.Rat, ok bool) {
	switch len(values) {
	case 0:
		return nil, false
	case 1:
		if d, ok = Dec(values[0]); !ok {
			ctx.Raise("cannot convert string " + strconv.Quote(values[0]) + " to xs:decimal")
		}
		return d, ok
	}
	ctx.Raise("a sequence of more than one item is not allowed in a cast to xs:decimal")
	return nil, false
}

// SumCastDecimal is sum(elems/xs:decimal(path)): path cast to xs:decimal
// once for each element (CastDecimal, so a second value under one element
// or a value that is no decimal raises on ctx), the decimals added. An
// element without a value adds nothing. ok is false after an error. The
// CII -08 rules cast each line's ram:LineTotalAmount and each allowance's
// ram:ActualAmount this way, and CII D16B lets both repeat.
func SumCastDecimal(ctx *Node, elems []*Node, path string) (sum *big.Rat, ok bool) {
	return sumCast(ctx, elems, path, false)
}

// sumCast is SumCastDecimal, or with first SumCastFirstDecimal.
func sumCast(ctx *Node, elems []*Node, path string, first bool) (sum *big.Rat, ok bool) {
	sum = new(big.Rat)
	for _, e := range elems {
		values := e.Strs(path)
		if len(values) == 0 {
			continue
		}
		if first {
			values = values[:1]
		}
		d, ok := CastDecimal(ctx, values)
		if !ok {
			return sum, false
		}
		sum.Add(sum, d)
	}
	return sum, true
}

// SumCastFirstDecimal is sum(elems/xs:decimal(path[1])), as CEN 1.3.16
// writes the CII -08 sums: the first value under each element cast to
// xs:decimal (one that is no decimal raises on ctx), the decimals added. A
// second value under one element is not read.
func SumCastFirstDecimal(ctx *Node, elems []*Node, path string) (sum *big.Rat, ok bool) {
	return sumCast(ctx, elems, path, true)
}

// UntypedNumber is an untyped path used as an operand of arithmetic
// (../ram:BasisAmount - 1, abs(x) * ram:RateApplicablePercent): the empty
// sequence for none (ok false, no error: the result is empty); more than
// one value is a type error (XPTY0004) and a value that is no xs:double a
// dynamic error (FORG0001), both raised on ctx.
func UntypedNumber(ctx *Node, values []string) (f float64, ok bool) {
	switch len(values) {
	case 0:
		return 0, false
	case 1:
		if f, ok = UntypedDouble(values[0]); !ok {
			ctx.Raise("cannot convert string " + strconv.Quote(values[0]) + " to xs:double")
		}
		return f, ok
	}
	ctx.Raise("a sequence of more than one item is not allowed as an operand of arithmetic")
	return 0, false
}

// CastBoolean is "path cast as xs:boolean" over the values a path
// selected (no "?" after the type): the empty sequence and more than one
// value are type errors (XPTY0004), a value that is no boolean a dynamic
// error (FORG0001); each raises on ctx, and ok is false. CII BR-Z-08 and
// BR-O-08 cast ram:ChargeIndicator/udt:Indicator of every document level
// allowance or charge this way, so a valid document whose indicator is a
// udt:IndicatorString stops the reference's Schematron there; the other
// -08 rules compare (udt:Indicator = true()), which is false for it.
func CastBoolean(ctx *Node, values []string) (v, ok bool) {
	switch len(values) {
	case 0:
		ctx.Raise("an empty sequence is not allowed as the value in 'cast as' expression")
		return false, false
	case 1:
		if v, ok = Bool(values[0]); !ok {
			ctx.Raise("invalid xs:boolean " + strconv.Quote(values[0]))
		}
		return v, ok
	}
	ctx.Raise("a sequence of more than one item is not allowed in a cast to xs:boolean")
	return false, false
}

// xsDate casts s to xs:date: white space around it is allowed; ok is false
// where the cast raises an error (a zone beyond ±14:00; unlike the schema,
// the cast allows the year 0000). The result is the instant the day starts. Dates
// compare as these instants, and a date without a time zone is taken in
// the reference's implicit time zone, UTC: 2016-01-01+01:00 is before
// 2016-01-01, and 2016-12-31-01:00 after 2016-12-31.
func XsDate(s string) (time.Time, bool) {
	s = trimSpace(s)
	rest := stripZone(s)
	if !validYMD(rest, true) {
		return time.Time{}, false
	}
	zone := time.UTC
	if z := s[len(rest):]; len(z) == 6 {
		off := (atoi2(z[1:3])*60 + atoi2(z[4:6])) * 60
		if z[0] == '-' {
			off = -off
		}
		zone = time.FixedZone(z, off)
	}
	neg := strings.HasPrefix(rest, "-")
	rest = strings.TrimPrefix(rest, "-")
	i := strings.IndexByte(rest, '-')
	y, err := strconv.Atoi(rest[:i])
	if err != nil {
		return time.Time{}, false
	}
	if neg {
		y = -y
	}
	return time.Date(y, time.Month(atoi2(rest[i+1:])), atoi2(rest[i+4:]), 0, 0, 0, 0, zone), true
}

// castDate is xs:date(seq) over the values a path selected: the empty
// sequence for none (ok false, and a comparison with it is false); a
// dynamic error for more than one value or a value that is no date.
func CastDate(ctx *Node, values []string) (t time.Time, ok bool) {
	switch len(values) {
	case 0:
		return time.Time{}, false
	case 1:
		if t, ok = XsDate(values[0]); !ok {
			ctx.Raise("invalid date " + strconv.Quote(values[0]))
		}
		return t, ok
	}
	ctx.Raise("a sequence of more than one item is not allowed in a cast to xs:date")
	return time.Time{}, false
}

// A Decimal is an exact decimal number, as big.Rat is one, but cheaper
// for the amounts, quantities and rates of invoices: while its value
// fits, it is an int64 coefficient and a scale of at most 18 places
// (coef × 10^-scale); where a step would overflow that, or a quotient is
// no such decimal, the value continues as a big.Rat. Every operation
// gives the value big.Rat gives, so a rule compares the same with either.
// The zero Decimal is 0. Decimals are values: operations return new ones.
type Decimal struct {
	coef  int64
	scale int32
	rat   *big.Rat // the value where coef and scale do not hold it; never changed once set
}

// maxScale bounds a Decimal's scale: 10^18 fits an int64.
const maxScale = 18

// pow10 is 10^n for 0 <= n <= 18.
func pow10(n int32) int64 {
	p := int64(1)
	for ; n >= 4; n -= 4 {
		p *= 10000
	}
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// DecimalOf returns the Decimal of r.
func DecimalOf(r *big.Rat) Decimal {
	if r.IsInt() && r.Num().IsInt64() {
		return Decimal{coef: r.Num().Int64()}
	}
	return Decimal{rat: new(big.Rat).Set(r)}
}

// DecimalInt returns the Decimal of i.
func DecimalInt(i int64) Decimal { return Decimal{coef: i} }

// ParseDecimal casts s to xs:decimal as Dec does (ok false where Dec's is).
func ParseDecimal(s string) (Decimal, bool) {
	s = trimSpace(s)
	if !IsDecimalLexical(s) {
		return Decimal{}, false
	}
	if d, ok := smallDecimal(s); ok {
		return d, true
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	if !ok {
		return Decimal{}, false
	}
	return Decimal{rat: r}, true
}

// smallDecimal reads a decimal lexical of at most 18 digits and 18 places
// straight into a Decimal, without big.Rat's parser; ok is false for
// others.
func smallDecimal(s string) (Decimal, bool) {
	neg := s[0] == '-'
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	var m int64
	scale, digits := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			scale = len(s) - i - 1
			continue
		}
		if m == 0 && s[i] == '0' {
			continue // leading zeros add no digit
		}
		if digits++; digits > 18 {
			return Decimal{}, false
		}
		m = m*10 + int64(s[i]-'0')
	}
	if scale > maxScale {
		return Decimal{}, false
	}
	if neg {
		m = -m
	}
	return Decimal{coef: m, scale: int32(scale)}, true
}

// Rat returns the value as a new big.Rat.
func (d Decimal) Rat() *big.Rat {
	if d.rat != nil {
		return new(big.Rat).Set(d.rat)
	}
	if d.scale == 0 {
		return new(big.Rat).SetInt64(d.coef)
	}
	return new(big.Rat).SetFrac64(d.coef, pow10(d.scale))
}

// ratOf is d's value as a big.Rat that may be d's own: not to be changed.
func (d Decimal) ratOf() *big.Rat {
	if d.rat != nil {
		return d.rat
	}
	return d.Rat()
}

func fromRat(r *big.Rat) Decimal {
	if r.IsInt() && r.Num().IsInt64() {
		return Decimal{coef: r.Num().Int64()}
	}
	return Decimal{rat: r}
}

// String returns the value as big.Rat writes it (a/b), for tests and messages.
func (d Decimal) String() string { return d.ratOf().String() }

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int {
	if d.rat != nil {
		return d.rat.Sign()
	}
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// scaleTo returns d's coefficient at the larger scale s, and false where it
// overflows.
func (d Decimal) scaleTo(s int32) (int64, bool) {
	if s == d.scale {
		return d.coef, true
	}
	p := pow10(s - d.scale)
	hi, lo := bits.Mul64(uint64(absInt(d.coef)), uint64(p))
	if hi != 0 || lo > math.MaxInt64 || d.coef == math.MinInt64 {
		return 0, false
	}
	if d.coef < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

func absInt(i int64) int64 {
	if i < 0 {
		return -i
	}
	return i
}

// align returns the coefficients of a and b at one scale; ok is false
// where either is a big.Rat or overflows.
func align(a, b Decimal) (x, y int64, s int32, ok bool) {
	if a.rat != nil || b.rat != nil {
		return 0, 0, 0, false
	}
	s = max(a.scale, b.scale)
	x, ok1 := a.scaleTo(s)
	y, ok2 := b.scaleTo(s)
	return x, y, s, ok1 && ok2
}

// Add returns a + b.
func (a Decimal) Add(b Decimal) Decimal {
	if x, y, s, ok := align(a, b); ok {
		if z := x + y; (z > x) == (y > 0) { // no overflow
			return Decimal{coef: z, scale: s}
		}
	}
	return fromRat(new(big.Rat).Add(a.ratOf(), b.ratOf()))
}

// Sub returns a - b.
func (a Decimal) Sub(b Decimal) Decimal {
	if x, y, s, ok := align(a, b); ok {
		if z := x - y; (z < x) == (y > 0) { // no overflow
			return Decimal{coef: z, scale: s}
		}
	}
	return fromRat(new(big.Rat).Sub(a.ratOf(), b.ratOf()))
}

// Mul returns a × b.
func (a Decimal) Mul(b Decimal) Decimal {
	if a.rat == nil && b.rat == nil && a.scale+b.scale <= maxScale && a.coef != math.MinInt64 && b.coef != math.MinInt64 {
		hi, lo := bits.Mul64(uint64(absInt(a.coef)), uint64(absInt(b.coef)))
		if hi == 0 && lo <= math.MaxInt64 {
			z := int64(lo)
			if (a.coef < 0) != (b.coef < 0) {
				z = -z
			}
			return Decimal{coef: z, scale: a.scale + b.scale}
		}
	}
	return fromRat(new(big.Rat).Mul(a.ratOf(), b.ratOf()))
}

// Quo returns a ÷ b; b must not be 0 (big.Rat's Quo panics then too).
func (a Decimal) Quo(b Decimal) Decimal {
	if a.rat == nil && b.rat == nil && b.coef != 0 && a.coef != math.MinInt64 && b.coef != math.MinInt64 {
		// a/b = (a.coef / b.coef) × 10^(b.scale - a.scale): exact where
		// b.coef divides a.coef, or b.coef is a power of ten.
		num, den := a.coef, b.coef
		shift := a.scale - b.scale // the quotient's scale, before den's own power of ten
		for den%10 == 0 {
			den /= 10
			shift++
		}
		if num%den == 0 {
			q := num / den
			if shift >= 0 && shift <= maxScale {
				return Decimal{coef: q, scale: shift}
			}
			if shift < 0 && shift >= -maxScale {
				if c, ok := (Decimal{coef: q}).scaleTo(-shift); ok {
					return Decimal{coef: c}
				}
			}
		}
	}
	return fromRat(new(big.Rat).Quo(a.ratOf(), b.ratOf()))
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	if d.rat == nil && d.coef != math.MinInt64 {
		return Decimal{coef: -d.coef, scale: d.scale}
	}
	return fromRat(new(big.Rat).Neg(d.ratOf()))
}

// Abs returns |d|.
func (d Decimal) Abs() Decimal {
	if d.Sign() < 0 {
		return d.Neg()
	}
	return d
}

// Cmp compares a and b: -1, 0 or 1.
func (a Decimal) Cmp(b Decimal) int {
	if x, y, _, ok := align(a, b); ok {
		return cmpInt(x, y)
	}
	return a.ratOf().Cmp(b.ratOf())
}

// CmpRat compares d with r: -1, 0 or 1.
func (d Decimal) CmpRat(r *big.Rat) int { return d.ratOf().Cmp(r) }

// floorDiv returns the floor of m/p and the remainder, 0 <= r < p (p > 0).
func floorDiv(m, p int64) (q, r int64) {
	q, r = m/p, m%p
	if r < 0 {
		q--
		r += p
	}
	return q, r
}

// Round is RoundDec: to the nearest integer, halves toward positive infinity.
func (d Decimal) Round() Decimal {
	if d.rat != nil {
		return fromRat(RoundDec(d.rat))
	}
	if d.scale == 0 {
		return d
	}
	p := pow10(d.scale)
	q, r := floorDiv(d.coef, p)
	if 2*r >= p { // r < p <= 10^18: no overflow
		q++
	}
	return Decimal{coef: q}
}

// Round2 is RoundDec2: round(d * 10 * 10) div 100, halves up.
func (d Decimal) Round2() Decimal {
	if d.rat != nil {
		return fromRat(RoundDec2(d.rat))
	}
	if d.scale <= 2 {
		return d
	}
	p := pow10(d.scale - 2)
	q, r := floorDiv(d.coef, p)
	if 2*r >= p {
		q++
	}
	return Decimal{coef: q, scale: 2}
}

// Float64 returns the nearest float64, as big.Rat's Float64 does.
func (d Decimal) Float64() float64 {
	f, _ := d.ratOf().Float64()
	return f
}

// CastDec is CastDecimal with a Decimal: the same casts, the same errors
// raised on ctx.
func CastDec(ctx *Node, values []string) (d Decimal, ok bool) {
	switch len(values) {
	case 0:
		return Decimal{}, false
	case 1:
		if d, ok = ParseDecimal(values[0]); !ok {
			ctx.Raise("cannot convert string " + strconv.Quote(values[0]) + " to xs:decimal")
		}
		return d, ok
	}
	ctx.Raise("a sequence of more than one item is not allowed in a cast to xs:decimal")
	return Decimal{}, false
}

// Numbers: untyped values compared with numbers, sums and rounding in
// double arithmetic.
//
// A rule that reads an amount without a cast (ram:CalculatedAmount = 0,
// sum(ram:ActualAmount)) works on xs:untypedAtomic values, which XPath
// casts to xs:double; a rule that casts (xs:decimal(cbc:TaxAmount) = 0) or
// calls number() works on typed values. Saxon-HE 9.9, the reference's
// engine, answers these differently from IEEE comparison in a few
// corners, checked value by value against it (see TestUntypedCompare):
//
//   - an untyped value compared with an xs:integer (a literal such as 0,
//     or count()) compares as an integer when it is written as one (sign,
//     digits, white space around): '-0' = 0 and '-00' = 0 are true;
//   - otherwise both sides compare as doubles in Java's total order
//     (Double.compare): -0.0 is less than 0.0, so '-0.0' = 0, '-.0' = 0
//     and ' -0.00 ' = 0 are false and '-0.0' < 0 is true; NaN is greater
//     than every number and equal to itself, so 'NaN' > 0 and 'NaN' >= 100
//     are true; against a decimal or double operand even '-0' is -0.0;
//   - the cast accepts xs:double's lexical forms: sign, digits with an
//     optional point (5., .5), an exponent (1E2, 1.0e1), INF, +INF, -INF
//     and NaN, with XML white space around; anything else ('1,5', a
//     no-break space) is a dynamic error (FORG0001);
//   - typed comparisons (xs:decimal(.) = 0, number(.) = 0,
//     xs:double(.) = 0) are IEEE's: -0 equals 0 there.
//
// sum() of untyped values adds doubles, starting from the first value (the
// sum of '-0.00' alone is -0.0; the sum of nothing is the integer 0);
// round() keeps the sign of a zero (round(-0.005 * 10 * 10) is -0.0), and
// xs:decimal() of a double is its exact binary value (3986.345 becomes
// 3986.34499999999979991..., which rounds to 3986.34).

// A CmpOp is a comparison operator of XPath.
type CmpOp uint8

// The comparison operators.
const (
	OpEq CmpOp = iota
	OpNe
	OpLt
	OpLe
	OpGt
	OpGe
)

// holds reports whether a comparison result c (-1, 0, 1) satisfies op.
func (op CmpOp) Holds(c int) bool {
	switch op {
	case OpEq:
		return c == 0
	case OpNe:
		return c != 0
	case OpLt:
		return c < 0
	case OpLe:
		return c <= 0
	case OpGt:
		return c > 0
	}
	return c >= 0
}

// javaDoubleCompare is Java's Double.compare: numeric order, except that
// -0.0 is below 0.0 and NaN above +Inf and equal to itself.
func javaDoubleCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	as, bs := math.Signbit(a), math.Signbit(b)
	switch {
	case as && !bs:
		return -1
	case bs && !as:
		return 1
	}
	return 0
}

// untypedDouble casts an untyped value to xs:double; ok is false where the
// cast raises a dynamic error.
func UntypedDouble(s string) (float64, bool) {
	s = trimSpace(s)
	switch s {
	case "INF", "+INF":
		return math.Inf(1), true
	case "-INF":
		return math.Inf(-1), true
	case "NaN":
		return math.NaN(), true
	}
	m := s
	if m != "" && (m[0] == '+' || m[0] == '-') {
		m = m[1:]
	}
	if i := strings.IndexAny(m, "eE"); i >= 0 {
		if !IsIntegerLexical(m[i+1:]) {
			return 0, false
		}
		m = m[:i]
	}
	if strings.HasPrefix(m, "+") || strings.HasPrefix(m, "-") || !IsDecimalLexical(m) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	return f, true
}

// untypedCmpInt is the general comparison of an untyped value with an
// xs:integer k (see the notes above): as integers where s is written as
// one, else as doubles in Java's order. A value that is no number raises a
// dynamic error on ctx. Used (through brAnyNum) by CII BR-{AE,E,G,IC,O,Z}-09
// and the -05..-07 rate rules of both syntaxes where the source writes no
// cast, BR-27, BR-28 and PEPPOL R055 (see AUDIT.md).
func UntypedCmpInt(ctx *Node, s string, op CmpOp, k int64) bool {
	if t := trimSpace(s); IsIntegerLexical(t) {
		if i, err := strconv.ParseInt(strings.TrimPrefix(t, "+"), 10, 64); err == nil {
			return op.Holds(cmpInt(i, k))
		}
	}
	return UntypedCmpDouble(ctx, s, op, float64(k))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// untypedCmpDouble is the general comparison of an untyped value with an
// xs:double or xs:decimal operand x (as a double): Java's order, so that
// '-0' = 0.0 is false. A value that is no number raises a dynamic error on
// ctx. Used by CII BR-S/AF/AG/O-08 (basis = decimal sums) and CII
// BR-DEC-13/15.
func UntypedCmpDouble(ctx *Node, s string, op CmpOp, x float64) bool {
	f, ok := UntypedDouble(s)
	if !ok {
		ctx.Raise("cannot convert string " + strconv.Quote(s) + " to xs:double")
		return false
	}
	return op.Holds(javaDoubleCompare(f, x))
}

// anyUntypedCmpInt is untypedCmpInt over a sequence: existential, true
// where some value compares true.
func AnyUntypedCmpInt(ctx *Node, values []string, op CmpOp, k int64) bool {
	for _, v := range values {
		if UntypedCmpInt(ctx, v, op, k) {
			return true
		}
	}
	return false
}

// anyUntypedCmpDouble is untypedCmpDouble over a sequence, existential.
func AnyUntypedCmpDouble(ctx *Node, values []string, op CmpOp, x float64) bool {
	for _, v := range values {
		if UntypedCmpDouble(ctx, v, op, x) {
			return true
		}
	}
	return false
}

// sumUntyped is sum() over untyped values: each cast to xs:double and
// added from the first on, so that a single -0.0 stays -0.0. The sum of no
// value is the integer 0 (empty true). A value that is no number raises a
// dynamic error on ctx.
func SumUntyped(ctx *Node, values []string) (sum float64, empty bool) {
	for i, v := range values {
		f, ok := UntypedDouble(v)
		if !ok {
			ctx.Raise("cannot convert string " + strconv.Quote(v) + " to xs:double")
			f = math.NaN()
		}
		if i == 0 {
			sum = f
		} else {
			sum += f
		}
	}
	return sum, len(values) == 0
}

// roundDouble is XPath round() on a double: the nearest integer, halves
// up, keeping the sign of a zero (round(-0.5) is -0.0).
func RoundDouble(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	r := math.Floor(f + 0.5)
	if r == 0 && math.Signbit(f) || r == 0 && f < 0 {
		return math.Copysign(0, -1)
	}
	return r
}

// anyUntypedEqRoundedSum is values = (round(sum(amounts) * 10 * 10) div
// 100), all untyped, as the CII BR-CO-11, -12 and -14 write it. The sum of
// no amount is the integer 0, and the whole right side then an integer
// zero (Saxon keeps 0 div 100 integral): '-0' equals it, '-0.00' does not.
// Otherwise the right side is a double, which '-0' does not equal when it
// is 0.0, nor '0' when it is -0.0 (a sum of -0.005 rounds to -0.0).
func AnyUntypedEqRoundedSum(ctx *Node, values, amounts []string) bool {
	sum, empty := SumUntyped(ctx, amounts)
	if empty {
		return AnyUntypedCmpInt(ctx, values, OpEq, 0)
	}
	return AnyUntypedCmpDouble(ctx, values, OpEq, Round2Double(sum))
}

// round2Double is round(x * 10 * 10) div 100 in double arithmetic, as the
// CII rules write it (x * 10 * 10 is not always x * 100 in doubles).
func Round2Double(x float64) float64 { return RoundDouble(x*10*10) / 100 }

// decimalOfDouble is xs:decimal() of a double: its exact binary value
// (CII BR-CO-10's xs:decimal(sum(...)), UBL BR-S/AF/AG-08's
// xs:decimal(cbc:TaxableAmount - 1)).
// ok is false for NaN and the infinities, which the cast refuses.
func DecimalOfDouble(f float64) (*big.Rat, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	return new(big.Rat).SetFloat64(f), true
}

// In reports whether s is one of list: XPath's general comparison of a
// string with a sequence of strings.
func In(s string, list []string) bool {
	for _, x := range list {
		if s == x {
			return true
		}
	}
	return false
}

// AnyIn reports whether any of values is one of list: XPath's general
// comparison of two sequences of strings.
func AnyIn(values, list []string) bool {
	for _, v := range values {
		if In(v, list) {
			return true
		}
	}
	return false
}
