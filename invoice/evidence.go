package invoice

import (
	"math/big"
	"strings"
	"sync"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Evidence is what a finding rests on: the value the document has, the
// value the rule expected there, how that value follows from others, and
// the fields the rule read. The rule table knows nothing of it: the
// explanations below and in evidence_*.go are kept apart from the checks,
// keyed by rule id, and run only for a rule that fired, so an accepted
// document never pays for them.
type Evidence struct {
	// Actual is the value the document has where the rule looked, as the
	// document writes it ("" where it has none).
	Actual string `json:"actual,omitempty"`
	// Expected is the value the rule expected, or what it accepts
	// ("one of …", "at most two decimal places").
	Expected string `json:"expected,omitempty"`
	// Calculation says how Expected follows from the fields, in numbers:
	// "629.72 × 7 % = 44.08".
	Calculation string `json:"calculation,omitempty"`
	// Fields are the values the rule read, each where the document has it.
	Fields []Field `json:"fields,omitempty"`

	// expectedDE and calculationDE replace Expected and Calculation in
	// the German sentence where they are words; numeric values are
	// written with a decimal comma there.
	expectedDE, calculationDE string
	numeric                   bool
}

// A Field is one value a rule read: its business term, where the document
// has it and what it says.
type Field struct {
	// BT is the EN 16931 business term (BT-116), where the field is one.
	BT string `json:"bt,omitempty"`
	// Path locates the element, with an index wherever a step repeats.
	Path  string `json:"path"`
	Value string `json:"value"`
	Line  int    `json:"line,omitempty"`
}

// An explainer computes the evidence of a rule that fired on n, or nil
// where it has nothing to add.
type explainer func(n *node) *Evidence

// explainers returns the explanations by syntax and rule id; they are
// built at the first finding, not at start (a tenth of a command's
// start-up), and only read.
var explainers = sync.OnceValue(func() map[syntax]map[string]explainer {
	m := map[syntax]map[string]explainer{syntaxUBL: {}, syntaxCII: {}}
	for _, t := range []struct {
		s     syntax
		table map[string]explainer
	}{
		{syntaxUBL, brcoUBLEvidence()}, {syntaxCII, brcoCIIEvidence()},
		{syntaxUBL, brUBLEvidence()}, {syntaxCII, brCIIEvidence()},
		{syntaxUBL, vatUBLEvidence()}, {syntaxCII, vatCIIEvidence()},
		{syntaxUBL, codesUBLEvidence()}, {syntaxCII, codesCIIEvidence()},
		{syntaxUBL, syntaxUBLEvidence()}, {syntaxCII, syntaxCIIEvidence()},
		{syntaxUBL, xrUBLEvidence()}, {syntaxCII, xrCIIEvidence()},
	} {
		for id, e := range t.table {
			if _, dup := m[t.s][id]; dup {
				panic("invoice: two explanations of " + t.s.String() + " " + id)
			}
			m[t.s][id] = e
		}
	}
	return m
})

// explain completes the finding of rule r on n: its line and column, and
// the evidence, with the values appended to both messages.
func explain(f *Finding, r *rule, n *node) {
	f.Line, f.Column = n.Line(), n.Col()
	e := explainers()[r.Syntax()][r.ID]
	if e == nil {
		return
	}
	ev := e(n)
	// The helpers an explanation shares with the rule's test cast as the
	// test does and may raise again: the test's error is reported already.
	n.TakeError()
	if ev == nil {
		return
	}
	f.attach(ev)
}

// attach sets the finding's evidence and appends its sentence to both
// messages.
func (f *Finding) attach(ev *Evidence) {
	f.Evidence = ev
	if en := ev.sentence(false); en != "" {
		f.Message = addSentence(f.Message, en)
		if f.MessageDE != "" {
			f.MessageDE = addSentence(f.MessageDE, ev.sentence(true))
		}
	}
}

// addSentence appends sentence s to message m, ending m with a full stop
// first, in one concatenation.
func addSentence(m, s string) string {
	m = strings.TrimSpace(m)
	switch {
	case m == "":
		return s
	case strings.HasSuffix(m, "."):
		return m + " " + s
	}
	return m + ". " + s
}

// sentence writes the evidence as one sentence, in English or German:
// "Found: 43.07; expected: 44.08 (629.72 × 7 % = 44.08)."
func (e *Evidence) sentence(de bool) string {
	actual, expected, calc := e.Actual, e.Expected, e.Calculation
	found, want, none := "Found: ", "expected: ", "nothing"
	if de {
		found, want, none = "Vorhanden: ", "erwartet: ", "nichts"
		if e.expectedDE != "" {
			expected = e.expectedDE
		}
		if e.calculationDE != "" {
			calc = e.calculationDE
		}
		if e.numeric {
			actual, expected, calc = decimalComma(actual), decimalComma(expected), decimalComma(calc)
		}
	}
	var b strings.Builder
	switch {
	case actual != "":
		b.WriteString(found + quoteValue(actual, e.numeric, de))
	case expected != "":
		b.WriteString(found + none)
	}
	if expected != "" {
		b.WriteString("; " + want + expected)
	}
	if calc != "" {
		if b.Len() == 0 {
			b.WriteString(strings.ToUpper(calc[:1]) + calc[1:])
		} else {
			b.WriteString(" (" + calc + ")")
		}
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteString(".")
	return b.String()
}

// quoteValue quotes a value that is not a number, so that spaces and
// empty values show, with English or German quotation marks.
func quoteValue(v string, numeric, de bool) string {
	switch {
	case numeric:
		return v
	case de:
		return "„" + v + "“"
	}
	return "“" + v + "”"
}

// decimalComma writes the decimal points of the numbers in s as commas, as
// German does.
func decimalComma(s string) string {
	b := []byte(s)
	for i := 1; i+1 < len(b); i++ {
		if b[i] == '.' && isDigit(b[i-1]) && isDigit(b[i+1]) {
			b[i] = ','
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// field returns the field of the first element path selects from n (a
// path ending in @name gives that attribute's value), or nil.
func field(n *node, path, bt string) *Field {
	e := n.First(path)
	if e == nil {
		return nil
	}
	v := e.Value()
	if _, attr := xmltree.SplitAttr(path); attr != "" {
		v, _ = e.Attr(attr)
	}
	return &Field{BT: bt, Path: fieldPath(e, path), Value: v, Line: e.Line()}
}

// fieldPath is e's location, with the attribute a path ends in.
func fieldPath(e *node, path string) string {
	if _, attr := xmltree.SplitAttr(path); attr != "" {
		return e.Path() + "/@" + attr
	}
	return e.Path()
}

// fieldsOf lists the fields of the first element of each path (pairs of
// path and business term), leaving out those the document lacks.
func fieldsOf(n *node, pathsAndBTs ...string) []Field {
	var out []Field
	for i := 0; i+1 < len(pathsAndBTs); i += 2 {
		if f := field(n, pathsAndBTs[i], pathsAndBTs[i+1]); f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// allFields lists a field for every element path selects from n.
func allFields(n *node, path, bt string) []Field {
	var out []Field
	for _, e := range n.All(path) {
		v := e.Value()
		if len(e.Children) > 0 { // a group: its text in short
			v = truncate(xmltree.NormSpace(v))
		}
		if _, attr := xmltree.SplitAttr(path); attr != "" {
			v, _ = e.Attr(attr)
		}
		out = append(out, Field{BT: bt, Path: fieldPath(e, path), Value: v, Line: e.Line()})
	}
	return out
}

// money writes a decimal with two fraction digits.
func money(r *big.Rat) string { return r.FloatString(2) }

// ratString writes a decimal exactly, without trailing zeros.
func ratString(r *big.Rat) string {
	s := r.FloatString(10)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// valueOf is the evidence of a rule about n's own value (or the attribute
// attr's, where attr is set): the value and what was expected, in English
// and German.
func valueOf(n *node, attr, bt, expected, expectedDE string) *Evidence {
	v, path := n.Value(), n.Path()
	if attr != "" {
		v, _ = n.Attr(attr)
		path += "/@" + attr
	}
	return &Evidence{Actual: v, Expected: expected, expectedDE: expectedDE,
		Fields: []Field{{BT: bt, Path: path, Value: v, Line: n.Line()}}}
}
