package invoice

import (
	"bytes"
	"sort"
	"unsafe"
)

// A ruleFlag is a rule's severity as its source defines it, before a
// scenario's customLevel applies.
type ruleFlag string

// The flags the sources use.
const (
	fatal   ruleFlag = "fatal"
	warning ruleFlag = "warning"
	info    ruleFlag = "information"
)

// A Level is a finding's severity in a report.
type Level string

// Finding levels. Any Error rejects the document.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelInfo    Level = "information"
)

func (f ruleFlag) level() Level {
	switch f {
	case warning, "warn":
		return LevelWarning
	case info, "info":
		return LevelInfo
	}
	return LevelError
}

// A syntax is a document syntax.
type syntax uint8

// The syntaxes.
const (
	syntaxUBL syntax = 1 << iota // UBL 2.1 Invoice and CreditNote
	syntaxCII                    // UN/CEFACT CII D16B
)

func (s syntax) String() string {
	switch s {
	case syntaxUBL:
		return "ubl"
	case syntaxCII:
		return "cii"
	}
	return "unknown"
}

// A source is the rule set a rule belongs to.
type source uint8

// The rule sets.
const (
	srcEN16931   source = iota + 1 // CEN EN 16931 validation artefacts
	srcXRechnung                   // XRechnung Schematron (with its PEPPOL-EN16931-R rules)
)

// A pattern groups rule contexts the way a Schematron pattern does: each
// element of the document is checked against the contexts of a pattern in
// their Order, and only the first that matches applies to it.
type pattern uint8

// The patterns of the reference, per syntax and source.
const (
	patUBLModel         pattern = iota + 1 // EN 16931 UBL: business rules
	patUBLSyntax                           // EN 16931 UBL: UBL-SR, UBL-CR, UBL-DT
	patUBLCodes                            // EN 16931 UBL: BR-CL code lists
	patCIIModel                            // EN 16931 CII: business rules
	patCIISyntax                           // EN 16931 CII: CII-SR, CII-DT
	patCIICodes                            // EN 16931 CII: BR-CL code lists
	patXRUBL                               // XRechnung UBL: BR-DE, BR-DEX, BR-TMP, PEPPOL-EN16931-R
	patXRUBLExtension                      // XRechnung UBL: extension rules (BR-DEX)
	patXRUBLCVD                            // XRechnung UBL: CVD rules (BR-DE-CVD)
	patXRUBLPeppol                         // XRechnung UBL: PEPPOL-EN16931-R rules
	patXRCII                               // XRechnung CII
	patXRCIIExtension                      // XRechnung CII: extension rules
	patXRCIICVD                            // XRechnung CII: CVD rules
	patXRCIIPeppol                         // XRechnung CII: PEPPOL-EN16931-R rules
	patXRUBLPeppolEmpty                    // XRechnung UBL: PEPPOL-EN16931-R008 (empty elements), a pattern of its own
	patXRCIIPeppolEmpty                    // XRechnung CII: PEPPOL-EN16931-R008
	patXRCIIPeppolPrice                    // XRechnung CII: PEPPOL-EN16931-R044, R046 on the gross price
	patXRUBLDates                          // XRechnung UBL: BR-TMP-6 (release 2026-08-31, from its notes)
	patXRCIIDates                          // XRechnung CII: BR-TMP-7 (release 2026-08-31, from its notes)

	numPatterns = iota + 1
)

// A ruleContext selects the elements a group of rules applies to, like a
// Schematron rule's context. Contexts with the same Pattern and Order are
// one context; the Match of the first registered is used.
type ruleContext struct {
	Pattern pattern
	// Order places the context in its pattern: the first matching context
	// (lowest Order) takes an element. Use the position of the rule in its
	// source, e.g. its line number there.
	Order int
	// Names lists the local names of the elements the context can match, so
	// that Match runs only on candidates; nil means any element.
	Names []string
	// Match reports whether the element is selected.
	Match func(n *node) bool
}

// A rule is one assertion: an id, its flag, where it applies and a test.
// A rule without ID and Test only claims its Context's elements, as a
// Schematron rule does whose asserts belong to another family's file.
type rule struct {
	ID      string
	Flag    ruleFlag
	Context ruleContext
	// Test reports whether the element satisfies the rule. A Schematron
	// assert fires when its test is false: Test returns false then. A
	// Schematron report fires when its test is true: write Test as its
	// negation.
	Test func(n *node) bool
	// Flag and Message override the catalogue's entry for ID (see
	// catalogue.go): leave them empty unless this syntax needs other
	// words. Message says what the rule requires and what to fix, in
	// English and German.
	Message, MessageDE string
	// set and inSet are, for a rule of a restriction table (see
	// restrictionRules), the path set that evaluates its path with those
	// of the other rules of its context, and its number there: the engine
	// evaluates the set once per element and reads the rule's result
	// from it, which is what Test answers too. A release that changes the
	// rule's Test drops them.
	set   *pathSet
	inSet int
}

// Source reports the rule set a rule belongs to, from its pattern.
func (r *rule) Source() source {
	if r.Context.Pattern >= patXRUBL {
		return srcXRechnung
	}
	return srcEN16931
}

// Syntax reports the syntax a rule applies to, from its pattern.
func (r *rule) Syntax() syntax {
	switch r.Context.Pattern {
	case patUBLModel, patUBLSyntax, patUBLCodes, patXRUBL, patXRUBLExtension, patXRUBLCVD, patXRUBLPeppol, patXRUBLPeppolEmpty, patXRUBLDates:
		return syntaxUBL
	}
	return syntaxCII
}

// ruleSet is the compiled rule table: per pattern, its contexts in order,
// each with its rules.
type ruleSet struct {
	patterns [numPatterns]*compiledPattern
	byID     map[string][]*rule
	// names numbers the local names the contexts name; byName holds, per
	// number, the candidate contexts of every pattern in Order (those that
	// name it and those without Names), so that one lookup per element
	// serves all patterns; anyName holds them for the other names.
	names   nameIndex
	byName  []*nameContexts
	anyName nameContexts
}

// nameContexts are the candidate contexts of the elements of one local
// name, per pattern.
type nameContexts struct {
	mask  uint32 // the patterns with candidates, by bit
	cands [numPatterns][]*compiledContext
	// tries lists, per syntax (see runner.syn), the patterns with
	// candidates and their candidates, in the order patternsOf gives the
	// patterns, which walk follows.
	tries [2][]patternCands
}

// patternCands are the candidate contexts of one pattern.
type patternCands struct {
	pid   pattern
	cands []*compiledContext
}

type compiledPattern struct {
	contexts []*compiledContext
}

type compiledContext struct {
	ruleContext
	// blocks holds the rules in order, each run of restriction rules of
	// one path set in one block, every other rule in a block of its own.
	blocks []ruleBlock
}

// A ruleBlock is one rule with a Test, or (set not nil) consecutive
// restriction rules of set.
type ruleBlock struct {
	set   *pathSet
	rules []*rule
}

// compile builds the rule set from the table.
func compile(rules []rule) *ruleSet {
	rs := &ruleSet{byID: map[string][]*rule{}}
	type key struct {
		p pattern
		o int
	}
	ctxs := map[key]*compiledContext{}
	for i := range rules {
		r := &rules[i]
		if r.ID != "" {
			rs.byID[r.ID] = append(rs.byID[r.ID], r)
		}
		k := key{r.Context.Pattern, r.Context.Order}
		c, ok := ctxs[k]
		if !ok {
			c = &compiledContext{ruleContext: r.Context}
			ctxs[k] = c
			p := rs.patterns[k.p]
			if p == nil {
				p = &compiledPattern{}
				rs.patterns[k.p] = p
			}
			p.contexts = append(p.contexts, c)
		}
		if r.Test == nil {
			continue
		}
		if b := len(c.blocks) - 1; r.set != nil && b >= 0 && c.blocks[b].set == r.set {
			c.blocks[b].rules = append(c.blocks[b].rules, r)
		} else {
			c.blocks = append(c.blocks, ruleBlock{r.set, []*rule{r}})
		}
	}
	byName := map[string]*nameContexts{}
	var names []string
	for pid, p := range rs.patterns {
		if p == nil {
			continue
		}
		sort.SliceStable(p.contexts, func(i, j int) bool { return p.contexts[i].Order < p.contexts[j].Order })
		for _, c := range p.contexts {
			if c.Names == nil {
				rs.anyName.cands[pid] = append(rs.anyName.cands[pid], c)
				continue
			}
			for _, n := range c.Names {
				e := byName[n]
				if e == nil {
					e = &nameContexts{}
					byName[n] = e
					names = append(names, n)
				}
				if l := e.cands[pid]; len(l) == 0 || l[len(l)-1] != c { // a context may name a name twice
					e.cands[pid] = append(l, c)
				}
			}
		}
	}
	// Merge each name's contexts with those without Names, by Order (a
	// named one first at equal Order), as the reference tries them.
	for _, name := range names {
		e := byName[name]
		for pid := range e.cands {
			e.cands[pid] = mergeContexts(e.cands[pid], rs.anyName.cands[pid])
		}
		e.setMask()
		rs.byName = append(rs.byName, e)
	}
	rs.anyName.setMask()
	rs.names = newNameIndex(names)
	return rs
}

// The masks of patterns are uint32s: this fails to compile where
// patterns outnumber their bits.
const _ = uint32(1) << (numPatterns - 1)

func (e *nameContexts) setMask() {
	for pid, cs := range e.cands {
		if len(cs) > 0 {
			e.mask |= 1 << pid
		}
	}
	for i, s := range [2]syntax{syntaxUBL, syntaxCII} {
		var buf [numPatterns]pattern
		order, _ := patternsOf(buf[:0], s)
		for _, pid := range order {
			if cs := e.cands[pid]; len(cs) > 0 {
				e.tries[i] = append(e.tries[i], patternCands{pid, cs})
			}
		}
	}
}

// mergeContexts merges two lists ordered by Order, named's first at equal Order.
func mergeContexts(named, anyName []*compiledContext) []*compiledContext {
	if len(anyName) == 0 {
		return named
	}
	out := make([]*compiledContext, 0, len(named)+len(anyName))
	i, j := 0, 0
	for i < len(named) || j < len(anyName) {
		if j >= len(anyName) || (i < len(named) && named[i].Order <= anyName[j].Order) {
			out = append(out, named[i])
			i++
		} else {
			out = append(out, anyName[j])
			j++
		}
	}
	return out
}

// A hit is one failed rule on one element, or, where err is set, the XPath
// dynamic error the rule's test raised there.
type hit struct {
	rule *rule
	node *node
	err  string
}

// run applies the patterns to every element of the document and returns
// the failed rules, pattern by pattern, each in document order.
func (rs *ruleSet) run(root *node, patterns []pattern) []hit {
	r := runner{rs: rs, raised: root.RaisedError()}
	for _, pid := range patterns {
		r.mask |= 1 << pid
	}
	if len(patterns) > 0 && (&rule{Context: ruleContext{Pattern: patterns[0]}}).Syntax() == syntaxCII {
		r.syn = 1
	}
	r.walk(root)
	var out []hit
	for _, pid := range patterns {
		out = append(out, r.hits[pid]...)
	}
	return out
}

// A runner is one run of a rule set over a document.
type runner struct {
	rs     *ruleSet
	mask   uint32 // the patterns, by bit
	syn    int    // the syntax of the patterns: 0 UBL, 1 CII
	hits   [numPatterns][]hit
	raised *string // the document's pending XPath error, see xmltree.Node.Raise
	// The results of the path set evaluated last, on the element setOf.
	set    *pathSet
	setOf  *node
	setHit []bool
	setAny bool // whether setHit holds a true
}

// anyTrue reports whether b holds a true.
func anyTrue(b []bool) bool {
	if len(b) == 0 {
		return false
	}
	return bytes.IndexByte(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), len(b)), 1) >= 0
}

// walk applies the patterns to n and the elements below it, in document
// order: each pattern's first context (by Order) that matches an element
// takes it, and that context's rules run on it.
func (r *runner) walk(n *node) {
	nc := &r.rs.anyName
	if i := r.rs.names.get(n.Local); i >= 0 {
		nc = r.rs.byName[i]
	}
	if m := nc.mask & r.mask; m != 0 {
		// The patterns of the run are those of one syntax in the order
		// of patternsOf, as nc.tries has them.
		tries := nc.tries[r.syn]
		for i := range tries {
			t := &tries[i]
			if m&(1<<t.pid) == 0 {
				continue
			}
			for _, c := range t.cands {
				if c.Match(n) {
					r.test(c, t.pid, n)
					break
				}
			}
			if m &^= 1 << t.pid; m == 0 {
				break // no other pattern has candidates
			}
		}
	}
	for _, ch := range n.Children {
		r.walk(ch)
	}
}

// test runs the rules of context c of pattern pid on n.
func (r *runner) test(c *compiledContext, pid pattern, n *node) {
	for i := range c.blocks {
		b := &c.blocks[i]
		if b.set != nil {
			// Restrictions: not(path), each one of the set's paths. The
			// set raises no XPath error.
			if r.set != b.set || r.setOf != n {
				r.set, r.setOf, r.setHit = b.set, n, b.set.hits(r.setHit, n)
				r.setAny = anyTrue(r.setHit)
			}
			if r.setAny {
				for _, rl := range b.rules {
					if r.setHit[rl.inSet] {
						r.hits[pid] = append(r.hits[pid], hit{rl, n, ""})
					}
				}
			}
			continue
		}
		rl := b.rules[0]
		if !rl.Test(n) {
			r.hits[pid] = append(r.hits[pid], hit{rl, n, ""})
		}
		if *r.raised != "" {
			r.hits[pid] = append(r.hits[pid], hit{rl, n, *r.raised})
			*r.raised = ""
		}
	}
}
