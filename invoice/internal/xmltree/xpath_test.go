package xmltree

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestDec compares Dec with big.Rat's own parser, which it bypasses for
// decimals of up to 18 digits.
func TestDec(t *testing.T) {
	cases := []string{
		"0", "-0", "+0", "0.00", "-0.00", "1", "+1.50", "-1.5", "000123.4500", ".5", "5.", "-.5",
		"19", "19.00", "0.07", "1234567.89", "100.000", "0.001", "3.125", "-2.40",
		"999999999999999999", "-999999999999999999", "0.999999999999999999",
		"1000000000000000000", "12345678901234567890.12", "0.0000000000000000001",
		" 12.30 ", "\t-7\n",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		s := strconv.FormatInt(r.Int64N(2e6)-1e6, 10)
		if i%3 > 0 {
			s += "." + strings.Repeat("0", r.IntN(3)) + strconv.Itoa(r.IntN(1000))
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		got, ok := Dec(s)
		want, wok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(s), "+"))
		if !ok || !wok || got.Cmp(want) != 0 || got.String() != want.String() {
			t.Errorf("Dec(%q) = %v, %v; big.Rat gives %v, %v", s, got, ok, want, wok)
		}
	}
	for _, s := range []string{"", " ", "1e3", "1.2.3", "--1", "+", ".", "0x10", "1,5", "INF", "NaN"} {
		if d, ok := Dec(s); ok {
			t.Errorf("Dec(%q) = %v, want no decimal", s, d)
		}
	}
}

// TestRoundDec2 checks round(d * 100) div 100 with halves up, on both
// of its paths (two decimals at most, and more).
func TestRoundDec2(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"1", "1"}, {"1.5", "3/2"}, {"1.25", "5/4"}, {"1.005", "101/100"}, {"1.004", "1"},
		{"-1.005", "-1"}, {"-1.006", "-101/100"}, {"2.675", "67/25"}, {"0.125", "13/100"},
		{"1/3", "33/100"}, {"-1/3", "-33/100"}, {"1/8", "13/100"},
	} {
		in, _ := new(big.Rat).SetString(c.in)
		if got := RoundDec2(in); got.String() != mustRat(t, c.want).String() {
			t.Errorf("RoundDec2(%s) = %s, want %s", c.in, got, c.want)
		}
		if got := RoundDec2(in); got == in {
			t.Errorf("RoundDec2(%s) returned its argument, callers may change the result", c.in)
		}
	}
}

func mustRat(t *testing.T, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad rational %q", s)
	}
	return r
}

// TestInNormStr checks the general comparisons of strings and
// normalize-space of a path's first item.
func TestInNormStr(t *testing.T) {
	for _, c := range []struct {
		s    string
		list []string
		want bool
	}{{"a", []string{"b", "a"}, true}, {"a", nil, false}, {"", []string{""}, true}, {"a ", []string{"a"}, false}} {
		if got := In(c.s, c.list); got != c.want {
			t.Errorf("In(%q, %q) = %v", c.s, c.list, got)
		}
	}
	if !AnyIn([]string{"x", "b"}, []string{"a", "b"}) || AnyIn([]string{"x"}, []string{"a"}) || AnyIn(nil, []string{"a"}) {
		t.Error("AnyIn answers wrong")
	}
	root, err := Parse([]byte("<r><a>  one \n two </a><a>three</a><b/></r>"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"a": "one two", "b": "", "c": ""} {
		if got := root.NormStr(path); got != want {
			t.Errorf("NormStr(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestDecimal checks every operation of Decimal against big.Rat on
// random amounts, quantities and rates and on values at the edges of its
// int64 coefficient, where it continues in big.Rat.
func TestDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	values := []string{"0", "-0", "0.00", "1", "-1", "100", "0.01", "-0.005", "0.5", "-0.5", "1.5", "-1.5", "2.675", "-2.675",
		"999999999999999999", "-999999999999999999", "0.999999999999999999", "-0.000000000000000001",
		"9223372036854775807", "12345678901234567890.12", "0.0000000000000000001", "1000000000000000000", "4", "3", "7.000", "1e0"}
	for i := 0; i < 300; i++ {
		s := strconv.FormatInt(r.Int64N(2e9)-1e9, 10)
		switch i % 4 {
		case 1:
			s += "." + strconv.Itoa(r.IntN(100))
		case 2:
			s += "." + strings.Repeat("0", r.IntN(4)) + strconv.Itoa(r.IntN(100000))
		case 3:
			s = strconv.FormatInt(r.Int64N(1e18), 10) + "." + strconv.Itoa(r.IntN(1000))
		}
		values = append(values, s)
	}
	rat := func(s string) (*big.Rat, bool) { return Dec(s) }
	for _, a := range values {
		da, ok := ParseDecimal(a)
		ra, rok := rat(a)
		if ok != rok {
			t.Fatalf("ParseDecimal(%q) ok %v, Dec ok %v", a, ok, rok)
		}
		if !ok {
			continue
		}
		if da.Rat().Cmp(ra) != 0 || da.String() != ra.String() {
			t.Fatalf("ParseDecimal(%q) = %v, Dec gives %v", a, da, ra)
		}
		if da.Sign() != ra.Sign() || da.Abs().Rat().Cmp(new(big.Rat).Abs(ra)) != 0 || da.Neg().Rat().Cmp(new(big.Rat).Neg(ra)) != 0 {
			t.Errorf("sign, abs or neg of %s differ", a)
		}
		if got, want := da.Round().Rat(), RoundDec(ra); got.Cmp(want) != 0 {
			t.Errorf("round(%s) = %v, want %v", a, got, want)
		}
		if got, want := da.Round2().Rat(), RoundDec2(ra); got.Cmp(want) != 0 {
			t.Errorf("round2(%s) = %v, want %v", a, got, want)
		}
		for j := 0; j < 12; j++ {
			b := values[r.IntN(len(values))]
			db, ok := ParseDecimal(b)
			if !ok {
				continue
			}
			rb, _ := rat(b)
			check := func(op string, got Decimal, want *big.Rat) {
				t.Helper()
				if got.Rat().Cmp(want) != 0 {
					t.Errorf("%s %s %s = %v, want %v", a, op, b, got, want)
				}
			}
			check("+", da.Add(db), new(big.Rat).Add(ra, rb))
			check("-", da.Sub(db), new(big.Rat).Sub(ra, rb))
			check("*", da.Mul(db), new(big.Rat).Mul(ra, rb))
			if rb.Sign() != 0 {
				check("/", da.Quo(db), new(big.Rat).Quo(ra, rb))
			}
			if got, want := da.Cmp(db), ra.Cmp(rb); got != want {
				t.Errorf("cmp(%s, %s) = %d, want %d", a, b, got, want)
			}
			if got, want := da.CmpRat(rb), ra.Cmp(rb); got != want {
				t.Errorf("cmpRat(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	// Sums and products that overflow the coefficient continue exactly.
	big1, _ := ParseDecimal("9000000000000000000")
	sum := big1.Add(big1).Add(big1)
	if want, _ := new(big.Rat).SetString("27000000000000000000"); sum.Rat().Cmp(want) != 0 {
		t.Errorf("overflowing sum = %v", sum)
	}
	tiny, _ := ParseDecimal("0.000000001")
	if p, want := tiny.Mul(tiny).Mul(tiny), big.NewRat(1, 1e18); p.Rat().Cmp(new(big.Rat).Quo(want, big.NewRat(1e9, 1))) != 0 {
		t.Errorf("product beyond 18 places = %v", p)
	}
	third := DecimalInt(1).Quo(DecimalInt(3))
	if got := third.Mul(DecimalInt(3)); got.Cmp(DecimalInt(1)) != 0 {
		t.Errorf("1/3*3 = %v", got)
	}
}
