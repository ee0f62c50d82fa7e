package invoice

import (
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
			Test: func(n *node) bool { return !ps.hitsMemo(n)[k] }})
	}
	return rules
}

// A pathSet evaluates many restriction paths from one element in a single
// walk of the document: child paths (an attribute may end them, or stand
// alone for the element's own) through a trie of steps, // paths by the
// names of their last step, and (cac:InvoiceLine|cac:CreditNoteLine)/… as
// both alternatives.
type pathSet struct {
	trie pathTrie
	desc map[string][]descPath // by local name of the last element step
	n    int
	memo xmltree.MemoKey[*nodeHits] // see hitsMemo
}

type pathTrie struct {
	space string                 // namespace of the element step that leads here
	child map[string][]*pathTrie // by local name: hashing it is cheaper than the namespace too
	ids   []int                  // paths that end at this element
	attrs map[string][]int       // paths that end at an attribute of this element
}

// next returns the child for the element step {space}local, or nil.
func (t *pathTrie) next(space, local string) *pathTrie {
	for _, c := range t.child[local] {
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
		if t.child == nil {
			t.child = map[string][]*pathTrie{}
		}
		next := t.next(s.Space, s.Local)
		if next == nil {
			next = &pathTrie{space: s.Space}
			t.child[s.Local] = append(t.child[s.Local], next)
		}
		t = next
	}
	if attr == "" {
		t.ids = append(t.ids, id)
		return
	}
	if t.attrs == nil {
		t.attrs = map[string][]int{}
	}
	t.attrs[attr] = append(t.attrs[attr], id)
}

// newPathSet compiles paths (restriction paths, see restrictionHit).
func newPathSet(paths []string) *pathSet {
	ps := &pathSet{desc: map[string][]descPath{}, n: len(paths)}
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
			key := "*" // //@attr: any element
			if len(steps) > 0 {
				key = steps[len(steps)-1].Local
			}
			ps.desc[key] = append(ps.desc[key], descPath{steps, attr, id})
			continue
		}
		steps, attr := parseSteps(p)
		ps.trie.add(steps, attr, id)
	}
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
	for a, ids := range ps.trie.attrs { // @attr of n itself
		if n.HasAttr(a) {
			for _, id := range ids {
				hit[id] = true
			}
		}
	}
	var walk func(t *pathTrie, e *node)
	walk = func(t *pathTrie, e *node) {
		for _, c := range e.Children {
			sub := t.next(c.Space, c.Local)
			if sub == nil {
				continue
			}
			for _, id := range sub.ids {
				hit[id] = true
			}
			for a, ids := range sub.attrs {
				if c.HasAttr(a) {
					for _, id := range ids {
						hit[id] = true
					}
				}
			}
			if sub.child != nil {
				walk(sub, c)
			}
		}
	}
	walk(&ps.trie, n)
	if len(ps.desc) > 0 {
		var all func(e *node)
		all = func(e *node) {
			for _, key := range [2]string{e.Local, "*"} {
				for _, d := range ps.desc[key] {
					if !hit[d.id] && descMatches(e, d) {
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

func descMatches(e *node, d descPath) bool {
	a := e
	for i := len(d.steps) - 1; i >= 0; i-- {
		if a == nil || a.Local != d.steps[i].Local || a.Space != d.steps[i].Space {
			return false
		}
		a = a.Parent
	}
	return d.attr == "" || e.HasAttr(d.attr)
}
