package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Helpers of the VAT category rules that both syntaxes use.

// vatSumDec sums decimals, treating values that are no decimal as zero
// (the reference stops there anyway).
func vatSumDec(values []string) *big.Rat {
	s := new(big.Rat)
	for _, v := range values {
		s.Add(s, xmltree.DecOr(v))
	}
	return s
}

func vatRateIn(values []string, rate *big.Rat) bool {
	for _, v := range values {
		if d, ok := xmltree.Dec(v); ok && d.Cmp(rate) == 0 {
			return true
		}
	}
	return false
}
