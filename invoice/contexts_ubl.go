package invoice

import (
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// Rule contexts of the EN 16931 UBL model pattern (UBL-model), which the
// BR, BR-CO, BR-DEC and VAT category families share. Orders are the line
// numbers in the 1.3.15 preprocessed UBL Schematron.

// ublVAT is cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT' on a
// tax category or party tax scheme.
func ublVAT(n *node) bool {
	for _, ts := range ublTaxScheme.All(n) {
		if xmltree.NormSpace(strings.ToUpper(ublID.Str(ts))) == "VAT" {
			return true
		}
	}
	return false
}

// ublCat is normalize-space(cbc:ID) of a tax category.
func ublCat(n *node) string { return xmltree.NormSpace(ublID.Str(n)) }

// Paths ublVAT and ublCat read, compiled once.
var (
	ublTaxScheme = xp("cac:TaxScheme")
	ublID        = xp("cbc:ID")
)

// ublVATCategories returns the tax categories (elements named name) below
// base that have the VAT scheme.
func ublVATCategories(base *node, path string) []*node {
	var out []*node
	for _, c := range base.All(path) {
		if ublVAT(c) {
			out = append(out, c)
		}
	}
	return out
}

// ublChildOfRoot reports whether n is a child of the UBL root element.
func ublChildOfRoot(n *node) bool {
	return n.Parent != nil && n.Parent.Parent == nil && isUBLRoot(n.Parent)
}

// ublLine reports whether n is an invoice or credit note line (anywhere).
func ublLine(n *node) bool { return n.Is("cac:InvoiceLine") || n.Is("cac:CreditNoteLine") }

var (
	ublModelDocRef = ruleContext{Pattern: patUBLModel, Order: 24, Names: []string{"AdditionalDocumentReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelPayable = ruleContext{Pattern: patUBLModel, Order: 27, Names: []string{"PayableAmount"},
		Match: func(n *node) bool {
			return n.Is("cbc:PayableAmount") && n.Parent.Is("cac:LegalMonetaryTotal") && n.Parent.Parent == n.Root() &&
				n.Root().Space == xmltree.NSInvoice && n.Root().Local == "Invoice"
		}}
	ublModelCustomerEndpoint = ruleContext{Pattern: patUBLModel, Order: 30, Names: []string{"EndpointID"},
		Match: func(n *node) bool {
			return n.Is("cbc:EndpointID") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingCustomerParty")
		}}
	ublModelCustomerAddress = ruleContext{Pattern: patUBLModel, Order: 33, Names: []string{"PostalAddress"},
		Match: func(n *node) bool {
			return n.Is("cac:PostalAddress") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingCustomerParty")
		}}
	ublModelCardNumber = ruleContext{Pattern: patUBLModel, Order: 36, Names: []string{"PrimaryAccountNumberID"},
		Match: func(n *node) bool {
			return n.Is("cbc:PrimaryAccountNumberID") && n.Parent.Is("cac:CardAccount") && n.Parent.Parent.Is("cac:PaymentMeans")
		}}
	ublModelDeliveryAddress = ruleContext{Pattern: patUBLModel, Order: 39, Names: []string{"Address"},
		Match: func(n *node) bool {
			return n.Is("cac:Address") && n.Parent.Is("cac:DeliveryLocation") && n.Parent.Parent.Is("cac:Delivery")
		}}
	ublModelDocAllowance = ruleContext{Pattern: patUBLModel, Order: 42, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSCAC && ublChildOfRoot(n) && ublChargeIndicatorIs(n, false)
		}}
	ublModelDocCharge = ruleContext{Pattern: patUBLModel, Order: 51, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSCAC && ublChildOfRoot(n) && ublChargeIndicatorIs(n, true)
		}}
	ublModelTotals = ruleContext{Pattern: patUBLModel, Order: 60, Names: []string{"LegalMonetaryTotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelRoot = ruleContext{Pattern: patUBLModel, Order: 79, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	ublModelLine = ruleContext{Pattern: patUBLModel, Order: 141, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelLineAllowance = ruleContext{Pattern: patUBLModel, Order: 153, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSCAC && ublLine(n.Parent) && ublChargeIndicatorIs(n, false)
		}}
	ublModelLineCharge = ruleContext{Pattern: patUBLModel, Order: 161, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool {
			return n.Space == xmltree.NSCAC && ublLine(n.Parent) && ublChargeIndicatorIs(n, true)
		}}
	ublModelLinePeriod = ruleContext{Pattern: patUBLModel, Order: 169, Names: []string{"InvoicePeriod"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublLine(n.Parent) }}
	ublModelPeriod = ruleContext{Pattern: patUBLModel, Order: 173, Names: []string{"InvoicePeriod"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelItemProperty = ruleContext{Pattern: patUBLModel, Order: 177, Names: []string{"AdditionalItemProperty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelClassification = ruleContext{Pattern: patUBLModel, Order: 180, Names: []string{"ItemClassificationCode"},
		Match: func(n *node) bool {
			return n.Is("cbc:ItemClassificationCode") && n.Parent.Is("cac:CommodityClassification") &&
				n.Parent.Parent.Is("cac:Item") && ublLine(n.Parent.Parent.Parent)
		}}
	ublModelStandardID = ruleContext{Pattern: patUBLModel, Order: 183, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:StandardItemIdentification") && n.Parent.Parent.Is("cac:Item") && ublLine(n.Parent.Parent.Parent)
		}}
	ublModelNote = ruleContext{Pattern: patUBLModel, Order: 186, Names: []string{"Note"},
		Match: func(n *node) bool { return n.Is("cbc:Note") && ublChildOfRoot(n) }}
	ublModelPayee = ruleContext{Pattern: patUBLModel, Order: 189, Names: []string{"PayeeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelPayeeAccount = ruleContext{Pattern: patUBLModel, Order: 192, Names: []string{"PayeeFinancialAccount"},
		Match: func(n *node) bool {
			if !n.Is("cac:PayeeFinancialAccount") || !n.Parent.Is("cac:PaymentMeans") {
				return false
			}
			codes := n.Parent.Strs("cbc:PaymentMeansCode")
			return xmltree.In("30", codes) || xmltree.In("58", codes)
		}}
	ublModelPaymentMeans = ruleContext{Pattern: patUBLModel, Order: 195, Names: []string{"PaymentMeans"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelBillingRef = ruleContext{Pattern: patUBLModel, Order: 199, Names: []string{"BillingReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelSupplier = ruleContext{Pattern: patUBLModel, Order: 202, Names: []string{"AccountingSupplierParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelSupplierEndpoint = ruleContext{Pattern: patUBLModel, Order: 205, Names: []string{"EndpointID"},
		Match: func(n *node) bool {
			return n.Is("cbc:EndpointID") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingSupplierParty")
		}}
	ublModelSupplierAddress = ruleContext{Pattern: patUBLModel, Order: 208, Names: []string{"PostalAddress"},
		Match: func(n *node) bool {
			return n.Is("cac:PostalAddress") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingSupplierParty")
		}}
	ublModelTaxRep = ruleContext{Pattern: patUBLModel, Order: 211, Names: []string{"TaxRepresentativeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublModelTaxRepAddress = ruleContext{Pattern: patUBLModel, Order: 216, Names: []string{"PostalAddress"},
		Match: func(n *node) bool { return n.Is("cac:PostalAddress") && n.Parent.Is("cac:TaxRepresentativeParty") }}
	ublModelTaxTotal = ruleContext{Pattern: patUBLModel, Order: 219, Names: []string{"TaxTotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublChildOfRoot(n) }}
	ublModelTaxSubtotal = ruleContext{Pattern: patUBLModel, Order: 222, Names: []string{"TaxSubtotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && n.Parent.Is("cac:TaxTotal") }}
	ublModelVATScheme = ruleContext{Pattern: patUBLModel, Order: 231, Names: []string{"PartyTaxScheme"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublVAT(n) }}
)
