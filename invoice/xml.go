package invoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Namespace URIs of the two syntaxes, and the prefixes the project writes
// them with in paths and locations.
const (
	NSInvoice    = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
	NSCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
	NSCAC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	NSCBC        = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
	NSEXT        = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
	NSRSM        = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
	NSRAM        = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
	NSUDT        = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
	NSQDT        = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
	NSXSI        = "http://www.w3.org/2001/XMLSchema-instance"
)

// prefixes maps the project's fixed prefixes to namespace URIs. Paths given
// to Node methods use these prefixes whatever the document itself declares.
var prefixes = map[string]string{
	"ubl": NSInvoice,
	"cn":  NSCreditNote,
	"cac": NSCAC,
	"cbc": NSCBC,
	"ext": NSEXT,
	"rsm": NSRSM,
	"ram": NSRAM,
	"udt": NSUDT,
	"qdt": NSQDT,
	"xsi": NSXSI,
}

// prefixOf is the inverse of prefixes, used to write locations. The root
// elements of UBL documents are written without a prefix.
func prefixOf(uri string) string {
	switch uri {
	case NSCAC:
		return "cac"
	case NSCBC:
		return "cbc"
	case NSEXT:
		return "ext"
	case NSRSM:
		return "rsm"
	case NSRAM:
		return "ram"
	case NSUDT:
		return "udt"
	case NSQDT:
		return "qdt"
	case NSInvoice, NSCreditNote, "":
		return ""
	}
	return "{" + uri + "}"
}

// Limits bound what the parser accepts, so that no input can exhaust memory
// or time.
type Limits struct {
	MaxBytes    int // largest document accepted, in bytes
	MaxDepth    int // deepest element nesting accepted
	MaxElements int // most elements accepted
}

// DefaultLimits are generous for real invoices (the largest seen in practice
// are a few MB, nested less than 20 deep; the gateway accepts 20 MB) and
// small enough to stop abuse.
var DefaultLimits = Limits{MaxBytes: 32 << 20, MaxDepth: 256, MaxElements: 4_000_000}

// An Attr is an attribute of an element, with its namespace URI resolved.
type Attr struct {
	Space, Local, Value string
}

// A Node is an element of a parsed document. Names carry resolved namespace
// URIs; Text holds the element's own character data (not its descendants').
type Node struct {
	Space, Local string
	Attrs        []Attr
	Children     []*Node // child elements in document order
	Text         string  // character data directly inside the element, concatenated
	Parent       *Node
	Line         int // line of the start tag, 1-based
	pos          int // 1-based position among siblings of the same name
	last         bool
	mixed        bool // text appears between child elements
}

// A ParseError says why a document is not well-formed XML, or is refused
// by the parser's limits or security rules.
type ParseError struct {
	Line int
	Rule string // "XML-WELLFORMED", "XML-DTD", "XML-LIMIT", "XML-ENCODING", "XML-EMPTY"
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Parse reads a document into a tree of Nodes. It never resolves entities
// other than the five predefined ones and character references, refuses any
// DOCTYPE, and enforces lim.
func Parse(data []byte, lim Limits) (*Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Rule: "XML-EMPTY", Msg: "the document is empty"}
	}
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, &ParseError{Rule: "XML-LIMIT", Msg: fmt.Sprintf("the document has %d bytes, more than the limit of %d", len(data), lim.MaxBytes)}
	}
	if bytes.HasPrefix(data, []byte("%PDF")) {
		return nil, &ParseError{Rule: "XML-WELLFORMED", Msg: "the document is a PDF, not XML; send the XML invoice itself"}
	}
	var r io.Reader = bytes.NewReader(data)
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		r = transform.NewReader(r, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder())
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		r = bytes.NewReader(data[3:])
	}
	d := xml.NewDecoder(r)
	d.Strict = true
	d.CharsetReader = charsetReader
	var (
		root  *Node
		cur   *Node
		depth int
		count int
		text  strings.Builder
	)
	line := func() int { l, _ := d.InputPos(); return l }
	flush := func() {
		if cur != nil && text.Len() > 0 {
			if len(cur.Children) > 0 && strings.TrimSpace(text.String()) != "" {
				cur.mixed = true
			}
			cur.Text += text.String()
		}
		text.Reset()
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, wellformedError(err, line())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			depth++
			count++
			if lim.MaxDepth > 0 && depth > lim.MaxDepth {
				return nil, &ParseError{Line: line(), Rule: "XML-LIMIT", Msg: fmt.Sprintf("elements are nested more than %d deep", lim.MaxDepth)}
			}
			if lim.MaxElements > 0 && count > lim.MaxElements {
				return nil, &ParseError{Line: line(), Rule: "XML-LIMIT", Msg: fmt.Sprintf("the document has more than %d elements", lim.MaxElements)}
			}
			if cur == nil && root != nil {
				return nil, &ParseError{Line: line(), Rule: "XML-WELLFORMED", Msg: "content after the root element"}
			}
			n := &Node{Space: t.Name.Space, Local: t.Name.Local, Parent: cur, Line: line()}
			if len(t.Attr) > 0 {
				n.Attrs = make([]Attr, len(t.Attr))
				for i, a := range t.Attr {
					n.Attrs[i] = Attr{Space: a.Name.Space, Local: a.Name.Local, Value: a.Value}
				}
			}
			if cur == nil {
				root = n
			} else {
				cur.Children = append(cur.Children, n)
			}
			cur = n
		case xml.EndElement:
			flush()
			if cur == nil || t.Name.Space != cur.Space || t.Name.Local != cur.Local {
				return nil, &ParseError{Line: line(), Rule: "XML-WELLFORMED", Msg: fmt.Sprintf("not well-formed XML: end tag </%s> does not match the open element", qname(t.Name))}
			}
			depth--
			cur = cur.Parent
		case xml.CharData:
			if cur != nil {
				text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, &ParseError{Line: line(), Rule: "XML-WELLFORMED", Msg: "text outside the root element"}
			}
		case xml.Directive:
			return nil, &ParseError{Line: line(), Rule: "XML-DTD", Msg: "the document has a DOCTYPE declaration; invoices must not declare a DTD or entities (they are never resolved)"}
		}
	}
	if root == nil {
		return nil, &ParseError{Rule: "XML-WELLFORMED", Msg: "the document has no root element"}
	}
	if cur != nil {
		return nil, &ParseError{Line: line(), Rule: "XML-WELLFORMED", Msg: fmt.Sprintf("not well-formed XML: the document ends inside element %s", cur.Local)}
	}
	root.pos, root.last = 1, true
	if err := resolveNames(root, nil); err != nil {
		return nil, err
	}
	return root, nil
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func wellformedError(err error, line int) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Line: se.Line, Rule: "XML-WELLFORMED", Msg: "not well-formed XML: " + se.Msg}
	}
	if strings.Contains(err.Error(), "charset") || strings.Contains(err.Error(), "encoding") {
		return &ParseError{Line: line, Rule: "XML-ENCODING", Msg: err.Error()}
	}
	return &ParseError{Line: line, Rule: "XML-WELLFORMED", Msg: "not well-formed XML: " + err.Error()}
}

func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return transform.NewReader(input, charmap.ISO8859_1.NewDecoder()), nil
	case "iso-8859-15", "latin-9":
		return transform.NewReader(input, charmap.ISO8859_15.NewDecoder()), nil
	case "windows-1252", "cp1252":
		return transform.NewReader(input, charmap.Windows1252.NewDecoder()), nil
	case "utf-16", "utf-16le", "utf-16be":
		// The BOM was handled before decoding started; the text is UTF-8 now.
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q: use UTF-8", label)
}

// resolveNames replaces the prefixes RawToken leaves in names by namespace
// URIs, reporting undeclared prefixes, and numbers same-named siblings.
func resolveNames(n *Node, scope map[string]string) error {
	local := scope
	copied := false
	for _, a := range n.Attrs {
		if a.Space == "xmlns" || (a.Space == "" && a.Local == "xmlns") {
			if !copied {
				local = make(map[string]string, len(scope)+4)
				for k, v := range scope {
					local[k] = v
				}
				copied = true
			}
			if a.Space == "" {
				local[""] = a.Value
			} else {
				local[a.Local] = a.Value
			}
		}
	}
	uri, ok := local[n.Space]
	if !ok && n.Space != "" {
		if n.Space == "xml" {
			uri = "http://www.w3.org/XML/1998/namespace"
		} else {
			return &ParseError{Line: n.Line, Rule: "XML-WELLFORMED", Msg: fmt.Sprintf("namespace prefix %q of element %s is not declared", n.Space, n.Local)}
		}
	}
	n.Space = uri
	kept := n.Attrs[:0]
	for _, a := range n.Attrs {
		if a.Space == "xmlns" || (a.Space == "" && a.Local == "xmlns") {
			continue
		}
		if a.Space != "" {
			u, ok := local[a.Space]
			switch {
			case ok:
				a.Space = u
			case a.Space == "xml":
				a.Space = "http://www.w3.org/XML/1998/namespace"
			default:
				return &ParseError{Line: n.Line, Rule: "XML-WELLFORMED", Msg: fmt.Sprintf("namespace prefix %q of attribute %s is not declared", a.Space, a.Local)}
			}
		}
		kept = append(kept, a)
	}
	n.Attrs = kept
	if !utf8.ValidString(n.Text) {
		return &ParseError{Line: n.Line, Rule: "XML-ENCODING", Msg: "the text is not valid UTF-8"}
	}
	for _, c := range n.Children {
		if err := resolveNames(c, local); err != nil {
			return err
		}
	}
	numberSiblings(n.Children)
	return nil
}

// numberSiblings sets each node's position among its same-named siblings.
func numberSiblings(children []*Node) {
	type group struct {
		space, local string
		n            int
		last         *Node
	}
	var groups []group
	for _, c := range children {
		i := 0
		for i < len(groups) && (groups[i].local != c.Local || groups[i].space != c.Space) {
			i++
		}
		if i == len(groups) {
			groups = append(groups, group{space: c.Space, local: c.Local})
		}
		groups[i].n++
		groups[i].last = c
		c.pos = groups[i].n
	}
	for _, g := range groups {
		g.last.last = true
	}
}
