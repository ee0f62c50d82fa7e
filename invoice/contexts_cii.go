package invoice

import (
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Rule contexts of the EN 16931 CII model pattern (EN16931-CII-Model),
// shared by the BR, BR-CO, BR-DEC and VAT category families. Orders are the
// line numbers in the 1.3.15 preprocessed CII Schematron.

// ciiChargeIndicator is the path ciiIndicatorIs reads.
var ciiChargeIndicator = xp("ram:ChargeIndicator/udt:Indicator")

// ciiIndicatorIs reports whether some ram:ChargeIndicator/udt:Indicator of
// the allowance/charge casts to the boolean want (…/udt:Indicator = false()).
func ciiIndicatorIs(ac *node, want bool) bool {
	for _, s := range ciiChargeIndicator.Strs(ac) {
		if v, ok := xmltree.Bool(s); ok && v == want {
			return true
		}
	}
	return false
}

// ciiVATType is upper-case(ram:TypeCode) = 'VAT' (existential).
func ciiVATType(n *node) bool {
	for _, t := range n.Strs("ram:TypeCode") {
		if strings.ToUpper(t) == "VAT" {
			return true
		}
	}
	return false
}

// ciiChargeIndicatorAt matches …/<parent>/ram:SpecifiedTradeAllowanceCharge/ram:ChargeIndicator[udt:Indicator = value].
func ciiChargeIndicatorAt(parent, value string) func(n *node) bool {
	return func(n *node) bool {
		return n.Is("ram:ChargeIndicator") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && n.Parent.Parent.Is(parent) &&
			xmltree.In(value, n.Strs("udt:Indicator"))
	}
}

var (
	ciiModelClassification = ruleContext{Pattern: patCIIModel, Order: 25, Names: []string{"DesignatedProductClassification"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelDocRef = ruleContext{Pattern: patCIIModel, Order: 28, Names: []string{"AdditionalReferencedDocument"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelCard = ruleContext{Pattern: patCIIModel, Order: 31, Names: []string{"ApplicableTradeSettlementFinancialCard"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelPayeeAccount = ruleContext{Pattern: patCIIModel, Order: 34, Names: []string{"PayeePartyCreditorFinancialAccount"},
		Match: func(n *node) bool {
			if !n.Is("ram:PayeePartyCreditorFinancialAccount") || !n.Parent.Is("ram:SpecifiedTradeSettlementPaymentMeans") {
				return false
			}
			codes := n.Parent.Strs("ram:TypeCode")
			return xmltree.In("30", codes) || xmltree.In("58", codes)
		}}
	ciiModelDelivery = ruleContext{Pattern: patCIIModel, Order: 38, Names: []string{"ApplicableHeaderTradeDelivery"},
		Match: func(n *node) bool { return n.AtRoot(ciiDelivery) && isCIIRoot(n.Root()) }}
	ciiModelDocAllowance = ruleContext{Pattern: patCIIModel, Order: 41, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:ApplicableHeaderTradeSettlement", "false")}
	ciiModelDocCharge = ruleContext{Pattern: patCIIModel, Order: 50, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:ApplicableHeaderTradeSettlement", "true")}
	ciiModelTotals = ruleContext{Pattern: patCIIModel, Order: 59, Names: []string{"SpecifiedTradeSettlementHeaderMonetarySummation"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelRoot = ruleContext{Pattern: patCIIModel, Order: 81, Names: []string{"CrossIndustryInvoice"}, Match: isCIIRoot}
	ciiModelLine = ruleContext{Pattern: patCIIModel, Order: 110, Names: []string{"IncludedSupplyChainTradeLineItem"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelLineAllowance = ruleContext{Pattern: patCIIModel, Order: 124, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:SpecifiedLineTradeSettlement", "false")}
	ciiModelLineCharge = ruleContext{Pattern: patCIIModel, Order: 132, Names: []string{"ChargeIndicator"},
		Match: ciiChargeIndicatorAt("ram:SpecifiedLineTradeSettlement", "true")}
	ciiModelLinePeriod = ruleContext{Pattern: patCIIModel, Order: 140, Names: []string{"BillingSpecifiedPeriod"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM && n.Parent.Is("ram:SpecifiedLineTradeSettlement") }}
	ciiModelPeriod = ruleContext{Pattern: patCIIModel, Order: 144, Names: []string{"BillingSpecifiedPeriod"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Parent.Is("ram:ApplicableHeaderTradeSettlement")
		}}
	ciiModelCharacteristic = ruleContext{Pattern: patCIIModel, Order: 148, Names: []string{"ApplicableProductCharacteristic"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelPayee = ruleContext{Pattern: patCIIModel, Order: 151, Names: []string{"PayeeTradeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelPaymentMeans = ruleContext{Pattern: patCIIModel, Order: 154, Names: []string{"SpecifiedTradeSettlementPaymentMeans"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelDebitMeans = ruleContext{Pattern: patCIIModel, Order: 157, Names: []string{"SpecifiedTradeSettlementPaymentMeans"},
		Match: func(n *node) bool {
			c := n.NormStr("ram:TypeCode")
			return n.Space == xmltree.NSRAM && (c == "49" || c == "59")
		}}
	ciiModelPrecedingRef = ruleContext{Pattern: patCIIModel, Order: 160, Names: []string{"InvoiceReferencedDocument"},
		Match: func(n *node) bool { return n.AtRoot(ciiSettle+"/ram:InvoiceReferencedDocument") && isCIIRoot(n.Root()) }}
	ciiModelSeller = ruleContext{Pattern: patCIIModel, Order: 163, Names: []string{"SellerTradeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelTaxRep = ruleContext{Pattern: patCIIModel, Order: 166, Names: []string{"SellerTaxRepresentativeTradeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM }}
	ciiModelTaxTotal = ruleContext{Pattern: patCIIModel, Order: 172, Names: []string{"TaxTotalAmount"},
		Match: func(n *node) bool {
			if !n.Is("ram:TaxTotalAmount") || !n.Parent.Is("ram:SpecifiedTradeSettlementHeaderMonetarySummation") {
				return false
			}
			c, ok := n.Attr("currencyID")
			return ok && xmltree.In(c, n.Root().Strs(ciiCurrencyPath))
		}}
	ciiModelVATReg = ruleContext{Pattern: patCIIModel, Order: 175, Names: []string{"ID"},
		Match: func(n *node) bool {
			s, _ := n.Attr("schemeID")
			return n.Is("ram:ID") && n.Parent.Is("ram:SpecifiedTaxRegistration") && s == "VA"
		}}
)

var ciiModelHeaderTax = ruleContext{Pattern: patCIIModel, Order: 337, Names: []string{"ApplicableTradeTax"},
	Match: func(n *node) bool {
		return n.Space == xmltree.NSRAM && n.Parent.Is("ram:ApplicableHeaderTradeSettlement")
	}}
