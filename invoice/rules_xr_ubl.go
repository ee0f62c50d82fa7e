package invoice

import (
	"math/big"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// XRechnung rules for UBL (XRechnung Schematron 2.5.0): BR-DE, BR-TMP,
// the extension's BR-DEX and the clean vehicles directive's BR-DE-CVD.
// Orders are the line numbers of the rule contexts in
// XRechnung-UBL-validation.sch.

// xrUBLUnderRoot matches an element at path below the UBL root, e.g.
// "cac:AccountingSupplierParty/cac:Party/cac:Contact".
func xrUBLUnderRoot(path string) func(n *node) bool {
	return func(n *node) bool { return n.AtRoot(path) && isUBLRoot(n.Root()) }
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
	return xmltree.Memo(n, &xrUBLIsExtensionKey, func() bool {
		r := n.Root()
		return isUBLRoot(r) && xrTextIs(r, "cbc:CustomizationID", SpecExtension)
	})
}

var xrUBLIsExtensionKey, xrUBLIsCVDKey xmltree.MemoKey[bool]

// xrUBLIsCVD is $isCVD.
func xrUBLIsCVD(n *node) bool {
	return xmltree.Memo(n, &xrUBLIsCVDKey, func() bool {
		r := n.Root()
		return isUBLRoot(r) && xrTextIs(r, "cbc:CustomizationID", SpecCVD)
	})
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
	xrUBLRoot   = ruleContext{Pattern: patXRUBL, Order: 27, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	xrUBLExtRef = ruleContext{Pattern: patXRUBL, Order: 108, Names: []string{"ExternalReference"},
		Match: xrUBLUnderRoot("cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference")}
	xrUBLSupplier = ruleContext{Pattern: patXRUBL, Order: 114, Names: []string{"AccountingSupplierParty"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty")}
	xrUBLSupplierAddress = ruleContext{Pattern: patXRUBL, Order: 121, Names: []string{"PostalAddress"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress")}
	xrUBLSupplierContact = ruleContext{Pattern: patXRUBL, Order: 132, Names: []string{"Contact"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty/cac:Party/cac:Contact")}
	xrUBLCustomerAddress = ruleContext{Pattern: patXRUBL, Order: 155, Names: []string{"PostalAddress"},
		Match: xrUBLUnderRoot("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")}
	xrUBLDeliveryAddress = ruleContext{Pattern: patXRUBL, Order: 166, Names: []string{"Address"},
		Match: xrUBLUnderRoot("cac:Delivery/cac:DeliveryLocation/cac:Address")}
	xrUBLTransfer    = ruleContext{Pattern: patXRUBL, Order: 177, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("30", "58")}
	xrUBLCard        = ruleContext{Pattern: patXRUBL, Order: 196, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("48", "54", "55")}
	xrUBLDebit       = ruleContext{Pattern: patXRUBL, Order: 208, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("59")}
	xrUBLTaxSubtotal = ruleContext{Pattern: patXRUBL, Order: 226, Names: []string{"TaxSubtotal"},
		Match: xrUBLUnderRoot("cac:TaxTotal/cac:TaxSubtotal")}

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

// xrUBLTaxCodes returns the VAT category codes BR-DE-16 looks at: document
// allowances and charges (BT-95, BT-102) and lines (BT-151).
func xrUBLTaxCodes(r *node) []string {
	var codes []string
	for _, ac := range r.All("cac:AllowanceCharge") {
		ind := ac.Strs("cbc:ChargeIndicator")
		if xmltree.In("false", ind) || xmltree.In("true", ind) {
			codes = append(codes, ac.Strs("cac:TaxCategory/cbc:ID")...)
		}
	}
	codes = append(codes, r.Strs("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")...)
	codes = append(codes, r.Strs("cac:CreditNoteLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID")...)
	return codes
}

// xrUBLDEX02 checks that each line's and sub line's net amount is the sum
// of its sub lines' net amounts.
func xrUBLDEX02(r *node) bool {
	sumSubs := func(e *node) (*big.Rat, bool) {
		return xmltree.SumDec(e.Strs("cac:SubInvoiceLine/cbc:LineExtensionAmount"))
	}
	equal := func(e *node) bool {
		own := e.All("cbc:LineExtensionAmount")
		if len(own) != 1 {
			return false
		}
		a, ok := xmltree.Dec(own[0].Value())
		b, ok2 := sumSubs(e)
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

var xrUBLRules = []rule{
	{ID: "BR-DE-1", Context: xrUBLRoot,
		Test: func(n *node) bool { return n.Has("cac:PaymentMeans") }},
	{ID: "BR-DE-15", Context: xrUBLRoot,
		Test: xrNonBlank("cbc:BuyerReference")},
	{ID: "BR-DE-16", Context: xrUBLRoot,
		Test: func(n *node) bool {
			if !xmltree.AnyIn(xrUBLTaxCodes(n), xrVATCodes) {
				return true
			}
			return n.Has("cac:TaxRepresentativeParty") || xrHasNonBlank(n, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
		}},
	{ID: "BR-DE-17", Context: xrUBLRoot,
		Test: func(n *node) bool {
			return xmltree.In(n.NormStr("cbc:InvoiceTypeCode"), xrTypeCodes) || xmltree.In(n.NormStr("cbc:CreditNoteTypeCode"), xrTypeCodes)
		}},
	{ID: "BR-DE-18", Context: xrUBLRoot,
		Test: func(n *node) bool {
			var notes []string
			for _, pt := range n.All("cac:PaymentTerms") {
				if note := pt.First("cbc:Note"); note != nil {
					notes = append(notes, note.Value())
				}
			}
			return xrSkontoOK(notes)
		}},
	{ID: "BR-DE-21", Context: xrUBLRoot,
		Test: func(n *node) bool {
			return xmltree.AnyIn(n.Strs("cbc:CustomizationID"), []string{SpecXRechnung, SpecExtension, SpecCVD})
		}},
	{ID: "BR-DE-22", Context: xrUBLRoot,
		Test: func(n *node) bool {
			seen := map[string]bool{}
			for _, ref := range n.All("cac:AdditionalDocumentReference") {
				names := ref.Strs("cac:Attachment/cbc:EmbeddedDocumentBinaryObject/@filename")
				for _, f := range names {
					if seen[f] {
						return false
					}
				}
				for _, f := range names {
					seen[f] = true
				}
			}
			return true
		}},
	{ID: "BR-DE-26", Context: xrUBLRoot,
		Test: func(n *node) bool {
			corrected := n.NormStr("cbc:InvoiceTypeCode") == "384" || n.NormStr("cbc:CreditNoteTypeCode") == "384"
			return !corrected || n.Has("cac:BillingReference/cac:InvoiceDocumentReference")
		}},
	{ID: "BR-DE-30", Context: xrUBLRoot,
		Test: func(n *node) bool {
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
		}},
	{ID: "BR-DE-31", Context: xrUBLRoot,
		Test: func(n *node) bool {
			return !n.Has("cac:PaymentMeans/cac:PaymentMandate") || n.Has("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
		}},
	{ID: "BR-DE-TMP-32", Context: xrUBLRoot,
		Test: func(n *node) bool {
			if n.Has("cac:Delivery/cbc:ActualDeliveryDate") || n.Has("cac:InvoicePeriod") {
				return true
			}
			for _, l := range append(n.All("cac:InvoiceLine"), n.All("cac:CreditNoteLine")...) {
				if !l.Has("cac:InvoicePeriod") {
					return false
				}
			}
			return true
		}},
	{ID: "BR-TMP-2", Context: xrUBLExtRef,
		Test: func(n *node) bool { return xrURL.MatchString(n.Str("cbc:URI")) }},
	{ID: "BR-DE-2", Context: xrUBLSupplier,
		Test: func(n *node) bool { return n.Has("cac:Party/cac:Contact") }},
	{ID: "BR-DE-3", Context: xrUBLSupplierAddress,
		Test: xrNonBlank("cbc:CityName")},
	{ID: "BR-DE-4", Context: xrUBLSupplierAddress,
		Test: xrNonBlank("cbc:PostalZone")},
	{ID: "BR-DE-5", Context: xrUBLSupplierContact,
		Test: xrNonBlank("cbc:Name")},
	{ID: "BR-DE-6", Context: xrUBLSupplierContact,
		Test: xrNonBlank("cbc:Telephone")},
	{ID: "BR-DE-7", Context: xrUBLSupplierContact,
		Test: xrNonBlank("cbc:ElectronicMail")},
	{ID: "BR-DE-27", Context: xrUBLSupplierContact,
		Test: func(n *node) bool { return xrTelephoneOK(n.NormStr("cbc:Telephone")) }},
	{ID: "BR-DE-28", Context: xrUBLSupplierContact,
		Test: func(n *node) bool { return xrEmail.MatchString(n.NormStr("cbc:ElectronicMail")) }},
	{ID: "BR-DE-8", Context: xrUBLCustomerAddress,
		Test: xrNonBlank("cbc:CityName")},
	{ID: "BR-DE-9", Context: xrUBLCustomerAddress,
		Test: xrNonBlank("cbc:PostalZone")},
	{ID: "BR-DE-10", Context: xrUBLDeliveryAddress,
		Test: xrNonBlank("cbc:CityName")},
	{ID: "BR-DE-11", Context: xrUBLDeliveryAddress,
		Test: xrNonBlank("cbc:PostalZone")},
	{ID: "BR-DE-19", Context: xrUBLTransfer,
		Test: func(n *node) bool {
			return n.NormStr("cbc:PaymentMeansCode") != "58" || xrIBANOK(n.Str("cac:PayeeFinancialAccount/cbc:ID"))
		}},
	{ID: "BR-DE-23-a", Context: xrUBLTransfer,
		Test: func(n *node) bool { return n.Has("cac:PayeeFinancialAccount") }},
	{ID: "BR-DE-23-b", Context: xrUBLTransfer,
		Test: func(n *node) bool { return !n.Has("cac:CardAccount") && !n.Has("cac:PaymentMandate") }},
	{ID: "BR-DE-24-a", Context: xrUBLCard,
		Test: func(n *node) bool { return n.Has("cac:CardAccount") }},
	{ID: "BR-DE-24-b", Context: xrUBLCard,
		Test: func(n *node) bool { return !n.Has("cac:PayeeFinancialAccount") && !n.Has("cac:PaymentMandate") }},
	{ID: "BR-DE-20", Context: xrUBLDebit,
		Test: func(n *node) bool {
			return n.NormStr("cbc:PaymentMeansCode") != "59" || xrIBANOK(n.Str("cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"))
		}},
	{ID: "BR-DE-25-a", Context: xrUBLDebit,
		Test: func(n *node) bool { return n.Has("cac:PaymentMandate") }},
	{ID: "BR-DE-25-b", Context: xrUBLDebit,
		Test: func(n *node) bool { return !n.Has("cac:PayeeFinancialAccount") && !n.Has("cac:CardAccount") }},
	{ID: "BR-DE-14", Context: xrUBLTaxSubtotal,
		Test: xrNonBlank("cac:TaxCategory/cbc:Percent")},

	{ID: "BR-DEX-01", Context: xrUBLExtBinary,
		Test: func(n *node) bool {
			m, _ := n.Attr("mimeCode")
			return xmltree.In(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet", "application/xml"})
		}},
	{ID: "BR-DEX-02", Context: xrUBLExtInvoice,
		Test: xrUBLDEX02},
	{ID: "BR-DEX-03", Context: xrUBLExtInvoice,
		Test: func(n *node) bool {
			for _, sub := range n.Descendants("cac:SubInvoiceLine") {
				for _, item := range sub.All("cac:Item") {
					if len(item.All("cac:ClassifiedTaxCategory")) != 1 {
						return false
					}
				}
			}
			return true
		}},
	{ID: "BR-DEX-09", Context: xrUBLExtTotals,
		Test: func(n *node) bool {
			prepaid, ok1 := xrDecOrZero(n, "cbc:PrepaidAmount")
			rounding, ok2 := xrDecOrZero(n, "cbc:PayableRoundingAmount")
			third := new(big.Rat)
			ok3 := true
			if xrHasNonBlank(n, "../cac:PrepaidPayment/cbc:PaidAmount") {
				third, ok3 = xmltree.SumDec(n.Strs("../cac:PrepaidPayment/cbc:PaidAmount"))
			}
			payable, ok4 := xmltree.Dec(n.Str("cbc:PayableAmount"))
			total, ok5 := xmltree.Dec(n.Str("cbc:TaxInclusiveAmount"))
			if !(ok1 && ok2 && ok3 && ok4 && ok5) || !n.Has("cbc:PayableAmount") || !n.Has("cbc:TaxInclusiveAmount") {
				return !(ok1 && ok2 && ok3) // a cast error stops the reference; an absent amount fails
			}
			left := xmltree.RoundDec2(new(big.Rat).Sub(payable, rounding))
			right := xmltree.RoundDec2(new(big.Rat).Add(new(big.Rat).Sub(total, prepaid), third))
			return left.Cmp(right) == 0
		}},
	{ID: "BR-DEX-04", Context: xrUBLExtPartyID,
		Test: func(n *node) bool {
			s, _ := n.Attr("schemeID")
			if xrSchemeIn(s, xrICDExtCodes) {
				return true
			}
			return xrSchemeIn(s, " SEPA ") && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
		}},
	{ID: "BR-DEX-05", Context: xrUBLExtLegalID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-06", Context: xrUBLExtItemID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-07", Context: xrUBLExtEndpoint,
		Test: xrSchemeAttrIn("schemeID", xrEASExtCodes)},
	{ID: "BR-DEX-08", Context: xrUBLExtDeliveryID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-10", Context: xrUBLExtPrepaid,
		Test: xrNonBlank("cbc:ID")},
	{ID: "BR-DEX-11", Context: xrUBLExtPrepaid,
		Test: xrNonBlank("cbc:PaidAmount")},
	{ID: "BR-DEX-12", Context: xrUBLExtPrepaid,
		Test: xrNonBlank("cbc:InstructionID")},
	{ID: "BR-DEX-13", Context: xrUBLExtPrepaid,
		Test: func(n *node) bool {
			v := n.Str("cbc:PaidAmount")
			for i := 0; i < len(v); i++ {
				if v[i] == '.' {
					return len([]rune(v[i+1:])) <= 2
				}
			}
			return true
		}},
	{ID: "BR-DEX-14", Context: xrUBLExtPrepaid,
		Test: func(n *node) bool {
			return xmltree.AnyIn(n.Strs("cbc:PaidAmount/@currencyID"), n.Parent.Strs("cbc:DocumentCurrencyCode"))
		}},

	{ID: "BR-DE-CVD-02", Context: xrUBLCVDRoot,
		Test: xrNonBlank("cac:OriginatorDocumentReference/cbc:ID")},
	{ID: "BR-DE-CVD-01", Context: xrUBLCVDRoot,
		Test: xrNonBlank("cac:ContractDocumentReference/cbc:ID")},
	{ID: "BR-DE-CVD-03", Context: xrUBLCVDRoot,
		Test: func(n *node) bool {
			items := append(n.All("cac:InvoiceLine/cac:Item"), n.All("cac:CreditNoteLine/cac:Item")...)
			for _, it := range items {
				if xmltree.In("CVD", it.Strs("cac:CommodityClassification/cbc:ItemClassificationCode/@listID")) &&
					xmltree.In("cva", it.Strs("cac:AdditionalItemProperty/cbc:Name")) {
					return true
				}
			}
			return false
		}},
	{ID: "BR-DE-CVD-06-a", Context: xrUBLCVDItem,
		Test: func(n *node) bool {
			if !xmltree.In("CVD", n.Strs("cac:CommodityClassification/cbc:ItemClassificationCode/@listID")) {
				return true
			}
			count := 0
			for _, p := range n.All("cac:AdditionalItemProperty") {
				if xmltree.In("cva", p.Strs("cbc:Name")) {
					count++
				}
			}
			return count == 1
		}},
	{ID: "BR-DE-CVD-06-b", Context: xrUBLCVDItem,
		Test: func(n *node) bool {
			if !xmltree.In("cva", n.Strs("cac:AdditionalItemProperty/cbc:Name")) {
				return true
			}
			count := 0
			for _, c := range n.All("cac:CommodityClassification/cbc:ItemClassificationCode") {
				if l, _ := c.Attr("listID"); l == "CVD" {
					count++
				}
			}
			return count == 1
		}},
	{ID: "BR-TMP-CVD-01", Context: xrUBLCVDClassification,
		Test: xrSchemeAttrIn("listID", xr7143CVDCodes)},
	{ID: "BR-DE-CVD-04", Context: xrUBLCVDClassification,
		Test: func(n *node) bool {
			l, _ := n.Attr("listID")
			return xmltree.NormSpace(l) != "CVD" || xmltree.In(xmltree.NormSpace(n.Value()), xrVehicleCategories)
		}},
	{ID: "BR-DE-CVD-05", Context: xrUBLCVDProperty,
		Test: func(n *node) bool { return xmltree.In(n.NormStr("cbc:Value"), xrCVACodes) }},
}
