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

func xrCIIIsExtension(n *node) bool {
	return n.Memo("xr.cii.isExtension", func() any {
		r := n.Root()
		return isCIIRoot(r) && xrTextIs(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", SpecExtension)
	}).(bool)
}

func xrCIIIsCVD(n *node) bool {
	return n.Memo("xr.cii.isCVD", func() any {
		r := n.Root()
		return isCIIRoot(r) && xrTextIs(r, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", SpecCVD)
	}).(bool)
}

// xrCIIPaymentMeansIn matches the header payment means whose normalized
// type code is one of codes.
func xrCIIPaymentMeansIn(codes ...string) func(n *node) bool {
	return func(n *node) bool {
		return n.AtRoot(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans") && isCIIRoot(n.Root()) &&
			xrIn(xrFirstNorm(n, "ram:TypeCode"), codes)
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
	xrCIIRoot    = Context{Pattern: XRCII, Order: 33, Names: []string{"CrossIndustryInvoice"}, Match: isCIIRoot}
	xrCIIContext = Context{Pattern: XRCII, Order: 94, Names: []string{"ExchangedDocumentContext"},
		Match: xrCIIAt("rsm:ExchangedDocumentContext")}
	xrCIISeller = Context{Pattern: XRCII, Order: 103, Names: []string{"SellerTradeParty"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty")}
	xrCIISellerAddress = Context{Pattern: XRCII, Order: 110, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty/ram:PostalTradeAddress")}
	xrCIISellerContact = Context{Pattern: XRCII, Order: 121, Names: []string{"DefinedTradeContact"},
		Match: xrCIIAt(ciiAgreement + "/ram:SellerTradeParty/ram:DefinedTradeContact")}
	xrCIIBuyerAddress = Context{Pattern: XRCII, Order: 144, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiAgreement + "/ram:BuyerTradeParty/ram:PostalTradeAddress")}
	xrCIIExternalDoc = Context{Pattern: XRCII, Order: 154, Names: []string{"AdditionalReferencedDocument"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiAgreement+"/ram:AdditionalReferencedDocument") && isCIIRoot(n.Root()) && xrIn("916", n.Strs("ram:TypeCode"))
		}}
	xrCIIShipToAddress = Context{Pattern: XRCII, Order: 160, Names: []string{"PostalTradeAddress"},
		Match: xrCIIAt(ciiDelivery + "/ram:ShipToTradeParty/ram:PostalTradeAddress")}
	xrCIITransfer  = Context{Pattern: XRCII, Order: 171, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("30", "58")}
	xrCIICard      = Context{Pattern: XRCII, Order: 191, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("48", "54", "55")}
	xrCIIDebit     = Context{Pattern: XRCII, Order: 205, Names: []string{"SpecifiedTradeSettlementPaymentMeans"}, Match: xrCIIPaymentMeansIn("59")}
	xrCIIHeaderTax = Context{Pattern: XRCII, Order: 227, Names: []string{"ApplicableTradeTax"},
		Match: xrCIIAt(ciiSettle + "/ram:ApplicableTradeTax")}
	xrCIITransaction = Context{Pattern: XRCII, Order: 234, Names: []string{"SupplyChainTradeTransaction"}, Match: xrCIIAt(ciiTx)}
	xrCIILineItem    = Context{Pattern: XRCII, Order: 246, Names: []string{"IncludedSupplyChainTradeLineItem"}, Match: xrCIIAt(ciiLine)}

	xrCIIExtLineDoc = Context{Pattern: XRCIIExtension, Order: 270, Names: []string{"AssociatedDocumentLineDocument"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:AssociatedDocumentLineDocument") && isCIIRoot(n.Root()) && xrCIIIsExtension(n)
		}}
	xrCIIExtGlobalID = Context{Pattern: XRCIIExtension, Order: 277, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Ancestor("ram:SpecifiedTradeProduct") == nil && n.Ancestor("ram:ShipToTradeParty") == nil
		})}
	xrCIIExtID = Context{Pattern: XRCIIExtension, Order: 286, Names: []string{"ID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Ancestor("ram:SpecifiedTaxRegistration") == nil
		})}
	xrCIIExtProductID = Context{Pattern: XRCIIExtension, Order: 295, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool { return n.Space == xmltree.NSRAM && n.Parent.Is("ram:SpecifiedTradeProduct") })}
	xrCIIExtURIID = Context{Pattern: XRCIIExtension, Order: 304, Names: []string{"URIID"},
		Match: xrCIIWithExt(func(n *node) bool { return n.Space == xmltree.NSRAM && n.Parent.Is("ram:URIUniversalCommunication") })}
	xrCIIExtShipToID = Context{Pattern: XRCIIExtension, Order: 313, Names: []string{"GlobalID"},
		Match: xrCIIWithExt(func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Parent.Is("ram:ShipToTradeParty") && n.Parent.Parent.Is("ram:ApplicableHeaderTradeDelivery")
		})}
	xrCIIExtBinary = Context{Pattern: XRCIIExtension, Order: 323, Names: []string{"AttachmentBinaryObject"},
		Match: func(n *node) bool { return n.Space == xmltree.NSRAM && xrCIIIsExtension(n) }}

	xrCIICVDTx = Context{Pattern: XRCIICVD, Order: 343, Names: []string{"SupplyChainTradeTransaction"},
		Match: func(n *node) bool { return n.AtRoot(ciiTx) && isCIIRoot(n.Root()) && xrCIIIsCVD(n) }}
	xrCIICVDProduct = Context{Pattern: XRCIICVD, Order: 350, Names: []string{"SpecifiedTradeProduct"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct") && isCIIRoot(n.Root()) && xrCIIIsCVD(n)
		}}
	xrCIICVDClassCode = Context{Pattern: XRCIICVD, Order: 362, Names: []string{"ClassCode"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode") && isCIIRoot(n.Root()) && xrCIIIsCVD(n)
		}}
	xrCIICVDCharacteristic = Context{Pattern: XRCIICVD, Order: 374, Names: []string{"ApplicableProductCharacteristic"},
		Match: func(n *node) bool {
			return n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic") && isCIIRoot(n.Root()) &&
				xrIn("cva", n.Strs("ram:Description")) && xrCIIIsCVD(n)
		}}
	xrCIICVDAgreement = Context{Pattern: XRCIICVD, Order: 381, Names: []string{"ApplicableHeaderTradeAgreement"},
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
	if xrIn("VAT", lineTypes) && xrAnyIn(lineCats, xrVATCodes) {
		return true
	}
	hdr := r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax")
	var hdrValues, hdrCats []string
	for _, t := range hdr {
		hdrValues = append(hdrValues, t.Value())
		hdrCats = append(hdrCats, t.Strs("ram:CategoryCode")...)
	}
	return xrIn("VAT", hdrValues) && xrAnyIn(hdrCats, xrVATCodes)
}

var xrCIIRules = []Rule{
	{ID: "BR-DE-30", Flag: Fatal, Context: xrCIIRoot,
		Test: func(n *node) bool {
			bt89, bt90, bt91 := n.Has(ciiSettle+"/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"), n.Has(ciiSettle+"/ram:CreditorReferenceID"),
				n.Has(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
			return (bt89 || bt91) && bt90 || !(bt89 || bt90 || bt91)
		},
		Message:   "With a direct debit (BG-19) the bank assigned creditor identifier (BT-90) must be given.",
		MessageDE: "Bei einer Lastschrift (BG-19) muss die Gläubiger-Identifikationsnummer (BT-90) angegeben werden."},
	{ID: "BR-DE-31", Flag: Fatal, Context: xrCIIRoot,
		Test: func(n *node) bool {
			bt89, bt90, bt91 := n.Has(ciiSettle+"/ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID"), n.Has(ciiSettle+"/ram:CreditorReferenceID"),
				n.Has(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID")
			return (bt89 || bt90) && bt91 || !(bt89 || bt90 || bt91)
		},
		Message:   "With a direct debit (BG-19) the debited account identifier (BT-91) must be given.",
		MessageDE: "Bei einer Lastschrift (BG-19) muss die Kennung des zu belastenden Kontos (BT-91) angegeben werden."},
	{ID: "BR-DE-1", Flag: Fatal, Context: xrCIIRoot,
		Test:      func(n *node) bool { return n.Has(ciiSettle + "/ram:SpecifiedTradeSettlementPaymentMeans") },
		Message:   "An invoice must contain payment instructions (BG-16).",
		MessageDE: "Eine Rechnung muss Zahlungsanweisungen (BG-16) enthalten."},
	{ID: "BR-DE-15", Flag: Fatal, Context: xrCIIRoot,
		Test:      func(n *node) bool { return xrHasNonBlank(n, ciiAgreement+"/ram:BuyerReference") },
		Message:   "The buyer reference (BT-10), for public buyers the Leitweg-ID, must be given.",
		MessageDE: "Die Käuferreferenz (BT-10), bei öffentlichen Auftraggebern die Leitweg-ID, muss angegeben werden."},
	{ID: "BR-DE-16", Flag: Fatal, Context: xrCIIRoot,
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
		},
		Message:   "Where VAT categories S, Z, E, AE, K, G, L or M are used, the seller VAT identifier (BT-31), the seller tax registration identifier (BT-32) or a seller tax representative (BG-11) must be given.",
		MessageDE: "Bei den Umsatzsteuerkategorien S, Z, E, AE, K, G, L oder M muss die USt-IdNr. (BT-31), die Steuernummer des Verkäufers (BT-32) oder ein Steuervertreter (BG-11) angegeben werden."},
	{ID: "BR-DE-17", Flag: Warning, Context: xrCIIRoot,
		Test:      func(n *node) bool { return xrIn(xrFirstNorm(n, "rsm:ExchangedDocument/ram:TypeCode"), xrTypeCodes) },
		Message:   "The invoice type code (BT-3) should be 326, 380, 384, 389, 381, 875, 876 or 877.",
		MessageDE: "Der Rechnungstyp (BT-3) soll 326, 380, 384, 389, 381, 875, 876 oder 877 sein."},
	{ID: "BR-DE-18", Flag: Fatal, Context: xrCIIRoot,
		Test: func(n *node) bool {
			var notes []string
			for _, pt := range n.All(ciiSettle + "/ram:SpecifiedTradePaymentTerms") {
				if d := pt.First("ram:Description"); d != nil {
					notes = append(notes, d.Value())
				}
			}
			return xrSkontoOK(notes)
		},
		Message:   "Skonto lines in the payment terms (BT-20) must read #SKONTO#TAGE=n#PROZENT=n.nn# (optionally #BASISBETRAG=n.nn#), in capitals, without extra spaces, each ended by a line break.",
		MessageDE: "Skonto-Zeilen in den Zahlungsbedingungen (BT-20) müssen #SKONTO#TAGE=n#PROZENT=n.nn# lauten (optional #BASISBETRAG=n.nn#), in Großbuchstaben, ohne zusätzliche Leerzeichen, jeweils mit Zeilenumbruch abgeschlossen."},
	{ID: "BR-DE-22", Flag: Fatal, Context: xrCIIRoot,
		Test:      xrCIIUniqueFilenames,
		Message:   "The file names (@filename) of all attached documents must be distinct.",
		MessageDE: "Die Dateinamen (@filename) aller angehängten Dokumente müssen eindeutig sein."},
	{ID: "BR-DE-26", Flag: Warning, Context: xrCIIRoot,
		Test: func(n *node) bool {
			return xrFirstNorm(n, "rsm:ExchangedDocument/ram:TypeCode") != "384" || n.Has(ciiSettle+"/ram:InvoiceReferencedDocument")
		},
		Message:   "A corrected invoice (type code 384) should reference the preceding invoice (BG-3).",
		MessageDE: "Eine korrigierte Rechnung (Typ 384) soll die vorausgegangene Rechnung (BG-3) angeben."},
	{ID: "BR-DE-21", Flag: Warning, Context: xrCIIContext,
		Test: func(n *node) bool {
			return xrAnyIn(n.Strs("ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"), []string{SpecXRechnung, SpecExtension, SpecCVD})
		},
		Message:   "The specification identifier (BT-24) should be that of XRechnung 3.0.",
		MessageDE: "Die Spezifikationskennung (BT-24) soll der Kennung von XRechnung 3.0 entsprechen."},
	{ID: "BR-DE-2", Flag: Fatal, Context: xrCIISeller,
		Test:      func(n *node) bool { return n.Has("ram:DefinedTradeContact") },
		Message:   "The seller contact (BG-6) must be given.",
		MessageDE: "Der Kontakt des Verkäufers (BG-6) muss angegeben werden."},
	{ID: "BR-DE-3", Flag: Fatal, Context: xrCIISellerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:CityName") },
		Message:   "The seller city (BT-37) must be given.",
		MessageDE: "Der Ort des Verkäufers (BT-37) muss angegeben werden."},
	{ID: "BR-DE-4", Flag: Fatal, Context: xrCIISellerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:PostcodeCode") },
		Message:   "The seller post code (BT-38) must be given.",
		MessageDE: "Die Postleitzahl des Verkäufers (BT-38) muss angegeben werden."},
	{ID: "BR-DE-5", Flag: Fatal, Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrHasNonBlank(n, "ram:PersonName") || xrHasNonBlank(n, "ram:DepartmentName")
		},
		Message:   "The seller contact point (BT-41) must be given.",
		MessageDE: "Die Kontaktstelle des Verkäufers (BT-41) muss angegeben werden."},
	{ID: "BR-DE-6", Flag: Fatal, Context: xrCIISellerContact,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:TelephoneUniversalCommunication/ram:CompleteNumber") },
		Message:   "The seller contact telephone number (BT-42) must be given.",
		MessageDE: "Die Telefonnummer des Verkäufers (BT-42) muss angegeben werden."},
	{ID: "BR-DE-7", Flag: Fatal, Context: xrCIISellerContact,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:EmailURIUniversalCommunication/ram:URIID") },
		Message:   "The seller contact e-mail address (BT-43) must be given.",
		MessageDE: "Die E-Mail-Adresse des Verkäufers (BT-43) muss angegeben werden."},
	{ID: "BR-DE-27", Flag: Warning, Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrTelephoneOK(xrFirstNorm(n, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"))
		},
		Message:   "The seller telephone number (BT-42) should contain at least three digits.",
		MessageDE: "Die Telefonnummer des Verkäufers (BT-42) soll mindestens drei Ziffern enthalten."},
	{ID: "BR-DE-28", Flag: Warning, Context: xrCIISellerContact,
		Test: func(n *node) bool {
			return xrEmail.MatchString(xrFirstNorm(n, "ram:EmailURIUniversalCommunication/ram:URIID"))
		},
		Message:   "The seller e-mail address (BT-43) should be a valid address: one @ with text on both sides, a dot in the domain.",
		MessageDE: "Die E-Mail-Adresse des Verkäufers (BT-43) soll gültig sein: genau ein @ mit Text auf beiden Seiten und ein Punkt in der Domain."},
	{ID: "BR-DE-8", Flag: Fatal, Context: xrCIIBuyerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:CityName") },
		Message:   "The buyer city (BT-52) must be given.",
		MessageDE: "Der Ort des Käufers (BT-52) muss angegeben werden."},
	{ID: "BR-DE-9", Flag: Fatal, Context: xrCIIBuyerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:PostcodeCode") },
		Message:   "The buyer post code (BT-53) must be given.",
		MessageDE: "Die Postleitzahl des Käufers (BT-53) muss angegeben werden."},
	{ID: "BR-TMP-2", Flag: Warning, Context: xrCIIExternalDoc,
		Test:      func(n *node) bool { return !n.Has("ram:URIID") || xrURL.MatchString(n.Str("ram:URIID")) },
		Message:   "The external document location (BT-124) must be an absolute URL with a scheme.",
		MessageDE: "Der Speicherort des externen Dokuments (BT-124) muss eine absolute URL mit Schema sein."},
	{ID: "BR-DE-10", Flag: Fatal, Context: xrCIIShipToAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:CityName") },
		Message:   "A deliver-to address (BG-15) needs its city (BT-77).",
		MessageDE: "Eine Lieferanschrift (BG-15) braucht den Ort (BT-77)."},
	{ID: "BR-DE-11", Flag: Fatal, Context: xrCIIShipToAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:PostcodeCode") },
		Message:   "A deliver-to address (BG-15) needs its post code (BT-78).",
		MessageDE: "Eine Lieferanschrift (BG-15) braucht die Postleitzahl (BT-78)."},
	{ID: "BR-DE-19", Flag: Warning, Context: xrCIITransfer,
		Test: func(n *node) bool {
			return xrFirstNorm(n, "ram:TypeCode") != "58" || xrIBANOK(n.Str("ram:PayeePartyCreditorFinancialAccount/ram:IBANID"))
		},
		Message:   "With SEPA credit transfer (code 58) the payment account identifier (BT-84) should be a valid IBAN.",
		MessageDE: "Bei SEPA-Überweisung (Code 58) soll die Kontokennung (BT-84) eine gültige IBAN sein."},
	{ID: "BR-DE-23-a", Flag: Fatal, Context: xrCIITransfer,
		Test:      func(n *node) bool { return n.Has("ram:PayeePartyCreditorFinancialAccount") },
		Message:   "With a credit transfer (code 30 or 58) the credit transfer group (BG-17) must be given.",
		MessageDE: "Bei einer Überweisung (Code 30 oder 58) muss die Gruppe CREDIT TRANSFER (BG-17) angegeben werden."},
	{ID: "BR-DE-23-b", Flag: Fatal, Context: xrCIITransfer,
		Test: func(n *node) bool {
			return !n.Has("ram:ApplicableTradeSettlementFinancialCard") && !xrCIIDirectDebit(n)
		},
		Message:   "With a credit transfer (code 30 or 58) no payment card (BG-18) or direct debit (BG-19) may be given.",
		MessageDE: "Bei einer Überweisung (Code 30 oder 58) dürfen keine Zahlungskarte (BG-18) und keine Lastschrift (BG-19) angegeben werden."},
	{ID: "BR-DE-24-a", Flag: Fatal, Context: xrCIICard,
		Test:      func(n *node) bool { return n.Has("ram:ApplicableTradeSettlementFinancialCard") },
		Message:   "With a card payment (code 48, 54 or 55) the payment card information (BG-18) must be given.",
		MessageDE: "Bei einer Kartenzahlung (Code 48, 54 oder 55) müssen die Karteninformationen (BG-18) angegeben werden."},
	{ID: "BR-DE-24-b", Flag: Fatal, Context: xrCIICard,
		Test: func(n *node) bool {
			return !n.Has("ram:PayeePartyCreditorFinancialAccount") && !xrCIIDirectDebit(n)
		},
		Message:   "With a card payment (code 48, 54 or 55) no credit transfer (BG-17) or direct debit (BG-19) may be given.",
		MessageDE: "Bei einer Kartenzahlung (Code 48, 54 oder 55) dürfen keine Überweisung (BG-17) und keine Lastschrift (BG-19) angegeben werden."},
	{ID: "BR-DE-20", Flag: Warning, Context: xrCIIDebit,
		Test: func(n *node) bool {
			return xrFirstNorm(n, "ram:TypeCode") != "59" || xrIBANOK(n.Str("ram:PayerPartyDebtorFinancialAccount/ram:IBANID"))
		},
		Message:   "With SEPA direct debit (code 59) the debited account identifier (BT-91) should be a valid IBAN.",
		MessageDE: "Bei SEPA-Lastschrift (Code 59) soll die Kennung des zu belastenden Kontos (BT-91) eine gültige IBAN sein."},
	{ID: "BR-DE-25-a", Flag: Fatal, Context: xrCIIDebit,
		Test:      xrCIIDirectDebit,
		Message:   "With a direct debit (code 59) the direct debit information (BG-19) must be given.",
		MessageDE: "Bei einer Lastschrift (Code 59) müssen die Lastschriftangaben (BG-19) gemacht werden."},
	{ID: "BR-DE-25-b", Flag: Fatal, Context: xrCIIDebit,
		Test: func(n *node) bool {
			return !n.Has("ram:PayeePartyCreditorFinancialAccount") && !n.Has("ram:PayeeSpecifiedCreditorFinancialInstitution") &&
				!n.Has("ram:PayerSpecifiedDebtorFinancialInstitution") && !n.Has("ram:ApplicableTradeSettlementFinancialCard")
		},
		Message:   "With a direct debit (code 59) no credit transfer (BG-17) or payment card (BG-18) may be given.",
		MessageDE: "Bei einer Lastschrift (Code 59) dürfen keine Überweisung (BG-17) und keine Zahlungskarte (BG-18) angegeben werden."},
	{ID: "BR-DE-14", Flag: Fatal, Context: xrCIIHeaderTax,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:RateApplicablePercent") },
		Message:   "Each VAT breakdown must give the VAT category rate (BT-119).",
		MessageDE: "Jede Umsatzsteueraufschlüsselung muss den Steuersatz (BT-119) angeben."},
	{ID: "BR-DE-TMP-32", Flag: Info, Context: xrCIITransaction,
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
		},
		Message:   "An invoice should state the date of supply: the actual delivery date (BT-72), an invoicing period (BG-14) or a period on every line (BG-26).",
		MessageDE: "Eine Rechnung sollte das Liefer-/Leistungsdatum angeben: Lieferdatum (BT-72), Abrechnungszeitraum (BG-14) oder in jeder Position einen Zeitraum (BG-26)."},
	{ID: "BR-TMP-3", Flag: Fatal, Context: xrCIILineItem,
		Test: func(n *node) bool {
			const g, net = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:BasisQuantity", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity"
			if !(n.Has(g) && n.Has(net)) {
				return true
			}
			if !xrAnyIn(n.Strs(g), n.Strs(net)) {
				return false
			}
			return !(n.Has(net+"/@unitCode") && n.Has(g+"/@unitCode")) || xrAnyIn(n.Strs(g+"/@unitCode"), n.Strs(net+"/@unitCode"))
		},
		Message:   "Where both the gross and the net price give a base quantity (BT-149), they must be equal, with the same unit (BT-150).",
		MessageDE: "Wenn Brutto- und Nettopreis eine Basismenge (BT-149) angeben, müssen sie gleich sein, mit derselben Einheit (BT-150)."},

	{ID: "BR-DEX-15", Flag: Warning, Context: xrCIIExtLineDoc,
		Test:      func(n *node) bool { return len(n.Root().Descendants("ram:ParentLineID")) == 0 },
		Message:   "Sub invoice lines (ram:ParentLineID) should not be used in CII.",
		MessageDE: "Unterpositionen (ram:ParentLineID) sollen in CII nicht verwendet werden."},
	{ID: "BR-DEX-04", Flag: Fatal, Context: xrCIIExtGlobalID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of a party identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Partei-Kennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-05", Flag: Fatal, Context: xrCIIExtID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of a legal registration identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Registernummer muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-06", Flag: Fatal, Context: xrCIIExtProductID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of an item standard identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Artikelkennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-07", Flag: Fatal, Context: xrCIIExtURIID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrEASExtCodes) },
		Message:   "The scheme identifier of an electronic address must be a CEF EAS code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer elektronischen Adresse muss ein CEF-EAS-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-08", Flag: Fatal, Context: xrCIIExtShipToID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of a delivery location identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Lieferortkennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-01", Flag: Fatal, Context: xrCIIExtBinary,
		Test: func(n *node) bool {
			m, _ := n.Attr("mimeCode")
			return xrIn(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet", "application/xml"})
		},
		Message:   "An attached document (BT-125) must be PDF, PNG, JPEG, CSV, XLSX, ODS or (in the extension) XML.",
		MessageDE: "Ein angehängtes Dokument (BT-125) muss PDF, PNG, JPEG, CSV, XLSX, ODS oder (in der Extension) XML sein."},

	{ID: "BR-DE-CVD-03", Flag: Fatal, Context: xrCIICVDTx,
		Test: func(n *node) bool {
			for _, p := range n.All("ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct") {
				if xrIn("CVD", p.Strs("ram:DesignatedProductClassification/ram:ClassCode/@listID")) &&
					xrIn("cva", p.Strs("ram:ApplicableProductCharacteristic/ram:Description")) {
					return true
				}
			}
			return false
		},
		Message:   "A clean vehicles invoice needs at least one line classified with scheme CVD (BT-158) and an item attribute named cva (BT-160).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht mindestens eine Position mit Klassifizierung nach Schema CVD (BT-158) und einem Artikelattribut cva (BT-160)."},
	{ID: "BR-DE-CVD-06-b", Flag: Fatal, Context: xrCIICVDProduct,
		Test: func(n *node) bool {
			if !xrIn("cva", n.Strs("ram:ApplicableProductCharacteristic/ram:Description")) {
				return true
			}
			count := 0
			for _, c := range n.All("ram:DesignatedProductClassification/ram:ClassCode") {
				if l, _ := c.Attr("listID"); l == "CVD" {
					count++
				}
			}
			return count == 1
		},
		Message:   "A line with the item attribute cva (BT-160) needs exactly one classification with scheme CVD (BT-158).",
		MessageDE: "Eine Position mit dem Artikelattribut cva (BT-160) braucht genau eine Klassifizierung nach Schema CVD (BT-158)."},
	{ID: "BR-DE-CVD-06-a", Flag: Fatal, Context: xrCIICVDProduct,
		Test: func(n *node) bool {
			if !xrIn("CVD", n.Strs("ram:DesignatedProductClassification/ram:ClassCode/@listID")) {
				return true
			}
			count := 0
			for _, c := range n.All("ram:ApplicableProductCharacteristic") {
				if xrIn("cva", c.Strs("ram:Description")) {
					count++
				}
			}
			return count == 1
		},
		Message:   "A line classified with scheme CVD (BT-158) needs exactly one item attribute named cva (BT-160).",
		MessageDE: "Eine Position mit Klassifizierung nach Schema CVD (BT-158) braucht genau ein Artikelattribut cva (BT-160)."},
	{ID: "BR-TMP-CVD-01", Flag: Fatal, Context: xrCIICVDClassCode,
		Test:      func(n *node) bool { l, _ := n.Attr("listID"); return xrSchemeIn(l, xr7143CVDCodes) },
		Message:   "The scheme of an item classification identifier (BT-158) must come from UNTDID 7143 (or be CVD).",
		MessageDE: "Das Schema einer Artikelklassifizierung (BT-158) muss aus UNTDID 7143 stammen (oder CVD sein)."},
	{ID: "BR-DE-CVD-04", Flag: Fatal, Context: xrCIICVDClassCode,
		Test: func(n *node) bool {
			l, _ := n.Attr("listID")
			return xmltree.NormSpace(l) != "CVD" || xrIn(xmltree.NormSpace(n.Value()), xrVehicleCategories)
		},
		Message:   "An item classification with scheme CVD (BT-158) must be a vehicle category M1, M2, M3, N1, N2 or N3.",
		MessageDE: "Eine Artikelklassifizierung nach Schema CVD (BT-158) muss eine Fahrzeugklasse M1, M2, M3, N1, N2 oder N3 sein."},
	{ID: "BR-DE-CVD-05", Flag: Fatal, Context: xrCIICVDCharacteristic,
		Test:      func(n *node) bool { return xrIn(xrFirstNorm(n, "ram:Value"), xrCVACodes) },
		Message:   "The item attribute cva (BT-161) must be clean, zero-emission or other.",
		MessageDE: "Das Artikelattribut cva (BT-161) muss clean, zero-emission oder other sein."},
	{ID: "BR-DE-CVD-01", Flag: Fatal, Context: xrCIICVDAgreement,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "ram:ContractReferencedDocument/ram:IssuerAssignedID") },
		Message:   "A clean vehicles invoice needs the contract reference (BT-12).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht die Vertragsnummer (BT-12)."},
	{ID: "BR-DE-CVD-02", Flag: Fatal, Context: xrCIICVDAgreement,
		Test: func(n *node) bool {
			for _, d := range n.All("ram:AdditionalReferencedDocument") {
				if xrFirstNorm(d, "ram:TypeCode") == "50" && xrFirstNorm(d, "ram:IssuerAssignedID") != "" {
					return true
				}
			}
			return false
		},
		Message:   "A clean vehicles invoice needs the tender or lot reference (BT-17).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht die Vergabe- oder Losnummer (BT-17)."},
}
