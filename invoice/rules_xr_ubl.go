package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The contexts and tests of the XRechnung rules that only UBL has (see
// xrRules in rules_xr_common.go). Orders are the line numbers of the rule
// contexts in XRechnung-UBL-validation.sch.

// xrUBLAt is the context at order that selects the element at path below
// the UBL root, e.g. "cac:AccountingSupplierParty/cac:Party/cac:Contact".
func xrUBLAt(order int, path string) ruleContext {
	return ruleContext{Pattern: patXRUBL, Order: order, Names: []string{lastLocal(path)},
		Match: func(n *node) bool { return n.AtRoot(path) && isUBLRoot(n.Root()) }}
}

// xrPaymentMeansCode is normalize-space(cbc:PaymentMeansCode) of a payment
// means directly under the root.
func xrUBLPaymentMeansIn(codes ...string) func(n *node) bool {
	return func(n *node) bool {
		return n.Parent != nil && n.Parent.Parent == nil && isUBLRoot(n.Parent) && n.Is("cac:PaymentMeans") &&
			xmltree.In(n.NormStr("cbc:PaymentMeansCode"), codes)
	}
}

// xrUBLIsExtension is $isExtension: the document declares the XRechnung
// extension.
func xrUBLIsExtension(n *node) bool {
	return xrDeclares(n, &xrUBLIsExtensionKey, isUBLRoot, "cbc:CustomizationID", SpecExtension)
}

// xrUBLIsCVD is $isCVD.
func xrUBLIsCVD(n *node) bool {
	return xrDeclares(n, &xrUBLIsCVDKey, isUBLRoot, "cbc:CustomizationID", SpecCVD)
}

// xrUBLLineItem matches (/ubl:Invoice/cac:InvoiceLine | /cn:CreditNote/cac:CreditNoteLine)/cac:Item.
func xrUBLLineItem(n *node) bool {
	line := n.Parent
	if line == nil || !n.Is("cac:Item") || line.Parent == nil || line.Parent.Parent != nil {
		return false
	}
	r := line.Parent
	return r.Space == xmltree.NSInvoice && r.Local == "Invoice" && line.Is("cac:InvoiceLine") ||
		r.Space == xmltree.NSCreditNote && r.Local == "CreditNote" && line.Is("cac:CreditNoteLine")
}

var (
	xrUBLRoot            = ruleContext{Pattern: patXRUBL, Order: 27, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	xrUBLExtRef          = xrUBLAt(108, "cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference")
	xrUBLSupplier        = xrUBLAt(114, "cac:AccountingSupplierParty")
	xrUBLSupplierAddress = xrUBLAt(121, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress")
	xrUBLSupplierContact = xrUBLAt(132, "cac:AccountingSupplierParty/cac:Party/cac:Contact")
	xrUBLCustomerAddress = xrUBLAt(155, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")
	xrUBLDeliveryAddress = xrUBLAt(166, "cac:Delivery/cac:DeliveryLocation/cac:Address")
	xrUBLTransfer        = ruleContext{Pattern: patXRUBL, Order: 177, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("30", "58")}
	xrUBLCard            = ruleContext{Pattern: patXRUBL, Order: 196, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("48", "54", "55")}
	xrUBLDebit           = ruleContext{Pattern: patXRUBL, Order: 208, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("59")}
	xrUBLTaxSubtotal     = xrUBLAt(226, "cac:TaxTotal/cac:TaxSubtotal")

	xrUBLExtBinary = ruleContext{Pattern: patXRUBLExtension, Order: 240, Names: []string{"EmbeddedDocumentBinaryObject"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCBC && xrUBLIsExtension(n) }}
	xrUBLExtInvoice = ruleContext{Pattern: patXRUBLExtension, Order: 257, Names: []string{"Invoice"},
		Match: func(n *node) bool { return n.Parent == nil && n.Space == xmltree.NSInvoice && xrUBLIsExtension(n) }}
	xrUBLExtTotals = ruleContext{Pattern: patXRUBLExtension, Order: 281, Names: []string{"LegalMonetaryTotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && xrUBLIsExtension(n) }}
	xrUBLExtPartyID = ruleContext{Pattern: patXRUBLExtension, Order: 294, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:PartyIdentification") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtLegalID = ruleContext{Pattern: patXRUBLExtension, Order: 303, Names: []string{"CompanyID"},
		Match: func(n *node) bool {
			return n.Is("cbc:CompanyID") && n.Parent.Is("cac:PartyLegalEntity") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtItemID = ruleContext{Pattern: patXRUBLExtension, Order: 312, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:StandardItemIdentification") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtEndpoint = ruleContext{Pattern: patXRUBLExtension, Order: 321, Names: []string{"EndpointID"},
		Match: func(n *node) bool { return n.Is("cbc:EndpointID") && n.HasAttr("schemeID") && xrUBLIsExtension(n) }}
	xrUBLExtDeliveryID = ruleContext{Pattern: patXRUBLExtension, Order: 330, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:DeliveryLocation") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtPrepaid = ruleContext{Pattern: patXRUBLExtension, Order: 339, Names: []string{"PrepaidPayment"},
		Match: func(n *node) bool {
			return n.Is("cac:PrepaidPayment") && n.Parent.Parent == nil && n.Parent.Space == xmltree.NSInvoice && n.Parent.Local == "Invoice" && xrUBLIsExtension(n)
		}}

	xrUBLCVDRoot = ruleContext{Pattern: patXRUBLCVD, Order: 365, Names: []string{"Invoice", "CreditNote"},
		Match: func(n *node) bool { return isUBLRoot(n) && xrUBLIsCVD(n) }}
	xrUBLCVDItem = ruleContext{Pattern: patXRUBLCVD, Order: 384, Names: []string{"Item"},
		Match: func(n *node) bool { return xrUBLLineItem(n) && xrUBLIsCVD(n) }}
	xrUBLCVDClassification = ruleContext{Pattern: patXRUBLCVD, Order: 399, Names: []string{"ItemClassificationCode"},
		Match: func(n *node) bool {
			return n.Is("cbc:ItemClassificationCode") && n.Parent.Is("cac:CommodityClassification") &&
				xrUBLLineItem(n.Parent.Parent) && xrUBLIsCVD(n)
		}}
	xrUBLCVDProperty = ruleContext{Pattern: patXRUBLCVD, Order: 411, Names: []string{"AdditionalItemProperty"},
		Match: func(n *node) bool {
			return n.Is("cac:AdditionalItemProperty") && xrUBLLineItem(n.Parent) && xmltree.In("cva", n.Strs("cbc:Name")) && xrUBLIsCVD(n)
		}}
)

// Paths xrUBLTaxCodes reads, compiled once.
var (
	ublTaxCategoryID          = xp("cac:TaxCategory/cbc:ID")
	ublInvoiceLineTaxCodes    = xp("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
	ublCreditNoteLineTaxCodes = xp("cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")
)

// xrUBLTaxCodes returns the VAT category codes BR-DE-16 looks at: document
// allowances and charges (BT-95, BT-102) and lines (BT-151).
func xrUBLTaxCodes(r *node) []string {
	var codes []string
	for _, ac := range r.All("cac:AllowanceCharge") {
		ind := ublChargeIndicator.Strs(ac)
		if xmltree.In("false", ind) || xmltree.In("true", ind) {
			codes = append(codes, ublTaxCategoryID.Strs(ac)...)
		}
	}
	codes = append(codes, ublInvoiceLineTaxCodes.Strs(r)...)
	codes = append(codes, ublCreditNoteLineTaxCodes.Strs(r)...)
	return codes
}

// xrUBLDEX02 checks that each line's and sub line's net amount is the sum
// of its sub lines' net amounts.
func xrUBLDEX02(r *node) bool {
	// xs:decimal(cbc:LineExtensionAmount) = sum(cac:SubInvoiceLine/
	// xs:decimal(cbc:LineExtensionAmount)): a value that is no decimal (or
	// two of them) raises the reference's dynamic error.
	equal := func(e *node) bool {
		a, ok := xmltree.CastDecimal(e, e.Strs("cbc:LineExtensionAmount"))
		b, ok2 := xmltree.SumCastDecimal(e, e.All("cac:SubInvoiceLine"), "cbc:LineExtensionAmount")
		return ok && ok2 && a.Cmp(b) == 0
	}
	for _, line := range r.All("cac:InvoiceLine") {
		if line.Has("cac:SubInvoiceLine") && !equal(line) {
			return false
		}
	}
	for _, sub := range r.Descendants("cac:SubInvoiceLine") {
		if sub.Has("cac:SubInvoiceLine") && !equal(sub) {
			return false
		}
	}
	return true
}

// ublSellerVATIDWithVAT is BR-DE-16: with a VAT category S, Z, E, AE, K,
// G, L or M, the seller's VAT identifier or a tax representative is given.
func ublSellerVATIDWithVAT(n *node) bool {
	if !xmltree.AnyIn(xrUBLTaxCodes(n), xrVATCodes) {
		return true
	}
	return n.Has("cac:TaxRepresentativeParty") || xrHasNonBlank(n, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
}

// ublUniqueFilenames is BR-DE-22: no two attachments have one file name.
func ublUniqueFilenames(n *node) bool {
	seen := map[string]bool{}
	for _, ref := range n.All("cac:AdditionalDocumentReference") {
		if !xrFreshNames(seen, ref.Strs("cac:Attachment/cbc:EmbeddedDocumentBinaryObject/@filename")) {
			return false
		}
	}
	return true
}

// ublSEPACreditorWithMandate is BR-DE-30: with a direct debit mandate, the
// seller or the payee has a SEPA creditor identifier.
func ublSEPACreditorWithMandate(n *node) bool {
	if !n.Has("cac:PaymentMeans/cac:PaymentMandate") {
		return true
	}
	for _, path := range []string{"cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID", "cac:PayeeParty/cac:PartyIdentification/cbc:ID"} {
		for _, id := range n.All(path) {
			if s, _ := id.Attr("schemeID"); s == "SEPA" {
				return true
			}
		}
	}
	return false
}

// ublDebitedAccountWithMandate is BR-DE-31: with a direct debit mandate,
// the debited account is given.
func ublDebitedAccountWithMandate(n *node) bool {
	return !n.Has("cac:PaymentMeans/cac:PaymentMandate") || n.Has("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
}

// ublSubLineOneCategory is BR-DEX-03: every sub line's item has exactly one
// VAT category.
func ublSubLineOneCategory(n *node) bool {
	for _, sub := range n.Descendants("cac:SubInvoiceLine") {
		for _, item := range sub.All("cac:Item") {
			if len(item.All("cac:ClassifiedTaxCategory")) != 1 {
				return false
			}
		}
	}
	return true
}

// ublPayableWithThirdParty is BR-DEX-09: the amount due is the total less
// the prepaid amount plus the third party payments, rounding aside.
func ublPayableWithThirdParty(n *node) bool {
	prepaid, ok1 := xrDecOrZero(n, "cbc:PrepaidAmount")
	rounding, ok2 := xrDecOrZero(n, "cbc:PayableRoundingAmount")
	third := new(big.Rat)
	ok3 := true
	if xrHasNonBlank(n, "../cac:PrepaidPayment/cbc:PaidAmount") {
		// sum(../cac:PrepaidPayment/xs:decimal(cbc:PaidAmount)): a
		// blank one among them raises too.
		third, ok3 = xmltree.SumCastDecimal(n, n.All("../cac:PrepaidPayment"), "cbc:PaidAmount")
	}
	payable, ok4 := xmltree.CastDecimal(n, n.Strs("cbc:PayableAmount"))
	total, ok5 := xmltree.CastDecimal(n, n.Strs("cbc:TaxInclusiveAmount"))
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return false // a cast raised, or an absent amount makes the comparison false
	}
	left := xmltree.RoundDec2(new(big.Rat).Sub(payable, rounding))
	right := xmltree.RoundDec2(new(big.Rat).Add(new(big.Rat).Sub(total, prepaid), third))
	return left.Cmp(right) == 0
}

// ublPartySchemeExtListed is BR-DEX-04: a party identifier's scheme is an
// ICD code or XR01-XR03, or, for the seller and the payee, SEPA.
func ublPartySchemeExtListed(n *node) bool {
	s, _ := n.Attr("schemeID")
	if xrSchemeIn(s, xrICDExtCodes) {
		return true
	}
	return xrSchemeIn(s, " SEPA ") && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
}

// ublPaidAmountDecimals is BR-DEX-13: a third party payment has at most
// two decimals.
func ublPaidAmountDecimals(n *node) bool {
	v := n.Str("cbc:PaidAmount")
	for i := 0; i < len(v); i++ {
		if v[i] == '.' {
			return len([]rune(v[i+1:])) <= 2
		}
	}
	return true
}
