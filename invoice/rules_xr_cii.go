package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// XRechnung rules for CII (XRechnung Schematron 2.5.0). Orders are the
// line numbers of the rule contexts in XRechnung-CII-validation.sch.

const (
	ciiTx        = "rsm:SupplyChainTradeTransaction"
	ciiAgreement = ciiTx + "/ram:ApplicableHeaderTradeAgreement"
	ciiDelivery  = ciiTx + "/ram:ApplicableHeaderTradeDelivery"
	ciiSettle    = ciiTx + "/ram:ApplicableHeaderTradeSettlement"
	ciiLine      = ciiTx + "/ram:IncludedSupplyChainTradeLineItem"
)

// xrCIIAt matches an element at path below /rsm:CrossIndustryInvoice.
func xrCIIAt(path string) func(n *node) bool {
	return func(n *node) bool { return n.AtRoot(path) && isCIIRoot(n.Root()) }
}

var xrCIIIsExtensionKey, xrCIIIsCVDKey xmltree.MemoKey[bool]

func xrCIIIsExtension(n *node) bool {
	return xmltree.Memo(n, &xrCIIIsExtensionKey, func() bool {
		r := n.Root()
		return isCIIRoot(r) && xrTextIs(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", SpecExtension)
	})
}

func xrCIIIsCVD(n *node) bool {
	return xmltree.Memo(n, &xrCIIIsCVDKey, func() bool {
		r := n.Root()
		return isCIIRoot(r) && xrTextIs(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", SpecCVD)
	})
}

// xrCIIPaymentMeansIn matches the header payment means whose normalized
// type code is one of codes.
func xrCIIPaymentMeansIn(codes ...string) func(n *node) bool {
	return func(n *node) bool {
		return n.AtRoot(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans") && isCIIRoot(n.Root()) &&
			xmltree.In(n.NormStr("ram:TypeCode"), codes)
	}
}

// xrCIIDirectDebit reports whether the document has a mandate reference
// (BT-89) or creditor identifier (BT-90), or pm a debited account (BT-91).
func xrCIIDirectDebit(pm *node) bool {
	r := pm.Root()
	return r.Has(ciiSettle+"/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID") ||
		r.Has(ciiSettle+"/ram:CreditorReferenceID") || pm.Has("ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
}

func xrCIIWithExt(match func(n *node) bool) func(n *node) bool {
	return func(n *node) bool { return n.HasAttr("schemeID") && match(n) && xrCIIIsExtension(n) }
}

var (
	xrCIIRoot    = ruleContext{Pattern: patXRCII, Order: 33, Names: []string{"CrossIndustryInvoice"}, Match: isCIIRoot}
	xrCIIContext = ruleContext{Pattern: patXRCII, Order: 94, Names: []string{"ExchangedDocumentContext"},
		Match: xrCIIAt("rsm:ExchangedDocumentContext")}
	xrCIISeller = ruleContext{Pattern: patXRCII, Order: 103, Names: []string{"SellerTradeParty"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty")}
	xrCIISellerAddress = ruleContext{Pattern: patXRCII, Order: 110, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty/ram:PostalTradeAddress")}
	xrCIISellerContact = ruleContext{Pattern: patXRCII, Order: 121, Names: []string{"DefinedTradeContact"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty/ram:DefinedTradeContact")}
	xrCIIBuyerAddress = ruleContext{Pattern: patXRCII, Order: 144, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiAgreement + "/ram:BuyerTradeParty/ram:PostalTradeAddress")}
	xrCIIExternalDoc = ruleContext{Pattern: patXRCII, Order: 154, Names: []string{"AdditionalReferencedDocument"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiAgreement+"/ram:AdditionalReferencedDocument") && isCIIRoot(n.Root()) && xmltree.In("916", n.Strs("ram:TypeCode"))
		}}
	xrCIIShipToAddress = ruleContext{Pattern: patXRCII, Order: 160, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiDelivery + "/ram:ShipToTradeParty/ram:PostalTradeAddress")}
	xrCIITransfer  = ruleContext{Pattern: patXRCII, Order: 171, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("30", "58")}
	xrCIICard      = ruleContext{Pattern: patXRCII, Order: 191, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("48", "54", "55")}
	xrCIIDebit     = ruleContext{Pattern: patXRCII, Order: 205, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("59")}
	xrCIIHeaderTax = ruleContext{Pattern: patXRCII, Order: 227, Names: []string{"ApplicableTradeTax"},
		Match: xrCIIAt(ciiSettle + "/ram:ApplicableTradeTax")}
	xrCIITransaction = ruleContext{Pattern: patXRCII, Order: 234, Names: []string{"SupplyChainTradeTransaction"}, Match: xrCIIAt(ciiTx)}
	xrCIILineItem    = ruleContext{Pattern: patXRCII, Order: 246, Names: []string{"IncludedSupplyChainTradeLineItem"}, Match: xrCIIAt(ciiLine)}

	xrCIIExtLineDoc = ruleContext{Pattern: patXRCIIExtension, Order: 270, Names: []string{"AssociatedDocumentLineDocument"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:AssociatedDocumentLineDocument") && isCIIRoot(n.Root()) && xrCIIIsExtension(n)
		}}
	xrCIIExtGlobalID = ruleContext{Pattern: patXRCIIExtension, Order: 277, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Ancestor("ram:SpecifiedTradeProduct") == nil && n.Ancestor("ram:ShipToTradeParty") == nil
		})}
	xrCIIExtID = ruleContext{Pattern: patXRCIIExtension, Order: 286, Names: []string{"ID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Ancestor("ram:SpecifiedTaxRegistration") == nil
		})}
	xrCIIExtProductID = ruleContext{Pattern: patXRCIIExtension, Order: 295, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool { return n.Space == xmltree.NSRAM && n.Parent.Is("ram:SpecifiedTradeProduct") })}
	xrCIIExtURIID = ruleContext{Pattern: patXRCIIExtension, Order: 304, Names: []string{"URIID"},
		Match: xrCIIWithExt(func(n *node) bool { return n.Space == xmltree.NSRAM && n.Parent.Is("ram:URIUniversalCommunication") })}
	xrCIIExtShipToID = ruleContext{Pattern: patXRCIIExtension, Order: 313, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Parent.Is("ram:ShipToTradeParty") && n.Parent.Parent.Is("ram:ApplicableHeaderTradeDelivery")
		})}
	xrCIIExtBinary = ruleContext{Pattern: patXRCIIExtension, Order: 323, Names: []string{"AttachmentBinaryObject"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM && xrCIIIsExtension(n) }}

	xrCIICVDTx = ruleContext{Pattern: patXRCIICVD, Order: 343, Names: []string{"SupplyChainTradeTransaction"},
		Match: func(n *node) bool { return n.AtRoot(ciiTx) && isCIIRoot(n.Root()) && xrCIIIsCVD(n) }}
	xrCIICVDProduct = ruleContext{Pattern: patXRCIICVD, Order: 350, Names: []string{"SpecifiedTradeProduct"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct") && isCIIRoot(n.Root()) && xrCIIIsCVD(n)
		}}
	xrCIICVDClassCode = ruleContext{Pattern: patXRCIICVD, Order: 362, Names: []string{"ClassCode"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode") && isCIIRoot(n.Root()) && xrCIIIsCVD(n)
		}}
	xrCIICVDCharacteristic = ruleContext{Pattern: patXRCIICVD, Order: 374, Names: []string{"ApplicableProductCharacteristic"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic") && isCIIRoot(n.Root()) &&
				xmltree.In("cva", n.Strs("ram:Description")) && xrCIIIsCVD(n)
		}}
	xrCIICVDAgreement = ruleContext{Pattern: patXRCIICVD, Order: 381, Names: []string{"ApplicableHeaderTradeAgreement"},
		Match: func(n *node) bool { return n.AtRoot(ciiAgreement) && isCIIRoot(n.Root()) && xrCIIIsCVD(n) }}
)

// xrCIIUniqueFilenames is BR-DE-22: no additional referenced document has
// an attachment file name of a preceding sibling.
func xrCIIUniqueFilenames(r *node) bool {
	seen := map[*node]map[string]bool{}
	for _, ard := range r.Descendants("ram:AdditionalReferencedDocument") {
		s := seen[ard.Parent]
		if s == nil {
			s = map[string]bool{}
			seen[ard.Parent] = s
		}
		names := ard.Strs("ram:AttachmentBinaryObject/@filename")
		for _, f := range names {
			if s[f] {
				return false
			}
		}
		for _, f := range names {
			s[f] = true
		}
	}
	return true
}

// xrCIIUsesVATCodes is the condition of BR-DE-16: VAT categories S, Z, E,
// AE, K, G, L or M on lines or document allowances and charges.
func xrCIIUsesVATCodes(r *node) bool {
	line := r.All(ciiLine + "/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax")
	var lineTypes, lineCats []string
	for _, t := range line {
		lineTypes = append(lineTypes, t.Strs("ram:TypeCode")...)
		lineCats = append(lineCats, t.Strs("ram:CategoryCode")...)
	}
	if xmltree.In("VAT", lineTypes) && xmltree.AnyIn(lineCats, xrVATCodes) {
		return true
	}
	hdr := r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax")
	var hdrValues, hdrCats []string
	for _, t := range hdr {
		hdrValues = append(hdrValues, t.Value())
		hdrCats = append(hdrCats, t.Strs("ram:CategoryCode")...)
	}
	return xmltree.In("VAT", hdrValues) && xmltree.AnyIn(hdrCats, xrVATCodes)
}

var xrCIIRules = []rule{
	{ID: "BR-DE-30", Context: xrCIIRoot,
		Test: func(n *node) bool {
			bt89, bt90, bt91 := n.Has(ciiSettle+"/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"), n.Has(ciiSettle+"/ram:CreditorReferenceID"),
				n.Has(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
			return (bt89 || bt91) && bt90 || !(bt89 || bt90 || bt91)
		}},
	{ID: "BR-DE-31", Context: xrCIIRoot,
		Test: func(n *node) bool {
			bt89, bt90, bt91 := n.Has(ciiSettle+"/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"), n.Has(ciiSettle+"/ram:CreditorReferenceID"),
				n.Has(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
			return (bt89 || bt90) && bt91 || !(bt89 || bt90 || bt91)
		}},
	{ID: "BR-DE-1", Context: xrCIIRoot,
		Test: func(n *node) bool { return n.Has(ciiSettle + "/ram:SpecifiedTradeSettlementPaymentMeans") }},
	{ID: "BR-DE-15", Context: xrCIIRoot,
		Test: func(n *node) bool { return xrHasNonBlank(n, ciiAgreement+"/ram:BuyerReference") }},
	{ID: "BR-DE-16", Context: xrCIIRoot,
		Test: func(n *node) bool {
			if !xrCIIUsesVATCodes(n) {
				return true
			}
			for _, id := range n.All(ciiAgreement + "/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID") {
				s, _ := id.Attr("schemeID")
				if s = xmltree.NormSpace(s); (s == "VA" || s == "FC") && !xmltree.Blank(id.Value()) {
					return true
				}
			}
			return n.Has(ciiAgreement + "/ram:SellerTaxRepresentativeTradeParty")
		}},
	{ID: "BR-DE-17", Context: xrCIIRoot,
		Test: func(n *node) bool { return xmltree.In(n.NormStr("rsm:ExchangedDocument/ram:TypeCode"), xrTypeCodes) }},
	{ID: "BR-DE-18", Context: xrCIIRoot,
		Test: func(n *node) bool {
			var notes []string
			for _, pt := range n.All(ciiSettle + "/ram:SpecifiedTradePaymentTerms") {
				if d := pt.First("ram:Description"); d != nil {
					notes = append(notes, d.Value())
				}
			}
			return xrSkontoOK(notes)
		}},
	{ID: "BR-DE-22", Context: xrCIIRoot,
		Test: xrCIIUniqueFilenames},
	{ID: "BR-DE-26", Context: xrCIIRoot,
		Test: func(n *node) bool {
			return n.NormStr("rsm:ExchangedDocument/ram:TypeCode") != "384" || n.Has(ciiSettle+"/ram:InvoiceReferencedDocument")
		}},
	{ID: "BR-DE-21", Context: xrCIIContext,
		Test: func(n *node) bool {
			return xmltree.AnyIn(n.Strs("ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"), []string{SpecXRechnung, SpecExtension, SpecCVD})
		}},
	{ID: "BR-DE-2", Context: xrCIISeller,
		Test: func(n *node) bool { return n.Has("ram:DefinedTradeContact") }},
	{ID: "BR-DE-3", Context: xrCIISellerAddress,
		Test: xrNonBlank("ram:CityName")},
	{ID: "BR-DE-4", Context: xrCIISellerAddress,
		Test: xrNonBlank("ram:PostcodeCode")},
	{ID: "BR-DE-5", Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrHasNonBlank(n, "ram:PersonName") || xrHasNonBlank(n, "ram:DepartmentName")
		}},
	{ID: "BR-DE-6", Context: xrCIISellerContact,
		Test: xrNonBlank("ram:TelephoneUniversalCommunication/ram:CompleteNumber")},
	{ID: "BR-DE-7", Context: xrCIISellerContact,
		Test: xrNonBlank("ram:EmailURIUniversalCommunication/ram:URIID")},
	{ID: "BR-DE-27", Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrTelephoneOK(n.NormStr("ram:TelephoneUniversalCommunication/ram:CompleteNumber"))
		}},
	{ID: "BR-DE-28", Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrEmail.MatchString(n.NormStr("ram:EmailURIUniversalCommunication/ram:URIID"))
		}},
	{ID: "BR-DE-8", Context: xrCIIBuyerAddress,
		Test: xrNonBlank("ram:CityName")},
	{ID: "BR-DE-9", Context: xrCIIBuyerAddress,
		Test: xrNonBlank("ram:PostcodeCode")},
	{ID: "BR-TMP-2", Context: xrCIIExternalDoc,
		Test: func(n *node) bool { return !n.Has("ram:URIID") || xrURL.MatchString(n.Str("ram:URIID")) }},
	{ID: "BR-DE-10", Context: xrCIIShipToAddress,
		Test: xrNonBlank("ram:CityName")},
	{ID: "BR-DE-11", Context: xrCIIShipToAddress,
		Test: xrNonBlank("ram:PostcodeCode")},
	{ID: "BR-DE-19", Context: xrCIITransfer,
		Test: func(n *node) bool {
			return n.NormStr("ram:TypeCode") != "58" || xrIBANOK(n.Str("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"))
		}},
	{ID: "BR-DE-23-a", Context: xrCIITransfer,
		Test: func(n *node) bool { return n.Has("ram:PayeePartyCreditorFinancialAccount") }},
	{ID: "BR-DE-23-b", Context: xrCIITransfer,
		Test: func(n *node) bool {
			return !n.Has("ram:ApplicableTradeSettlementFinancialCard") && !xrCIIDirectDebit(n)
		}},
	{ID: "BR-DE-24-a", Context: xrCIICard,
		Test: func(n *node) bool { return n.Has("ram:ApplicableTradeSettlementFinancialCard") }},
	{ID: "BR-DE-24-b", Context: xrCIICard,
		Test: func(n *node) bool {
			return !n.Has("ram:PayeePartyCreditorFinancialAccount") && !xrCIIDirectDebit(n)
		}},
	{ID: "BR-DE-20", Context: xrCIIDebit,
		Test: func(n *node) bool {
			return n.NormStr("ram:TypeCode") != "59" || xrIBANOK(n.Str("ram:PayerPartyDebtorFinancialAccount/ram:IBANID"))
		}},
	{ID: "BR-DE-25-a", Context: xrCIIDebit,
		Test: xrCIIDirectDebit},
	{ID: "BR-DE-25-b", Context: xrCIIDebit,
		Test: func(n *node) bool {
			return !n.Has("ram:PayeePartyCreditorFinancialAccount") && !n.Has("ram:PayeeSpecifiedCreditorFinancialInstitution") &&
				!n.Has("ram:PayerSpecifiedDebtorFinancialInstitution") && !n.Has("ram:ApplicableTradeSettlementFinancialCard")
		}},
	{ID: "BR-DE-14", Context: xrCIIHeaderTax,
		Test: xrNonBlank("ram:RateApplicablePercent")},
	{ID: "BR-DE-TMP-32", Context: xrCIITransaction,
		Test: func(n *node) bool {
			if n.Has("ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime") ||
				n.Has("ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod") {
				return true
			}
			for _, l := range n.All("ram:IncludedSupplyChainTradeLineItem") {
				if !l.Has("ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod") {
					return false
				}
			}
			return true
		}},
	{ID: "BR-TMP-3", Context: xrCIILineItem,
		Test: func(n *node) bool {
			const g, net = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:BasisQuantity", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"
			if !(n.Has(g) && n.Has(net)) {
				return true
			}
			if !xmltree.AnyIn(n.Strs(g), n.Strs(net)) {
				return false
			}
			return !(n.Has(net+"/@unitCode") && n.Has(g+"/@unitCode")) || xmltree.AnyIn(n.Strs(g+"/@unitCode"), n.Strs(net+"/@unitCode"))
		}},

	{ID: "BR-DEX-15", Context: xrCIIExtLineDoc,
		Test: func(n *node) bool { return len(n.Root().Descendants("ram:ParentLineID")) == 0 }},
	{ID: "BR-DEX-04", Context: xrCIIExtGlobalID,
		Test:      xrSchemeAttrIn("schemeID", xrICDExtCodes),
		Message:   "The scheme identifier of a party identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Partei-Kennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-05", Context: xrCIIExtID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-06", Context: xrCIIExtProductID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-07", Context: xrCIIExtURIID,
		Test: xrSchemeAttrIn("schemeID", xrEASExtCodes)},
	{ID: "BR-DEX-08", Context: xrCIIExtShipToID,
		Test: xrSchemeAttrIn("schemeID", xrICDExtCodes)},
	{ID: "BR-DEX-01", Context: xrCIIExtBinary,
		Test: func(n *node) bool {
			m, _ := n.Attr("mimeCode")
			return xmltree.In(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet", "application/xml"})
		}},

	{ID: "BR-DE-CVD-03", Context: xrCIICVDTx,
		Test: func(n *node) bool {
			for _, p := range n.All("ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct") {
				if xmltree.In("CVD", p.Strs("ram:DesignatedProductClassification/ram:ClassCode/@listID")) &&
					xmltree.In("cva", p.Strs("ram:ApplicableProductCharacteristic/ram:Description")) {
					return true
				}
			}
			return false
		}},
	{ID: "BR-DE-CVD-06-b", Context: xrCIICVDProduct,
		Test: func(n *node) bool {
			if !xmltree.In("cva", n.Strs("ram:ApplicableProductCharacteristic/ram:Description")) {
				return true
			}
			count := 0
			for _, c := range n.All("ram:DesignatedProductClassification/ram:ClassCode") {
				if l, _ := c.Attr("listID"); l == "CVD" {
					count++
				}
			}
			return count == 1
		}},
	{ID: "BR-DE-CVD-06-a", Context: xrCIICVDProduct,
		Test: func(n *node) bool {
			if !xmltree.In("CVD", n.Strs("ram:DesignatedProductClassification/ram:ClassCode/@listID")) {
				return true
			}
			count := 0
			for _, c := range n.All("ram:ApplicableProductCharacteristic") {
				if xmltree.In("cva", c.Strs("ram:Description")) {
					count++
				}
			}
			return count == 1
		}},
	{ID: "BR-TMP-CVD-01", Context: xrCIICVDClassCode,
		Test: xrSchemeAttrIn("listID", xr7143CVDCodes)},
	{ID: "BR-DE-CVD-04", Context: xrCIICVDClassCode,
		Test: func(n *node) bool {
			l, _ := n.Attr("listID")
			return xmltree.NormSpace(l) != "CVD" || xmltree.In(xmltree.NormSpace(n.Value()), xrVehicleCategories)
		}},
	{ID: "BR-DE-CVD-05", Context: xrCIICVDCharacteristic,
		Test: func(n *node) bool { return xmltree.In(n.NormStr("ram:Value"), xrCVACodes) }},
	{ID: "BR-DE-CVD-01", Context: xrCIICVDAgreement,
		Test: xrNonBlank("ram:ContractReferencedDocument/ram:IssuerAssignedID")},
	{ID: "BR-DE-CVD-02", Context: xrCIICVDAgreement,
		Test: func(n *node) bool {
			for _, d := range n.All("ram:AdditionalReferencedDocument") {
				if d.NormStr("ram:TypeCode") == "50" && d.NormStr("ram:IssuerAssignedID") != "" {
					return true
				}
			}
			return false
		}},
}
