package xmltree

import "strings"

// The lexical spaces of the XML Schema simple types the structure check
// and XPath casts read.

// ValidDate reports whether v is an xs:date: a year of four or more digits
// (no leading zero beyond four, not 0000), month, day of that month, and an
// optional time zone (see stripZone).
func ValidDate(v string) bool {
	return ValidDateOnly(stripZone(v))
}

// ValidDateOnly is ValidDate without a time zone, as the date part of an
// xs:dateTime.
func ValidDateOnly(v string) bool { return validYMD(v, false) }

// validYMD checks a date without time zone; yearZero allows the year 0000
// (XSD 1.1 and XPath's casts, which the reference's Saxon follows, allow
// it as the year before 0001, a leap year; XSD 1.0, which the reference's
// schema validation follows, does not).
func validYMD(v string, yearZero bool) bool {
	v = strings.TrimPrefix(v, "-")
	i := strings.IndexByte(v, '-')
	if i < 4 || len(v) != i+6 || v[i+3] != '-' || !digits(v[:i]) || !digits(v[i+1:i+3]) || !digits(v[i+4:]) {
		return false
	}
	if i > 4 {
		return v[0] != '0' // beyond year 9999: lexically valid
	}
	y, m, d := atoi2(v[:2])*100+atoi2(v[2:4]), atoi2(v[i+1:]), atoi2(v[i+4:])
	if y == 0 && !yearZero || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// ValidTime reports whether v is an xs:time: hh:mm:ss, optional fraction,
// optional time zone.
func ValidTime(v string) bool {
	v = stripZone(v)
	if len(v) < 8 || v[2] != ':' || v[5] != ':' || !digits(v[:2]) || !digits(v[3:5]) || !digits(v[6:8]) {
		return false
	}
	if frac := v[8:]; frac != "" && (frac[0] != '.' || !digits(frac[1:])) {
		return false
	}
	h, mi, s := atoi2(v[:2]), atoi2(v[3:5]), atoi2(v[6:8])
	return (h < 24 && mi < 60 && s < 60) || (h == 24 && mi == 0 && s == 0)
}

// stripZone removes a trailing time zone (Z or ±hh:mm, at most 14:00 either
// way); a malformed zone, or one out of that range such as +15:00, is left
// for the caller to refuse.
func stripZone(v string) string {
	if strings.HasSuffix(v, "Z") {
		return v[:len(v)-1]
	}
	if n := len(v); n >= 6 && (v[n-6] == '+' || v[n-6] == '-') && v[n-3] == ':' && digits(v[n-5:n-3]) && digits(v[n-2:]) {
		if h, m := atoi2(v[n-5:n-3]), atoi2(v[n-2:]); h < 14 && m < 60 || h == 14 && m == 0 {
			return v[:n-6]
		}
	}
	return v
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsIntegerLexical reports whether s is an xs:integer: optional sign, digits.
func IsIntegerLexical(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return digits(s)
}

// ValidBase64 reports whether v, white space removed, is canonical-length
// base64: alphabet characters in quanta of four, at most two '=' and only at
// the end.
func ValidBase64(v string) bool {
	n := 0 // alphabet characters
	i := 0
	// Sixteen characters at a time while they are alphabet characters and
	// white space (an attachment's lines).
	for ; i+16 <= len(v); i += 16 {
		w := v[i : i+16] // one bounds check for the sixteen
		c := base64Count[w[0]] + base64Count[w[1]] + base64Count[w[2]] + base64Count[w[3]] +
			base64Count[w[4]] + base64Count[w[5]] + base64Count[w[6]] + base64Count[w[7]] +
			base64Count[w[8]] + base64Count[w[9]] + base64Count[w[10]] + base64Count[w[11]] +
			base64Count[w[12]] + base64Count[w[13]] + base64Count[w[14]] + base64Count[w[15]]
		if c >= b64Other {
			break
		}
		n += int(c)
	}
	for ; i < len(v); i++ {
		switch base64Class[v[i]] {
		case b64Data:
			n++
		case b64Space:
		case b64Pad:
			// Only padding and white space may follow.
			pad := 0
			for ; i < len(v); i++ {
				switch base64Class[v[i]] {
				case b64Pad:
					pad++
				case b64Space:
				default:
					return false
				}
			}
			return (n+pad)%4 == 0 && pad <= 2
		default:
			return false
		}
	}
	return n%4 == 0
}

// b64Other is base64Count's count of a byte other than an alphabet
// character or white space: a sum of sixteen counts below it is the number
// of alphabet characters among them.
const b64Other = 0x100

// base64Count counts every byte for ValidBase64: 1 for an alphabet
// character, 0 for white space, b64Other for others. It is never written
// after initialisation.
var base64Count = func() (t [256]uint16) {
	for c := range t {
		switch base64Class[c] {
		case b64Data:
			t[c] = 1
		case b64Space:
		default:
			t[c] = b64Other
		}
	}
	return t
}()

// Classes of bytes for ValidBase64, bits to be or-ed.
const (
	b64Data = 1 << iota
	b64Space
	b64Pad
	b64Invalid
)

// base64Class classifies every byte for ValidBase64. It is never written
// after initialisation.
var base64Class = func() (t [256]byte) {
	for c := range t {
		t[c] = b64Invalid
	}
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = b64Data
	}
	for _, c := range " \t\r\n" {
		t[c] = b64Space
	}
	t['='] = b64Pad
	return t
}()

func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
