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
