package invoice

import (
	"strings"
)

// Rule contexts of the EN 16931 UBL model pattern (UBL-model), which the
// BR, BR-CO, BR-DEC and VAT category families share. Orders are the line
// numbers in the 1.3.15 preprocessed UBL Schematron.

// ublVAT is cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT' on a
// tax category or party tax scheme.
func ublVAT(n *Node) bool {
	for _, ts := range n.All("cac:TaxScheme") {
		if NormSpace(strings.ToUpper(ts.Str("cbc:ID"))) == "VAT" {
			return true
		}
	}
	return false
}

// ublCat is normalize-space(cbc:ID) of a tax category.
func ublCat(n *Node) string { return NormSpace(n.Str("cbc:ID")) }

// ublVATCategories returns the tax categories (elements named name) below
// base that have the VAT scheme.
func ublVATCategories(base *Node, path string) []*Node {
	var out []*Node
	for _, c := range base.All(path) {
		if ublVAT(c) {
			out = append(out, c)
		}
	}
	return out
}

// ublChildOfRoot reports whether n is a child of the UBL root element.
func ublChildOfRoot(n *Node) bool {
	return n.Parent != nil && n.Parent.Parent == nil && isUBLRoot(n.Parent)
}

// ublLine reports whether n is an invoice or credit note line (anywhere).
func ublLine(n *Node) bool { return n.Is("cac:InvoiceLine") || n.Is("cac:CreditNoteLine") }

var (
	ublModelDocRef = Context{Pattern: UBLModel, Order: 24, Names: []string{"AdditionalDocumentReference"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelPayable = Context{Pattern: UBLModel, Order: 27, Names: []string{"PayableAmount"},
		Match: func(n *Node) bool {
			return n.Is("cbc:PayableAmount") && n.Parent.Is("cac:LegalMonetaryTotal") && n.Parent.Parent == n.Root() &&
				n.Root().Space == NSInvoice && n.Root().Local == "Invoice"
		}}
	ublModelCustomerEndpoint = Context{Pattern: UBLModel, Order: 30, Names: []string{"EndpointID"},
		Match: func(n *Node) bool {
			return n.Is("cbc:EndpointID") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingCustomerParty")
		}}
	ublModelCustomerAddress = Context{Pattern: UBLModel, Order: 33, Names: []string{"PostalAddress"},
		Match: func(n *Node) bool {
			return n.Is("cac:PostalAddress") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingCustomerParty")
		}}
	ublModelCardNumber = Context{Pattern: UBLModel, Order: 36, Names: []string{"PrimaryAccountNumberID"},
		Match: func(n *Node) bool {
			return n.Is("cbc:PrimaryAccountNumberID") && n.Parent.Is("cac:CardAccount") && n.Parent.Parent.Is("cac:PaymentMeans")
		}}
	ublModelDeliveryAddress = Context{Pattern: UBLModel, Order: 39, Names: []string{"Address"},
		Match: func(n *Node) bool {
			return n.Is("cac:Address") && n.Parent.Is("cac:DeliveryLocation") && n.Parent.Parent.Is("cac:Delivery")
		}}
	ublModelDocAllowance = Context{Pattern: UBLModel, Order: 42, Names: []string{"AllowanceCharge"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublChildOfRoot(n) && ublChargeIndicatorIs(n, false) }}
	ublModelDocCharge = Context{Pattern: UBLModel, Order: 51, Names: []string{"AllowanceCharge"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublChildOfRoot(n) && ublChargeIndicatorIs(n, true) }}
	ublModelTotals = Context{Pattern: UBLModel, Order: 60, Names: []string{"LegalMonetaryTotal"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelRoot = Context{Pattern: UBLModel, Order: 79, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	ublModelLine = Context{Pattern: UBLModel, Order: 141, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelLineAllowance = Context{Pattern: UBLModel, Order: 153, Names: []string{"AllowanceCharge"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublLine(n.Parent) && ublChargeIndicatorIs(n, false) }}
	ublModelLineCharge = Context{Pattern: UBLModel, Order: 161, Names: []string{"AllowanceCharge"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublLine(n.Parent) && ublChargeIndicatorIs(n, true) }}
	ublModelLinePeriod = Context{Pattern: UBLModel, Order: 169, Names: []string{"InvoicePeriod"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublLine(n.Parent) }}
	ublModelPeriod = Context{Pattern: UBLModel, Order: 173, Names: []string{"InvoicePeriod"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelItemProperty = Context{Pattern: UBLModel, Order: 177, Names: []string{"AdditionalItemProperty"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelClassification = Context{Pattern: UBLModel, Order: 180, Names: []string{"ItemClassificationCode"},
		Match: func(n *Node) bool {
			return n.Is("cbc:ItemClassificationCode") && n.Parent.Is("cac:CommodityClassification") &&
				n.Parent.Parent.Is("cac:Item") && ublLine(n.Parent.Parent.Parent)
		}}
	ublModelStandardID = Context{Pattern: UBLModel, Order: 183, Names: []string{"ID"},
		Match: func(n *Node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:StandardItemIdentification") && n.Parent.Parent.Is("cac:Item") && ublLine(n.Parent.Parent.Parent)
		}}
	ublModelNote = Context{Pattern: UBLModel, Order: 186, Names: []string{"Note"},
		Match: func(n *Node) bool { return n.Is("cbc:Note") && ublChildOfRoot(n) }}
	ublModelPayee = Context{Pattern: UBLModel, Order: 189, Names: []string{"PayeeParty"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelPayeeAccount = Context{Pattern: UBLModel, Order: 192, Names: []string{"PayeeFinancialAccount"},
		Match: func(n *Node) bool {
			if !n.Is("cac:PayeeFinancialAccount") || !n.Parent.Is("cac:PaymentMeans") {
				return false
			}
			codes := n.Parent.Strs("cbc:PaymentMeansCode")
			return xrIn("30", codes) || xrIn("58", codes)
		}}
	ublModelPaymentMeans = Context{Pattern: UBLModel, Order: 195, Names: []string{"PaymentMeans"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelBillingRef = Context{Pattern: UBLModel, Order: 199, Names: []string{"BillingReference"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelSupplier = Context{Pattern: UBLModel, Order: 202, Names: []string{"AccountingSupplierParty"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelSupplierEndpoint = Context{Pattern: UBLModel, Order: 205, Names: []string{"EndpointID"},
		Match: func(n *Node) bool {
			return n.Is("cbc:EndpointID") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingSupplierParty")
		}}
	ublModelSupplierAddress = Context{Pattern: UBLModel, Order: 208, Names: []string{"PostalAddress"},
		Match: func(n *Node) bool {
			return n.Is("cac:PostalAddress") && n.Parent.Is("cac:Party") && n.Parent.Parent.Is("cac:AccountingSupplierParty")
		}}
	ublModelTaxRep = Context{Pattern: UBLModel, Order: 211, Names: []string{"TaxRepresentativeParty"},
		Match: func(n *Node) bool { return n.Space == NSCAC }}
	ublModelTaxRepAddress = Context{Pattern: UBLModel, Order: 216, Names: []string{"PostalAddress"},
		Match: func(n *Node) bool { return n.Is("cac:PostalAddress") && n.Parent.Is("cac:TaxRepresentativeParty") }}
	ublModelTaxTotal = Context{Pattern: UBLModel, Order: 219, Names: []string{"TaxTotal"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublChildOfRoot(n) }}
	ublModelTaxSubtotal = Context{Pattern: UBLModel, Order: 222, Names: []string{"TaxSubtotal"},
		Match: func(n *Node) bool { return n.Space == NSCAC && n.Parent.Is("cac:TaxTotal") }}
	ublModelVATScheme = Context{Pattern: UBLModel, Order: 231, Names: []string{"PartyTaxScheme"},
		Match: func(n *Node) bool { return n.Space == NSCAC && ublVAT(n) }}
)
