package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// node is an element of a parsed document: the rules' contexts match
// nodes and their tests read them with xmltree's path engine.
type node = xmltree.Node
