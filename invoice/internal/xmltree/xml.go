// Package xmltree parses XML into an element tree and reads it the way the
// reference's XPath 2.0 does: a strict XML 1.0 parser that refuses any
// DOCTYPE and enforces limits, paths over the tree with fixed namespace
// prefixes, and XPath's value semantics (untyped comparisons, decimals,
// dates, text nodes, dynamic errors) for the validator's rules.
package xmltree

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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

// namespaceOf maps the project's fixed prefixes to namespace URIs, or
// returns "" for an unknown prefix. Paths given to Node methods use these
// prefixes whatever the document itself declares.
func namespaceOf(prefix string) string {
	if len(prefix) != 3 {
		if prefix == "cn" {
			return NSCreditNote
		}
		return ""
	}
	switch uint32(prefix[0])<<16 | uint32(prefix[1])<<8 | uint32(prefix[2]) {
	case 'c'<<16 | 'b'<<8 | 'c':
		return NSCBC
	case 'c'<<16 | 'a'<<8 | 'c':
		return NSCAC
	case 'r'<<16 | 'a'<<8 | 'm':
		return NSRAM
	case 'r'<<16 | 's'<<8 | 'm':
		return NSRSM
	case 'u'<<16 | 'd'<<8 | 't':
		return NSUDT
	case 'q'<<16 | 'd'<<8 | 't':
		return NSQDT
	case 'e'<<16 | 'x'<<8 | 't':
		return NSEXT
	case 'u'<<16 | 'b'<<8 | 'l':
		return NSInvoice
	case 'x'<<16 | 's'<<8 | 'i':
		return NSXSI
	}
	return ""
}

// Codes of element prefixes as a document writes them: the project's fixed
// prefixes, none, or another one. XPath name() returns the prefix as
// written, whatever namespace it is bound to.
const (
	prefixNone  uint8 = iota // unprefixed
	prefixOther              // a prefix the project does not write
	prefixCBC
	prefixCAC
	prefixEXT
	prefixRSM
	prefixRAM
	prefixUDT
	prefixQDT
)

// prefixCode numbers a prefix as written.
func prefixCode(prefix string) uint8 {
	switch prefix {
	case "":
		return prefixNone
	case "cbc":
		return prefixCBC
	case "cac":
		return prefixCAC
	case "ext":
		return prefixEXT
	case "rsm":
		return prefixRSM
	case "ram":
		return prefixRAM
	case "udt":
		return prefixUDT
	case "qdt":
		return prefixQDT
	}
	return prefixOther
}

// PrefixOf is the inverse of namespaceOf, used to write locations. The root
// elements of UBL documents are written without a prefix.
func PrefixOf(uri string) string {
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
// URIs. Text holds the element's own character data up to its first child
// element: for leaf elements, all of their text.
type Node struct {
	Space, Local string
	Attrs        []Attr
	Children     []*Node // child elements in document order
	Text         string  // character data before the first child element (all of it for leaves)
	Parent       *Node
	follow       string    // character data after the element, up to the next sibling or the parent's end
	doc          *docState // the document's state: every parsed element has it, see state
	off          uint32    // byte offset of the start tag's '<' in the parsed text, see Line (noOffset past 4 GiB)
	pos          int32     // 1-based position among siblings of the same name
	last         bool
	prefix       uint8 // the prefix the document writes the element with, as prefixCode numbers it
	name         int32 // the parser's number of its local name
}

// noOffset is the offset of an element whose start tag is too far into
// its document for Node.off: its Line and Col are 0.
const noOffset = 1<<32 - 1

// Line returns the line of the element's start tag, 1-based, or 0 for an
// element not read by a Parser. Lines are counted when a finding first
// asks for one, not while parsing.
func (n *Node) Line() int {
	if n.doc == nil || n.doc.text == nil || n.off == noOffset {
		return 0
	}
	return n.doc.lineOf(int(n.off))
}

// Col returns the column of the '<' of the element's start tag, in
// characters, 1-based: 0 past 65535 or for an element not read by a
// Parser.
func (n *Node) Col() int {
	if n.doc == nil || n.doc.text == nil || n.off == noOffset {
		return 0
	}
	text, off := n.doc.text, int(n.off)
	col := 1 + runeCount(text[bytes.LastIndexByte(text[:off], '\n')+1:off])
	if col > 0xFFFF {
		return 0
	}
	return col
}

// lineBlock is the size of the blocks of the parsed text whose line ends
// docState.lineOf counts once.
const lineBlock = 4 << 10

// lineOf returns the 1-based line of byte offset off of the parsed text.
// It counts the line ends before off's block once (the blocks' counts
// grow as far into the text as a finding asks), and those of the block
// before off each time.
func (d *docState) lineOf(off int) int {
	k := off / lineBlock
	if len(d.lines) == 0 {
		d.lines = append(d.lines, 0)
	}
	for j := len(d.lines); j <= k; j++ {
		d.lines = append(d.lines, d.lines[j-1]+uint32(bytes.Count(d.text[(j-1)*lineBlock:j*lineBlock], []byte{'\n'})))
	}
	return 1 + int(d.lines[k]) + bytes.Count(d.text[k*lineBlock:off], []byte{'\n'})
}

// docState is what the elements of a document share.
type docState struct {
	root     *Node              // the root element, once parsed
	memo     []memoEntry        // values computed once per document, see Memo
	lastMemo int                // index in memo of the key found last
	byLocal  map[string][]*Node // elements by local name of a tree not parsed, see Named
	// A parsed document's elements by local name: locals is the parser's
	// numbering of local names, named[i] lists the elements whose local
	// name has number i, in document order.
	locals map[string]int32
	named  [][]*Node
	// Results of All and Strs are cut from these blocks, which live as
	// long as the document: one allocation serves many selections.
	nodes []*Node
	strs  []string
	// splits holds, for the few elements whose text a comment or
	// processing instruction divides, the offsets in Text where one text
	// node ends and the next begins (see TextNodes): in document order,
	// so an element's offsets are next to each other.
	splits  []textSplit
	splitAt map[*Node]int // index of an element's first split, made when there are many
	// xpathErr is an XPath dynamic error the running rule raised (see
	// Raise); the rule engine takes it after each test (see TakeError).
	xpathErr string
	// text is the parsed text (UTF-8, line ends normalized) that the
	// elements' offsets point into; lines holds the number of line ends
	// before each of its blocks that lineOf counted.
	text  []byte
	lines []uint32
}

// A textSplit is an offset in the Text of n where a text node ends.
type textSplit struct {
	n  *Node
	at int32
}

// cuts returns the offsets in n.Text where its text nodes end, or nil
// where its Text is one text node. The few splits of a usual document are
// scanned; many are indexed once.
func (d *docState) cuts(n *Node) []textSplit {
	i := 0
	if len(d.splits) > 16 {
		if d.splitAt == nil {
			d.splitAt = make(map[*Node]int, len(d.splits))
			for j := len(d.splits) - 1; j >= 0; j-- {
				d.splitAt[d.splits[j].n] = j
			}
		}
		var ok bool
		if i, ok = d.splitAt[n]; !ok {
			return nil
		}
	} else {
		for i < len(d.splits) && d.splits[i].n != n {
			i++
		}
	}
	j := i
	for j < len(d.splits) && d.splits[j].n == n {
		j++
	}
	if j == i {
		return nil
	}
	return d.splits[i:j:j]
}

// spare returns the free part of a result block, to append a result to.
func spare[T any](block *[]T) []T {
	if cap(*block)-len(*block) < 16 {
		*block = make([]T, 0, 1024)
	}
	return (*block)[len(*block):]
}

// keep takes res, appended to spare(block), out of the block. A result
// that outgrew the block was moved by append and is left as it is.
func keep[T any](block *[]T, res []T) []T {
	if len(res) == 0 {
		return nil
	}
	if n := len(*block); n < cap(*block) && &res[0] == &(*block)[:n+1][n] {
		*block = (*block)[:n+len(res)]
	}
	return res[:len(res):len(res)] // an append by the caller copies
}

// Named returns the document's elements with the local name in document
// order: from the parser's index, or from one built on first use for a
// tree not parsed.
func (n *Node) Named(local string) []*Node {
	d := n.state()
	if d.locals != nil {
		if i, ok := d.locals[local]; ok {
			return d.named[i]
		}
		return nil
	}
	if d.byLocal == nil {
		d.byLocal = map[string][]*Node{}
		var walk func(*Node)
		walk = func(e *Node) {
			d.byLocal[e.Local] = append(d.byLocal[e.Local], e)
			for _, c := range e.Children {
				walk(c)
			}
		}
		walk(n.Root())
	}
	return d.byLocal[local]
}

// state returns the document's state. The parser gives every element a
// pointer to it; a tree built otherwise keeps it at the root.
func (n *Node) state() *docState {
	if n.doc != nil {
		return n.doc
	}
	r := n.Root()
	if r.doc == nil {
		r.doc = &docState{}
	}
	return r.doc
}

// A ParseError says why a document is not well-formed XML, or is refused
// by the parser's limits or security rules.
type ParseError struct {
	Line int
	Rule string // "XML-WELLFORMED", "XML-DTD", "XML-LIMIT", "XML-ENCODING", "XML-EMPTY"
	Msg  string
	// Format and Args made Msg: a caller translates the message by its
	// format (the invoice package's German findings do).
	Format string
	Args   []any
}

func parseError(line int, rule, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Rule: rule, Msg: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Parse reads a document into a tree of Nodes. It never resolves entities
// other than the five predefined ones and character references, refuses any
// DOCTYPE, and enforces lim. Documents in UTF-16 (with a byte order mark)
// or in a declared ISO-8859-1, ISO-8859-15 or windows-1252 encoding are
// read as well as UTF-8.
func Parse(data []byte, lim Limits) (*Node, error) { return NewParser().Parse(data, lim) }

// Parse is the package's Parse with p's buffers: the tree is valid until
// p.Release.
func (p *Parser) Parse(data []byte, lim Limits) (*Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Rule: "XML-EMPTY", Msg: "the document is empty"}
	}
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, parseError(0, "XML-LIMIT", "the document has %d bytes, more than the limit of %d", len(data), lim.MaxBytes)
	}
	if bytes.HasPrefix(data, []byte("%PDF")) {
		return nil, parseError(0, "XML-WELLFORMED", "the document is a PDF, not XML; send the XML invoice itself")
	}
	utf16 := false
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		b, err := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, &ParseError{Rule: "XML-ENCODING", Msg: "the UTF-16 text is broken: " + err.Error()}
		}
		data, utf16 = b, true
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	}
	if enc := declaredEncoding(data); enc != "" && !utf16 {
		r, err := charsetReader(enc, bytes.NewReader(data))
		if err != nil {
			return nil, &ParseError{Line: 1, Rule: "XML-ENCODING", Msg: err.Error()}
		}
		if r != nil {
			if data, err = io.ReadAll(r); err != nil {
				return nil, &ParseError{Line: 1, Rule: "XML-ENCODING", Msg: err.Error()}
			}
		}
	}
	// End-of-line handling (XML 1.0, 2.11): CR LF and lone CR become LF.
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	return p.parseXML(data, lim)
}

// declaredEncoding returns the encoding named by the XML declaration, or "".
func declaredEncoding(data []byte) string {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(data[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return rest[1 : 1+j]
}

// charsetReader returns a reader that decodes input to UTF-8, nil for
// encodings that are UTF-8 already, or an error for unsupported ones.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return nil, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return transform.NewReader(input, charmap.ISO8859_1.NewDecoder()), nil
	case "iso-8859-15", "latin-9":
		return transform.NewReader(input, charmap.ISO8859_15.NewDecoder()), nil
	case "windows-1252", "cp1252":
		return transform.NewReader(input, charmap.Windows1252.NewDecoder()), nil
	case "utf-16", "utf-16le", "utf-16be":
		return nil, fmt.Errorf("encoding %q is declared but the document has no UTF-16 byte order mark", label)
	}
	return nil, fmt.Errorf("unsupported encoding %q: use UTF-8", label)
}

// numberSiblings sets each node's position among its same-named siblings.
func numberSiblings(children []*Node) {
	type group struct {
		space, local string
		n            int
		last         *Node
	}
	var buf [16]group
	groups := buf[:0]
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
		c.pos = int32(groups[i].n)
	}
	for _, g := range groups {
		g.last.last = true
	}
}
