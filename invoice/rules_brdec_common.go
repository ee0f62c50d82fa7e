package invoice

import "unicode/utf8"

// Helpers of the EN 16931 decimal rules that both syntaxes use.

// brdecOK reports whether the first value at path has at most two
// characters after its first point.
func brdecOK(n *node, path string) bool {
	v := n.Str(path)
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return utf8.RuneCountInString(v[i+1:]) <= 2
		}
	}
	return true
}

// brdec is a decimal rule's test of the first amount at path.
func brdec(path string) func(n *node) bool {
	return func(n *node) bool { return brdecOK(n, path) }
}
