package leitweg

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  error
	}{
		{"16071103-0001-17", "16071103-0001-17", nil},
		{" 16071103-0001-17\n", "16071103-0001-17", nil},
		{"16071103-0001-18", "", ErrCheckDigits},
		{"04011000-1234512345-06", "04011000-1234512345-06", nil},
		{"991-33333TEST-33", "991-33333TEST-33", nil},
		{"991-33333test-33", "991-33333TEST-33", nil},
		{"", "", ErrMissing},
		{"16071103", "", ErrMalformed},
		{"1-0001-17", "", ErrMalformed},
		{"1234567890123-0001-17", "", ErrMalformed},
		{"16071103--17", "", ErrMalformed},
		{"16071103-00_1-17", "", ErrMalformed},
		{"16071103-0001-1", "", ErrMalformed},
		{"16071103-0001-17-1", "", ErrMalformed},
		{"16071103-0123456789012345678901234567890-17", "", ErrMalformed},
	}
	for _, c := range cases {
		id, err := Parse(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("Parse(%q) error %v, want %v", c.in, err, c.err)
			continue
		}
		if err == nil && id.String() != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, id, c.want)
		}
	}
}

func TestCheckDigits(t *testing.T) {
	for body, want := range map[string]string{"160711030001": "17", "040110001234512345": "06", "99133333TEST": "33"} {
		if got := CheckDigits(body); got != want {
			t.Errorf("CheckDigits(%s) = %s, want %s", body, got, want)
		}
	}
	// Every Grobadressierung gets digits that make a valid ID.
	for _, grob := range []string{"16", "16051000", "160510000000"} {
		if _, err := Parse(grob + "-" + CheckDigits(grob)); err != nil {
			t.Errorf("computed check digits for %s: %v", grob, err)
		}
	}
}
