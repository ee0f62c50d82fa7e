package invoice

import (
	"math/big"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// TestIBANCheck compares the MOD 97 check of BR-DE-19/20 with the
// reference's way: the digits as one big number.
func TestIBANCheck(t *testing.T) {
	ref := func(id string) bool {
		s := xmltree.NormSpace(strings.Join(strings.Fields(id), ""))
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

// TestXRSplitLines checks xrSplitLines against the regular expression
// BR-DE-18 splits the payment terms notes with.
func TestXRSplitLines(t *testing.T) {
	newline := regexp.MustCompile(`\r?\n`)
	cases := []string{"", "a", "\n", "\r", "\r\n", "\n\n", "\r\r\n", "a\r\nb", "a\nb\r", "#SKONTO#TAGE=7#PROZENT=2.00#\r\n", "\n#x#\r\n\r\ny\r"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 2000; i++ {
		b := make([]byte, r.IntN(12))
		for j := range b {
			b[j] = "a#\r\n "[r.IntN(5)]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := xrSplitLines(s), newline.Split(s, -1); !slices.Equal(got, want) {
			t.Errorf("xrSplitLines(%q) = %q, want %q", s, got, want)
		}
	}
}
