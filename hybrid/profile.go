package hybrid

import "strings"

// Profile names returned in [Result.Profile], after the ZUGFeRD 2.x /
// Factur-X 1.0 guidelines.
const (
	ProfileMinimum   = "MINIMUM"
	ProfileBasicWL   = "BASIC WL"
	ProfileBasic     = "BASIC"
	ProfileEN16931   = "EN 16931"
	ProfileExtended  = "EXTENDED"
	ProfileXRechnung = "XRECHNUNG"
)

// guidelines maps the guideline ids of ZUGFeRD 2.x / Factur-X 1.0
// (the CII GuidelineSpecifiedDocumentContextParameter, BT-24) to their
// profile. The urn:zugferd.de:2p0 ids are those of ZUGFeRD 2.0, the
// urn:factur-x.eu:1p0 ids those of Factur-X 1.0 and ZUGFeRD 2.1 and later.
var guidelines = map[string]string{
	"urn:factur-x.eu:1p0:minimum":                                     ProfileMinimum,
	"urn:zugferd.de:2p0:minimum":                                      ProfileMinimum,
	"urn:factur-x.eu:1p0:basicwl":                                     ProfileBasicWL,
	"urn:zugferd.de:2p0:basicwl":                                      ProfileBasicWL,
	"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic":     ProfileBasic,
	"urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic":      ProfileBasic,
	"urn:cen.eu:en16931:2017":                                         ProfileEN16931,
	"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended": ProfileExtended,
	"urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended":  ProfileExtended,
}

// xrechnungPrefixes start the BT-24 of every XRechnung CIUS version,
// extension ids included: urn:xeinkauf.de (XRechnung 3.0 and later) and
// urn:xoev-de (XRechnung 2.x).
var xrechnungPrefixes = [...]string{
	"urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_",
	"urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_",
}

// ProfileOf returns the ZUGFeRD / Factur-X profile of the guideline id
// (BT-24), or "" for an id that is no such profile.
func ProfileOf(guideline string) string {
	g := strings.TrimSpace(guideline)
	if p, ok := guidelines[g]; ok {
		return p
	}
	for _, x := range xrechnungPrefixes {
		if strings.HasPrefix(g, x) {
			return ProfileXRechnung
		}
	}
	return ""
}

// profileProblems explains, in English and German, why an invoice of the
// profile is not accepted and what to send instead.
var profileProblems = map[string][2]string{
	ProfileMinimum: {
		"ZUGFeRD profile MINIMUM is not an EN 16931 invoice: it carries only the header and totals, no invoice lines, no seller and buyer addresses and no VAT breakdown, it is only a booking aid; send the profile EN 16931 or XRECHNUNG",
		"Das ZUGFeRD-Profil MINIMUM ist keine Rechnung nach EN 16931: es enthält nur Kopfdaten und Summen, keine Rechnungspositionen, keine Anschriften von Verkäufer und Käufer und keine Umsatzsteueraufschlüsselung, es ist nur eine Buchungshilfe; senden Sie das Profil EN 16931 oder XRECHNUNG",
	},
	ProfileBasicWL: {
		"ZUGFeRD profile BASIC WL is not an EN 16931 invoice: it lacks the invoice lines (BG-25), the legally binding content is only in the PDF; send the profile EN 16931 or XRECHNUNG",
		"Das ZUGFeRD-Profil BASIC WL ist keine Rechnung nach EN 16931: ihm fehlen die Rechnungspositionen (BG-25), der rechtlich maßgebliche Inhalt steht nur im PDF; senden Sie das Profil EN 16931 oder XRECHNUNG",
	},
	ProfileBasic: {
		"ZUGFeRD profile BASIC is not an EN 16931 invoice: it is a subset that lacks parts of the invoice lines' details (item attributes, line allowances and charges, line period) and other EN 16931 elements; send the profile EN 16931 or XRECHNUNG",
		"Das ZUGFeRD-Profil BASIC ist keine Rechnung nach EN 16931: es ist eine Teilmenge, der Teile der Positionsangaben (Artikelmerkmale, Zu- und Abschläge der Positionen, Leistungszeitraum der Position) und weitere Elemente der EN 16931 fehlen; senden Sie das Profil EN 16931 oder XRECHNUNG",
	},
	ProfileExtended: {
		"ZUGFeRD profile EXTENDED is only conformant, not compliant, to EN 16931: it adds elements outside the standard that a public-sector recipient need not process; send the profile EN 16931 or XRECHNUNG",
		"Das ZUGFeRD-Profil EXTENDED ist zur EN 16931 nur konform (conformant), nicht kompatibel (compliant): es fügt Elemente außerhalb der Norm hinzu, die ein öffentlicher Auftraggeber nicht verarbeiten muss; senden Sie das Profil EN 16931 oder XRECHNUNG",
	},
}

// ProfileProblem returns an Error with code "profile" explaining why an
// invoice with the guideline id (BT-24) of a ZUGFeRD / Factur-X profile
// MINIMUM, BASIC WL, BASIC or EXTENDED is not accepted. It returns nil
// for EN 16931, XRECHNUNG and every id that is no such profile: those are
// left to the validator's scenarios.
func ProfileProblem(guideline string) *Error {
	m, ok := profileProblems[ProfileOf(guideline)]
	if !ok {
		return nil
	}
	return &Error{Code: CodeProfile, Message: m[0], MessageDE: m[1]}
}
