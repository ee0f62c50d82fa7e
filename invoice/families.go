package invoice

import (
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// allRules returns the rule table of the first release, 2026-01-31: every
// rule of the EN 16931 validation artefacts 1.3.15 and of XRechnung
// Schematron 2.5.0, by family. Each family lives in its own file; later
// releases change it (release.go).
func allRules() []rule {
	return releaseRules(Release20260131)
}

// ruleTables returns the families' tables as they define them, before the
// catalogue fills in flags and messages: the rules of the first release.
func ruleTables() [][]rule {
	return [][]rule{
		forSyntax(syntaxUBL, brRules()),        // rules_br_common.go: BR-01..BR-65, BR-B for UBL
		forSyntax(syntaxCII, brRules()),        // rules_br_common.go: BR-01..BR-65, BR-B for CII
		brcoUBLRules(),                         // rules_brco_ubl.go: BR-CO for UBL
		forSyntax(syntaxUBL, brdecRules()),     // rules_brdec_common.go: BR-DEC for UBL
		brcoCIIRules(),                         // rules_brco_cii.go: BR-CO for CII
		forSyntax(syntaxCII, brdecRules()),     // rules_brdec_common.go: BR-DEC for CII
		vatUBLRules(),                          // rules_vat_ubl.go: BR-S, BR-Z, BR-E, BR-AE, BR-IC, BR-G, BR-O, BR-AF, BR-AG for UBL
		ciiVATRules(cen1315),                   // rules_vat_cii.go: the VAT category rules for CII
		forSyntax(syntaxUBL, clRules(cen1315)), // rules_cl_common.go: BR-CL code lists for UBL
		forSyntax(syntaxCII, clRules(cen1315)), // rules_cl_common.go: BR-CL code lists for CII
		ublCRRules(),                           // rules_cr_ubl.go: UBL-CR
		ublSRRules(),                           // rules_sr_ubl.go: UBL-SR, UBL-DT
		ciiSyntaxRules(),                       // rules_sr_cii.go: CII-SR, CII-DT
		forSyntax(syntaxUBL, xrRules()),        // rules_xr_common.go: XRechnung rules for UBL
		forSyntax(syntaxCII, xrRules()),        // rules_xr_common.go: XRechnung rules for CII
		forSyntax(syntaxUBL, peppolRules()),    // rules_peppol_common.go: PEPPOL-EN16931-R for UBL
		forSyntax(syntaxCII, peppolRules()),    // rules_peppol_common.go: PEPPOL-EN16931-R for CII
	}
}

// Contexts many families share.

// isUBLRoot matches /ubl:Invoice | /cn:CreditNote.
func isUBLRoot(n *node) bool {
	return n.Parent == nil && (n.Space == xmltree.NSInvoice && n.Local == "Invoice" || n.Space == xmltree.NSCreditNote && n.Local == "CreditNote")
}

// isCIIRoot matches /rsm:CrossIndustryInvoice.
func isCIIRoot(n *node) bool {
	return n.Parent == nil && n.Space == xmltree.NSRSM && n.Local == "CrossIndustryInvoice"
}

// namedContext is the context of pattern p at order that selects the
// elements qnames (of one prefix) with the attribute attr ("" for any)
// whose parent is parent ("" for any).
func namedContext(p pattern, order int, attr, parent string, qnames ...string) ruleContext {
	var space string
	names := make([]string, len(qnames))
	for i, q := range qnames {
		sp, local, ok := xmltree.SplitName(q)
		if !ok {
			panic("invoice: no prefix in " + q)
		}
		space, names[i] = sp, local
	}
	return ruleContext{Pattern: p, Order: order, Names: names, Match: func(n *node) bool {
		return n.Space == space && (attr == "" || n.HasAttr(attr)) && (parent == "" || n.Parent.Is(parent))
	}}
}

// lastLocal is the local name of the last step of path.
func lastLocal(path string) string {
	step := path[strings.LastIndexByte(path, '/')+1:]
	return step[strings.IndexByte(step, ':')+1:]
}

// where narrows c to the elements f also selects.
func (c ruleContext) where(f func(n *node) bool) ruleContext {
	match := c.Match
	c.Match = func(n *node) bool { return match(n) && f(n) }
	return c
}

// always is the test of the rules whose reference test always holds: they
// have an id but can never fire.
func always(*node) bool { return true }

// never is the test of the rules whose reference test never holds: they
// fire on every element their context selects.
func never(*node) bool { return false }

// xp compiles a path a rule reads: the builders of rules and of their
// helpers compile the paths they are given once, with the rule set, so
// that evaluating a rule does not parse its paths again.
func xp(path string) *xmltree.Path { return xmltree.Compile(path) }

// xps compiles paths.
func xps(paths []string) []*xmltree.Path {
	out := make([]*xmltree.Path, len(paths))
	for i, p := range paths {
		out[i] = xp(p)
	}
	return out
}

// exists is "exists(path)" from the context node.
func exists(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return p.Has(n) }
}

// hasAttr is "exists(@name)" on the context node.
func hasAttr(name string) func(n *node) bool {
	return func(n *node) bool { return n.HasAttr(name) }
}

// A ruleRow is one rule id in both syntaxes: the rule of each, without its
// id. A syntax whose rule has no Test has no such rule.
type ruleRow struct {
	id       string
	ubl, cii rule
}

// on is the rule of one syntax in a ruleRow: where it applies and its test.
func on(c ruleContext, test func(n *node) bool) rule {
	return rule{Context: c, Test: test}
}

// forSyntax returns the rules of syntax s in rows, in their order, each
// with its row's id.
func forSyntax(s syntax, rows []ruleRow) []rule {
	rules := make([]rule, 0, len(rows))
	for _, row := range rows {
		r := row.ubl
		if s == syntaxCII {
			r = row.cii
		}
		if r.Test == nil {
			continue
		}
		r.ID = row.id
		rules = append(rules, r)
	}
	return rules
}

// ciiSays returns the row with CII's own words for the rule, where the
// catalogue's do not fit that syntax.
func (row ruleRow) ciiSays(message, messageDE string) ruleRow {
	row.cii.Message, row.cii.MessageDE = message, messageDE
	return row
}
