package xmltree

import (
	"strconv"
	"strings"
	"unsafe"
)

// Paths select elements below a Node with a small subset of XPath written
// with the project's fixed prefixes (cac, cbc, ext, ubl, cn, rsm, ram, udt,
// qdt):
//
//	cac:InvoiceLine/cbc:ID    child steps
//	*  or  cac:*              any element (in a namespace)
//	..  and  .                parent, self
//	a//b                      b anywhere below a; a leading // searches the document
//	/ubl:Invoice/cbc:ID       absolute, from the document's root element
//	cbc:ID/@schemeID          an attribute, as the last step only
//
// Predicates are written in Go around these calls.

// Name reports the element's name with the project's prefix, e.g. "cbc:ID".
// Root elements of UBL documents have no prefix.
func (n *Node) Name() string {
	p := PrefixOf(n.Space)
	if p == "" {
		return n.Local
	}
	return p + ":" + n.Local
}

// Is reports whether the element has the prefixed name, e.g. "cac:Party".
func (n *Node) Is(name string) bool {
	if n == nil {
		return false
	}
	if len(name) > 3 && name[3] == ':' { // one of the project's three-letter prefixes: the local name first
		if n.Local != name[4:] {
			return false
		}
		space := namespaceOf(name[:3])
		return space != "" && sameSpace(n.Space, space)
	}
	space, local, ok := SplitName(name)
	if !ok {
		return false
	}
	return n.Local == local && n.Space == space
}

// NameIs reports whether XPath name() of the element equals qname: its name
// as the document writes it, with the document's own prefix, whatever
// namespace that prefix is bound to. qname uses one of the project's fixed
// prefixes or none. The reference tests name() in a few contexts (the CII
// R008 context names 'ram:ApplicableHeaderTradeDelivery'): a document that
// binds the namespace to another prefix, or makes it the default, does not
// match there, and one that binds "ram" to another namespace does.
func (n *Node) NameIs(qname string) bool {
	if n == nil {
		return false
	}
	prefix, local := splitQName(qname)
	code := prefixCode(prefix)
	return code != prefixOther && n.prefix == code && n.Local == local
}

// Position returns n's 1-based position among its siblings of the same
// name, as in the XPath step name[k].
func (n *Node) Position() int { return int(n.pos) }

// Root returns the document's root element.
func (n *Node) Root() *Node {
	if d := n.doc; d != nil && d.root != nil {
		return d.root
	}
	for n.Parent != nil {
		n = n.Parent
	}
	return n
}

// Ancestor returns the nearest proper ancestor with the prefixed name, or nil.
func (n *Node) Ancestor(name string) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Is(name) {
			return p
		}
	}
	return nil
}

// Value returns the element's XPath string value: all text below it.
func (n *Node) Value() string {
	if n == nil {
		return ""
	}
	if len(n.Children) == 0 {
		return n.Text
	}
	var b strings.Builder
	n.appendValue(&b)
	return b.String()
}

func (n *Node) appendValue(b *strings.Builder) {
	b.WriteString(n.Text)
	for _, c := range n.Children {
		c.appendValue(b)
		b.WriteString(c.follow)
	}
}

// HasText reports whether n has character data other than white space of
// its own, before, between or after its child elements.
func (n *Node) HasText() bool {
	if !Blank(n.Text) {
		return true
	}
	for _, c := range n.Children {
		if !Blank(c.follow) {
			return true
		}
	}
	return false
}

// Attr returns the value of the attribute with the given name ("schemeID",
// or prefixed such as "xsi:type") and whether it is present.
func (n *Node) Attr(name string) (string, bool) {
	if n == nil {
		return "", false
	}
	space, local := "", name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		space, local = namespaceOf(name[:i]), name[i+1:]
	}
	for _, a := range n.Attrs {
		if a.Local == local && a.Space == space {
			return a.Value, true
		}
	}
	return "", false
}

// HasAttr reports whether the attribute is present.
func (n *Node) HasAttr(name string) bool {
	_, ok := n.Attr(name)
	return ok
}

// SplitAttr splits a final @name step off path: cbc:ID/@schemeID gives
// cbc:ID and schemeID; a path without one gives itself and "".
func SplitAttr(path string) (elems, attr string) {
	i := strings.IndexByte(path, '@')
	if i < 0 {
		return path, ""
	}
	return strings.TrimSuffix(path[:i], "/"), path[i+1:]
}

// All returns the elements the path selects, in document order (for a
// path ending in @name, the elements before it).
func (n *Node) All(path string) []*Node {
	if n == nil {
		return nil
	}
	if st, ok := oneStep(path); ok {
		d := n.state()
		return keep(&d.nodes, n.appendChildren(&st, spare(&d.nodes)))
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.All(n)
}

// First returns the first element the path selects, or nil.
func (n *Node) First(path string) *Node {
	if n == nil {
		return nil
	}
	if st, ok := oneStep(path); ok {
		return n.firstChild(&st)
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.first(n)
}

// Has reports whether the path selects anything (an element, or an
// attribute when the last step is @name).
func (n *Node) Has(path string) bool {
	if n == nil {
		return false
	}
	if st, ok := oneStep(path); ok {
		return n.firstChild(&st) != nil
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.Has(n)
}

// Count returns how many items the path selects.
func (n *Node) Count(path string) int {
	if n == nil {
		return 0
	}
	if st, ok := oneStep(path); ok {
		c := 0
		for _, ch := range n.Children {
			if st.matches(ch) {
				c++
			}
		}
		return c
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.Count(n)
}

// NormStr is normalize-space(path): the string value of the first item
// the path selects with its white space normalized, or "".
func (n *Node) NormStr(path string) string { return NormSpace(n.Str(path)) }

// Str returns the string value of the first item the path selects, or "".
// This is XPath's string() of a node sequence's first item.
func (n *Node) Str(path string) string {
	if n == nil {
		return ""
	}
	if st, ok := oneStep(path); ok {
		return n.firstChild(&st).Value()
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.Str(n)
}

// Strs returns the string values of all items the path selects.
func (n *Node) Strs(path string) []string {
	if n == nil {
		return nil
	}
	if st, ok := oneStep(path); ok {
		return n.childValues(&st)
	}
	var buf [maxSimpleSteps]pathStep
	p := parsePath(path, buf[:0])
	return p.Strs(n)
}

// oneStep reads a path of one child step written prefix:local with one of
// the project's three-letter prefixes (cbc:ID, not cac:*, not cbc:ID/@x),
// the most common path, which the Node methods evaluate without parsing
// it further. ok is false for any other path.
func oneStep(path string) (st pathStep, ok bool) {
	if len(path) < 5 || path[3] != ':' {
		return st, false
	}
	local := path[4:]
	rest := local
	for len(rest) >= 8 {
		// Letters are above '@', and '*' and '/' below it: eight bytes
		// at a time while none is below 'A' (the test is exact for any
		// bytes), then the bytes of the word that has one.
		x := uint64(rest[0]) | uint64(rest[1])<<8 | uint64(rest[2])<<16 | uint64(rest[3])<<24 |
			uint64(rest[4])<<32 | uint64(rest[5])<<40 | uint64(rest[6])<<48 | uint64(rest[7])<<56
		if (x-0x4141414141414141)&^x&0x8080808080808080 != 0 {
			break
		}
		rest = rest[8:]
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c <= '@' && (c == '/' || c == '@' || c == '*') {
			return st, false
		}
	}
	space := namespaceOf(path[:3])
	if space == "" {
		return st, false
	}
	return pathStep{space: space, local: local}, true
}

// appendChildren appends n's children that match st to out.
func (n *Node) appendChildren(st *pathStep, out []*Node) []*Node {
	for _, ch := range n.Children {
		if st.matches(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// firstChild returns n's first child that matches st, or nil.
func (n *Node) firstChild(st *pathStep) *Node {
	for _, ch := range n.Children {
		if st.matches(ch) {
			return ch
		}
	}
	return nil
}

// childValues returns the string values of n's children that match st.
func (n *Node) childValues(st *pathStep) []string {
	var out []string
	for _, ch := range n.Children {
		if st.matches(ch) {
			if out == nil {
				out = spare(&n.state().strs)
			}
			out = append(out, ch.Value())
		}
	}
	if out == nil {
		return nil
	}
	return keep(&n.state().strs, out)
}

// A Path is a path of the subset above, parsed once (Compile) and
// evaluated on many elements: its methods are the Node methods of the
// same names, n.Has("cbc:ID") being Compile("cbc:ID").Has(n), without
// parsing the path at every evaluation. A Path is immutable and safe for
// concurrent use.
type Path struct {
	src   string     // the path as written
	elems string     // src without a final @name step
	attr  string     // the final @name step's name, or ""
	kind  pathKind   // how the element steps are evaluated
	steps []pathStep // the element steps, for kinds other than pathSelf and pathGeneral
}

// A pathKind is the way a path's element steps are evaluated.
type pathKind uint8

const (
	pathSelf    pathKind = iota // "" or ".": the context element
	pathChild                   // a/b: child steps, depth first
	pathRoot                    // /a/b: child steps from the root element
	pathIndexed                 // //a/b: the index of names, checked upwards
	pathGeneral                 // anything else: step by step over node sets (selectGeneral)
)

// Compile parses path. Every string is a path: one outside the subset
// selects what the general evaluator makes of it, as the Node methods do.
func Compile(path string) *Path {
	p := parsePath(path, nil)
	if p.steps != nil {
		p.steps = append([]pathStep(nil), p.steps...) // off the parser's buffer, exactly sized
	}
	return &p
}

// String returns the path as written.
func (p *Path) String() string { return p.src }

// parsePath parses path, its steps into buf where they fit.
func parsePath(path string, buf []pathStep) Path {
	elems, attr := SplitAttr(path)
	p := Path{src: path, elems: elems, attr: attr, kind: pathGeneral}
	if buf == nil {
		buf = make([]pathStep, 0, maxSimpleSteps)
	}
	switch {
	case elems == "" || elems == ".":
		p.kind = pathSelf
	case elems[0] != '/':
		if steps, ok := simpleSteps(elems, buf); ok {
			p.kind, p.steps = pathChild, steps
		}
	case len(elems) > 2 && elems[1] == '/':
		if steps, ok := simpleSteps(elems[2:], buf); ok && !steps[len(steps)-1].anyLocal {
			p.kind, p.steps = pathIndexed, steps
		}
	default:
		if steps, ok := simpleSteps(elems[1:], buf); ok {
			p.kind, p.steps = pathRoot, steps
		}
	}
	return p
}

// sel appends the elements the path's element steps select from n to out.
func (p *Path) sel(n *Node, out []*Node) []*Node {
	switch p.kind {
	case pathSelf:
		return append(out, n)
	case pathChild:
		return n.selectSteps(p.steps, out)
	case pathIndexed:
		// //a/b: the document's b elements whose parent is an a.
		for _, e := range n.Named(p.steps[len(p.steps)-1].local) {
			if e.matchesUp(p.steps) {
				out = append(out, e)
			}
		}
		return out
	case pathRoot:
		root := n.Root()
		if !p.steps[0].matches(root) {
			return out
		}
		if len(p.steps) == 1 {
			return append(out, root)
		}
		return root.selectSteps(p.steps[1:], out)
	}
	return n.selectGeneral(p.elems, out)
}

// first returns the first element the element steps select from n, or nil.
func (p *Path) first(n *Node) *Node {
	switch p.kind {
	case pathSelf:
		return n
	case pathChild:
		return n.firstSteps(p.steps)
	case pathRoot:
		root := n.Root()
		if !p.steps[0].matches(root) {
			return nil
		}
		if len(p.steps) == 1 {
			return root
		}
		return root.firstSteps(p.steps[1:])
	case pathIndexed:
		for _, e := range n.Named(p.steps[len(p.steps)-1].local) {
			if e.matchesUp(p.steps) {
				return e
			}
		}
		return nil
	}
	var buf [4]*Node
	if all := n.selectGeneral(p.elems, buf[:0]); len(all) > 0 {
		return all[0]
	}
	return nil
}

// All is n.All(path): the elements the path selects, in document order.
func (p *Path) All(n *Node) []*Node {
	if n == nil {
		return nil
	}
	d := n.state()
	return keep(&d.nodes, p.sel(n, spare(&d.nodes)))
}

// First is n.First(path): the first element the path selects, or nil.
func (p *Path) First(n *Node) *Node {
	if n == nil {
		return nil
	}
	return p.first(n)
}

// Has is n.Has(path): whether the path selects anything.
func (p *Path) Has(n *Node) bool {
	if n == nil {
		return false
	}
	if p.attr == "" {
		return p.first(n) != nil
	}
	if p.kind == pathChild {
		return n.anyStepsAttr(p.steps, p.attr)
	}
	var buf [16]*Node
	for _, e := range p.sel(n, buf[:0]) {
		if e.HasAttr(p.attr) {
			return true
		}
	}
	return false
}

// anyStepsAttr reports whether an element the child steps select has
// the attribute.
func (n *Node) anyStepsAttr(steps []pathStep, attr string) bool {
	st := &steps[0]
	for _, ch := range n.Children {
		if st.matches(ch) {
			if len(steps) == 1 {
				if ch.HasAttr(attr) {
					return true
				}
			} else if ch.anyStepsAttr(steps[1:], attr) {
				return true
			}
		}
	}
	return false
}

// Count is n.Count(path): how many items the path selects.
func (p *Path) Count(n *Node) int {
	if n == nil {
		return 0
	}
	var buf [16]*Node
	nodes := p.sel(n, buf[:0])
	if p.attr == "" {
		return len(nodes)
	}
	c := 0
	for _, e := range nodes {
		if e.HasAttr(p.attr) {
			c++
		}
	}
	return c
}

// Str is n.Str(path): the string value of the first item, or "".
func (p *Path) Str(n *Node) string {
	if n == nil {
		return ""
	}
	if p.attr == "" {
		return p.first(n).Value()
	}
	var buf [16]*Node
	for _, e := range p.sel(n, buf[:0]) {
		if v, ok := e.Attr(p.attr); ok {
			return v
		}
	}
	return ""
}

// NormStr is n.NormStr(path): normalize-space of the first item's value.
func (p *Path) NormStr(n *Node) string { return NormSpace(p.Str(n)) }

// Strs is n.Strs(path): the string values of all items the path selects.
func (p *Path) Strs(n *Node) []string {
	if n == nil {
		return nil
	}
	var buf [16]*Node
	nodes := p.sel(n, buf[:0])
	if len(nodes) == 0 {
		return nil
	}
	d := n.state()
	out := spare(&d.strs)
	for _, e := range nodes {
		if p.attr != "" {
			if v, ok := e.Attr(p.attr); ok {
				out = append(out, v)
			}
			continue
		}
		out = append(out, e.Value())
	}
	return keep(&d.strs, out)
}

// pathStep is one name test of a path.
type pathStep struct {
	space, local string
	anyLocal     bool
}

// maxSimpleSteps bounds the child-only paths evaluated without allocation.
const maxSimpleSteps = 10

func (n *Node) firstSteps(steps []pathStep) *Node {
	st := &steps[0]
	for _, ch := range n.Children {
		if st.matches(ch) {
			if len(steps) == 1 {
				return ch
			}
			if e := ch.firstSteps(steps[1:]); e != nil {
				return e
			}
		}
	}
	return nil
}

func (st *pathStep) matches(e *Node) bool {
	return (st.anyLocal || e.Local == st.local) && (st.space == "*" || sameSpace(e.Space, st.space))
}

// sameSpace is a == b for namespace URIs, which are mostly the same
// constant: the parser and namespaceOf share them.
func sameSpace(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// matchesUp reports whether e matches the last step, its parent the one
// before, and so on.
func (e *Node) matchesUp(steps []pathStep) bool {
	for i := len(steps) - 1; i >= 0; i-- {
		if e == nil || !steps[i].matches(e) {
			return false
		}
		e = e.Parent
	}
	return true
}

// simpleSteps parses a relative path of child name steps into buf. ok is
// false where the path needs the general evaluator.
func simpleSteps(path string, buf []pathStep) ([]pathStep, bool) {
	if path == "" || path[0] == '/' {
		return nil, false
	}
	for {
		step, rest, more := path, "", false
		if i := strings.IndexByte(path, '/'); i >= 0 {
			step, rest, more = path[:i], path[i+1:], true
		}
		if len(buf) == cap(buf) {
			return nil, false
		}
		var st pathStep
		if len(step) > 3 && step[3] == ':' {
			// prefix:local with one of the project's three-letter
			// prefixes, as SplitName reads it.
			st.space, st.local = namespaceOf(step[:3]), step[4:]
			if st.space == "" {
				return nil, false // unknown prefix: the general evaluator selects nothing
			}
			st.anyLocal = st.local == "*"
		} else {
			if step == "." || step == ".." {
				return nil, false
			}
			var ok bool
			if st.space, st.local, st.anyLocal, ok = splitStep(step); !ok {
				return nil, false // unknown prefix: the general evaluator selects nothing
			}
		}
		buf = append(buf, st)
		if !more {
			return buf, true
		}
		if rest == "" || rest[0] == '/' {
			return nil, false
		}
		path = rest
	}
}

func (n *Node) selectSteps(steps []pathStep, out []*Node) []*Node {
	st := &steps[0]
	for _, ch := range n.Children {
		if st.matches(ch) {
			if len(steps) == 1 {
				out = append(out, ch)
			} else {
				out = ch.selectSteps(steps[1:], out)
			}
		}
	}
	return out
}

// selectGeneral evaluates any path of the subset, step by step over node sets.
func (n *Node) selectGeneral(path string, out []*Node) []*Node {
	ctx := []*Node{n}
	if strings.HasPrefix(path, "//") {
		root := n.Root()
		ctx = []*Node{{Children: []*Node{root}}} // a document node
		path = path[2:]
		ctx = descendantsOrSelf(ctx)
	} else if strings.HasPrefix(path, "/") {
		ctx = []*Node{{Children: []*Node{n.Root()}}}
		path = path[1:]
	}
	for path != "" {
		step := path
		rest := ""
		desc := false
		if i := strings.IndexByte(path, '/'); i >= 0 {
			step, rest = path[:i], path[i+1:]
			if strings.HasPrefix(rest, "/") {
				desc = true
				rest = rest[1:]
			}
		}
		var next []*Node
		switch step {
		case ".":
			next = ctx
		case "..":
			for _, c := range ctx {
				if c.Parent != nil && !containsNode(next, c.Parent) {
					next = append(next, c.Parent)
				}
			}
		default:
			space, local, anyLocal, ok := splitStep(step)
			if !ok {
				return out
			}
			for _, c := range ctx {
				for _, ch := range c.Children {
					if (anyLocal || ch.Local == local) && (space == "*" || ch.Space == space) {
						next = append(next, ch)
					}
				}
			}
		}
		if desc {
			next = descendantsOrSelf(next)
		}
		ctx = next
		path = rest
		if len(ctx) == 0 {
			return out
		}
	}
	return append(out, ctx...)
}

func containsNode(list []*Node, n *Node) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}

// descendantsOrSelf returns the nodes and all elements below them, in
// document order, without duplicates.
func descendantsOrSelf(nodes []*Node) []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(n *Node) {
		out = append(out, n)
		for _, c := range n.Children {
			walk(c)
		}
	}
	for i, n := range nodes {
		nested := false
		for _, m := range nodes[:i] {
			if isAncestor(m, n) {
				nested = true
				break
			}
		}
		if !nested {
			walk(n)
		}
	}
	return out
}

// allIn reports whether every node is in the namespace ("*": any).
func allIn(nodes []*Node, space string) bool {
	if space == "*" {
		return true
	}
	for _, e := range nodes {
		if e.Space != space {
			return false
		}
	}
	return true
}

func isAncestor(a, n *Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// Descendants returns every element below n with the prefixed name ("*" for
// all), in document order.
func (n *Node) Descendants(name string) []*Node {
	var out []*Node
	space, local, anyLocal, ok := splitStep(name)
	if !ok {
		return nil
	}
	if !anyLocal {
		named := n.Named(local)
		if n.Parent == nil && (len(named) == 0 || named[0] != n) && allIn(named, space) {
			return named[:len(named):len(named)] // the index itself; appends copy
		}
		for _, e := range named {
			if (space == "*" || e.Space == space) && e != n && (n.Parent == nil || isAncestor(n, e)) {
				out = append(out, e)
			}
		}
		return out
	}
	var walk func(*Node)
	walk = func(e *Node) {
		for _, c := range e.Children {
			if (anyLocal || c.Local == local) && (space == "*" || c.Space == space) {
				out = append(out, c)
			}
			walk(c)
		}
	}
	walk(n)
	return out
}

func SplitName(name string) (space, local string, ok bool) {
	i := 3 // the project's prefixes have three letters, but for cn
	if len(name) <= i || name[i] != ':' {
		if i = strings.IndexByte(name, ':'); i < 0 {
			return "", name, true
		}
	}
	space = namespaceOf(name[:i])
	return space, name[i+1:], space != ""
}

func splitStep(step string) (space, local string, anyLocal, ok bool) {
	if step == "*" {
		return "*", "", true, true
	}
	space, local, ok = SplitName(step)
	return space, local, local == "*", ok
}

// Path returns the element's location as an XPath with the project's
// prefixes, e.g. /Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount. A
// position is written where an element has same-named siblings.
func (n *Node) Path() string {
	if n == nil {
		return ""
	}
	var stack [32]*Node
	chain := stack[:0]
	for e := n; e != nil; e = e.Parent {
		chain = append(chain, e)
	}
	b := make([]byte, 0, 24*len(chain))
	for i := len(chain) - 1; i >= 0; i-- {
		e := chain[i]
		b = append(b, '/')
		if p := PrefixOf(e.Space); p != "" {
			b = append(b, p...)
			b = append(b, ':')
		}
		b = append(b, e.Local...)
		if e.pos > 1 || !e.last {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(e.pos), 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

// AtRoot reports whether n is selected by path read from the document's
// root element (which the path does not name): n.AtRoot("cac:TaxTotal/cac:TaxSubtotal")
// is true for /*/cac:TaxTotal/cac:TaxSubtotal. It walks n's ancestors, so
// it costs the path's length, not the document's size.
func (n *Node) AtRoot(path string) bool {
	e := n
	for path != "" {
		if e == nil {
			return false
		}
		// The common step, /ppp:Local with one of the project's
		// three-letter prefixes, is read at the end of path from the
		// element's local name, without scanning for its slash.
		if k := len(path) - len(e.Local); k >= 4 && path[k-1] == ':' && (k == 4 || path[k-5] == '/') && path[k:] == e.Local {
			if space := namespaceOf(path[k-4 : k-1]); space != "" {
				if e.Space != space {
					return false
				}
				path = path[:max(k-5, 0)]
				e = e.Parent
				continue
			}
		}
		step := path
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			step, path = path[i+1:], path[:i]
		} else {
			path = ""
		}
		if e == nil || !e.Is(step) {
			return false
		}
		e = e.Parent
	}
	return e != nil && e.Parent == nil
}

// A MemoKey names a value of type T that Memo computes once per document.
// Its address is its identity: declare one per cached value (a variable,
// or a field of what owns the value) and pass a pointer to it.
type MemoKey[T any] struct{ id memoID }

type memoID struct{ _ byte } // not zero-sized, so that every key has an address of its own

type memoEntry struct {
	key *memoID
	val any
}

// Memo returns the value f computes for key, computing it once per
// document: for values the rules of a pattern share, like Schematron's
// pattern-level variables. A document holds few keys, so they are found by
// a scan that starts at the one found last (consecutive calls mostly ask
// for the same key), cheaper than hashing.
func Memo[T any](n *Node, key *MemoKey[T], f func() T) T {
	d := n.state()
	if i := d.lastMemo; i < len(d.memo) && d.memo[i].key == &key.id {
		return d.memo[i].val.(T)
	}
	for i := range d.memo {
		if d.memo[i].key == &key.id {
			d.lastMemo = i
			return d.memo[i].val.(T)
		}
	}
	v := f()
	d.lastMemo = len(d.memo)
	d.memo = append(d.memo, memoEntry{&key.id, v})
	return v
}
