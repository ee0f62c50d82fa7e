package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// The contexts of the EN 16931 code list rules that only CII has (see
// clRules in rules_cl_common.go).

var (
	// ciiCodesGlobalID is BR-CL-10's: a global identifier with a scheme,
	// but not a product's or a delivery party's.
	ciiCodesGlobalID = ruleContext{Pattern: patCIICodes, Order: 989, Names: []string{"GlobalID"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.HasAttr("schemeID") && n.Ancestor("ram:SpecifiedTradeProduct") == nil && n.Ancestor("ram:ShipToTradeParty") == nil
		}}
	// ciiCodesID is BR-CL-11's: an identifier with a scheme, but not a tax
	// registration's.
	ciiCodesID = ruleContext{Pattern: patCIICodes, Order: 992, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.HasAttr("schemeID") && n.Ancestor("ram:SpecifiedTaxRegistration") == nil
		}}
	// ciiCodesShipToID is BR-CL-26's: the delivery party's global
	// identifier with a scheme.
	ciiCodesShipToID = ruleContext{Pattern: patCIICodes, Order: 1035, Names: []string{"GlobalID"},
		Match: func(n *node) bool {
			return n.Is("ram:GlobalID") && n.HasAttr("schemeID") && n.Parent.Is("ram:ShipToTradeParty") && n.Parent.Parent.Is("ram:ApplicableHeaderTradeDelivery")
		}}
)
