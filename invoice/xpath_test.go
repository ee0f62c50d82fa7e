package invoice

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

// TestIBANCheck compares the MOD 97 check of BR-DE-19/20 with the
// reference's way: the digits as one big number.
func TestIBANCheck(t *testing.T) {
	ref := func(id string) bool {
		s := NormSpace(strings.Join(strings.Fields(id), ""))
		if !xrIBANShape.MatchString(s) {
			return false
		}
		var digits strings.Builder
		for _, cp := range s[4:] + strings.ToUpper(s[0:2]) + s[2:4] {
			if cp > 64 {
				digits.WriteString(strconv.Itoa(int(cp - 55)))
			} else {
				digits.WriteString(strconv.Itoa(int(cp - 48)))
			}
		}
		n, _ := new(big.Int).SetString(digits.String(), 10)
		return new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
	}
	ids := []string{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE88370400440532013000", "de89370400440532013000",
		"GB82WEST12345698765432", "GB82west12345698765432", "DE8937040044053201300", "", "DE", "DE00"}
	r := rand.New(rand.NewPCG(3, 4))
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for i := 0; i < 5000; i++ {
		b := []byte{'A' + byte(r.IntN(26)), 'A' + byte(r.IntN(26)), '0' + byte(r.IntN(10)), '0' + byte(r.IntN(10))}
		for n := r.IntN(31); n > 0; n-- {
			b = append(b, chars[r.IntN(len(chars))])
		}
		ids = append(ids, string(b))
	}
	valid := 0
	for _, id := range ids {
		got, want := xrIBANOK(id), ref(id)
		if got != want {
			t.Errorf("xrIBANOK(%q) = %v, want %v", id, got, want)
		}
		if got {
			valid++
		}
	}
	if valid < 10 {
		t.Errorf("only %d of %d identifiers pass: the test does not reach the valid case", valid, len(ids))
	}
}
