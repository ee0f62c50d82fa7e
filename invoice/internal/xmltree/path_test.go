package xmltree

import (
	"slices"
	"strings"
	"testing"
)

// pathDoc is a document with what paths have to tell apart: names in
// several namespaces (one of them the default, one written with another
// prefix), repeated and nested names, attributes with and without a
// namespace, mixed content.
const pathDoc = `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:b="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <b:ID schemeID="0088">  INV-1 </b:ID>
  <b:Note>a<!-- c -->b</b:Note>
  <b:Note/>
  <cac:TaxTotal>
    <b:TaxAmount currencyID="EUR">19.00</b:TaxAmount>
    <cac:TaxSubtotal>
      <b:TaxableAmount currencyID="EUR">100.00</b:TaxableAmount>
      <cac:TaxCategory><b:ID>S</b:ID><b:Percent>19</b:Percent>
        <cac:TaxScheme><b:ID>VAT</b:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
    <cac:TaxSubtotal>
      <cac:TaxCategory xsi:type="x"><b:ID schemeID="UNCL5305">Z</b:ID><b:ID>E</b:ID>
        <cac:TaxScheme><b:ID>vat</b:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:InvoiceLine>
    <b:ID>1</b:ID>
    <cac:Item><b:Name>Thing <b:Sub>one</b:Sub> and more</b:Name>
      <cac:ClassifiedTaxCategory><b:ID>S</b:ID></cac:ClassifiedTaxCategory></cac:Item>
    <cac:InvoiceLine><b:ID>1.1</b:ID></cac:InvoiceLine>
  </cac:InvoiceLine>
  <cac:InvoiceLine><b:ID>2</b:ID><cac:Item/></cac:InvoiceLine>
  <ID>unqualified</ID>
</Invoice>`

// pathCases are paths of every kind the evaluator knows, and some it
// reads as selecting nothing.
var pathCases = []string{
	"", ".", "..", "cbc:ID", "cbc:Note", "cbc:ID/@schemeID", "@schemeID", "@currencyID", "@xsi:type",
	"cac:TaxTotal", "cac:TaxTotal/cbc:TaxAmount", "cac:TaxTotal/cbc:TaxAmount/@currencyID",
	"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
	"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID/@schemeID", "cac:TaxCategory/cac:TaxScheme/cbc:ID",
	"cac:InvoiceLine", "cac:InvoiceLine/cbc:ID", "cac:InvoiceLine/cac:Item/cbc:Name", "cac:InvoiceLine/cac:InvoiceLine/cbc:ID",
	"cac:*", "cac:*/cbc:ID", "*", "*/cbc:ID", "cbc:*", "cac:Item/*",
	"/ubl:Invoice", "/ubl:Invoice/cbc:ID", "/ubl:Invoice/cac:InvoiceLine/cbc:ID", "/cn:CreditNote/cbc:ID", "/ubl:Invoice/cbc:ID/@schemeID",
	"//cbc:ID", "//cac:TaxCategory/cbc:ID", "//cac:InvoiceLine/cbc:ID", "//cac:TaxScheme/cbc:ID", "//cbc:ID/@schemeID", "//cac:*", "//*",
	"//cac:TaxSubtotal//cbc:ID", "cac:TaxTotal//cbc:ID", "../cbc:ID", "../../cbc:ID", "./cbc:ID", "cbc:ID/..",
	"ID", "xyz:ID", "cac:TaxTotal/xyz:TaxSubtotal", "cbc:ID/", "cac:TaxTotal//", "cbc:ID@schemeID", "cbc:ID*",
	"a/b/c/d/e/f/g/h/i/j/k", "cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item/cac:Item",
}

// elements returns n and every element below it, in document order.
func elements(n *Node) []*Node {
	out := []*Node{n}
	for _, c := range n.Children {
		out = append(out, elements(c)...)
	}
	return out
}

// TestCompiledPaths checks that a compiled Path answers what the Node
// methods answer for its string, and that both select what the general
// evaluator does, which reads every path step by step over node sets (in
// document order, which that evaluator does not keep for nested elements
// of one name).
func TestCompiledPaths(t *testing.T) {
	root, err := Parse([]byte(pathDoc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	all := elements(root)
	inDocOrder := func(nodes []*Node) []*Node {
		out := slices.Clone(nodes)
		slices.SortStableFunc(out, func(a, b *Node) int { return slices.Index(all, a) - slices.Index(all, b) })
		return out
	}
	for _, path := range pathCases {
		p := Compile(path)
		if p.String() != path {
			t.Errorf("Compile(%q).String() = %q", path, p.String())
		}
		elems, attr := SplitAttr(path)
		for _, n := range all {
			at := path + " from " + n.Path()
			want := inDocOrder(n.selectGeneral(elems, nil))
			if elems == "" || elems == "." {
				want = []*Node{n}
			}
			if p.kind == pathGeneral {
				want = n.selectGeneral(elems, nil) // its own order, which both evaluate it with
			}
			if got := n.All(path); !slices.Equal(got, want) {
				t.Errorf("%s: All = %d elements, the general evaluator %d", at, len(got), len(want))
			}
			if got := p.All(n); !slices.Equal(got, want) {
				t.Errorf("%s: compiled All = %d elements, the general evaluator %d", at, len(got), len(want))
			}
			var first *Node
			if len(want) > 0 {
				first = want[0]
			}
			if got := n.First(path); got != first {
				t.Errorf("%s: First = %v, want %v", at, got.Path(), first.Path())
			}
			if got := p.First(n); got != first {
				t.Errorf("%s: compiled First = %v, want %v", at, got.Path(), first.Path())
			}
			var strs []string
			for _, e := range want {
				if attr == "" {
					strs = append(strs, e.Value())
				} else if v, ok := e.Attr(attr); ok {
					strs = append(strs, v)
				}
			}
			if got := n.Strs(path); !slices.Equal(got, strs) {
				t.Errorf("%s: Strs = %q, want %q", at, got, strs)
			}
			if got := p.Strs(n); !slices.Equal(got, strs) {
				t.Errorf("%s: compiled Strs = %q, want %q", at, got, strs)
			}
			str := ""
			if len(strs) > 0 {
				str = strs[0]
			}
			if got := n.Str(path); got != str {
				t.Errorf("%s: Str = %q, want %q", at, got, str)
			}
			if got := p.Str(n); got != str {
				t.Errorf("%s: compiled Str = %q, want %q", at, got, str)
			}
			if got := p.NormStr(n); got != NormSpace(str) {
				t.Errorf("%s: compiled NormStr = %q, want %q", at, got, NormSpace(str))
			}
			if got := n.Has(path); got != (len(strs) > 0) {
				t.Errorf("%s: Has = %v, want %v", at, got, len(strs) > 0)
			}
			if got := p.Has(n); got != (len(strs) > 0) {
				t.Errorf("%s: compiled Has = %v, want %v", at, got, len(strs) > 0)
			}
			if got := n.Count(path); got != len(strs) {
				t.Errorf("%s: Count = %d, want %d", at, got, len(strs))
			}
			if got := p.Count(n); got != len(strs) {
				t.Errorf("%s: compiled Count = %d, want %d", at, got, len(strs))
			}
		}
	}
	var none *Node
	if p := Compile("cbc:ID"); p.All(none) != nil || p.First(none) != nil || p.Has(none) || p.Count(none) != 0 || p.Str(none) != "" || p.Strs(none) != nil {
		t.Error("a compiled path selects something from a nil element")
	}
}

// TestAtRoot compares AtRoot, which reads the usual step from the
// element's name, with the step by step reading of the path it does for
// the others.
func TestAtRoot(t *testing.T) {
	root, err := Parse([]byte(pathDoc), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	ref := func(n *Node, path string) bool {
		e := n
		for path != "" {
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
	paths := append([]string{"cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", "cac:TaxSubtotal/cac:TaxCategory", "b:ID", "cbc:ID",
		"cac:InvoiceLine/cac:InvoiceLine", "cac:InvoiceLine/cac:Item/cbc:Name/cbc:Sub", "ubl:Invoice/cbc:ID", "/cbc:ID", "cbc:ID/",
		"xcac:TaxTotal", "ac:TaxTotal", "cac:TaxTotal/ac:TaxSubtotal", "cac:TaxTotal/xyz:TaxSubtotal", "a/b:ID", "ID"}, pathCases...)
	for _, path := range paths {
		for _, n := range elements(root) {
			if got, want := n.AtRoot(path), ref(n, path); got != want {
				t.Errorf("%s.AtRoot(%q) = %v, want %v", n.Path(), path, got, want)
			}
		}
	}
}

func TestOneStep(t *testing.T) {
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"cbc:ID", true},
		{"cac:AccountingSupplierParty", true},
		{"ram:SpecifiedTradeSettlementHeaderMonetarySummation", true},
		{"cbc:Line2ID", true},
		{"cbc:ID/@schemeID", false},
		{"cac:AccountingSupplierParty/cac:Party", false},
		{"cac:AccountingSupplierParty@x", false},
		{"cac:AccountingSupplier*", false},
		{"cac:*", false},
		{"cac:Accounting/", false},
		{"xyz:AccountingSupplierParty", false},
		{"ID", false},
	} {
		if _, ok := oneStep(tc.path); ok != tc.ok {
			t.Errorf("oneStep(%q) ok = %v, want %v", tc.path, ok, tc.ok)
		}
	}
}
