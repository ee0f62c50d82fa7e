package invoice

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/eingang/eingang/schemas"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Structure validation: what XML Schema validation against UBL 2.1 / CII
// D16B checks, against the tables of package schemas. Content models are
// matched greedily, which is exact for these schemas (XML Schema's unique
// particle attribution makes them deterministic).

const maxStructureFindings = 100

type structureCheck struct {
	s        *schemas.Structure
	findings []Finding
}

func (c *structureCheck) add(n *node, en, de string) {
	if len(c.findings) >= maxStructureFindings {
		return
	}
	c.findings = append(c.findings, Finding{Rule: "XSD", Level: LevelError, Location: n.Path(),
		Line: n.Line(), Column: n.Col(), Message: en, MessageDE: de})
}

// addExpected adds a finding on n with the evidence that found stands
// where the content model of parent expected one of the names.
func (c *structureCheck) addExpected(n *node, en, de, found string, names []string) {
	if len(c.findings) >= maxStructureFindings {
		return
	}
	c.add(n, en, de)
	ev := &Evidence{Actual: found, Expected: "no further element", expectedDE: "kein weiteres Element"}
	switch {
	case len(names) == 1:
		ev.Expected, ev.expectedDE = names[0], names[0]
	case len(names) > 1:
		list := strings.Join(names, ", ")
		ev.Expected, ev.expectedDE = "one of "+list, "eines von "+list
	}
	c.findings[len(c.findings)-1].attach(ev)
}

// maxExpected bounds the names a structure finding lists as expected.
const maxExpected = 12

// expected returns the names of the elements the content model p accepts
// at child position pos of kids, as the matcher tries them: what XML
// Schema validators report as "One of … is expected". It runs only for a
// finding.
func (c *structureCheck) expected(p *schemas.Particle, kids []*node, pos int) []string {
	t := &triedNames{at: pos}
	m := matcher{c: c, kids: kids, types: make([]int, len(kids)), tried: t}
	m.match(p, 0)
	if len(t.names) > maxExpected {
		t.names = append(t.names[:maxExpected], "…")
	}
	return t.names
}

// validateStructure checks the document against the structure of its syntax.
func validateStructure(root *node, t DocType) []Finding {
	c := &structureCheck{}
	switch docSyntax(t) {
	case syntaxUBL:
		c.s = schemas.UBL()
	case syntaxCII:
		c.s = schemas.CII()
	default:
		return nil
	}
	ti, ok := c.s.Elements[schemas.QName{Space: root.Space, Local: root.Local}]
	if !ok {
		c.add(root, "the root element is not declared by the schema", "das Wurzelelement ist im Schema nicht deklariert")
		return c.findings
	}
	c.element(root, ti)
	return c.findings
}

// element validates n against type ti.
func (c *structureCheck) element(n *node, ti int) {
	t := &c.s.Types[ti]
	c.attributes(n, t)
	if t.Simple >= 0 {
		if len(n.Children) > 0 {
			c.add(n, "the element must not contain child elements, only a value", "das Element darf keine Unterelemente enthalten, nur einen Wert")
			return
		}
		if msg, ok := c.simpleValue(&c.s.Simples[t.Simple], n.Text); !ok {
			c.add(n, fmt.Sprintf("the value %q is not valid: %s", truncate(n.Text), msg), fmt.Sprintf("der Wert %q ist ungültig: %s", truncate(n.Text), msg))
		}
		return
	}
	if !t.Mixed && n.HasText() {
		c.add(n, "the element must not contain text, only child elements", "das Element darf keinen Text enthalten, nur Unterelemente")
	}
	kids := n.Children
	types := make([]int, len(kids))
	for i := range types {
		types[i] = -2 // unmatched
	}
	end, ok := 0, true
	if t.Content != nil {
		m := matcher{c: c, kids: kids, types: types}
		end, ok = m.match(t.Content, 0)
		if m.furthest > end {
			end = m.furthest
		}
	}
	switch {
	case end < len(kids):
		k := kids[end]
		c.addExpected(k, fmt.Sprintf("the element %s is not expected here (wrong name, order or number of elements)", k.Name()),
			fmt.Sprintf("das Element %s ist an dieser Stelle nicht erwartet (falscher Name, falsche Reihenfolge oder Anzahl)", k.Name()),
			k.Name(), c.expected(t.Content, kids, end))
	case !ok:
		c.addExpected(n, fmt.Sprintf("the content of %s is incomplete: a required element is missing", n.Name()),
			fmt.Sprintf("der Inhalt von %s ist unvollständig: ein Pflichtelement fehlt", n.Name()),
			"", c.expected(t.Content, kids, end))
	}
	for i, k := range kids {
		switch {
		case types[i] >= 0:
			c.element(k, types[i])
		case types[i] == -1: // lax wildcard: validate what the schema declares
			if ti, ok := c.s.Elements[schemas.QName{Space: k.Space, Local: k.Local}]; ok {
				c.element(k, ti)
			}
		}
	}
}

// qualified writes a schema name with the prefix the project writes its
// namespace with.
func qualified(q schemas.QName) string {
	if p := xmltree.PrefixOf(q.Space); p != "" {
		return p + ":" + q.Local
	}
	return q.Local
}

func truncate(s string) string {
	// The first 60 characters, decoded as []rune(s) would, without
	// converting the whole value (a 30 MB attachment would cost 120 MB).
	var b strings.Builder
	i := 0
	for n := 0; n < 60 && i < len(s); n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r)
		i += size
	}
	if i == len(s) {
		return s
	}
	return b.String() + "…"
}

func (c *structureCheck) attributes(n *node, t *schemas.Type) {
	for _, a := range n.Attrs {
		if a.Space == xmltree.NSXSI {
			// xsi:type and xsi:schemaLocation are schema instructions.
			// xsi:nil, even "false", is refused on an element that is not
			// nillable (cvc-elt.3.1), and no element of the two schemas is
			// (the generator stops on one that is).
			if a.Local == "nil" {
				c.add(n, fmt.Sprintf("the attribute xsi:nil is not allowed on %s, which is not nillable", n.Name()),
					fmt.Sprintf("das Attribut xsi:nil ist an %s nicht erlaubt, das Element ist nicht nillable", n.Name()))
			}
			continue
		}
		var decl *schemas.Attribute
		for i := range t.Attrs {
			if t.Attrs[i].Name.Local == a.Local && t.Attrs[i].Name.Space == a.Space {
				decl = &t.Attrs[i]
				break
			}
		}
		if decl == nil {
			if !t.AnyAttr {
				c.add(n, fmt.Sprintf("the attribute %s is not allowed on %s", a.Local, n.Name()), fmt.Sprintf("das Attribut %s ist an %s nicht erlaubt", a.Local, n.Name()))
			}
			continue
		}
		s := &c.s.Simples[decl.Simple]
		if msg, ok := c.simpleValue(s, a.Value); !ok {
			c.add(n, fmt.Sprintf("the value %q of attribute %s is not valid: %s", truncate(a.Value), a.Local, msg),
				fmt.Sprintf("der Wert %q des Attributs %s ist ungültig: %s", truncate(a.Value), a.Local, msg))
		} else if decl.Fixed != nil && whitespace(s.Base, a.Value) != whitespace(s.Base, *decl.Fixed) {
			c.add(n, fmt.Sprintf("the attribute %s must have the value %q", a.Local, *decl.Fixed), fmt.Sprintf("das Attribut %s muss den Wert %q haben", a.Local, *decl.Fixed))
		}
	}
	for _, d := range t.Attrs {
		if d.Required && !hasAttrNS(n, d.Name) {
			c.add(n, fmt.Sprintf("the attribute %s is required on %s", d.Name.Local, n.Name()), fmt.Sprintf("das Attribut %s ist an %s Pflicht", d.Name.Local, n.Name()))
		}
	}
}

func hasAttrNS(n *node, q schemas.QName) bool {
	for _, a := range n.Attrs {
		if a.Local == q.Local && a.Space == q.Space {
			return true
		}
	}
	return false
}

// matcher matches child elements against a content model.
type matcher struct {
	c        *structureCheck
	kids     []*node
	types    []int // per child: type index, -1 lax wildcard, -3 skipped wildcard, -2 unmatched
	furthest int
	// tried, where not nil, collects the names tried at one child
	// position (see structureCheck.expected).
	tried *triedNames
}

// triedNames are the names a matcher tried at child position at.
type triedNames struct {
	at    int
	names []string
}

// add notes that the element name q was tried at position i.
func (t *triedNames) add(i int, q string) {
	if i != t.at {
		return
	}
	for _, n := range t.names {
		if n == q {
			return
		}
	}
	t.names = append(t.names, q)
}

func unbounded(p *schemas.Particle, n int) bool { return p.Max < 0 || n < p.Max }

// match matches p from position i; it returns the position after the match
// and whether p's minimum was met.
func (m *matcher) match(p *schemas.Particle, i int) (int, bool) {
	count := 0
	if p.Kind == schemas.PElement && m.tried == nil {
		// Most particles are elements: what the loop below does with
		// once, without a call per child.
		for unbounded(p, count) && i < len(m.kids) && m.kids[i].Local == p.Name.Local && m.kids[i].Space == p.Name.Space {
			m.types[i] = p.Type
			i++
			count++
		}
		if i > m.furthest {
			m.furthest = i
		}
		return i, count >= p.Min
	}
	for unbounded(p, count) {
		j, ok := m.once(p, i)
		if !ok || j == i {
			if ok && count < p.Min {
				count = p.Min // an empty match satisfies any number of repetitions
			}
			break
		}
		i = j
		count++
		if i > m.furthest {
			m.furthest = i
		}
	}
	return i, count >= p.Min
}

// once matches one occurrence of p at i.
func (m *matcher) once(p *schemas.Particle, i int) (int, bool) {
	switch p.Kind {
	case schemas.PElement:
		if i < len(m.kids) && m.kids[i].Local == p.Name.Local && m.kids[i].Space == p.Name.Space {
			m.types[i] = p.Type
			return i + 1, true
		}
		if m.tried != nil {
			m.tried.add(i, qualified(p.Name))
		}
		return i, false
	case schemas.PAny:
		if i < len(m.kids) {
			k := m.kids[i]
			if p.AnyOther == "" || k.Space != p.AnyOther && k.Space != "" {
				if p.Skip {
					m.types[i] = -3
				} else {
					m.types[i] = -1
				}
				return i + 1, true
			}
		}
		if m.tried != nil {
			m.tried.add(i, "any element")
		}
		return i, false
	case schemas.PSequence:
		for k := range p.Items {
			j, ok := m.match(&p.Items[k], i)
			if !ok {
				return i, false
			}
			i = j
		}
		return i, true
	case schemas.PChoice:
		emptyOK := false
		for k := range p.Items {
			j, ok := m.match(&p.Items[k], i)
			if ok && j > i {
				return j, true
			}
			if ok {
				emptyOK = true
			}
		}
		return i, emptyOK || len(p.Items) == 0
	}
	return i, false
}

// whitespace applies the XML Schema whiteSpace facet of a built-in type.
func whitespace(base, v string) string {
	switch base {
	case "string", "base64Binary":
		// base64 ignores white space: no need to collapse an attachment.
		return v
	case "normalizedString":
		for i := 0; i < len(v); i++ {
			if c := v[i]; c == '\t' || c == '\n' || c == '\r' {
				return strings.Map(func(r rune) rune {
					if r == '\t' || r == '\n' || r == '\r' {
						return ' '
					}
					return r
				}, v)
			}
		}
		return v // nearly always: no need to map it
	}
	return xmltree.NormSpace(v)
}

var (
	reLanguage = regexp.MustCompile(`^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$`)
	reNCName   = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}._\-\x{B7}\x{300}-\x{36F}\x{203F}-\x{2040}]*$`)
)

func (c *structureCheck) simpleValue(s *schemas.Simple, raw string) (string, bool) {
	v := whitespace(s.Base, raw)
	switch s.Base {
	case "decimal":
		if !xmltree.IsDecimalLexical(v) {
			return "not a decimal number", false
		}
	case "integer", "int", "long", "nonNegativeInteger", "positiveInteger":
		if !xmltree.IsIntegerLexical(v) {
			return "not an integer", false
		}
	case "boolean":
		if v != "true" && v != "false" && v != "1" && v != "0" {
			return "not a boolean (true, false, 1, 0)", false
		}
	case "date":
		if !xmltree.ValidDate(v) {
			return "not a date (YYYY-MM-DD)", false
		}
	case "time":
		if !xmltree.ValidTime(v) {
			return "not a time (hh:mm:ss)", false
		}
	case "dateTime":
		i := strings.IndexByte(v, 'T')
		if i < 0 || !xmltree.ValidDateOnly(v[:i]) || !xmltree.ValidTime(v[i+1:]) {
			return "not a date and time (YYYY-MM-DDThh:mm:ss)", false
		}
	case "base64Binary":
		if !xmltree.ValidBase64(v) {
			return "not base64", false
		}
	case "language":
		if !reLanguage.MatchString(v) {
			return "not a language code", false
		}
	case "ID", "IDREF", "NCName":
		if !reNCName.MatchString(v) {
			return "not a name (NCName)", false
		}
	}
	if len(s.Enum) > 0 && !xmltree.In(v, s.Enum) {
		return "not one of the allowed values", false
	}
	if s.MinLength >= 0 || s.MaxLength >= 0 {
		l := utf8.RuneCountInString(v)
		if s.MinLength >= 0 && l < s.MinLength || s.MaxLength >= 0 && l > s.MaxLength {
			return "wrong length", false
		}
	}
	return "", true
}
