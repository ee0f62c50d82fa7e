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
			xrIn(xrFirstNorm(n, "cbc:PaymentMeansCode"), codes)
	}
}

// xrUBLIsExtension is $isExtension: the document declares the XRechnung
// extension.
func xrUBLIsExtension(n *node) bool {
	return n.Memo("xr.ubl.isExtension", func() any {
		r := n.Root()
		return isUBLRoot(r) && xrTextIs(r, "cbc:CustomizationID", SpecExtension)
	}).(bool)
}

// xrUBLIsCVD is $isCVD.
func xrUBLIsCVD(n *node) bool {
	return n.Memo("xr.ubl.isCVD", func() any {
		r := n.Root()
		return isUBLRoot(r) && xrTextIs(r, "cbc:CustomizationID", SpecCVD)
	}).(bool)
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
	xrUBLRoot   = Context{Pattern: XRUBL, Order: 27, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	xrUBLExtRef = Context{Pattern: XRUBL, Order: 108, Names: []string{"ExternalReference"},
		Match: xrUBLUnderRoot("cac:AdditionalDocumentReference/cac:Attachment/cac:ExternalReference")}
	xrUBLSupplier = Context{Pattern: XRUBL, Order: 114, Names: []string{"AccountingSupplierParty"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty")}
	xrUBLSupplierAddress = Context{Pattern: XRUBL, Order: 121, Names: []string{"PostalAddress"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress")}
	xrUBLSupplierContact = Context{Pattern: XRUBL, Order: 132, Names: []string{"Contact"},
		Match: xrUBLUnderRoot("cac:AccountingSupplierParty/cac:Party/cac:Contact")}
	xrUBLCustomerAddress = Context{Pattern: XRUBL, Order: 155, Names: []string{"PostalAddress"},
		Match: xrUBLUnderRoot("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress")}
	xrUBLDeliveryAddress = Context{Pattern: XRUBL, Order: 166, Names: []string{"Address"},
		Match: xrUBLUnderRoot("cac:Delivery/cac:DeliveryLocation/cac:Address")}
	xrUBLTransfer    = Context{Pattern: XRUBL, Order: 177, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("30", "58")}
	xrUBLCard        = Context{Pattern: XRUBL, Order: 196, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("48", "54", "55")}
	xrUBLDebit       = Context{Pattern: XRUBL, Order: 208, Names: []string{"PaymentMeans"}, Match: xrUBLPaymentMeansIn("59")}
	xrUBLTaxSubtotal = Context{Pattern: XRUBL, Order: 226, Names: []string{"TaxSubtotal"},
		Match: xrUBLUnderRoot("cac:TaxTotal/cac:TaxSubtotal")}

	xrUBLExtBinary = Context{Pattern: XRUBLExtension, Order: 240, Names: []string{"EmbeddedDocumentBinaryObject"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCBC && xrUBLIsExtension(n) }}
	xrUBLExtInvoice = Context{Pattern: XRUBLExtension, Order: 257, Names: []string{"Invoice"},
		Match: func(n *node) bool { return n.Parent == nil && n.Space == xmltree.NSInvoice && xrUBLIsExtension(n) }}
	xrUBLExtTotals = Context{Pattern: XRUBLExtension, Order: 281, Names: []string{"LegalMonetaryTotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && xrUBLIsExtension(n) }}
	xrUBLExtPartyID = Context{Pattern: XRUBLExtension, Order: 294, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:PartyIdentification") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtLegalID = Context{Pattern: XRUBLExtension, Order: 303, Names: []string{"CompanyID"},
		Match: func(n *node) bool {
			return n.Is("cbc:CompanyID") && n.Parent.Is("cac:PartyLegalEntity") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtItemID = Context{Pattern: XRUBLExtension, Order: 312, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:StandardItemIdentification") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtEndpoint = Context{Pattern: XRUBLExtension, Order: 321, Names: []string{"EndpointID"},
		Match: func(n *node) bool { return n.Is("cbc:EndpointID") && n.HasAttr("schemeID") && xrUBLIsExtension(n) }}
	xrUBLExtDeliveryID = Context{Pattern: XRUBLExtension, Order: 330, Names: []string{"ID"},
		Match: func(n *node) bool {
			return n.Is("cbc:ID") && n.Parent.Is("cac:DeliveryLocation") && n.HasAttr("schemeID") && xrUBLIsExtension(n)
		}}
	xrUBLExtPrepaid = Context{Pattern: XRUBLExtension, Order: 339, Names: []string{"PrepaidPayment"},
		Match: func(n *node) bool {
			return n.Is("cac:PrepaidPayment") && n.Parent.Parent == nil && n.Parent.Space == xmltree.NSInvoice && n.Parent.Local == "Invoice" && xrUBLIsExtension(n)
		}}

	xrUBLCVDRoot = Context{Pattern: XRUBLCVD, Order: 365, Names: []string{"Invoice", "CreditNote"},
		Match: func(n *node) bool { return isUBLRoot(n) && xrUBLIsCVD(n) }}
	xrUBLCVDItem = Context{Pattern: XRUBLCVD, Order: 384, Names: []string{"Item"},
		Match: func(n *node) bool { return xrUBLLineItem(n) && xrUBLIsCVD(n) }}
	xrUBLCVDClassification = Context{Pattern: XRUBLCVD, Order: 399, Names: []string{"ItemClassificationCode"},
		Match: func(n *node) bool {
			return n.Is("cbc:ItemClassificationCode") && n.Parent.Is("cac:CommodityClassification") &&
				xrUBLLineItem(n.Parent.Parent) && xrUBLIsCVD(n)
		}}
	xrUBLCVDProperty = Context{Pattern: XRUBLCVD, Order: 411, Names: []string{"AdditionalItemProperty"},
		Match: func(n *node) bool {
			return n.Is("cac:AdditionalItemProperty") && xrUBLLineItem(n.Parent) && xrIn("cva", n.Strs("cbc:Name")) && xrUBLIsCVD(n)
		}}
)

// xrUBLTaxCodes returns the VAT category codes BR-DE-16 looks at: document
// allowances and charges (BT-95, BT-102) and lines (BT-151).
func xrUBLTaxCodes(r *node) []string {
	var codes []string
	for _, ac := range r.All("cac:AllowanceCharge") {
		ind := ac.Strs("cbc:ChargeIndicator")
		if xrIn("false", ind) || xrIn("true", ind) {
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

var xrUBLRules = []Rule{
	{ID: "BR-DE-1", Flag: Fatal, Context: xrUBLRoot,
		Test:      func(n *node) bool { return n.Has("cac:PaymentMeans") },
		Message:   "An invoice must contain payment instructions (BG-16).",
		MessageDE: "Eine Rechnung muss Zahlungsanweisungen (BG-16) enthalten."},
	{ID: "BR-DE-15", Flag: Fatal, Context: xrUBLRoot,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:BuyerReference") },
		Message:   "The buyer reference (BT-10), for public buyers the Leitweg-ID, must be given.",
		MessageDE: "Die Käuferreferenz (BT-10), bei öffentlichen Auftraggebern die Leitweg-ID, muss angegeben werden."},
	{ID: "BR-DE-16", Flag: Fatal, Context: xrUBLRoot,
		Test: func(n *node) bool {
			if !xrAnyIn(xrUBLTaxCodes(n), xrVATCodes) {
				return true
			}
			return n.Has("cac:TaxRepresentativeParty") || xrHasNonBlank(n, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
		},
		Message:   "Where VAT categories S, Z, E, AE, K, G, L or M are used, the seller VAT identifier (BT-31), the seller tax registration identifier (BT-32) or a seller tax representative (BG-11) must be given.",
		MessageDE: "Bei den Umsatzsteuerkategorien S, Z, E, AE, K, G, L oder M muss die USt-IdNr. (BT-31), die Steuernummer des Verkäufers (BT-32) oder ein Steuervertreter (BG-11) angegeben werden."},
	{ID: "BR-DE-17", Flag: Warning, Context: xrUBLRoot,
		Test: func(n *node) bool {
			return xrIn(xrFirstNorm(n, "cbc:InvoiceTypeCode"), xrTypeCodes) || xrIn(xrFirstNorm(n, "cbc:CreditNoteTypeCode"), xrTypeCodes)
		},
		Message:   "The invoice type code (BT-3) should be 326, 380, 384, 389, 381, 875, 876 or 877.",
		MessageDE: "Der Rechnungstyp (BT-3) soll 326, 380, 384, 389, 381, 875, 876 oder 877 sein."},
	{ID: "BR-DE-18", Flag: Fatal, Context: xrUBLRoot,
		Test: func(n *node) bool {
			var notes []string
			for _, pt := range n.All("cac:PaymentTerms") {
				if note := pt.First("cbc:Note"); note != nil {
					notes = append(notes, note.Value())
				}
			}
			return xrSkontoOK(notes)
		},
		Message:   "Skonto lines in the payment terms (BT-20) must read #SKONTO#TAGE=n#PROZENT=n.nn# (optionally #BASISBETRAG=n.nn#), in capitals, without extra spaces, each ended by a line break.",
		MessageDE: "Skonto-Zeilen in den Zahlungsbedingungen (BT-20) müssen #SKONTO#TAGE=n#PROZENT=n.nn# lauten (optional #BASISBETRAG=n.nn#), in Großbuchstaben, ohne zusätzliche Leerzeichen, jeweils mit Zeilenumbruch abgeschlossen."},
	{ID: "BR-DE-21", Flag: Warning, Context: xrUBLRoot,
		Test: func(n *node) bool {
			return xrAnyIn(n.Strs("cbc:CustomizationID"), []string{SpecXRechnung, SpecExtension, SpecCVD})
		},
		Message:   "The specification identifier (BT-24) should be that of XRechnung 3.0.",
		MessageDE: "Die Spezifikationskennung (BT-24) soll der Kennung von XRechnung 3.0 entsprechen."},
	{ID: "BR-DE-22", Flag: Fatal, Context: xrUBLRoot,
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
		},
		Message:   "The file names (@filename) of all attached documents must be distinct.",
		MessageDE: "Die Dateinamen (@filename) aller angehängten Dokumente müssen eindeutig sein."},
	{ID: "BR-DE-26", Flag: Warning, Context: xrUBLRoot,
		Test: func(n *node) bool {
			corrected := xrFirstNorm(n, "cbc:InvoiceTypeCode") == "384" || xrFirstNorm(n, "cbc:CreditNoteTypeCode") == "384"
			return !corrected || n.Has("cac:BillingReference/cac:InvoiceDocumentReference")
		},
		Message:   "A corrected invoice (type code 384) should reference the preceding invoice (BG-3).",
		MessageDE: "Eine korrigierte Rechnung (Typ 384) soll die vorausgegangene Rechnung (BG-3) angeben."},
	{ID: "BR-DE-30", Flag: Fatal, Context: xrUBLRoot,
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
		},
		Message:   "With a direct debit (BG-19) the bank assigned creditor identifier (BT-90) must be given.",
		MessageDE: "Bei einer Lastschrift (BG-19) muss die Gläubiger-Identifikationsnummer (BT-90) angegeben werden."},
	{ID: "BR-DE-31", Flag: Fatal, Context: xrUBLRoot,
		Test: func(n *node) bool {
			return !n.Has("cac:PaymentMeans/cac:PaymentMandate") || n.Has("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
		},
		Message:   "With a direct debit (BG-19) the debited account identifier (BT-91) must be given.",
		MessageDE: "Bei einer Lastschrift (BG-19) muss die Kennung des zu belastenden Kontos (BT-91) angegeben werden."},
	{ID: "BR-DE-TMP-32", Flag: Info, Context: xrUBLRoot,
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
		},
		Message:   "An invoice should state the date of supply: the actual delivery date (BT-72), an invoicing period (BG-14) or a period on every line (BG-26).",
		MessageDE: "Eine Rechnung sollte das Liefer-/Leistungsdatum angeben: Lieferdatum (BT-72), Abrechnungszeitraum (BG-14) oder in jeder Position einen Zeitraum (BG-26)."},
	{ID: "BR-TMP-2", Flag: Warning, Context: xrUBLExtRef,
		Test:      func(n *node) bool { return xrURL.MatchString(n.Str("cbc:URI")) },
		Message:   "The external document location (BT-124) must be an absolute URL with a scheme.",
		MessageDE: "Der Speicherort des externen Dokuments (BT-124) muss eine absolute URL mit Schema sein."},
	{ID: "BR-DE-2", Flag: Fatal, Context: xrUBLSupplier,
		Test:      func(n *node) bool { return n.Has("cac:Party/cac:Contact") },
		Message:   "The seller contact (BG-6) must be given.",
		MessageDE: "Der Kontakt des Verkäufers (BG-6) muss angegeben werden."},
	{ID: "BR-DE-3", Flag: Fatal, Context: xrUBLSupplierAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:CityName") },
		Message:   "The seller city (BT-37) must be given.",
		MessageDE: "Der Ort des Verkäufers (BT-37) muss angegeben werden."},
	{ID: "BR-DE-4", Flag: Fatal, Context: xrUBLSupplierAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:PostalZone") },
		Message:   "The seller post code (BT-38) must be given.",
		MessageDE: "Die Postleitzahl des Verkäufers (BT-38) muss angegeben werden."},
	{ID: "BR-DE-5", Flag: Fatal, Context: xrUBLSupplierContact,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:Name") },
		Message:   "The seller contact point (BT-41) must be given.",
		MessageDE: "Die Kontaktstelle des Verkäufers (BT-41) muss angegeben werden."},
	{ID: "BR-DE-6", Flag: Fatal, Context: xrUBLSupplierContact,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:Telephone") },
		Message:   "The seller contact telephone number (BT-42) must be given.",
		MessageDE: "Die Telefonnummer des Verkäufers (BT-42) muss angegeben werden."},
	{ID: "BR-DE-7", Flag: Fatal, Context: xrUBLSupplierContact,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:ElectronicMail") },
		Message:   "The seller contact e-mail address (BT-43) must be given.",
		MessageDE: "Die E-Mail-Adresse des Verkäufers (BT-43) muss angegeben werden."},
	{ID: "BR-DE-27", Flag: Warning, Context: xrUBLSupplierContact,
		Test:      func(n *node) bool { return xrTelephoneOK(xrFirstNorm(n, "cbc:Telephone")) },
		Message:   "The seller telephone number (BT-42) should contain at least three digits.",
		MessageDE: "Die Telefonnummer des Verkäufers (BT-42) soll mindestens drei Ziffern enthalten."},
	{ID: "BR-DE-28", Flag: Warning, Context: xrUBLSupplierContact,
		Test:      func(n *node) bool { return xrEmail.MatchString(xrFirstNorm(n, "cbc:ElectronicMail")) },
		Message:   "The seller e-mail address (BT-43) should be a valid address: one @ with text on both sides, a dot in the domain.",
		MessageDE: "Die E-Mail-Adresse des Verkäufers (BT-43) soll gültig sein: genau ein @ mit Text auf beiden Seiten und ein Punkt in der Domain."},
	{ID: "BR-DE-8", Flag: Fatal, Context: xrUBLCustomerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:CityName") },
		Message:   "The buyer city (BT-52) must be given.",
		MessageDE: "Der Ort des Käufers (BT-52) muss angegeben werden."},
	{ID: "BR-DE-9", Flag: Fatal, Context: xrUBLCustomerAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:PostalZone") },
		Message:   "The buyer post code (BT-53) must be given.",
		MessageDE: "Die Postleitzahl des Käufers (BT-53) muss angegeben werden."},
	{ID: "BR-DE-10", Flag: Fatal, Context: xrUBLDeliveryAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:CityName") },
		Message:   "A deliver-to address (BG-15) needs its city (BT-77).",
		MessageDE: "Eine Lieferanschrift (BG-15) braucht den Ort (BT-77)."},
	{ID: "BR-DE-11", Flag: Fatal, Context: xrUBLDeliveryAddress,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:PostalZone") },
		Message:   "A deliver-to address (BG-15) needs its post code (BT-78).",
		MessageDE: "Eine Lieferanschrift (BG-15) braucht die Postleitzahl (BT-78)."},
	{ID: "BR-DE-19", Flag: Warning, Context: xrUBLTransfer,
		Test: func(n *node) bool {
			return xrFirstNorm(n, "cbc:PaymentMeansCode") != "58" || xrIBANOK(n.Str("cac:PayeeFinancialAccount/cbc:ID"))
		},
		Message:   "With SEPA credit transfer (code 58) the payment account identifier (BT-84) should be a valid IBAN.",
		MessageDE: "Bei SEPA-Überweisung (Code 58) soll die Kontokennung (BT-84) eine gültige IBAN sein."},
	{ID: "BR-DE-23-a", Flag: Fatal, Context: xrUBLTransfer,
		Test:      func(n *node) bool { return n.Has("cac:PayeeFinancialAccount") },
		Message:   "With a credit transfer (code 30 or 58) the credit transfer group (BG-17) must be given.",
		MessageDE: "Bei einer Überweisung (Code 30 oder 58) muss die Gruppe CREDIT TRANSFER (BG-17) angegeben werden."},
	{ID: "BR-DE-23-b", Flag: Fatal, Context: xrUBLTransfer,
		Test:      func(n *node) bool { return !n.Has("cac:CardAccount") && !n.Has("cac:PaymentMandate") },
		Message:   "With a credit transfer (code 30 or 58) no payment card (BG-18) or direct debit (BG-19) may be given.",
		MessageDE: "Bei einer Überweisung (Code 30 oder 58) dürfen keine Zahlungskarte (BG-18) und keine Lastschrift (BG-19) angegeben werden."},
	{ID: "BR-DE-24-a", Flag: Fatal, Context: xrUBLCard,
		Test:      func(n *node) bool { return n.Has("cac:CardAccount") },
		Message:   "With a card payment (code 48, 54 or 55) the payment card information (BG-18) must be given.",
		MessageDE: "Bei einer Kartenzahlung (Code 48, 54 oder 55) müssen die Karteninformationen (BG-18) angegeben werden."},
	{ID: "BR-DE-24-b", Flag: Fatal, Context: xrUBLCard,
		Test:      func(n *node) bool { return !n.Has("cac:PayeeFinancialAccount") && !n.Has("cac:PaymentMandate") },
		Message:   "With a card payment (code 48, 54 or 55) no credit transfer (BG-17) or direct debit (BG-19) may be given.",
		MessageDE: "Bei einer Kartenzahlung (Code 48, 54 oder 55) dürfen keine Überweisung (BG-17) und keine Lastschrift (BG-19) angegeben werden."},
	{ID: "BR-DE-20", Flag: Warning, Context: xrUBLDebit,
		Test: func(n *node) bool {
			return xrFirstNorm(n, "cbc:PaymentMeansCode") != "59" || xrIBANOK(n.Str("cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID"))
		},
		Message:   "With SEPA direct debit (code 59) the debited account identifier (BT-91) should be a valid IBAN.",
		MessageDE: "Bei SEPA-Lastschrift (Code 59) soll die Kennung des zu belastenden Kontos (BT-91) eine gültige IBAN sein."},
	{ID: "BR-DE-25-a", Flag: Fatal, Context: xrUBLDebit,
		Test:      func(n *node) bool { return n.Has("cac:PaymentMandate") },
		Message:   "With a direct debit (code 59) the direct debit group (BG-19) must be given.",
		MessageDE: "Bei einer Lastschrift (Code 59) muss die Gruppe DIRECT DEBIT (BG-19) angegeben werden."},
	{ID: "BR-DE-25-b", Flag: Fatal, Context: xrUBLDebit,
		Test:      func(n *node) bool { return !n.Has("cac:PayeeFinancialAccount") && !n.Has("cac:CardAccount") },
		Message:   "With a direct debit (code 59) no credit transfer (BG-17) or payment card (BG-18) may be given.",
		MessageDE: "Bei einer Lastschrift (Code 59) dürfen keine Überweisung (BG-17) und keine Zahlungskarte (BG-18) angegeben werden."},
	{ID: "BR-DE-14", Flag: Fatal, Context: xrUBLTaxSubtotal,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cac:TaxCategory/cbc:Percent") },
		Message:   "Each VAT breakdown must give the VAT category rate (BT-119).",
		MessageDE: "Jede Umsatzsteueraufschlüsselung muss den Steuersatz (BT-119) angeben."},

	{ID: "BR-DEX-01", Flag: Fatal, Context: xrUBLExtBinary,
		Test: func(n *node) bool {
			m, _ := n.Attr("mimeCode")
			return xrIn(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
				"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet", "application/xml"})
		},
		Message:   "An attached document (BT-125) must be PDF, PNG, JPEG, CSV, XLSX, ODS or (in the extension) XML.",
		MessageDE: "Ein angehängtes Dokument (BT-125) muss PDF, PNG, JPEG, CSV, XLSX, ODS oder (in der Extension) XML sein."},
	{ID: "BR-DEX-02", Flag: Warning, Context: xrUBLExtInvoice,
		Test:      xrUBLDEX02,
		Message:   "The net amount (BT-131) of a line or sub line should equal the sum of the net amounts of its sub lines (BG-DEX-01).",
		MessageDE: "Der Nettobetrag (BT-131) einer Position oder Unterposition soll der Summe der Nettobeträge ihrer Unterpositionen (BG-DEX-01) entsprechen."},
	{ID: "BR-DEX-03", Flag: Fatal, Context: xrUBLExtInvoice,
		Test: func(n *node) bool {
			for _, sub := range n.Descendants("cac:SubInvoiceLine") {
				for _, item := range sub.All("cac:Item") {
					if len(item.All("cac:ClassifiedTaxCategory")) != 1 {
						return false
					}
				}
			}
			return true
		},
		Message:   "Each sub invoice line (BG-DEX-01) must have exactly one VAT information (BG-DEX-06).",
		MessageDE: "Jede Unterposition (BG-DEX-01) muss genau eine Umsatzsteuerinformation (BG-DEX-06) enthalten."},
	{ID: "BR-DEX-09", Flag: Fatal, Context: xrUBLExtTotals,
		Test: func(n *node) bool {
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
		},
		Message:   "Amount due for payment (BT-115) = total with VAT (BT-112) - paid amount (BT-113) + rounding amount (BT-114) + sum of third party payments (BT-DEX-002).",
		MessageDE: "Fälliger Betrag (BT-115) = Gesamtbetrag mit USt (BT-112) - gezahlter Betrag (BT-113) + Rundungsbetrag (BT-114) + Summe der Zahlungen Dritter (BT-DEX-002)."},
	{ID: "BR-DEX-04", Flag: Fatal, Context: xrUBLExtPartyID,
		Test: func(n *node) bool {
			s, _ := n.Attr("schemeID")
			if xrSchemeIn(s, xrICDExtCodes) {
				return true
			}
			return xrSchemeIn(s, " SEPA ") && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
		},
		Message:   "The scheme identifier of a party identifier must be an ISO 6523 ICD code (or XR01-XR03; SEPA for seller and payee).",
		MessageDE: "Die Schema-Kennung einer Partei-Kennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03; SEPA bei Verkäufer und Zahlungsempfänger)."},
	{ID: "BR-DEX-05", Flag: Fatal, Context: xrUBLExtLegalID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of a legal registration identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Registernummer muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-06", Flag: Fatal, Context: xrUBLExtItemID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of an item standard identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Artikelkennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-07", Flag: Fatal, Context: xrUBLExtEndpoint,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrEASExtCodes) },
		Message:   "The scheme identifier of an electronic address must be a CEF EAS code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer elektronischen Adresse muss ein CEF-EAS-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-08", Flag: Fatal, Context: xrUBLExtDeliveryID,
		Test:      func(n *node) bool { s, _ := n.Attr("schemeID"); return xrSchemeIn(s, xrICDExtCodes) },
		Message:   "The scheme identifier of a delivery location identifier must be an ISO 6523 ICD code (or XR01-XR03).",
		MessageDE: "Die Schema-Kennung einer Lieferortkennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."},
	{ID: "BR-DEX-10", Flag: Fatal, Context: xrUBLExtPrepaid,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:ID") },
		Message:   "A third party payment (BG-DEX-09) needs its type (BT-DEX-001).",
		MessageDE: "Eine Zahlung Dritter (BG-DEX-09) braucht ihre Art (BT-DEX-001)."},
	{ID: "BR-DEX-11", Flag: Fatal, Context: xrUBLExtPrepaid,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:PaidAmount") },
		Message:   "A third party payment (BG-DEX-09) needs its amount (BT-DEX-002).",
		MessageDE: "Eine Zahlung Dritter (BG-DEX-09) braucht ihren Betrag (BT-DEX-002)."},
	{ID: "BR-DEX-12", Flag: Fatal, Context: xrUBLExtPrepaid,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cbc:InstructionID") },
		Message:   "A third party payment (BG-DEX-09) needs its description (BT-DEX-003).",
		MessageDE: "Eine Zahlung Dritter (BG-DEX-09) braucht ihre Beschreibung (BT-DEX-003)."},
	{ID: "BR-DEX-13", Flag: Fatal, Context: xrUBLExtPrepaid,
		Test: func(n *node) bool {
			v := n.Str("cbc:PaidAmount")
			for i := 0; i < len(v); i++ {
				if v[i] == '.' {
					return len([]rune(v[i+1:])) <= 2
				}
			}
			return true
		},
		Message:   "The third party payment amount (BT-DEX-002) may have at most two decimal places.",
		MessageDE: "Der Betrag der Zahlung Dritter (BT-DEX-002) darf höchstens zwei Nachkommastellen haben."},
	{ID: "BR-DEX-14", Flag: Fatal, Context: xrUBLExtPrepaid,
		Test: func(n *node) bool {
			return xrAnyIn(n.Strs("cbc:PaidAmount/@currencyID"), n.Parent.Strs("cbc:DocumentCurrencyCode"))
		},
		Message:   "The currency of the third party payment amount (BT-DEX-002) must be the invoice currency (BT-5).",
		MessageDE: "Die Währung des Betrags der Zahlung Dritter (BT-DEX-002) muss der Rechnungswährung (BT-5) entsprechen."},

	{ID: "BR-DE-CVD-02", Flag: Fatal, Context: xrUBLCVDRoot,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cac:OriginatorDocumentReference/cbc:ID") },
		Message:   "A clean vehicles invoice needs the tender or lot reference (BT-17).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht die Vergabe- oder Losnummer (BT-17)."},
	{ID: "BR-DE-CVD-01", Flag: Fatal, Context: xrUBLCVDRoot,
		Test:      func(n *node) bool { return xrHasNonBlank(n, "cac:ContractDocumentReference/cbc:ID") },
		Message:   "A clean vehicles invoice needs the contract reference (BT-12).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht die Vertragsnummer (BT-12)."},
	{ID: "BR-DE-CVD-03", Flag: Fatal, Context: xrUBLCVDRoot,
		Test: func(n *node) bool {
			items := append(n.All("cac:InvoiceLine/cac:Item"), n.All("cac:CreditNoteLine/cac:Item")...)
			for _, it := range items {
				if xrIn("CVD", it.Strs("cac:CommodityClassification/cbc:ItemClassificationCode/@listID")) &&
					xrIn("cva", it.Strs("cac:AdditionalItemProperty/cbc:Name")) {
					return true
				}
			}
			return false
		},
		Message:   "A clean vehicles invoice needs at least one line classified with scheme CVD (BT-158) and an item attribute named cva (BT-160).",
		MessageDE: "Eine Rechnung nach Saubere-Fahrzeuge-Richtlinie braucht mindestens eine Position mit Klassifizierung nach Schema CVD (BT-158) und einem Artikelattribut cva (BT-160)."},
	{ID: "BR-DE-CVD-06-a", Flag: Fatal, Context: xrUBLCVDItem,
		Test: func(n *node) bool {
			if !xrIn("CVD", n.Strs("cac:CommodityClassification/cbc:ItemClassificationCode/@listID")) {
				return true
			}
			count := 0
			for _, p := range n.All("cac:AdditionalItemProperty") {
				if xrIn("cva", p.Strs("cbc:Name")) {
					count++
				}
			}
			return count == 1
		},
		Message:   "A line classified with scheme CVD (BT-158) needs exactly one item attribute named cva (BT-160).",
		MessageDE: "Eine Position mit Klassifizierung nach Schema CVD (BT-158) braucht genau ein Artikelattribut cva (BT-160)."},
	{ID: "BR-DE-CVD-06-b", Flag: Fatal, Context: xrUBLCVDItem,
		Test: func(n *node) bool {
			if !xrIn("cva", n.Strs("cac:AdditionalItemProperty/cbc:Name")) {
				return true
			}
			count := 0
			for _, c := range n.All("cac:CommodityClassification/cbc:ItemClassificationCode") {
				if l, _ := c.Attr("listID"); l == "CVD" {
					count++
				}
			}
			return count == 1
		},
		Message:   "A line with the item attribute cva (BT-160) needs exactly one classification with scheme CVD (BT-158).",
		MessageDE: "Eine Position mit dem Artikelattribut cva (BT-160) braucht genau eine Klassifizierung nach Schema CVD (BT-158)."},
	{ID: "BR-TMP-CVD-01", Flag: Fatal, Context: xrUBLCVDClassification,
		Test:      func(n *node) bool { l, _ := n.Attr("listID"); return xrSchemeIn(l, xr7143CVDCodes) },
		Message:   "The scheme of an item classification identifier (BT-158) must come from UNTDID 7143 (or be CVD).",
		MessageDE: "Das Schema einer Artikelklassifizierung (BT-158) muss aus UNTDID 7143 stammen (oder CVD sein)."},
	{ID: "BR-DE-CVD-04", Flag: Fatal, Context: xrUBLCVDClassification,
		Test: func(n *node) bool {
			l, _ := n.Attr("listID")
			return xmltree.NormSpace(l) != "CVD" || xrIn(xmltree.NormSpace(n.Value()), xrVehicleCategories)
		},
		Message:   "An item classification with scheme CVD (BT-158) must be a vehicle category M1, M2, M3, N1, N2 or N3.",
		MessageDE: "Eine Artikelklassifizierung nach Schema CVD (BT-158) muss eine Fahrzeugklasse M1, M2, M3, N1, N2 oder N3 sein."},
	{ID: "BR-DE-CVD-05", Flag: Fatal, Context: xrUBLCVDProperty,
		Test:      func(n *node) bool { return xrIn(xrFirstNorm(n, "cbc:Value"), xrCVACodes) },
		Message:   "The item attribute cva (BT-161) must be clean, zero-emission or other.",
		MessageDE: "Das Artikelattribut cva (BT-161) muss clean, zero-emission oder other sein."},
}
