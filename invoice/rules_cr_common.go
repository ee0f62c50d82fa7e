package invoice

import (
	"sort"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
	"github.com/eingang/eingang/schemas"
)

// The restriction tables of both syntaxes (schemas.UBLRestrictions: UBL-CR;
// schemas.CIIRestrictions: the bare not(path) CII-SR rules) as rules, and
// the path sets that evaluate them.

// restrictionRules turns a restriction table into rules, with the contexts
// their lines name.
func restrictionRules(table []schemas.Restriction, contexts map[int]ruleContext) []rule {
	// The paths of one context are evaluated together, in one walk below
	// each element it selects.
	byContext := map[int][]string{}
	index := make([]int, len(table))
	for i, r := range table {
		index[i] = len(byContext[r.Context])
		byContext[r.Context] = append(byContext[r.Context], r.Path)
	}
	sets := map[int]*pathSet{}
	for c, paths := range byContext {
		sets[c] = newPathSet(paths)
	}
	rules := make([]rule, 0, len(table))
	for i, r := range table {
		ctx, ok := contexts[r.Context]
		if !ok {
			panic("invoice: no context for line " + r.ID)
		}
		ps, k := sets[r.Context], index[i]
		rules = append(rules, rule{ID: r.ID, Context: ctx,
			Test: func(n *node) bool { return !ps.hitsMemo(n)[k] }, set: ps, inSet: k})
	}
	return rules
}

// A pathSet evaluates many restriction paths from one element in a single
// walk below it: child paths (an attribute may end them, or stand alone
// for the element's own) through a trie of steps, // paths from the
// document's index of names (//@name by a walk of the document), and
// (cac:InvoiceLine|cac:CreditNoteLine)/… as both alternatives.
type pathSet struct {
	trie    pathTrie
	desc    []descPath // // paths with an element step, grouped by the local name of their last one
	anyAttr []descPath // //@name: any element's attribute
	n       int
	memo    xmltree.MemoKey[*nodeHits] // see hitsMemo
}

type pathTrie struct {
	space    string        // namespace of the element step that leads here
	child    nameIndex     // numbers the local names of the children
	children [][]*pathTrie // the children by that number, then namespace
	ids      []int         // paths that end at this element
	attrs    []trieAttr    // paths that end at an attribute of this element
	// built holds the children while the trie is built; child indexes them.
	built map[string][]*pathTrie
}

// A trieAttr is the paths that end at one attribute of an element.
type trieAttr struct {
	name string
	ids  []int
}

// next returns the child for the element step {space}local, or nil.
func (t *pathTrie) next(space, local string) *pathTrie {
	i := t.child.get(local)
	if i < 0 {
		return nil
	}
	for _, c := range t.children[i] {
		if c.space == space {
			return c
		}
	}
	return nil
}

type descPath struct {
	steps []schemas.QName // element steps, the last one last
	attr  string
	id    int
}

func parseSteps(path string) (steps []schemas.QName, attr string) {
	for _, s := range strings.Split(path, "/") {
		if a, ok := strings.CutPrefix(s, "@"); ok {
			attr = a
			continue
		}
		space, local, _ := xmltree.SplitName(s)
		steps = append(steps, schemas.QName{Space: space, Local: local})
	}
	return steps, attr
}

func (t *pathTrie) add(steps []schemas.QName, attr string, id int) {
	for _, s := range steps {
		if t.built == nil {
			t.built = map[string][]*pathTrie{}
		}
		var next *pathTrie
		for _, c := range t.built[s.Local] {
			if c.space == s.Space {
				next = c
			}
		}
		if next == nil {
			next = &pathTrie{space: s.Space}
			t.built[s.Local] = append(t.built[s.Local], next)
		}
		t = next
	}
	if attr == "" {
		t.ids = append(t.ids, id)
		return
	}
	for i := range t.attrs {
		if t.attrs[i].name == attr {
			t.attrs[i].ids = append(t.attrs[i].ids, id)
			return
		}
	}
	t.attrs = append(t.attrs, trieAttr{attr, []int{id}})
}

// index turns the children maps of the trie into name indexes.
func (t *pathTrie) index() {
	names := make([]string, 0, len(t.built))
	for name, cs := range t.built {
		for _, c := range cs {
			c.index()
		}
		names = append(names, name)
		t.children = append(t.children, cs)
	}
	t.child, t.built = newNameIndex(names), nil
}

// newPathSet compiles paths (restriction paths, see restrictionHit).
func newPathSet(paths []string) *pathSet {
	ps := &pathSet{n: len(paths)}
	for id, p := range paths {
		if rest, ok := strings.CutPrefix(p, "(cac:InvoiceLine|cac:CreditNoteLine)/"); ok {
			for _, line := range []string{"cac:InvoiceLine/", "cac:CreditNoteLine/"} {
				steps, attr := parseSteps(line + rest)
				ps.trie.add(steps, attr, id)
			}
			continue
		}
		if rest, ok := strings.CutPrefix(p, "//"); ok {
			steps, attr := parseSteps(rest)
			if len(steps) == 0 {
				ps.anyAttr = append(ps.anyAttr, descPath{steps, attr, id})
			} else {
				ps.desc = append(ps.desc, descPath{steps, attr, id})
			}
			continue
		}
		steps, attr := parseSteps(p)
		ps.trie.add(steps, attr, id)
	}
	sort.SliceStable(ps.desc, func(i, j int) bool {
		return ps.desc[i].steps[len(ps.desc[i].steps)-1].Local < ps.desc[j].steps[len(ps.desc[j].steps)-1].Local
	})
	ps.trie.index()
	return ps
}

// hitsMemo is hits, computed once for consecutive calls on one element:
// the rules of a context run one after the other on each element.
func (ps *pathSet) hitsMemo(n *node) []bool {
	c := xmltree.Memo(n, &ps.memo, newNodeHits)
	if c.n != n {
		c.n, c.hits = n, ps.hits(c.hits, n)
	}
	return c.hits
}

// nodeHits are the results of a pathSet on one element.
type nodeHits struct {
	n    *node
	hits []bool
}

func newNodeHits() *nodeHits { return &nodeHits{} }

// hits evaluates every path from n and reports which select something,
// in buf where it is large enough.
func (ps *pathSet) hits(buf []bool, n *node) []bool {
	hit := buf[:0]
	if cap(hit) < ps.n {
		hit = make([]bool, ps.n)
	}
	hit = hit[:ps.n]
	clear(hit)
	markAttrs(hit, ps.trie.attrs, n) // @attr of n itself
	if len(ps.trie.children) > 0 {
		walkTrie(hit, &ps.trie, n)
	}
	// // paths: the elements named as their last step, from the index.
	for i := 0; i < len(ps.desc); {
		local := ps.desc[i].steps[len(ps.desc[i].steps)-1].Local
		j := i + 1
		for j < len(ps.desc) && ps.desc[j].steps[len(ps.desc[j].steps)-1].Local == local {
			j++
		}
		named := n.Named(local)
		for _, d := range ps.desc[i:j] {
			for _, e := range named {
				if descMatches(e, d) {
					hit[d.id] = true
					break
				}
			}
		}
		i = j
	}
	if len(ps.anyAttr) > 0 {
		var all func(e *node)
		all = func(e *node) {
			if len(e.Attrs) > 0 {
				for _, d := range ps.anyAttr {
					if !hit[d.id] && e.HasAttr(d.attr) {
						hit[d.id] = true
					}
				}
			}
			for _, c := range e.Children {
				all(c)
			}
		}
		all(n.Root())
	}
	return hit
}

// walkTrie marks the paths of t's children that select something below e.
func walkTrie(hit []bool, t *pathTrie, e *node) {
	for _, c := range e.Children {
		sub := t.next(c.Space, c.Local)
		if sub == nil {
			continue
		}
		for _, id := range sub.ids {
			hit[id] = true
		}
		markAttrs(hit, sub.attrs, c)
		if len(sub.children) > 0 {
			walkTrie(hit, sub, c)
		}
	}
}

// markAttrs marks the paths that end at an attribute e has.
func markAttrs(hit []bool, attrs []trieAttr, e *node) {
	if len(e.Attrs) == 0 {
		return
	}
	for _, a := range attrs {
		if e.HasAttr(a.name) {
			for _, id := range a.ids {
				hit[id] = true
			}
		}
	}
}

func descMatches(e *node, d descPath) bool {
	if d.attr != "" && !e.HasAttr(d.attr) { // the attribute first: it is rarer than the names
		return false
	}
	a := e
	for i := len(d.steps) - 1; i >= 0; i-- {
		if a == nil || a.Local != d.steps[i].Local || a.Space != d.steps[i].Space {
			return false
		}
		a = a.Parent
	}
	return true
}
