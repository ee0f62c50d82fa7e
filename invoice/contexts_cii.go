package invoice

import (
	"strings"
)

// Rule contexts of the EN 16931 CII model pattern (EN16931-CII-Model),
// shared by the BR, BR-CO, BR-DEC and VAT category families. Orders are the
// line numbers in the 1.3.15 preprocessed CII Schematron.

// ciiIndicatorIs reports whether some ram:ChargeIndicator/udt:Indicator of
// the allowance/charge casts to the boolean want (…/udt:Indicator = false()).
func ciiIndicatorIs(ac *Node, want bool) bool {
	for _, s := range ac.Strs("ram:ChargeIndicator/udt:Indicator") {
		if v, ok := Bool(s); ok && v == want {
			return true
		}
	}
	return false
}

// ciiVATType is upper-case(ram:TypeCode) = 'VAT' (existential).
func ciiVATType(n *Node) bool {
	for _, t := range n.Strs("ram:TypeCode") {
		if strings.ToUpper(t) == "VAT" {
			return true
		}
	}
	return false
}

// ciiChargeIndicatorAt matches …/<parent>/ram:SpecifiedTradeAllowanceCharge/ram:ChargeIndicator[udt:Indicator = value].
func ciiChargeIndicatorAt(parent, value string) func(n *Node) bool {
	return func(n *Node) bool {
		return n.Is("ram:ChargeIndicator") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && n.Parent.Parent.Is(parent) &&
			xrIn(value, n.Strs("udt:Indicator"))
	}
}

var (
	ciiModelClassification = Context{Pattern: CIIModel, Order: 25, Names: []string{"DesignatedProductClassification"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelDocRef = Context{Pattern: CIIModel, Order: 28, Names: []string{"AdditionalReferencedDocument"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelCard = Context{Pattern: CIIModel, Order: 31, Names: []string{"ApplicableTradeSettlementFinancialCard"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelPayeeAccount = Context{Pattern: CIIModel, Order: 34, Names: []string{"PayeePartyCreditorFinancialAccount"},
		Match: func(n *Node) bool {
			if !n.Is("ram:PayeePartyCreditorFinancialAccount") || !n.Parent.Is("ram:SpecifiedTradeSettlementPaymentMeans") {
				return false
			}
			codes := n.Parent.Strs("ram:TypeCode")
			return xrIn("30", codes) || xrIn("58", codes)
		}}
	ciiModelDelivery = Context{Pattern: CIIModel, Order: 38, Names: []string{"ApplicableHeaderTradeDelivery"},
		Match: func(n *Node) bool { return n.AtRoot(ciiDelivery) && isCIIRoot(n.Root()) }}
	ciiModelDocAllowance = Context{Pattern: CIIModel, Order: 41, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:ApplicableHeaderTradeSettlement", "false")}
	ciiModelDocCharge = Context{Pattern: CIIModel, Order: 50, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:ApplicableHeaderTradeSettlement", "true")}
	ciiModelTotals = Context{Pattern: CIIModel, Order: 59, Names: []string{"SpecifiedTradeSettlementHeaderMonetarySummation"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelRoot = Context{Pattern: CIIModel, Order: 81, Names: []string{"CrossIndustryInvoice"}, Match: isCIIRoot}
	ciiModelLine = Context{Pattern: CIIModel, Order: 110, Names: []string{"IncludedSupplyChainTradeLineItem"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelLineAllowance = Context{Pattern: CIIModel, Order: 124, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:SpecifiedLineTradeSettlement", "false")}
	ciiModelLineCharge = Context{Pattern: CIIModel, Order: 132, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:SpecifiedLineTradeSettlement", "true")}
	ciiModelLinePeriod = Context{Pattern: CIIModel, Order: 140, Names: []string{"BillingSpecifiedPeriod"},
		Match: func(n *Node) bool { return n.Space == NSRAM && n.Parent.Is("ram:SpecifiedLineTradeSettlement") }}
	ciiModelPeriod = Context{Pattern: CIIModel, Order: 144, Names: []string{"BillingSpecifiedPeriod"},
		Match: func(n *Node) bool { return n.Space == NSRAM && n.Parent.Is("ram:ApplicableHeaderTradeSettlement") }}
	ciiModelCharacteristic = Context{Pattern: CIIModel, Order: 148, Names: []string{"ApplicableProductCharacteristic"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelPayee = Context{Pattern: CIIModel, Order: 151, Names: []string{"PayeeTradeParty"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelPaymentMeans = Context{Pattern: CIIModel, Order: 154, Names: []string{"SpecifiedTradeSettlementPaymentMeans"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelDebitMeans = Context{Pattern: CIIModel, Order: 157, Names: []string{"SpecifiedTradeSettlementPaymentMeans"},
		Match: func(n *Node) bool {
			c := xrFirstNorm(n, "ram:TypeCode")
			return n.Space == NSRAM && (c == "49" || c == "59")
		}}
	ciiModelPrecedingRef = Context{Pattern: CIIModel, Order: 160, Names: []string{"InvoiceReferencedDocument"},
		Match: func(n *Node) bool { return n.AtRoot(ciiSettle+"/ram:InvoiceReferencedDocument") && isCIIRoot(n.Root()) }}
	ciiModelSeller = Context{Pattern: CIIModel, Order: 163, Names: []string{"SellerTradeParty"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelTaxRep = Context{Pattern: CIIModel, Order: 166, Names: []string{"SellerTaxRepresentativeTradeParty"},
		Match: func(n *Node) bool { return n.Space == NSRAM }}
	ciiModelTaxTotal = Context{Pattern: CIIModel, Order: 172, Names: []string{"TaxTotalAmount"},
		Match: func(n *Node) bool {
			if !n.Is("ram:TaxTotalAmount") || !n.Parent.Is("ram:SpecifiedTradeSettlementHeaderMonetarySummation") {
				return false
			}
			c, ok := n.Attr("currencyID")
			return ok && xrIn(c, n.Root().Strs(ciiCurrencyPath))
		}}
	ciiModelVATReg = Context{Pattern: CIIModel, Order: 175, Names: []string{"ID"},
		Match: func(n *Node) bool {
			s, _ := n.Attr("schemeID")
			return n.Is("ram:ID") && n.Parent.Is("ram:SpecifiedTaxRegistration") && s == "VA"
		}}
)

var ciiModelHeaderTax = Context{Pattern: CIIModel, Order: 337, Names: []string{"ApplicableTradeTax"},
	Match: func(n *Node) bool { return n.Space == NSRAM && n.Parent.Is("ram:ApplicableHeaderTradeSettlement") }}
