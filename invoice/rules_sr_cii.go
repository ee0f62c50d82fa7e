package invoice

import (
	"regexp"
	"strings"

	"github.com/eingang/eingang/schemas"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// CII-SR and CII-DT: parts and attributes of CII D16B that EN 16931 does not
// use or restricts. The bare not(path) ones come from the table
// schemas.CIIRestrictions; the rest are written out below. Orders are the
// line numbers of the rule contexts in the 1.3.15 preprocessed CII
// Schematron (pattern EN16931-CII-Syntax).

func ciiSyntax(order int, names []string, match func(n *node) bool) Context {
	return Context{Pattern: CIISyntax, Order: order, Names: names, Match: match}
}

func ramSuffix(suffix string) func(n *node) bool {
	return func(n *node) bool { return n.Space == xmltree.NSRAM && strings.HasSuffix(n.Local, suffix) }
}

func ciiAt(path string) func(n *node) bool {
	return func(n *node) bool { return n.AtRoot(path) && isCIIRoot(n.Root()) }
}

var (
	ciiSyntaxPaymentMeans = ciiSyntax(349, []string{"SpecifiedTradeSettlementPaymentMeans"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiSyntaxContexts     = map[int]Context{
		352: ciiSyntax(352, []string{"ExchangedDocumentContext"}, ciiAt("rsm:ExchangedDocumentContext")),
		364: ciiSyntax(364, []string{"ExchangedDocument"}, ciiAt("rsm:ExchangedDocument")),
		385: ciiSyntax(385, []string{"IncludedNote"}, ciiAt("rsm:ExchangedDocument/ram:IncludedNote")),
		388: ciiSyntax(388, []string{"IncludedSupplyChainTradeLineItem"}, ciiAt(ciiLine)),
		395: ciiSyntax(395, []string{"AssociatedDocumentLineDocument"}, ciiAt(ciiLine+"/ram:AssociatedDocumentLineDocument")),
		403: ciiSyntax(403, []string{"SpecifiedTradeProduct"}, ciiAt(ciiLine+"/ram:SpecifiedTradeProduct")),
		461: ciiSyntax(461, []string{"ApplicableProductCharacteristic"}, ciiAt(ciiLine+"/ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic")),
		465: ciiSyntax(465, []string{"SpecifiedLineTradeAgreement"}, ciiAt(ciiLine+"/ram:SpecifiedLineTradeAgreement")),
		518: ciiSyntax(518, []string{"SpecifiedTradeAllowanceCharge"}, func(n *node) bool { return n.Space == xmltree.NSRAM }),
		521: ciiSyntax(521, []string{"AppliedTradeAllowanceCharge"}, func(n *node) bool {
			return n.Space == xmltree.NSRAM && n.Parent.Is("ram:GrossPriceProductTradePrice")
		}),
		524: ciiSyntax(524, []string{"SpecifiedLineTradeDelivery"}, ciiAt(ciiLine+"/ram:SpecifiedLineTradeDelivery")),
		553: ciiSyntax(553, []string{"SpecifiedLineTradeSettlement"}, ciiAt(ciiLine+"/ram:SpecifiedLineTradeSettlement")),
		598: ciiSyntax(598, []string{"ApplicableHeaderTradeAgreement"}, ciiAt(ciiAgreement)),
		696: ciiSyntax(696, []string{"ApplicableHeaderTradeDelivery"}, ciiAt(ciiDelivery)),
		730: ciiSyntax(730, []string{"ApplicableHeaderTradeSettlement"}, ciiAt(ciiSettle)),
		822: ciiSyntax(822, []string{"SpecifiedTradeSettlementHeaderMonetarySummation"}, ciiAt(ciiSettle+"/ram:SpecifiedTradeSettlementHeaderMonetarySummation")),
		834: ciiSyntax(834, []string{"CrossIndustryInvoice"}, isCIIRoot),
		839: ciiSyntax(839, nil, func(n *node) bool { return strings.HasSuffix(n.Local, "DocumentContextParameter") }),
		843: ciiSyntax(843, []string{"ID", "LineID", "SellerAssignedID"}, func(n *node) bool {
			return n.AtRoot("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") ||
				n.AtRoot("rsm:ExchangedDocument/ram:ID") ||
				n.AtRoot(ciiLine+"/ram:AssociatedDocumentLineDocument/ram:LineID") ||
				n.AtRoot(ciiLine+"/ram:SpecifiedTradeProduct/ram:SellerAssignedID")
		}),
		852: ciiSyntax(852, nil, ramSuffix("ID")),
		858: ciiSyntax(858, []string{"TypeCode"}, func(n *node) bool { return n.Space == xmltree.NSRAM }),
		862: ciiSyntax(862, []string{"TypeCode"}, ciiAt("rsm:ExchangedDocument/ram:TypeCode")),
		867: ciiSyntax(867, []string{"CategoryCode"}, ciiAt(ciiLine+"/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode")),
		873: ciiSyntax(873, nil, ramSuffix("ReferencedDocument")),
		891: ciiSyntax(891, nil, func(n *node) bool { return ramSuffix("Amount")(n) && n.Local != "TaxTotalAmount" }),
		895: ciiSyntax(895, nil, ramSuffix("Quantity")),
		901: ciiSyntax(901, nil, ramSuffix("TradeTax")),
		931: ciiSyntax(931, []string{"BillingSpecifiedPeriod"}, func(n *node) bool { return n.Space == xmltree.NSRAM }),
		947: ciiSyntax(947, []string{"PostalTradeAddress"}, func(n *node) bool { return n.Space == xmltree.NSRAM }),
		963: ciiSyntax(963, []string{"DateTimeString"}, func(n *node) bool {
			f, _ := n.Attr("format")
			return n.Space == xmltree.NSUDT && f == "102"
		}),
	}
	ciiDate102 = regexp.MustCompile(`^[ \t\n\r]*(\p{Nd}{4})(1[0-2]|0[1-9])(3[01]|[12][0-9]|0[1-9])[ \t\n\r]*$`)
)

// ciiCount builds "count(path) <= max" (exact with eq).
func ciiCount(id string, flag Flag, order int, path string, max int, eq bool, en, de string) Rule {
	return Rule{ID: id, Flag: flag, Context: ciiSyntaxContexts[order],
		Test: func(n *node) bool {
			c := len(n.All(path))
			if eq {
				return c == max
			}
			return c <= max
		},
		Message: en, MessageDE: de}
}

// ciiNotBoth builds "not both an identifier and a global identifier" of a party.
func ciiNotBoth(id string, order int, party, en, de string) Rule {
	return Rule{ID: id, Flag: Warning, Context: ciiSyntaxContexts[order],
		Test:    func(n *node) bool { return !(n.Has(party+"/ram:ID") && n.Has(party+"/ram:GlobalID")) },
		Message: en, MessageDE: de}
}

// ciiUnless builds "not(child) or cond".
func ciiUnless(id string, flag Flag, order int, child string, cond func(n *node) bool, en, de string) Rule {
	return Rule{ID: id, Flag: flag, Context: ciiSyntaxContexts[order],
		Test:    func(n *node) bool { return !n.Has(child) || cond(n) },
		Message: en, MessageDE: de}
}

func ciiIsARDWithType(codes ...string) func(n *node) bool {
	return func(n *node) bool {
		return n.Is("ram:AdditionalReferencedDocument") && xrAnyIn(n.Strs("ram:TypeCode"), codes)
	}
}

func ciiUnderHeaderSettlement(n *node) bool {
	return n.Ancestor("ram:ApplicableHeaderTradeSettlement") != nil
}

func ciiSyntaxRules() []Rule {
	rules := restrictionRules(schemas.CIIRestrictions, ciiSyntaxContexts)
	const once, onceDE = " may occur at most once.", " darf höchstens einmal vorkommen."
	return append(rules,
		Rule{ID: "CII-SR-464", Flag: Warning, Context: ciiSyntaxPaymentMeans, Test: func(*node) bool { return true },
			Message:   "Payee and payer financial institutions should be given together or not at all.",
			MessageDE: "Die Finanzinstitute von Zahlungsempfänger und Zahler sollen zusammen oder gar nicht angegeben werden."},
		ciiCount("CII-SR-003", Warning, 352, "ram:BusinessProcessSpecifiedDocumentContextParameter", 1, false, "The business process (BT-23)"+once, "Der Geschäftsprozess (BT-23)"+onceDE),
		ciiCount("CII-SR-009", Fatal, 352, "ram:GuidelineSpecifiedDocumentContextParameter", 1, true, "The specification identifier group (BT-24) must occur exactly once.", "Die Gruppe der Spezifikationskennung (BT-24) muss genau einmal vorkommen."),
		ciiCount("CII-SR-010", Fatal, 352, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", 1, true, "The specification identifier (BT-24) must occur exactly once.", "Die Spezifikationskennung (BT-24) muss genau einmal vorkommen."),
		ciiCount("CII-SR-014", Fatal, 364, "ram:TypeCode", 1, true, "The invoice type code (BT-3) must occur exactly once.", "Der Rechnungstyp (BT-3) muss genau einmal vorkommen."),
		ciiCount("CII-SR-030", Warning, 385, "ram:Content", 1, false, "The note content (BT-22)"+once, "Der Inhalt einer Notiz (BT-22)"+onceDE),
		ciiCount("CII-SR-039", Warning, 395, "ram:IncludedNote", 1, false, "The line note (BT-127)"+once, "Die Positionsnotiz (BT-127)"+onceDE),
		ciiCount("CII-SR-040", Warning, 395, "ram:IncludedNote/ram:Content", 1, false, "The line note content (BT-127)"+once, "Der Inhalt der Positionsnotiz (BT-127)"+onceDE),
		ciiUnless("CII-SR-046", Fatal, 403, "ram:GlobalID", func(n *node) bool { return n.Has("ram:GlobalID/@schemeID") },
			"An item standard identifier (BT-157) needs its scheme identifier (@schemeID).", "Eine Artikelkennung nach Standard (BT-157) braucht die Schema-Kennung (@schemeID)."),
		ciiUnless("CII-SR-090", Fatal, 403, "ram:OriginTradeCountry", func(n *node) bool { return len(n.All("ram:OriginTradeCountry/ram:ID")) == 1 },
			"The item country of origin (BT-159) must have exactly one code.", "Das Ursprungsland des Artikels (BT-159) muss genau einen Code haben."),
		ciiCount("CII-SR-069", Fatal, 461, "ram:Description", 1, true, "An item attribute (BG-32) must have exactly one name (BT-160).", "Ein Artikelattribut (BG-32) muss genau einen Namen (BT-160) haben."),
		ciiCount("CII-SR-072", Fatal, 461, "ram:Value", 1, true, "An item attribute (BG-32) must have exactly one value (BT-161).", "Ein Artikelattribut (BG-32) muss genau einen Wert (BT-161) haben."),
		ciiCount("CII-SR-439", Fatal, 465, "ram:NetPriceProductTradePrice/ram:ChargeAmount", 1, true, "The item net price (BT-146) must occur exactly once.", "Der Nettopreis (BT-146) muss genau einmal vorkommen."),
		Rule{ID: "CII-SR-119", Flag: Warning, Context: ciiSyntaxContexts[465],
			Test: func(n *node) bool {
				const ac = "ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/"
				allowance := false
				for _, ci := range n.All(ac + "ram:ChargeIndicator") {
					for _, v := range ci.Strs("udt:Indicator") {
						if b, ok := xmltree.Bool(v); ok && !b {
							allowance = true
						}
					}
				}
				if allowance && n.Has(ac+"ram:ActualAmount") {
					return true
				}
				return !n.Has(ac+"ram:ChargeIndicator") && !n.Has(ac+"ram:ActualAmount")
			},
			Message:   "A price allowance needs its charge indicator false and its amount (BT-147), or neither.",
			MessageDE: "Ein Preisnachlass braucht den Zuschlagsindikator false und den Betrag (BT-147), oder keines von beiden."},
		ciiCount("CII-SR-441", Fatal, 465, "ram:NetPriceProductTradePrice/ram:ChargeAmount", 1, false, "The item net price (BT-146)"+once, "Der Nettopreis (BT-146)"+onceDE),
		Rule{ID: "CII-SR-463", Flag: Fatal, Context: ciiSyntaxContexts[518],
			Test:      func(n *node) bool { return n.Has("ram:ChargeIndicator") },
			Message:   "An allowance or charge needs its charge indicator.",
			MessageDE: "Ein Nachlass oder Zuschlag braucht den Zuschlagsindikator."},
		ciiCount("CII-SR-440", Fatal, 521, "ram:ActualAmount", 1, false, "The item price discount (BT-147)"+once, "Der Preisnachlass (BT-147)"+onceDE),
		ciiCount("CII-SR-454", Warning, 553, "ram:ApplicableTradeTax", 1, true, "Each invoice line must have exactly one VAT information (BG-30).", "Jede Rechnungsposition muss genau eine Umsatzsteuerinformation (BG-30) haben."),
		ciiNotBoth("CII-SR-450", 598, "ram:BuyerTradeParty", "The buyer should have either an identifier or a global identifier (BT-46), not both.", "Der Käufer soll entweder eine Kennung oder eine globale Kennung (BT-46) haben, nicht beides."),
		ciiCount("CII-SR-455", Fatal, 598, "ram:SellerTradeParty/ram:DefinedTradeContact", 1, false, "The seller contact (BG-6)"+once, "Der Kontakt des Verkäufers (BG-6)"+onceDE),
		ciiCount("CII-SR-456", Fatal, 598, "ram:BuyerTradeParty/ram:DefinedTradeContact", 1, false, "The buyer contact (BG-9)"+once, "Der Kontakt des Käufers (BG-9)"+onceDE),
		Rule{ID: "CII-SR-457", Flag: Warning, Context: ciiSyntaxContexts[598],
			Test:      func(n *node) bool { return ciiCountTyped(n, "50") <= 1 },
			Message:   "The tender or lot reference (BT-17)" + once,
			MessageDE: "Die Vergabe- oder Losnummer (BT-17)" + onceDE},
		Rule{ID: "CII-SR-458", Flag: Warning, Context: ciiSyntaxContexts[598],
			Test:      func(n *node) bool { return ciiCountTyped(n, "130") <= 1 },
			Message:   "The invoiced object identifier (BT-18)" + once,
			MessageDE: "Die Kennung des Rechnungsobjekts (BT-18)" + onceDE},
		ciiCount("CII-SR-459", Fatal, 598, "ram:SellerTradeParty/ram:URIUniversalCommunication", 1, false, "The seller electronic address (BT-34)"+once, "Die elektronische Adresse des Verkäufers (BT-34)"+onceDE),
		ciiCount("CII-SR-460", Fatal, 598, "ram:BuyerTradeParty/ram:URIUniversalCommunication", 1, false, "The buyer electronic address (BT-49)"+once, "Die elektronische Adresse des Käufers (BT-49)"+onceDE),
		Rule{ID: "CII-SR-465", Flag: Warning, Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool {
				return !(n.Has("ram:SellerTradeParty/ram:DefinedTradeContact/ram:PersonName") && n.Has("ram:SellerTradeParty/ram:DefinedTradeContact/ram:DepartmentName"))
			},
			Message:   "The seller contact point (BT-41) should be either a person or a department name, not both.",
			MessageDE: "Die Kontaktstelle des Verkäufers (BT-41) soll entweder ein Personen- oder ein Abteilungsname sein, nicht beides."},
		Rule{ID: "CII-SR-466", Flag: Warning, Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool {
				return !(n.Has("ram:BuyerTradeParty/ram:DefinedTradeContact/ram:PersonName") && n.Has("ram:BuyerTradeParty/ram:DefinedTradeContact/ram:DepartmentName"))
			},
			Message:   "The buyer contact point (BT-56) should be either a person or a department name, not both.",
			MessageDE: "Die Kontaktstelle des Käufers (BT-56) soll entweder ein Personen- oder ein Abteilungsname sein, nicht beides."},
		ciiNotBoth("CII-SR-449", 696, "ram:ShipToTradeParty", "The deliver-to location should have either an identifier or a global identifier (BT-71), not both.", "Der Lieferort soll entweder eine Kennung oder eine globale Kennung (BT-71) haben, nicht beides."),
		ciiNotBoth("CII-SR-451", 730, "ram:PayeeTradeParty", "The payee should have either an identifier or a global identifier (BT-60), not both.", "Der Zahlungsempfänger soll entweder eine Kennung oder eine globale Kennung (BT-60) haben, nicht beides."),
		ciiCount("CII-SR-452", Warning, 730, "ram:SpecifiedTradePaymentTerms", 1, false, "The payment terms group"+once, "Die Gruppe der Zahlungsbedingungen"+onceDE),
		ciiCount("CII-SR-453", Warning, 730, "ram:SpecifiedTradePaymentTerms/ram:Description", 1, false, "The payment terms (BT-20)"+once, "Die Zahlungsbedingungen (BT-20)"+onceDE),
		ciiCount("CII-SR-461", Fatal, 730, "ram:ApplicableTradeTax/ram:TaxPointDate", 1, false, "The value added tax point date (BT-7)"+once, "Das Datum der Steuerfälligkeit (BT-7)"+onceDE),
		Rule{ID: "CII-SR-462", Flag: Fatal, Context: ciiSyntaxContexts[730],
			Test: func(n *node) bool {
				seen := map[string]bool{}
				for _, t := range n.Root().Descendants("ram:ApplicableTradeTax") {
					for _, v := range t.Strs("ram:DueDateTypeCode") {
						seen[v] = true
					}
				}
				return len(seen) <= 1
			},
			Message:   "All value added tax point date codes (BT-8) must be the same.",
			MessageDE: "Alle Codes der Steuerfälligkeit (BT-8) müssen gleich sein."},
		ciiUnless("CII-DT-015", Fatal, 873, "ram:URIID", ciiIsARDWithType("916"),
			"A document location (URIID) is only allowed on supporting documents (type code 916).", "Ein Dokumentort (URIID) ist nur bei rechnungsbegründenden Unterlagen (Typ 916) erlaubt."),
		Rule{ID: "CII-DT-018", Flag: Fatal, Context: ciiSyntaxContexts[873],
			Test: func(n *node) bool {
				return !n.Has("ram:TypeCode") || n.Is("ram:AdditionalReferencedDocument") && xrAnyIn(n.Strs("ram:TypeCode"), []string{"50", "130", "916"})
			},
			Message:   "A type code is only allowed on additional referenced documents, with 50, 130 or 916.",
			MessageDE: "Ein Typcode ist nur bei zusätzlichen Dokumentreferenzen erlaubt, mit 50, 130 oder 916."},
		ciiUnless("CII-DT-021", Fatal, 873, "ram:Name", ciiIsARDWithType("916"),
			"A document description is only allowed on supporting documents (type code 916).", "Eine Dokumentbeschreibung ist nur bei rechnungsbegründenden Unterlagen (Typ 916) erlaubt."),
		ciiUnless("CII-DT-022", Fatal, 873, "ram:AttachmentBinaryObject", ciiIsARDWithType("916"),
			"An attachment is only allowed on supporting documents (type code 916).", "Ein Anhang ist nur bei rechnungsbegründenden Unterlagen (Typ 916) erlaubt."),
		ciiUnless("CII-DT-024", Fatal, 873, "ram:ReferenceTypeCode", ciiIsARDWithType("130"),
			"A reference type code is only allowed on the invoiced object (type code 130).", "Ein Referenztyp ist nur beim Rechnungsobjekt (Typ 130) erlaubt."),
		ciiUnless("CII-DT-027", Fatal, 873, "ram:FormattedIssueDateTime", func(n *node) bool { return n.Is("ram:InvoiceReferencedDocument") },
			"An issue date is only allowed on the preceding invoice reference (BT-26).", "Ein Ausstellungsdatum ist nur bei der Referenz auf die vorausgegangene Rechnung (BT-26) erlaubt."),
		ciiUnless("CII-DT-033", Fatal, 895, "@unitCode", func(n *node) bool {
			return n.Root().Has(ciiLine + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode")
		}, "A unit code on a quantity needs the invoiced quantity's unit (BT-130).", "Eine Einheit an einer Menge setzt die Einheit der Rechnungsmenge (BT-130) voraus."),
		ciiUnless("CII-DT-037", Fatal, 901, "ram:TypeCode", func(n *node) bool { return xrIn("VAT", n.Strs("ram:TypeCode")) },
			"The tax type code must be VAT.", "Der Steuertyp muss VAT sein."),
		ciiUnless("CII-DT-041", Warning, 901, "ram:BasisAmount", ciiUnderHeaderSettlement,
			"A tax basis amount should only be given in the VAT breakdown.", "Eine Bemessungsgrundlage soll nur in der Umsatzsteueraufschlüsselung angegeben werden."),
		ciiUnless("CII-DT-052", Warning, 901, "ram:ExemptionReasonCode", func(n *node) bool { return n.Is("ram:ApplicableTradeTax") },
			"An exemption reason code should only be given on applicable trade tax.", "Ein Befreiungsgrund-Code soll nur bei ApplicableTradeTax angegeben werden."),
		ciiUnless("CII-DT-098", Warning, 901, "ram:ExemptionReason", func(n *node) bool { return n.Is("ram:ApplicableTradeTax") },
			"An exemption reason should only be given on applicable trade tax.", "Ein Befreiungsgrund soll nur bei ApplicableTradeTax angegeben werden."),
		ciiUnless("CII-DT-054", Warning, 901, "ram:TaxPointDate", ciiUnderHeaderSettlement,
			"A tax point date (BT-7) should only be given in the VAT breakdown.", "Ein Datum der Steuerfälligkeit (BT-7) soll nur in der Umsatzsteueraufschlüsselung angegeben werden."),
		ciiUnless("CII-DT-058", Warning, 901, "ram:DueDateTypeCode", ciiUnderHeaderSettlement,
			"A tax point date code (BT-8) should only be given in the VAT breakdown.", "Ein Code der Steuerfälligkeit (BT-8) soll nur in der Umsatzsteueraufschlüsselung angegeben werden."),
		Rule{ID: "CII-DT-097", Flag: Fatal, Context: ciiSyntaxContexts[963],
			Test:      func(n *node) bool { return ciiDate102.MatchString(n.Value()) },
			Message:   "A date in format 102 must be a valid date written YYYYMMDD.",
			MessageDE: "Ein Datum im Format 102 muss ein gültiges Datum in der Form JJJJMMTT sein."},
	)
}

// ciiCountTyped counts the agreement's additional referenced documents with
// a type code.
func ciiCountTyped(n *node, code string) int {
	c := 0
	for _, d := range n.All("ram:AdditionalReferencedDocument") {
		if xrIn(code, d.Strs("ram:TypeCode")) {
			c++
		}
	}
	return c
}
