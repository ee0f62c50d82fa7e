package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// Helpers of the EN 16931 core business rules that both syntaxes use.

// brNotBlank is "normalize-space(path) != ”".
func brNotBlank(path string) func(n *node) bool {
	return func(n *node) bool { return n.NormStr(path) != "" }
}

// brExists is "exists(path)".
func brExists(path string) func(n *node) bool {
	return func(n *node) bool { return n.Has(path) }
}

// brEither is "exists(a) or exists(b)".
func brEither(a, b string) func(n *node) bool {
	return func(n *node) bool { return n.Has(a) || n.Has(b) }
}

// brAnyNum is path op k, k an integer literal: the untyped values at path
// compared existentially (see untypedCmpInt).
func brAnyNum(n *node, path string, op xmltree.CmpOp, k int64) bool {
	return xmltree.AnyUntypedCmpInt(n, n.Strs(path), op, k)
}
