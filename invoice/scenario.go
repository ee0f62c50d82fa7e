package invoice

import (
	"github.com/eingang/eingang/invoice/internal/model"
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Specification identifiers (BT-24) the XRechnung configuration knows.
const (
	SpecEN16931   = "urn:cen.eu:en16931:2017"
	SpecXRechnung = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
	SpecExtension = SpecXRechnung + "#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0"
	SpecCVD       = SpecXRechnung + "#compliant#urn:xeinkauf.de:kosit:xrechnung:cvd_0.9"
)

// docSyntax reports the document type's syntax.
func docSyntax(t DocType) syntax {
	switch t {
	case UBLInvoice, UBLCreditNote:
		return syntaxUBL
	case CIIInvoice:
		return syntaxCII
	}
	return 0
}

// docTypeOf returns the document type of a parsed document.
func docTypeOf(root *node) DocType { return model.TypeOf(root) }

// A scenario is one scenario of the XRechnung validator configuration: the
// document type and specification identifier it matches, the rule sets it
// runs and the severity overrides (customLevel) it applies.
type scenario struct {
	Name      string
	Doc       DocType
	Spec      string
	XRechnung bool // runs the XRechnung rules besides EN 16931
	// ByText is how the configuration's match reads BT-24: by its text
	// nodes (cbc:CustomizationID/text() = '...', the CreditNote, CII and
	// plain EN 16931 scenarios) or, where false, by the element's string
	// value (cbc:CustomizationID[. = '...'], the XRechnung UBL Invoice
	// scenarios). A comment inside the identifier divides its text nodes
	// and so matches only by string value.
	ByText bool
	Levels map[string]Level
}

// scenarios of the XRechnung configuration, release 2026-01-31.
func scenarios() []scenario {
	ubl := map[string]Level{"BR-CL-23": LevelWarning, "BR-CL-21": LevelWarning, "UBL-CR-646": LevelError}
	ublCN := map[string]Level{"BR-CL-23": LevelWarning, "BR-CL-21": LevelWarning}
	cvd := func(m map[string]Level) map[string]Level {
		out := map[string]Level{"BR-CL-13": LevelInfo}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	ublExt := map[string]Level{"BR-CL-23": LevelWarning}
	ciiExt := map[string]Level{"BR-CL-23": LevelWarning, "CII-SR-452": LevelError, "CII-SR-453": LevelError, "CII-SR-454": LevelError}
	for _, id := range []string{"BR-CL-10", "BR-CL-11", "BR-CL-21", "BR-CL-24", "BR-CL-25", "BR-CL-26"} {
		ublExt[id] = LevelInfo
		ciiExt[id] = LevelInfo
	}
	for _, id := range []string{"BR-CO-16", "UBL-CR-470", "UBL-CR-646"} {
		ublExt[id] = LevelInfo
	}
	cii := map[string]Level{"BR-CL-23": LevelWarning, "BR-CL-21": LevelWarning, "CII-SR-452": LevelError, "CII-SR-453": LevelError, "CII-SR-454": LevelError}
	list := []scenario{
		{Name: "EN16931 XRechnung (UBL Invoice)", Doc: UBLInvoice, Spec: SpecXRechnung, XRechnung: true, Levels: ubl},
		{Name: "EN16931 XRechnung (UBL CreditNote)", Doc: UBLCreditNote, Spec: SpecXRechnung, XRechnung: true, Levels: ublCN},
		{Name: "EN16931 XRechnung (CII)", Doc: CIIInvoice, Spec: SpecXRechnung, XRechnung: true, Levels: cii},
		{Name: "EN16931 XRechnung Extension (UBL Invoice)", Doc: UBLInvoice, Spec: SpecExtension, XRechnung: true, Levels: ublExt},
		{Name: "EN16931 XRechnung Extension (CII)", Doc: CIIInvoice, Spec: SpecExtension, XRechnung: true, Levels: ciiExt},
		{Name: "EN16931 XRechnung CVD (UBL Invoice)", Doc: UBLInvoice, Spec: SpecCVD, XRechnung: true, Levels: cvd(ubl)},
		{Name: "EN16931 XRechnung CVD (UBL CreditNote)", Doc: UBLCreditNote, Spec: SpecCVD, XRechnung: true, Levels: cvd(ublCN)},
		{Name: "EN16931 XRechnung CVD (CII)", Doc: CIIInvoice, Spec: SpecCVD, XRechnung: true, Levels: cvd(cii)},
		{Name: "EN16931 (UBL Invoice)", Doc: UBLInvoice, Spec: SpecEN16931},
		{Name: "EN16931 (UBL CreditNote)", Doc: UBLCreditNote, Spec: SpecEN16931},
		{Name: "EN16931 (CII)", Doc: CIIInvoice, Spec: SpecEN16931},
	}
	for i := range list {
		list[i].ByText = !(list[i].Doc == UBLInvoice && list[i].XRechnung)
	}
	return list
}

// specElems returns the elements that carry the document's specification
// identifier (BT-24).
func specElems(root *node, t DocType) []*node {
	switch t {
	case UBLInvoice, UBLCreditNote:
		return root.All("cbc:CustomizationID")
	case CIIInvoice:
		return root.All("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
	}
	return nil
}

// selectScenario returns the one scenario that matches, or nil where none
// or more than one does (the configuration's fallback then rejects).
func selectScenario(list []scenario, root *node, t DocType) *scenario {
	elems := specElems(root, t)
	var found *scenario
	for i := range list {
		s := &list[i]
		if s.Doc != t || !s.matches(elems) {
			continue
		}
		if found != nil {
			return nil
		}
		found = s
	}
	return found
}

// matches is the scenario's match on the BT-24 elements.
func (s *scenario) matches(elems []*node) bool {
	if s.ByText {
		return xmltree.AnyTextEq(elems, s.Spec)
	}
	for _, e := range elems {
		if e.Value() == s.Spec {
			return true
		}
	}
	return false
}
