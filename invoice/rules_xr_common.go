package invoice

import (
	"math/big"
	"regexp"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Values the XRechnung rules of both syntaxes share (XRechnung Schematron
// 2.5.0, common definitions). Code lists are written as the rules test them:
// contains(list, concat(' ', code, ' ')), so the spaces at the ends matter.
const (
	xrDIGACodes = " XR01 XR02 XR03 "
	xrICDCodes  = " 0002 0003 0004 0005 0006 0007 0008 0009 0010 0011 0012 0013 0014 0015 0016 0017 0018 0019 0020 0021 0022 0023 0024 0025 0026 0027 0028 0029 0030 0031 0032 0033 0034 0035 0036 0037 0038 0039 0040 0041 0042 0043 0044 0045 0046 0047 0048 0049 0050 0051 0052 0053 0054 0055 0056 0057 0058 0059 0060 0061 0062 0063 0064 0065 0066 0067 0068 0069 0070 0071 0072 0073 0074 0075 0076 0077 0078 0079 0080 0081 0082 0083 0084 0085 0086 0087 0088 0089 0090 0091 0093 0094 0095 0096 0097 0098 0099 0100 0101 0102 0104 0105 0106 0107 0108 0109 0110 0111 0112 0113 0114 0115 0116 0117 0118 0119 0120 0121 0122 0123 0124 0125 0126 0127 0128 0129 0130 0131 0132 0133 0134 0135 0136 0137 0138 0139 0140 0141 0142 0143 0144 0145 0146 0147 0148 0149 0150 0151 0152 0153 0154 0155 0156 0157 0158 0159 0160 0161 0162 0163 0164 0165 0166 0167 0168 0169 0170 0171 0172 0173 0174 0175 0176 0177 0178 0179 0180 0183 0184 0185 0186 0187 0188 0189 0190 0191 0192 0193 0194 0195 0196 0197 0198 0199 0200 0201 0202 0203 0204 0205 0206 0207 0208 0209 0210 0211 0212 0213 0214 0215 0216 0217 0218 0219 0220 0221 0222 0223 0224 0225 0226 0227 0228 0229 0230 0231 0232 0233 0234 0235 0236 0237 0238 0239 0240 0241 0242 0243 0244"
	// xrICDExtCodes: the ICD list plus the XRechnung extension's own codes.
	xrICDExtCodes = xrDIGACodes + xrICDCodes
	xrEASCodes    = " 0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177 0183 0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205 0208 0209 0210 0211 0212 0213 0215 0216 0217 0218 0219 0220 0221 0225 0230 0235 0240 0244 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 AN AQ AS AU EM "
	xrEASExtCodes = xrDIGACodes + xrEASCodes
	// xr7143CVDCodes: UNTDID 7143 item type identification codes plus CVD.
	xr7143CVDCodes = " CVD " + " AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY AZ BA BB BC BD BE BF BG BH BI BJ BK BL BM BN BO BP BQ BR BS BT BU BV BW BX BY BZ CC CG CL CR CV DR DW EC EF EMD EN FS GB GN GMN GS HS IB IN IS IT IZ MA MF MN MP NB ON PD PL PO PPI PV QS RC RN RU RY SA SG SK SN SRS SRT SRU SRV SRW SRX SRY SRZ SS SSA SSB SSC SSD SSE SSF SSG SSH SSI SSJ SSK SSL SSM SSN SSO SSP SSQ SSR SSS SST SSU SSV SSW SSX SSY SSZ ST STA STB STC STD STE STF STG STH STI STJ STK STL STM STN STO STP STQ STR STS STT STU STV STW STX STY STZ SUA SUB SUC SUD SUE SUF SUG SUH SUI SUJ SUK SUL SUM TG TSN TSO TSP TSQ TSR TSS TST TSU UA UP VN VP VS VX ZZZ "
)

// xrVehicleCategories and xrCVACodes are the clean vehicles directive's
// vehicle categories and clean vehicle attribute values.
var (
	xrVehicleCategories = []string{"M1", "M2", "M3", "N1", "N2", "N3"}
	xrCVACodes          = []string{"clean", "zero-emission", "other"}
	xrVATCodes          = []string{"S", "Z", "E", "AE", "K", "G", "L", "M"}
	xrTypeCodes         = []string{"326", "380", "384", "389", "381", "875", "876", "877"}
)

// Regular expressions of the XRechnung rules, in Go syntax. XPath's '.'
// matches neither CR nor LF, hence [^\n\r].
var (
	xrSkontoLine = regexp.MustCompile(`(^|\r?\n)#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$`)
	xrEmail      = regexp.MustCompile(`^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$`)
	xrURL        = regexp.MustCompile(`^([a-zA-Z])([a-zA-Z0-9+.-])+:[^\n\r]*`)
	xrIBANShape  = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$`)
	xrNewline    = regexp.MustCompile(`\r?\n`)
	xrHashes     = regexp.MustCompile(`#[^\n\r]+#`)
	xrLeadNL     = regexp.MustCompile(`^\s*\n`)
)

// xrSkontoOK is BR-DE-18 on the payment terms notes: every line that starts
// with '#' must be a well-formed Skonto line, and the text after the last
// #…# segment must start with a line break.
func xrSkontoOK(notes []string) bool {
	var lines []string
	for _, note := range notes {
		if note == "" {
			continue
		}
		for _, l := range xrNewline.Split(note, -1) {
			if strings.HasPrefix(xmltree.NormSpace(l), "#") {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return true
	}
	// The second condition reads one note; several would be a type error
	// in the reference.
	tail := ""
	if len(notes) > 0 && notes[0] != "" {
		parts := xrHashes.Split(notes[0], -1)
		tail = parts[len(parts)-1]
	}
	tailOK := xrLeadNL.MatchString(tail)
	for _, l := range lines {
		if !xrSkontoLine.MatchString(xmltree.NormSpace(l)) || !tailOK {
			return false
		}
	}
	return true
}

// xrIBANOK is the IBAN test of BR-DE-19/20: white space removed, the shape
// of an IBAN, and the ISO 13616 check (letters by code point - 55, digits
// by code point - 48, modulo 97 is 1), as the reference computes it.
func xrIBANOK(id string) bool {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '\f' {
			return -1
		}
		return r
	}, id)
	s = xmltree.NormSpace(s)
	if !xrIBANShape.MatchString(s) {
		return false
	}
	// The shape leaves ASCII letters and digits only. Each character
	// stands for its code point minus 55 (letters) or 48 (digits), written
	// in decimal; the number those digits make must be 1 modulo 97, taken
	// here digit group by digit group.
	rearranged := s[4:] + strings.ToUpper(s[0:2]) + s[2:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		v := int(rearranged[i]) - 48
		if rearranged[i] > 64 {
			v = int(rearranged[i]) - 55
		}
		if v < 10 {
			rem = (rem*10 + v) % 97
		} else {
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}

// xrTelephoneOK is matches(normalize-space(tel), '.*([0-9].*){3,}.*'):
// at least three digits.
func xrTelephoneOK(tel string) bool {
	n := 0
	for i := 0; i < len(tel); i++ {
		if tel[i] >= '0' && tel[i] <= '9' {
			n++
		}
	}
	return n >= 3
}

// xrSchemeIn is the reference's scheme test: the normalized scheme has no
// space and stands in the list.
func xrSchemeIn(scheme, list string) bool {
	s := xmltree.NormSpace(scheme)
	return !strings.Contains(s, " ") && strings.Contains(list, " "+s+" ")
}

// xrSchemeAttrIn is xrSchemeIn of the context node's attribute attr.
func xrSchemeAttrIn(attr, list string) func(n *node) bool {
	return func(n *node) bool { s, _ := n.Attr(attr); return xrSchemeIn(s, list) }
}

// xrNonBlank is xrHasNonBlank of the context node and path.
func xrNonBlank(path string) func(n *node) bool {
	return func(n *node) bool { return xrHasNonBlank(n, path) }
}

// xrHasNonBlank reports whether some element the path selects has a value
// that is not blank (path[boolean(normalize-space(.))]).
func xrHasNonBlank(n *node, path string) bool {
	for _, v := range n.Strs(path) {
		if !xmltree.Blank(v) {
			return true
		}
	}
	return false
}

// xrDecOrZero is "if (exists(x)) then xs:decimal(x) else 0"; where x is no
// decimal (or given twice) the cast raises on n and ok is false.
func xrDecOrZero(n *node, path string) (*big.Rat, bool) {
	values := n.Strs(path)
	if len(values) == 0 {
		return new(big.Rat), true
	}
	return xmltree.CastDecimal(n, values)
}

// xrTextIs is path/text() = want (see anyTextEq).
func xrTextIs(n *node, path, want string) bool { return xmltree.AnyTextEq(n.All(path), want) }
