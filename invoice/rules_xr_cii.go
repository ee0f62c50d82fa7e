package invoice

import "github.com/eingang/eingang/invoice/internal/xmltree"

// The contexts and tests of the XRechnung rules that only CII has (see
// xrRules in rules_xr_common.go). Orders are the line numbers of the rule
// contexts in XRechnung-CII-validation.sch.

const (
	ciiTx        = "rsm:SupplyChainTradeTransaction"
	ciiAgreement = ciiTx + "/ram:ApplicableHeaderTradeAgreement"
	ciiDelivery  = ciiTx + "/ram:ApplicableHeaderTradeDelivery"
	ciiSettle    = ciiTx + "/ram:ApplicableHeaderTradeSettlement"
	ciiLine      = ciiTx + "/ram:IncludedSupplyChainTradeLineItem"
)

// xrCIIAt is the context at order that selects the element at path below
// /rsm:CrossIndustryInvoice.
func xrCIIAt(order int, path string) ruleContext {
	return ruleContext{Pattern: patXRCII, Order: order, Names: []string{lastLocal(path)},
		Match: func(n *node) bool { return n.AtRoot(path) && isCIIRoot(n.Root()) }}
}

// ciiSpecPath is the specification identifier (BT-24) from the root.
const ciiSpecPath = "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"

// xrCIIIsExtension is $isExtension: the document declares the XRechnung
// extension.
func xrCIIIsExtension(n *node) bool {
	return xrDeclares(n, &xrCIIIsExtensionKey, isCIIRoot, ciiSpecPath, SpecExtension)
}

// xrCIIIsCVD is $isCVD.
func xrCIIIsCVD(n *node) bool {
	return xrDeclares(n, &xrCIIIsCVDKey, isCIIRoot, ciiSpecPath, SpecCVD)
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
	xrCIIRoot          = ruleContext{Pattern: patXRCII, Order: 33, Names: []string{"CrossIndustryInvoice"}, Match: isCIIRoot}
	xrCIIContext       = xrCIIAt(94, "rsm:ExchangedDocumentContext")
	xrCIISeller        = xrCIIAt(103, ciiAgreement+"/ram:SellerTradeParty")
	xrCIISellerAddress = xrCIIAt(110, ciiAgreement+"/ram:SellerTradeParty/ram:PostalTradeAddress")
	xrCIISellerContact = xrCIIAt(121, ciiAgreement+"/ram:SellerTradeParty/ram:DefinedTradeContact")
	xrCIIBuyerAddress  = xrCIIAt(144, ciiAgreement+"/ram:BuyerTradeParty/ram:PostalTradeAddress")
	xrCIIExternalDoc   = ruleContext{Pattern: patXRCII, Order: 154, Names: []string{"AdditionalReferencedDocument"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiAgreement+"/ram:AdditionalReferencedDocument") && isCIIRoot(n.Root()) && xmltree.In("916", n.Strs("ram:TypeCode"))
		}}
	xrCIIShipToAddress = xrCIIAt(160, ciiDelivery+"/ram:ShipToTradeParty/ram:PostalTradeAddress")
	xrCIITransfer      = ruleContext{Pattern: patXRCII, Order: 171, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("30", "58")}
	xrCIICard          = ruleContext{Pattern: patXRCII, Order: 191, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("48", "54", "55")}
	xrCIIDebit         = ruleContext{Pattern: patXRCII, Order: 205, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("59")}
	xrCIIHeaderTax     = xrCIIAt(227, ciiSettle+"/ram:ApplicableTradeTax")
	xrCIITransaction   = xrCIIAt(234, ciiTx)
	xrCIILineItem      = xrCIIAt(246, ciiLine)

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

// ciiUniqueFilenames is BR-DE-22: no additional referenced document has
// an attachment file name of a preceding sibling.
func ciiUniqueFilenames(r *node) bool {
	seen := map[*node]map[string]bool{}
	for _, ard := range r.Descendants("ram:AdditionalReferencedDocument") {
		s := seen[ard.Parent]
		if s == nil {
			s = map[string]bool{}
			seen[ard.Parent] = s
		}
		if !xrFreshNames(s, ard.Strs("ram:AttachmentBinaryObject/@filename")) {
			return false
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

// ciiSEPACreditorWithMandate is BR-DE-30: a mandate reference (BT-89) or
// a debited account (BT-91) comes with the creditor identifier (BT-90),
// and BT-90 with one of them.
func ciiSEPACreditorWithMandate(n *node) bool {
	bt89, bt90, bt91 := ciiDirectDebitGiven(n)
	return (bt89 || bt91) && bt90 || !(bt89 || bt90 || bt91)
}

// ciiDebitedAccountWithMandate is BR-DE-31: a mandate reference (BT-89) or
// a creditor identifier (BT-90) comes with the debited account (BT-91),
// and BT-91 with one of them.
func ciiDebitedAccountWithMandate(n *node) bool {
	bt89, bt90, bt91 := ciiDirectDebitGiven(n)
	return (bt89 || bt90) && bt91 || !(bt89 || bt90 || bt91)
}

// Paths ciiDirectDebitGiven reads, compiled once.
var (
	ciiMandateID           = xp(ciiSettle + "/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")
	ciiCreditorReferenceID = xp(ciiSettle + "/ram:CreditorReferenceID")
	ciiDebitedIBAN         = xp(ciiSettle + "/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
)

// ciiDirectDebitGiven reports whether the document has a mandate reference
// (BT-89), a creditor identifier (BT-90) and a debited account (BT-91).
func ciiDirectDebitGiven(n *node) (bt89, bt90, bt91 bool) {
	return ciiMandateID.Has(n), ciiCreditorReferenceID.Has(n), ciiDebitedIBAN.Has(n)
}

// ciiSellerVATIDWithVAT is BR-DE-16: with a VAT category S, Z, E, AE, K,
// G, L or M, the seller's VAT identifier (VA or FC) or a tax
// representative is given.
func ciiSellerVATIDWithVAT(n *node) bool {
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
}

// ciiBasisQuantitiesAgree is BR-TMP-3: a line's gross and net price base
// quantities agree, their units too where both have one.
func ciiBasisQuantitiesAgree(n *node) bool {
	const g, net = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:BasisQuantity", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"
	if !(n.Has(g) && n.Has(net)) {
		return true
	}
	if !xmltree.AnyIn(n.Strs(g), n.Strs(net)) {
		return false
	}
	return !(n.Has(net+"/@unitCode") && n.Has(g+"/@unitCode")) || xmltree.AnyIn(n.Strs(g+"/@unitCode"), n.Strs(net+"/@unitCode"))
}

// ciiOriginatorReferenced is BR-DE-CVD-02: a referenced document of type
// 50 (the originator's) has an identifier.
func ciiOriginatorReferenced(n *node) bool {
	for _, d := range n.All("ram:AdditionalReferencedDocument") {
		if d.NormStr("ram:TypeCode") == "50" && d.NormStr("ram:IssuerAssignedID") != "" {
			return true
		}
	}
	return false
}
