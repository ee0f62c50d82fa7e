package xmltree

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// The parser below reads XML 1.0 into Nodes in one pass over the bytes. It
// is strict (every well-formedness constraint of the XML 1.0 recommendation
// that applies to documents without a DTD) and small, and it is many times
// faster than encoding/xml, which validates a rune at a time. It never
// expands anything but the five predefined entities and character
// references; a DOCTYPE is refused.

// A Parser parses documents with buffers it keeps from one document to the
// next. It is not safe for concurrent use: pool parsers, one per goroutine.
type Parser struct {
	data []byte
	pos  int
	lim  Limits

	count     int // elements read
	root, cur *Node

	ns []nsBinding // namespace bindings in scope, innermost last
	// nsGen numbers the state of ns, so that a tag resolved in this state
	// needs no lookup: see nsChanged.
	nsGen    uint64
	lastGen  uint64            // the number given last
	nsStates map[string]uint64 // the numbers of states seen, by nsKey
	nsKey    []byte
	kids     []*Node    // the children read so far of the open elements
	open     []openElem // the open elements, innermost last

	// names interns attribute values and white space; it is kept from
	// one document to the next (values such as currency and unit codes
	// repeat) until it holds keepNames.
	names map[string]string
	tags  map[string]*tag // element names as written
	// tagCache holds the tag of a name seen last of those with its hash,
	// see tag.
	tagCache *[256]*tag
	// locals numbers the local names of the elements (localNames is the
	// inverse); counts holds how many elements of this document have each,
	// used lists the numbers with a count. With them the parser builds the
	// index of elements by local name that Node.named serves.
	locals     map[string]int32
	localNames []string
	counts     []int
	used       []int32
	attrs      []rawAttr // the attributes of the start tag being read
	// strBlock is the block that str copies short texts into. Its bytes
	// are written once, before a string shares them, and never again, so
	// it is kept from one document to the next: no string may be changed.
	strBlock []byte
	attrBuf  []Attr // the block the elements' attributes come from, see newAttrs
	// sibs has, by local name number, the siblings of that name that
	// numberKids counted last; closes numbers its calls.
	sibs   []siblings
	closes uint32

	// Nodes and children slices come from blocks that the parser keeps for
	// its next document: the first usedNodes of nodeBlocks (in document
	// order, the last being slab) and usedPtrs of ptrBlocks (the last being
	// ptrs) hold this document's.
	nodeBlocks [][]Node
	slab       []Node
	usedNodes  int
	ptrBlocks  [][]*Node
	ptrs       []*Node
	usedPtrs   int
	all        []*Node // backing array of the index
	ends       []int
	named      [][]*Node // the index, by local name number: see docState.named
	doc        docState  // the root's, kept with its maps and blocks
}

// Bounds of what a parser keeps between documents: past them release
// drops its buffers, so that one large document does not hold memory.
const (
	keepNodes = 16 << 10
	keepNames = 4 << 10
)

// NewParser returns a parser with empty buffers.
func NewParser() *Parser {
	p := &Parser{
		names:    make(map[string]string, 64),
		tags:     make(map[string]*tag, 64),
		tagCache: new([256]*tag),
		nsStates: make(map[string]uint64, 8),
		locals:   make(map[string]int32, 64),
	}
	p.nsChanged()
	return p
}

// Release makes the parser ready for its next document: the tree it
// returned last must not be used after.
func (p *Parser) Release() {
	kept := 0
	for _, b := range p.nodeBlocks {
		kept += cap(b)
	}
	if kept > keepNodes { // a large document: let its blocks go
		p.nodeBlocks, p.ptrBlocks, p.all = nil, nil, nil
		p.usedNodes, p.usedPtrs = 0, 0
	}
	for _, b := range p.nodeBlocks[:p.usedNodes] {
		clear(b[:cap(b)])
	}
	for _, b := range p.ptrBlocks[:p.usedPtrs] {
		clear(b[:cap(b)])
	}
	for _, i := range p.used {
		p.counts[i] = 0
		if int(i) < len(p.named) {
			p.named[i] = nil
		}
	}
	if len(p.tags) > keepNames {
		p.tags, p.locals = make(map[string]*tag, 64), make(map[string]int32, 64)
		p.localNames, p.counts, p.sibs, p.named = nil, nil, nil, nil
		clear(p.tagCache[:])
	}
	clear(p.sibs)
	clear(p.attrBuf)
	if len(p.names) > keepNames {
		p.names = make(map[string]string, 64)
	}
	clear(p.doc.memo)
	clear(p.doc.splits)
	clear(p.doc.nodes[:cap(p.doc.nodes)])
	clear(p.doc.strs[:cap(p.doc.strs)])
	doc := docState{memo: p.doc.memo[:0], splits: p.doc.splits[:0], nodes: p.doc.nodes[:0], strs: p.doc.strs[:0], lines: p.doc.lines[:0]}
	*p = Parser{doc: doc,
		names: p.names, tags: p.tags, tagCache: p.tagCache, locals: p.locals, localNames: p.localNames, counts: p.counts, sibs: p.sibs, used: p.used[:0],
		attrs: p.attrs[:0], strBlock: p.strBlock, ns: p.ns[:0], lastGen: p.lastGen, nsStates: p.nsStates, nsKey: p.nsKey, kids: p.kids[:0], open: p.open[:0], attrBuf: p.attrBuf[:0],
		nodeBlocks: p.nodeBlocks, ptrBlocks: p.ptrBlocks, all: p.all, ends: p.ends, named: p.named,
	}
	p.nsChanged()
}

// nsChanged numbers the namespace bindings now in scope (p.ns). Bindings
// seen before, in this document or an earlier one (the root's of most
// invoices), get their number again, so that tags resolved then need no
// lookup; others, and a few large ones, get a new number.
func (p *Parser) nsChanged() {
	key := p.nsKey[:0]
	for _, b := range p.ns {
		if len(key)+len(b.prefix)+len(b.uri) > 1024 {
			p.lastGen++
			p.nsGen = p.lastGen
			return
		}
		// Neither names nor namespaces (attribute values) hold a NUL.
		key = append(append(append(append(key, b.prefix...), 0), b.uri...), 0)
	}
	p.nsKey = key
	if g, ok := p.nsStates[string(key)]; ok {
		p.nsGen = g
		return
	}
	if len(p.nsStates) >= 64 {
		clear(p.nsStates)
	}
	p.lastGen++
	p.nsGen = p.lastGen
	p.nsStates[string(key)] = p.nsGen
}

// openElem is an element whose end tag is still to come.
type openElem struct {
	qname   string // as written, for the end tag
	nsMark  int    // len(ns) before its declarations
	kidMark int    // len(kids) before its children
}

type rawAttr struct{ qname, value string }

// A tag is an element name as written, split once.
type tag struct {
	qname, prefix, local string
	name                 int32 // number of the local name in locals
	prefixCode           uint8
	// uri is the namespace the prefix was bound to when the namespaces
	// in scope were those numbered nsGen, see Parser.nsChanged.
	uri   string
	nsGen uint64
}

// tag returns the tag for the name b, splitting and registering it the
// first time it is seen. A small table indexed by a hash of the name's
// ends serves most names before the map (which, with its seeded hash,
// keeps crafted names from colliding).
func (p *Parser) tag(b []byte) *tag {
	h := tagHash(b)
	if t := p.tagCache[h]; t != nil && t.qname == string(b) {
		return t
	}
	if t, ok := p.tags[string(b)]; ok {
		p.tagCache[h] = t
		return t
	}
	t := &tag{qname: string(b)}
	t.prefix, t.local = splitQName(t.qname)
	t.prefixCode = prefixCode(t.prefix)
	i, ok := p.locals[t.local]
	if !ok {
		i = int32(len(p.counts))
		p.locals[t.local] = i
		p.localNames = append(p.localNames, t.local)
		p.counts = append(p.counts, 0)
	}
	t.name = i
	p.tags[t.qname] = t
	p.tagCache[h] = t
	return t
}

// tagHash returns the index in Parser.tagCache of name b (not empty): a
// hash of its length and its first and last eight bytes.
func tagHash(b []byte) uint8 {
	var w uint64
	if n := len(b); n >= 8 {
		w = binary.LittleEndian.Uint64(b) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 29)
	} else {
		for _, c := range b {
			w = w<<8 | uint64(c)
		}
	}
	return uint8((w ^ uint64(len(b))) * 0x9E3779B97F4A7C15 >> 56)
}

// newNode returns a zero Node from the current block.
func (p *Parser) newNode() *Node {
	if len(p.slab) == cap(p.slab) {
		if p.usedNodes == len(p.nodeBlocks) {
			p.nodeBlocks = append(p.nodeBlocks, make([]Node, 0, min(64, 1+p.count/2)))
		}
		p.slab = p.nodeBlocks[p.usedNodes][:0]
		p.usedNodes++
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	n.doc = &p.doc
	return n
}

// newAttrs returns an empty slice with room for n attributes. Attributes
// come from a block that the parser keeps for its next document (the
// blocks before it, of a large document, are left to the collector).
func (p *Parser) newAttrs(n int) []Attr {
	if cap(p.attrBuf)-len(p.attrBuf) < n {
		p.attrBuf = make([]Attr, 0, max(n, 256))
	}
	i := len(p.attrBuf)
	p.attrBuf = p.attrBuf[:i+n]
	return p.attrBuf[i : i : i+n]
}

// newPtrs returns a slice of n free pointers for children.
func (p *Parser) newPtrs(n int) []*Node {
	if cap(p.ptrs)-len(p.ptrs) < n {
		if p.usedPtrs == len(p.ptrBlocks) || cap(p.ptrBlocks[p.usedPtrs]) < n {
			p.ptrBlocks = append(p.ptrBlocks, make([]*Node, 0, max(n, 256)))
			last := len(p.ptrBlocks) - 1
			p.ptrBlocks[p.usedPtrs], p.ptrBlocks[last] = p.ptrBlocks[last], p.ptrBlocks[p.usedPtrs]
		}
		p.ptrs = p.ptrBlocks[p.usedPtrs][:0]
		p.usedPtrs++
	}
	i := len(p.ptrs)
	p.ptrs = p.ptrs[:i+n]
	return p.ptrs[i : i+n : i+n]
}

type nsBinding struct{ prefix, uri string }

func (p *Parser) fail(rule, format string, args ...any) error {
	return parseError(1+bytes.Count(p.data[:min(p.pos, len(p.data))], []byte{'\n'}), rule, format, args...)
}

func (p *Parser) wf(format string, args ...any) error {
	return p.fail("XML-WELLFORMED", "not well-formed XML: "+format, args...)
}

// runeCount is utf8.RuneCount, eight bytes at a time while they are ASCII.
func runeCount(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	return i + utf8.RuneCount(b[i:])
}

func (p *Parser) intern(b []byte) string {
	if s, ok := p.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.names) < 50_000 {
		p.names[s] = s
	}
	return s
}

// str returns b as a string. Short strings are copied into a block that
// many share, which saves an allocation each: never the parsed text,
// which the caller may reuse.
func (p *Parser) str(b []byte) string {
	if len(b) > strMax || len(b) == 0 {
		return string(b)
	}
	if cap(p.strBlock)-len(p.strBlock) < len(b) {
		p.strBlock = make([]byte, 0, strBlockSize)
	}
	i := len(p.strBlock)
	p.strBlock = append(p.strBlock, b...)
	return unsafe.String(&p.strBlock[i], len(b))
}

// Sizes for Parser.str: the longest string it copies into a block, and a
// block's size.
const (
	strMax       = 256
	strBlockSize = 4 << 10
)

// parseXML parses UTF-8 data. The tree lives in p's blocks until
// p.release.
func (p *Parser) parseXML(data []byte, lim Limits) (*Node, error) {
	p.data, p.lim = data, lim
	p.doc.text = data
	if err := p.prolog(); err != nil {
		return nil, err
	}
	if err := p.content(); err != nil {
		return nil, err
	}
	if err := p.misc(); err != nil {
		return nil, err
	}
	if p.pos < len(p.data) {
		return nil, p.wf("content after the root element")
	}
	p.index()
	p.doc.root = p.root
	return p.root, nil
}

// index lists the elements by local name for Node.Named, each list in
// document order, all in one backing array. Nodes come from the blocks in
// the order their start tags were read, which is document order.
func (p *Parser) index() {
	if cap(p.all) < p.count {
		p.all = make([]*Node, p.count)
	}
	all := p.all[:p.count]
	if len(p.ends) < len(p.counts) {
		p.ends = make([]int, len(p.counts))
	}
	if len(p.named) < len(p.counts) {
		p.named = append(p.named, make([][]*Node, len(p.counts)-len(p.named))...)
	}
	ends := p.ends // where each list's next element goes
	n := 0
	for _, i := range p.used {
		ends[i] = n
		n += p.counts[i]
	}
	for b, block := range p.nodeBlocks[:p.usedNodes] {
		block = block[:cap(block)] // full, but for the last
		if b == p.usedNodes-1 {
			block = p.slab
		}
		for i := range block {
			e := &block[i]
			all[ends[e.name]] = e
			ends[e.name]++
		}
	}
	for _, i := range p.used {
		end := ends[i]
		p.named[i] = all[end-p.counts[i] : end : end]
	}
	p.doc.locals, p.doc.named = p.locals, p.named
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *Parser) skipSpace() {
	for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
		p.pos++
	}
}

func (p *Parser) has(s string) bool {
	return len(p.data)-p.pos >= len(s) && string(p.data[p.pos:p.pos+len(s)]) == s
}

// prolog reads the XML declaration and misc items before the root.
func (p *Parser) prolog() error {
	if p.has("<?xml") && p.pos+5 < len(p.data) && isSpace(p.data[p.pos+5]) {
		end := bytes.Index(p.data[p.pos:], []byte("?>"))
		if end < 0 {
			return p.wf("unterminated XML declaration")
		}
		p.pos += end + 2
	}
	for {
		p.skipSpace()
		switch {
		case p.has("<!--"):
			if err := p.comment(); err != nil {
				return err
			}
		case p.has("<?"):
			if err := p.pi(); err != nil {
				return err
			}
		case p.has("<!DOCTYPE"):
			return p.fail("XML-DTD", "the document has a DOCTYPE declaration; invoices must not declare a DTD or entities (they are never resolved)")
		case p.has("<"):
			return nil
		case p.pos >= len(p.data):
			return p.wf("the document has no root element")
		default:
			return p.wf("text before the root element")
		}
	}
}

// misc reads comments, PIs and white space after the root.
func (p *Parser) misc() error {
	for {
		p.skipSpace()
		switch {
		case p.pos >= len(p.data):
			return nil
		case p.has("<!--"):
			if err := p.comment(); err != nil {
				return err
			}
		case p.has("<?"):
			if err := p.pi(); err != nil {
				return err
			}
		default:
			return p.wf("content after the root element")
		}
	}
}

func (p *Parser) comment() error {
	start := p.pos + 4
	end := bytes.Index(p.data[start:], []byte("--"))
	if end < 0 {
		return p.wf("unterminated comment")
	}
	if start+end+2 >= len(p.data) || p.data[start+end+2] != '>' {
		return p.wf(`"--" inside a comment`)
	}
	if err := p.checkChars(p.data[start : start+end]); err != nil {
		return err
	}
	p.pos = start + end + 3
	return nil
}

func (p *Parser) pi() error {
	start := p.pos + 2
	n := p.nameLen(start)
	if n == 0 {
		return p.wf("processing instruction without a target")
	}
	target := string(p.data[start : start+n])
	if strings.EqualFold(target, "xml") {
		return p.wf("XML declaration not at the start of the document")
	}
	end := bytes.Index(p.data[start:], []byte("?>"))
	if end < 0 {
		return p.wf("unterminated processing instruction")
	}
	if end > n && !isSpace(p.data[start+n]) {
		return p.wf("bad processing instruction target")
	}
	if err := p.checkChars(p.data[start : start+end]); err != nil {
		return err
	}
	p.pos = start + end + 2
	return nil
}

// nameLen returns the length of the XML Name starting at off, or 0. ASCII
// names, nearly all, are read by a table; the first other byte goes on
// rune by rune.
func (p *Parser) nameLen(off int) int {
	d := p.data
	i := off
	if i < len(d) && nameASCII[d[i]] == nameStart {
		i++
		for i < len(d) && nameASCII[d[i]] != notName {
			i++
		}
	}
	for i < len(d) {
		c := d[i]
		if c < utf8.RuneSelf {
			if k := nameASCII[c]; k == nameStart || k == nameChar && i > off {
				i++
				continue
			}
			break
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError || !isNameRune(r, i == off) {
			break
		}
		i += size
	}
	return i - off
}

const (
	notName = iota
	nameStart
	nameChar // not at the start
)

// nameASCII classifies ASCII bytes for nameLen; bytes from 0x80 are
// notName there. It is never written after initialisation.
var nameASCII = func() (t [256]byte) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == ':':
			t[c] = nameStart
		case c >= '0' && c <= '9', c == '-', c == '.':
			t[c] = nameChar
		}
	}
	return t
}()

// isNameRune reports whether a non-ASCII rune may stand in a name (XML 1.0
// fifth edition NameStartChar / NameChar).
func isNameRune(r rune, first bool) bool {
	switch {
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r >= 0x200C && r <= 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	case !first && (r == 0xB7 || r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040):
		return true
	}
	return false
}

// checkChars verifies that b holds only characters XML allows.
func (p *Parser) checkChars(b []byte) error {
	for i := 0; i < len(b); {
		// Printable ASCII bytes sixteen, then eight at a time: a byte below
		// 0x20 borrows into its high bit, a byte from 0x80 has it set.
		for ; i+16 <= len(b); i += 16 {
			w := b[i : i+16] // one bounds check for the two words
			x, y := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
			if ((x-0x2020202020202020)|x|(y-0x2020202020202020)|y)&0x8080808080808080 != 0 {
				break
			}
		}
		for ; i+8 <= len(b); i += 8 {
			x := binary.LittleEndian.Uint64(b[i : i+8])
			if ((x-0x2020202020202020)|x)&0x8080808080808080 != 0 {
				break
			}
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		if c >= 0x20 && c < utf8.RuneSelf || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		if c < 0x20 {
			return p.fail("XML-WELLFORMED", "not well-formed XML: control character 0x%02X is not allowed", c)
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return p.fail("XML-ENCODING", "the text is not valid UTF-8 (byte 0x%02X): declare the document's real encoding or send UTF-8", c)
		}
		if r == 0xFFFE || r == 0xFFFF || r >= 0xD800 && r <= 0xDFFF {
			return p.fail("XML-WELLFORMED", "not well-formed XML: character U+%04X is not allowed", r)
		}
		i += size
	}
	return nil
}

// content reads the root element and everything in it.
func (p *Parser) content() error {
	d := p.data
	for p.pos < len(d) {
		if d[p.pos] != '<' {
			// Character data up to the next markup. White space alone,
			// the indentation between tags mostly, needs no checks.
			if p.cur == nil {
				return p.wf("text outside the root element")
			}
			i := p.pos
			if d[i] == '\n' && i+1 < len(d) && (d[i+1] == ' ' || d[i+1] == '\t') {
				// A line end and an indentation of spaces or of tabs,
				// eight bytes at a time.
				c := d[i+1]
				i += 2
				pat := uint64(c) * 0x0101010101010101
				for i+8 <= len(d) {
					if x := binary.LittleEndian.Uint64(d[i:]) ^ pat; x != 0 {
						i += bits.TrailingZeros64(x) >> 3
						break
					}
					i += 8
				}
				for i < len(d) && d[i] == c {
					i++
				}
				if n := i - p.pos; i < len(d) && d[i] == '<' && n <= len(indentSpaces) {
					if c == ' ' {
						p.appendText(indentSpaces[:n])
					} else {
						p.appendText(indentTabs[:n])
					}
					p.pos = i
					continue
				}
			}
			for i < len(d) && isSpace(d[i]) {
				i++
			}
			if i < len(d) && d[i] == '<' {
				p.appendText(p.blank(d[p.pos:i]))
				p.pos = i
				continue
			}
			lt := bytes.IndexByte(d[i:], '<')
			if lt < 0 {
				lt = len(d) - i
			}
			if err := p.text(d[p.pos : i+lt]); err != nil {
				return err
			}
			p.pos = i + lt
			continue
		}
		var next byte
		if p.pos+1 < len(d) {
			next = d[p.pos+1]
		}
		switch {
		case next == '/':
			if err := p.endTag(); err != nil {
				return err
			}
			if p.cur == nil {
				return nil
			}
		case next == '!' && p.has("<!--"):
			if p.cur == nil {
				return p.wf("comment outside the root element")
			}
			if err := p.comment(); err != nil {
				return err
			}
			p.splitText()
		case next == '!' && p.has("<![CDATA["):
			if p.cur == nil {
				return p.wf("CDATA outside the root element")
			}
			start := p.pos + 9
			end := bytes.Index(d[start:], []byte("]]>"))
			if end < 0 {
				return p.wf("unterminated CDATA section")
			}
			seg := d[start : start+end]
			if err := p.checkChars(seg); err != nil {
				return err
			}
			p.appendText(p.str(seg))
			p.pos = start + end + 3
		case next == '?':
			if err := p.pi(); err != nil {
				return err
			}
			p.splitText()
		case next == '!':
			if p.has("<!DOCTYPE") {
				return p.fail("XML-DTD", "the document has a DOCTYPE declaration; invoices must not declare a DTD or entities (they are never resolved)")
			}
			return p.wf("unexpected <!")
		default:
			if err := p.startTag(); err != nil {
				return err
			}
			if p.cur == nil {
				return nil // an empty root element
			}
		}
	}
	if p.cur != nil {
		return p.wf("the document ends inside element %s", p.cur.Local)
	}
	return p.wf("the document has no root element")
}

// Indentations that content and blank return without a look-up or a
// copy: a line end and up to 63 spaces or tabs.
const (
	indentSpaces = "\n                                                               "
	indentTabs   = "\n\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
)

// blank returns white space b as a string: a line end and indentation
// shares the bytes of a constant, other short white space is interned
// (it repeats), long white space is copied.
func (p *Parser) blank(b []byte) string {
	if len(b) <= len(indentSpaces) {
		if s := indentSpaces[:len(b)]; string(b) == s {
			return s
		}
	}
	if len(b) <= len(indentTabs) {
		if s := indentTabs[:len(b)]; string(b) == s {
			return s
		}
	}
	if len(b) < 64 {
		return p.intern(b)
	}
	return string(b)
}

// appendText adds character data to the current element: to Text before
// the first child element, else as a segment after the child it follows,
// so that string values keep the document's order.
func (p *Parser) appendText(s string) {
	c := p.cur
	if len(p.kids) > p.open[len(p.open)-1].kidMark {
		last := p.kids[len(p.kids)-1]
		if last.follow == "" {
			last.follow = s
		} else {
			last.follow += s
		}
		return
	}
	if c.Text == "" {
		c.Text = s
	} else {
		c.Text += s
	}
}

// splitText notes that a comment or processing instruction ends the text
// node the current element has read so far: text after it is a text node
// of its own (CDATA sections and character references do not split). Only
// the text before the element's first child is tracked, which is all the
// text of a leaf.
func (p *Parser) splitText() {
	c := p.cur
	if c == nil || c.Text == "" || len(p.kids) > p.open[len(p.open)-1].kidMark {
		return
	}
	p.doc.splits = append(p.doc.splits, textSplit{c, int32(len(c.Text))})
}

// blankBytes reports whether b is only XML white space.
func blankBytes(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// text handles character data: entities, forbidden characters, "]]>".
func (p *Parser) text(b []byte) error {
	if len(b) <= 64 {
		// A short text, a value mostly: one look at each byte tells
		// which checks it needs.
		var k byte
		for _, c := range b {
			k |= textClass[c]
		}
		switch {
		case k&textNotBlank == 0:
			p.appendText(p.blank(b))
			return nil
		case k&textBracket != 0 && bytes.Contains(b, []byte("]]>")):
			return p.wf(`"]]>" in text`)
		case k&textAmp != 0:
			s, err := p.unescape(b)
			if err != nil {
				return err
			}
			p.appendText(s)
			return nil
		case k&textCheck != 0:
			if err := p.checkChars(b); err != nil {
				return err
			}
		}
		p.appendText(p.str(b))
		return nil
	}
	if bytes.Contains(b, []byte("]]>")) {
		return p.wf(`"]]>" in text`)
	}
	if bytes.IndexByte(b, '&') < 0 {
		if err := p.checkChars(b); err != nil {
			return err
		}
		if blankBytes(b) {
			p.appendText(p.blank(b))
			return nil
		}
		p.appendText(p.str(b))
		return nil
	}
	s, err := p.unescape(b)
	if err != nil {
		return err
	}
	p.appendText(s)
	return nil
}

// Classes of bytes in a short text, see text, and in an attribute value.
const (
	textNotBlank = 1 << iota // not XML white space
	textBracket              // ']', which may begin "]]>"
	textAmp                  // '&', a reference
	textCheck                // a control character or a byte of a multibyte character: checkChars decides
	textSpace                // a tab or a line end, which attribute values normalize
)

// textClass classifies every byte for text. It is never written after
// initialisation.
var textClass = func() (t [256]byte) {
	for c := range 256 {
		switch {
		case c == ' ':
		case c == '\t' || c == '\n' || c == '\r':
			t[c] = textSpace
		case c < 0x20 || c >= utf8.RuneSelf:
			t[c] = textNotBlank | textCheck
		case c == ']':
			t[c] = textNotBlank | textBracket
		case c == '&':
			t[c] = textNotBlank | textAmp
		default:
			t[c] = textNotBlank
		}
	}
	return t
}()

// unescape expands the predefined entities and character references.
func (p *Parser) unescape(b []byte) (string, error) {
	var out strings.Builder
	out.Grow(len(b))
	for len(b) > 0 {
		amp := bytes.IndexByte(b, '&')
		if amp < 0 {
			if err := p.checkChars(b); err != nil {
				return "", err
			}
			out.Write(b)
			break
		}
		if err := p.checkChars(b[:amp]); err != nil {
			return "", err
		}
		out.Write(b[:amp])
		b = b[amp:]
		semi := bytes.IndexByte(b, ';')
		if semi < 0 || semi > 12 {
			return "", p.wf("'&' not followed by an entity reference (write &amp;)")
		}
		ref := string(b[1:semi])
		b = b[semi+1:]
		switch ref {
		case "lt":
			out.WriteByte('<')
		case "gt":
			out.WriteByte('>')
		case "amp":
			out.WriteByte('&')
		case "apos":
			out.WriteByte('\'')
		case "quot":
			out.WriteByte('"')
		default:
			if len(ref) < 2 || ref[0] != '#' {
				return "", p.wf("undefined entity &%s; (only &lt; &gt; &amp; &apos; &quot; and character references are allowed)", ref)
			}
			var r rune
			digits := ref[1:]
			base := int32(10)
			if digits[0] == 'x' {
				base, digits = 16, digits[1:]
			}
			if digits == "" {
				return "", p.wf("bad character reference &%s;", ref)
			}
			for _, c := range digits {
				var v int32
				switch {
				case c >= '0' && c <= '9':
					v = c - '0'
				case base == 16 && c >= 'a' && c <= 'f':
					v = c - 'a' + 10
				case base == 16 && c >= 'A' && c <= 'F':
					v = c - 'A' + 10
				default:
					return "", p.wf("bad character reference &%s;", ref)
				}
				r = r*base + v
				if r > 0x10FFFF {
					return "", p.wf("bad character reference &%s;", ref)
				}
			}
			if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
				return "", p.wf("character reference &%s; is not an XML character", ref)
			}
			out.WriteRune(r)
		}
	}
	return out.String(), nil
}

// startTag reads <name attr="v" ...> or <name .../>.
func (p *Parser) startTag() error {
	start := p.pos + 1
	// A tag without attributes, <name> or <name/>, whose name is in the
	// cache needs no scan of the name: a registered name is a Name, and
	// '/' and '>' end it.
	var tg *tag
	n := bytes.IndexByte(p.data[start:], '>')
	if n > 0 && p.data[start+n-1] == '/' {
		n--
	}
	if n > 0 {
		if t := p.tagCache[tagHash(p.data[start:start+n])]; t != nil && t.qname == string(p.data[start:start+n]) {
			tg = t
		}
	}
	if tg == nil {
		if n = p.nameLen(start); n == 0 {
			return p.wf("'<' not followed by an element name")
		}
		tg = p.tag(p.data[start : start+n])
	}
	qname := tg.qname
	p.pos = start + n
	p.count++
	if p.lim.MaxDepth > 0 && len(p.open)+1 > p.lim.MaxDepth { // the open elements and this one
		return p.fail("XML-LIMIT", "elements are nested more than %d deep", p.lim.MaxDepth)
	}
	if p.lim.MaxElements > 0 && p.count > p.lim.MaxElements {
		return p.fail("XML-LIMIT", "the document has more than %d elements", p.lim.MaxElements)
	}
	if p.cur == nil && p.root != nil {
		return p.wf("content after the root element")
	}
	node := p.newNode()
	node.Parent, node.off = p.cur, noOffset
	if start-1 < noOffset {
		node.off = uint32(start - 1)
	}
	mark := len(p.ns)
	attrs := p.attrs[:0]
	selfClosing := false
	for {
		sp := p.pos
		p.skipSpace()
		if p.pos >= len(p.data) {
			return p.wf("unterminated start tag <%s", qname)
		}
		c := p.data[p.pos]
		if c == '>' {
			p.pos++
			break
		}
		if c == '/' {
			if !p.has("/>") {
				return p.wf("bad '/' in start tag <%s", qname)
			}
			p.pos += 2
			selfClosing = true
			break
		}
		if sp == p.pos {
			return p.wf("attributes of <%s> must be separated by white space", qname)
		}
		an := p.nameLen(p.pos)
		if an == 0 {
			return p.wf("bad attribute in start tag <%s>", qname)
		}
		aname := p.intern(p.data[p.pos : p.pos+an])
		p.pos += an
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '=' {
			return p.wf("attribute %s of <%s> has no value", aname, qname)
		}
		p.pos++
		p.skipSpace()
		if p.pos >= len(p.data) || (p.data[p.pos] != '"' && p.data[p.pos] != '\'') {
			return p.wf("value of attribute %s of <%s> is not quoted", aname, qname)
		}
		q := p.data[p.pos]
		end := bytes.IndexByte(p.data[p.pos+1:], q)
		if end < 0 {
			return p.wf("unterminated value of attribute %s", aname)
		}
		raw := p.data[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		if bytes.IndexByte(raw, '<') >= 0 {
			return p.wf("'<' in the value of attribute %s", aname)
		}
		val, err := p.attrValue(raw)
		if err != nil {
			return err
		}
		for _, a := range attrs {
			if a.qname == aname {
				return p.wf("attribute %s appears twice in <%s>", aname, qname)
			}
		}
		switch {
		case aname == "xmlns":
			p.ns = append(p.ns, nsBinding{"", knownNamespace(val)})
		case strings.HasPrefix(aname, "xmlns:"):
			if val == "" {
				return p.wf("namespace prefix %s bound to an empty URI", aname[6:])
			}
			p.ns = append(p.ns, nsBinding{aname[6:], knownNamespace(val)})
		}
		attrs = append(attrs, rawAttr{aname, val})
	}
	p.attrs = attrs[:0] // keep the buffer for the next tag
	// Resolve names now that all declarations of the tag are known.
	if len(p.ns) != mark {
		p.nsChanged()
	}
	uri, ok := tg.uri, true
	if tg.nsGen != p.nsGen {
		if uri, ok = p.lookup(tg.prefix); !ok {
			return p.wf("namespace prefix %q of element %s is not declared", tg.prefix, tg.local)
		}
		tg.uri, tg.nsGen = uri, p.nsGen
	}
	node.Space, node.Local, node.name, node.prefix = uri, tg.local, tg.name, tg.prefixCode
	if p.counts[tg.name] == 0 {
		p.used = append(p.used, tg.name)
	}
	p.counts[tg.name]++
	for _, a := range attrs {
		if a.qname == "xmlns" || strings.HasPrefix(a.qname, "xmlns:") {
			continue
		}
		ap, al := splitQName(a.qname)
		au := ""
		if ap != "" {
			if au, ok = p.lookup(ap); !ok {
				return p.wf("namespace prefix %q of attribute %s is not declared", ap, al)
			}
		}
		for _, b := range node.Attrs {
			if b.Space == au && b.Local == al {
				return p.wf("attribute {%s}%s appears twice in <%s>", au, al, qname)
			}
		}
		if node.Attrs == nil {
			node.Attrs = p.newAttrs(len(attrs))
		}
		node.Attrs = append(node.Attrs, Attr{Space: au, Local: al, Value: a.value})
	}
	if p.cur == nil {
		p.root = node
		node.pos, node.last = 1, true
	} else {
		p.kids = append(p.kids, node)
	}
	if selfClosing {
		if len(p.ns) != mark {
			p.ns = p.ns[:mark]
			p.nsChanged()
		}
		return nil
	}
	p.open = append(p.open, openElem{qname: qname, nsMark: mark, kidMark: len(p.kids)})
	p.cur = node
	return nil
}

// knownNamespace returns the package's constant for a namespace URI of the
// two syntaxes, else uri. Names then share the constants' bytes, and
// comparing them with the constants stops at the pointers.
func knownNamespace(uri string) string {
	switch uri {
	case NSInvoice:
		return NSInvoice
	case NSCreditNote:
		return NSCreditNote
	case NSCAC:
		return NSCAC
	case NSCBC:
		return NSCBC
	case NSEXT:
		return NSEXT
	case NSRSM:
		return NSRSM
	case NSRAM:
		return NSRAM
	case NSUDT:
		return NSUDT
	case NSQDT:
		return NSQDT
	case NSXSI:
		return NSXSI
	}
	return uri
}

func splitQName(q string) (prefix, local string) {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i], q[i+1:]
	}
	return "", q
}

func (p *Parser) lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace", true
	}
	for i := len(p.ns) - 1; i >= 0; i-- {
		if p.ns[i].prefix == prefix {
			return p.ns[i].uri, true
		}
	}
	return "", prefix == ""
}

// attrValue normalizes an attribute value: references expanded, white
// space characters turned into spaces.
func (p *Parser) attrValue(raw []byte) (string, error) {
	var k byte
	for _, c := range raw {
		k |= textClass[c]
	}
	if k&(textAmp|textCheck|textSpace) == 0 { // plain
		return p.intern(raw), nil
	}
	var s string
	if bytes.IndexByte(raw, '&') >= 0 {
		var err error
		if s, err = p.unescapeAttr(raw); err != nil {
			return "", err
		}
		return s, nil
	}
	if err := p.checkChars(raw); err != nil {
		return "", err
	}
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, string(raw)), nil
}

// unescapeAttr normalizes literal white space to spaces, then expands
// references (so that &#10; stays a newline, as XML 1.0 says).
func (p *Parser) unescapeAttr(raw []byte) (string, error) {
	norm := bytes.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, raw)
	return p.unescape(norm)
}

// endTag reads </name> and closes the current element.
func (p *Parser) endTag() error {
	start := p.pos + 2
	if len(p.open) > 0 && p.cur != nil {
		// The common case: </name> exactly as opened.
		open := p.open[len(p.open)-1].qname
		if rest := p.data[start:]; len(rest) > len(open) && rest[len(open)] == '>' && string(rest[:len(open)]) == open {
			p.pos = start + len(open) + 1
			p.closeElement()
			return nil
		}
	}
	n := p.nameLen(start)
	if n == 0 {
		return p.wf("bad end tag")
	}
	name := p.data[start : start+n]
	p.pos = start + n
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '>' {
		return p.wf("unterminated end tag </%s", name)
	}
	p.pos++
	if p.cur == nil || len(p.open) == 0 {
		return p.wf("end tag </%s> without a start tag", name)
	}
	open := p.open[len(p.open)-1].qname
	if string(name) != open {
		return p.wf("end tag </%s> does not match <%s>", name, open)
	}
	p.closeElement()
	return nil
}

// closeElement ends the open element.
func (p *Parser) closeElement() {
	// The children are known now: give them one slice of the right size.
	e := p.open[len(p.open)-1]
	p.open = p.open[:len(p.open)-1]
	if kids := p.kids[e.kidMark:]; len(kids) > 0 {
		c := p.newPtrs(len(kids))
		copy(c, kids)
		p.cur.Children = c
		p.kids = p.kids[:e.kidMark]
	}
	p.numberKids(p.cur.Children)
	if len(p.ns) != e.nsMark {
		p.ns = p.ns[:e.nsMark]
		p.nsChanged()
	}
	p.cur = p.cur.Parent
}

// siblings counts the children of one element that have one local name.
type siblings struct {
	call  uint32 // the numberKids call that counted them
	n     int32
	space string
	last  *Node
}

// numberKids sets each child's position among its siblings of the same
// name, as numberSiblings does, by local name number. Siblings of one
// local name in different namespaces, which are rare, go to
// numberSiblings.
func (p *Parser) numberKids(children []*Node) {
	switch len(children) {
	case 0:
		return
	case 1:
		children[0].pos, children[0].last = 1, true
		return
	}
	if len(p.sibs) < len(p.counts) {
		p.sibs = append(p.sibs, make([]siblings, len(p.counts)-len(p.sibs))...)
	}
	p.closes++
	if p.closes == 0 { // wrapped: no entry may look counted by this call
		clear(p.sibs)
		p.closes = 1
	}
	call := p.closes
	for _, c := range children {
		g := &p.sibs[c.name]
		if g.call != call {
			*g = siblings{call: call, n: 1, space: c.Space, last: c}
			c.pos = 1
			continue
		}
		if g.space != c.Space {
			numberSiblings(children)
			return
		}
		g.n++
		g.last = c
		c.pos = g.n
	}
	for _, c := range children {
		c.last = p.sibs[c.name].last == c
	}
}
