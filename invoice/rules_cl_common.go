package invoice

import (
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
	"github.com/eingang/eingang/schemas"
)

// The EN 16931 code list rules BR-CL-01 … BR-CL-26: the lists, those of the
// CEN validation artefacts 1.3.15 (package schemas), and the tests both
// syntaxes use.

// clIn is the reference's code test: the normalized value has no space and
// stands in the list.
func clIn(value string, set codeSet) bool {
	v := xmltree.NormSpace(value)
	return !strings.Contains(v, " ") && set[v]
}

// A codeSet holds the codes of a list: exactly the values v for which the
// reference's contains(list, concat(' ', v, ' ')) holds, found with one
// lookup instead of a search of the list (Rec 20 has 2,000 codes).
type codeSet map[string]bool

// clSet returns the code list of key as a set.
func clSet(key string) codeSet {
	list := clList(key)
	set := codeSet{}
	for _, c := range strings.Split(list, " ") {
		if strings.Contains(list, " "+c+" ") {
			set[c] = true
		}
	}
	return set
}

// clList returns a code list, panicking at start if the key is unknown (a
// programming error the tests catch).
func clList(key string) string {
	l := schemas.CodeList(key)
	if l == "" {
		panic("invoice: no code list " + key)
	}
	return l
}

// clValue tests the element's value against a code list.
func clValue(list codeSet) func(n *node) bool {
	return func(n *node) bool { return clIn(n.Value(), list) }
}

// clAttr tests an attribute against a code list.
func clAttr(attr string, list codeSet) func(n *node) bool {
	return func(n *node) bool { v, _ := n.Attr(attr); return clIn(v, list) }
}

// clExemption is BR-CL-22: the VATEX code, compared in upper case.
func clExemption(vatex codeSet) func(n *node) bool {
	return func(n *node) bool {
		v := n.Value()
		return !strings.Contains(xmltree.NormSpace(v), " ") && vatex[xmltree.NormSpace(strings.ToUpper(v))]
	}
}

// clMimeOK is BR-CL-24's list of MIME codes for attachments.
func clMimeOK(n *node) bool {
	m, _ := n.Attr("mimeCode")
	return xmltree.In(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet"})
}
