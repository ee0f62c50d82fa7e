// Package leitweg parses and checks Leitweg-IDs, the routing addresses of
// German public buyers (XRechnung BT-10, PEPPOL scheme 0204).
//
// A Leitweg-ID is Grobadressierung (2 to 12 digits), an optional
// Feinadressierung (up to 30 letters or digits), and two check digits, joined
// by hyphens: 16071103-0001-17. The check digits follow ISO 7064 MOD 97-10
// over the whole number without hyphens, letters counting A=10 … Z=35: it is
// valid when that number modulo 97 is 1.
package leitweg

import (
	"errors"
	"fmt"
	"strings"
)

// An ID is a parsed, checked Leitweg-ID.
type ID struct {
	Grob  string // Grobadressierung: 2-12 digits
	Fein  string // Feinadressierung: up to 30 letters/digits, upper case; may be empty
	Check string // the two check digits
}

// String formats the ID canonically, e.g. 16071103-0001-17.
func (id ID) String() string {
	if id.Fein == "" {
		return id.Grob + "-" + id.Check
	}
	return id.Grob + "-" + id.Fein + "-" + id.Check
}

// Errors Parse returns, wrapped with detail.
var (
	ErrMissing     = errors.New("no Leitweg-ID")
	ErrMalformed   = errors.New("malformed Leitweg-ID")
	ErrCheckDigits = errors.New("wrong check digits")
)

// Parse reads and checks a Leitweg-ID. Surrounding white space is ignored;
// letters in the Feinadressierung may be written in either case.
func Parse(s string) (ID, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ID{}, ErrMissing
	}
	parts := strings.Split(s, "-")
	var id ID
	switch len(parts) {
	case 2:
		id = ID{Grob: parts[0], Check: parts[1]}
	case 3:
		id = ID{Grob: parts[0], Fein: strings.ToUpper(parts[1]), Check: parts[2]}
		if id.Fein == "" {
			return ID{}, fmt.Errorf("%w %q: empty Feinadressierung", ErrMalformed, s)
		}
	default:
		return ID{}, fmt.Errorf("%w %q: expected Grobadressierung-[Feinadressierung-]Prüfziffer", ErrMalformed, s)
	}
	if n := len(id.Grob); n < 2 || n > 12 || !allDigits(id.Grob) {
		return ID{}, fmt.Errorf("%w %q: the Grobadressierung must have 2 to 12 digits", ErrMalformed, s)
	}
	if len(id.Fein) > 30 || !alnum(id.Fein) {
		return ID{}, fmt.Errorf("%w %q: the Feinadressierung must have at most 30 letters or digits", ErrMalformed, s)
	}
	if len(id.Check) != 2 || !allDigits(id.Check) {
		return ID{}, fmt.Errorf("%w %q: the check digits must be two digits", ErrMalformed, s)
	}
	if mod97(id.Grob+id.Fein+id.Check) != 1 {
		return ID{}, fmt.Errorf("%w in %q: expected %s", ErrCheckDigits, s, CheckDigits(id.Grob+id.Fein))
	}
	return id, nil
}

// CheckDigits computes the two check digits for Grobadressierung and
// Feinadressierung written together without hyphens.
func CheckDigits(body string) string {
	r := 98 - mod97(strings.ToUpper(body)+"00")
	return fmt.Sprintf("%02d", r)
}

// mod97 computes the number formed by s (letters A=10 … Z=35) modulo 97.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A'+10)) % 97
		}
	}
	return r
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
