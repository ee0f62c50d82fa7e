package invoice

import (
	"unicode/utf8"
)

// The EN 16931 core business rules BR-01 … BR-65 and BR-B-01/02.

// brNotBlank builds "normalize-space(path) != ”".
func brNotBlank(id string, ctx Context, path, en, de string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:    func(n *Node) bool { return xrFirstNorm(n, path) != "" },
		Message: en + " must be given.", MessageDE: de + " muss angegeben werden."}
}

// brExists builds "exists(path)".
func brExists(id string, ctx Context, path, en, de string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:    func(n *Node) bool { return n.Has(path) },
		Message: en + " must be given.", MessageDE: de + " muss angegeben werden."}
}

// brEither builds "exists(a) or exists(b)".
func brEither(id string, ctx Context, a, b, en, de string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:    func(n *Node) bool { return n.Has(a) || n.Has(b) },
		Message: en + " must be given.", MessageDE: de + " muss angegeben werden."}
}

// brPeriodOK is "(exists(end) and exists(start) and xs:date(end) >=
// xs:date(start)) or not(exists(start)) or not(exists(end))".
func brPeriodOK(n *Node, start, end string) bool {
	if !n.Has(start) || !n.Has(end) {
		return true
	}
	e, ok1 := castDate(n, n.Strs(end))
	s, ok2 := castDate(n, n.Strs(start))
	return !ok1 || !ok2 || !e.Before(s)
}

// brAnyNum is path op k, k an integer literal: the untyped values at path
// compared existentially (see untypedCmpInt).
func brAnyNum(n *Node, path string, op cmpOp, k int64) bool {
	return anyUntypedCmpInt(n, n.Strs(path), op, k)
}

// brUBLHasB reports the B categories BR-B-01/02 look for.
func brAnyIs(values []string, code string) bool { return xrIn(code, values) }

var brUBLRules = []Rule{
	brNotBlank("BR-52", ublModelDocRef, "cbc:ID", "Each supporting document (BG-24) needs its reference (BT-122); it", "Jede rechnungsbegründende Unterlage (BG-24) braucht ihre Kennung (BT-122); sie"),
	{ID: "BR-63", Flag: Fatal, Context: ublModelCustomerEndpoint,
		Test:      func(n *Node) bool { return n.HasAttr("schemeID") },
		Message:   "The buyer electronic address (BT-49) needs its scheme identifier (@schemeID).",
		MessageDE: "Die elektronische Adresse des Käufers (BT-49) braucht die Schema-Kennung (@schemeID)."},
	brNotBlank("BR-11", ublModelCustomerAddress, "cac:Country/cbc:IdentificationCode", "The buyer country code (BT-55)", "Der Ländercode des Käufers (BT-55)"),
	{ID: "BR-51", Flag: Warning, Context: ublModelCardNumber,
		Test:      func(n *Node) bool { return utf8.RuneCountInString(NormSpace(n.Value())) <= 10 },
		Message:   "Only the last four to six digits of the payment card number (BT-87) should be given.",
		MessageDE: "Von der Kartennummer (BT-87) sollen nur die letzten vier bis sechs Ziffern angegeben werden."},
	brExists("BR-57", ublModelDeliveryAddress, "cac:Country/cbc:IdentificationCode", "A deliver-to address (BG-15) needs its country code (BT-80); it", "Eine Lieferanschrift (BG-15) braucht den Ländercode (BT-80); er"),
	brExists("BR-31", ublModelDocAllowance, "cbc:Amount", "A document level allowance (BG-20) needs its amount (BT-92); it", "Ein Nachlass auf Dokumentenebene (BG-20) braucht den Betrag (BT-92); er"),
	{ID: "BR-32", Flag: Fatal, Context: ublModelDocAllowance,
		Test:      func(n *Node) bool { return ublHasVATCategoryID(n) },
		Message:   "A document level allowance (BG-20) needs its VAT category code (BT-95).",
		MessageDE: "Ein Nachlass auf Dokumentenebene (BG-20) braucht den Code der Umsatzsteuerkategorie (BT-95)."},
	brEither("BR-33", ublModelDocAllowance, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A document level allowance (BG-20) needs a reason (BT-97) or reason code (BT-98); one", "Ein Nachlass auf Dokumentenebene (BG-20) braucht einen Grund (BT-97) oder Grundcode (BT-98); einer"),
	brExists("BR-36", ublModelDocCharge, "cbc:Amount", "A document level charge (BG-21) needs its amount (BT-99); it", "Ein Zuschlag auf Dokumentenebene (BG-21) braucht den Betrag (BT-99); er"),
	{ID: "BR-37", Flag: Fatal, Context: ublModelDocCharge,
		Test:      func(n *Node) bool { return ublHasVATCategoryID(n) },
		Message:   "A document level charge (BG-21) needs its VAT category code (BT-102).",
		MessageDE: "Ein Zuschlag auf Dokumentenebene (BG-21) braucht den Code der Umsatzsteuerkategorie (BT-102)."},
	brEither("BR-38", ublModelDocCharge, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A document level charge (BG-21) needs a reason (BT-104) or reason code (BT-105); one", "Ein Zuschlag auf Dokumentenebene (BG-21) braucht einen Grund (BT-104) oder Grundcode (BT-105); einer"),
	brExists("BR-12", ublModelTotals, "cbc:LineExtensionAmount", "The sum of invoice line net amounts (BT-106)", "Die Summe der Nettobeträge der Positionen (BT-106)"),
	brExists("BR-13", ublModelTotals, "cbc:TaxExclusiveAmount", "The invoice total without VAT (BT-109)", "Der Gesamtbetrag ohne Umsatzsteuer (BT-109)"),
	brExists("BR-14", ublModelTotals, "cbc:TaxInclusiveAmount", "The invoice total with VAT (BT-112)", "Der Gesamtbetrag mit Umsatzsteuer (BT-112)"),
	brExists("BR-15", ublModelTotals, "cbc:PayableAmount", "The amount due for payment (BT-115)", "Der fällige Betrag (BT-115)"),

	brNotBlank("BR-01", ublModelRoot, "cbc:CustomizationID", "The specification identifier (BT-24)", "Die Spezifikationskennung (BT-24)"),
	brNotBlank("BR-02", ublModelRoot, "cbc:ID", "The invoice number (BT-1)", "Die Rechnungsnummer (BT-1)"),
	brNotBlank("BR-03", ublModelRoot, "cbc:IssueDate", "The invoice issue date (BT-2)", "Das Rechnungsdatum (BT-2)"),
	{ID: "BR-04", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			return xrFirstNorm(n, "cbc:InvoiceTypeCode") != "" || xrFirstNorm(n, "cbc:CreditNoteTypeCode") != ""
		},
		Message:   "The invoice type code (BT-3) must be given.",
		MessageDE: "Der Rechnungstyp (BT-3) muss angegeben werden."},
	brNotBlank("BR-05", ublModelRoot, "cbc:DocumentCurrencyCode", "The invoice currency code (BT-5)", "Der Währungscode der Rechnung (BT-5)"),
	brNotBlank("BR-06", ublModelRoot, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "The seller name (BT-27)", "Der Name des Verkäufers (BT-27)"),
	brNotBlank("BR-07", ublModelRoot, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "The buyer name (BT-44)", "Der Name des Käufers (BT-44)"),
	brExists("BR-08", ublModelRoot, "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress", "The seller postal address (BG-5)", "Die Anschrift des Verkäufers (BG-5)"),
	brExists("BR-10", ublModelRoot, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress", "The buyer postal address (BG-8)", "Die Anschrift des Käufers (BG-8)"),
	brEither("BR-16", ublModelRoot, "cac:InvoiceLine", "cac:CreditNoteLine", "At least one invoice line (BG-25)", "Mindestens eine Rechnungsposition (BG-25)"),
	{ID: "BR-53", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			var currencies []string
			for _, a := range n.Root().Descendants("cbc:TaxAmount") {
				if a.Parent.Is("cac:TaxTotal") {
					if c, ok := a.Attr("currencyID"); ok {
						currencies = append(currencies, c)
					}
				}
			}
			for _, tc := range n.Strs("cbc:TaxCurrencyCode") {
				if !xrIn(tc, currencies) {
					return false
				}
			}
			return true
		},
		Message:   "With a VAT accounting currency (BT-6) the VAT total in that currency (BT-111) must be given.",
		MessageDE: "Bei einer Steuerwährung (BT-6) muss die Umsatzsteuersumme in dieser Währung (BT-111) angegeben werden."},
	{ID: "BR-B-01", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			r := n.Root()
			hasB := func() bool {
				var codes []string
				for _, tc := range r.Descendants("cac:TaxCategory") {
					codes = append(codes, tc.Strs("cbc:ID")...)
				}
				for _, tc := range r.Descendants("cac:ClassifiedTaxCategory") {
					codes = append(codes, tc.Strs("cbc:ID")...)
				}
				return brAnyIs(codes, "B")
			}()
			if !hasB {
				return true
			}
			for _, c := range r.Descendants("cbc:IdentificationCode") {
				if c.Value() != "IT" {
					return false
				}
			}
			return true
		},
		Message:   "Split payment (VAT category B) is only allowed for Italian domestic invoices.",
		MessageDE: "Split Payment (Umsatzsteuerkategorie B) ist nur für inländische italienische Rechnungen zulässig."},
	{ID: "BR-B-02", Flag: Fatal, Context: ublModelRoot,
		Test: func(n *Node) bool {
			classified := []string{}
			for _, tc := range n.Root().Descendants("cac:ClassifiedTaxCategory") {
				classified = append(classified, tc.Strs("cbc:ID")...)
			}
			acCodes := n.Strs("cac:AllowanceCharge/cac:TaxCategory/cbc:ID")
			hasB := brAnyIs(n.Strs("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"), "B") || brAnyIs(acCodes, "B") || brAnyIs(classified, "B")
			if !hasB {
				return true
			}
			hasS := brAnyIs(n.Strs("cac:TaxTotal/cac:TaxSubtotal/cbc:ID"), "S") || brAnyIs(acCodes, "S") || brAnyIs(classified, "S")
			return !hasS
		},
		Message:   "An invoice with split payment (VAT category B) must not also use standard rate (S).",
		MessageDE: "Eine Rechnung mit Split Payment (Kategorie B) darf nicht zugleich den Normalsatz (S) verwenden."},

	brNotBlank("BR-21", ublModelLine, "cbc:ID", "Each invoice line (BG-25) needs its identifier (BT-126); it", "Jede Rechnungsposition (BG-25) braucht ihre Kennung (BT-126); sie"),
	brEither("BR-22", ublModelLine, "cbc:InvoicedQuantity", "cbc:CreditedQuantity", "Each invoice line needs the invoiced quantity (BT-129); it", "Jede Rechnungsposition braucht die Menge (BT-129); sie"),
	brEither("BR-23", ublModelLine, "cbc:InvoicedQuantity/@unitCode", "cbc:CreditedQuantity/@unitCode", "Each invoice line needs the unit of measure (BT-130); it", "Jede Rechnungsposition braucht die Mengeneinheit (BT-130); sie"),
	brExists("BR-24", ublModelLine, "cbc:LineExtensionAmount", "Each invoice line needs its net amount (BT-131); it", "Jede Rechnungsposition braucht ihren Nettobetrag (BT-131); er"),
	brNotBlank("BR-25", ublModelLine, "cac:Item/cbc:Name", "Each invoice line needs the item name (BT-153); it", "Jede Rechnungsposition braucht den Artikelnamen (BT-153); er"),
	brExists("BR-26", ublModelLine, "cac:Price/cbc:PriceAmount", "Each invoice line needs the item net price (BT-146); it", "Jede Rechnungsposition braucht den Nettopreis (BT-146); er"),
	{ID: "BR-27", Flag: Fatal, Context: ublModelLine,
		Test: func(n *Node) bool {
			return brAnyNum(n, "cac:Price/cbc:PriceAmount", opGe, 0)
		},
		Message:   "The item net price (BT-146) must not be negative.",
		MessageDE: "Der Nettopreis (BT-146) darf nicht negativ sein."},
	{ID: "BR-28", Flag: Fatal, Context: ublModelLine,
		Test: func(n *Node) bool {
			const p = "cac:Price/cac:AllowanceCharge/cbc:BaseAmount"
			return !n.Has(p) || brAnyNum(n, p, opGe, 0)
		},
		Message:   "The item gross price (BT-148) must not be negative.",
		MessageDE: "Der Bruttopreis (BT-148) darf nicht negativ sein."},
	brExists("BR-41", ublModelLineAllowance, "cbc:Amount", "A line allowance (BG-27) needs its amount (BT-136); it", "Ein Nachlass auf Positionsebene (BG-27) braucht den Betrag (BT-136); er"),
	brEither("BR-42", ublModelLineAllowance, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A line allowance (BG-27) needs a reason (BT-139) or reason code (BT-140); one", "Ein Nachlass auf Positionsebene (BG-27) braucht einen Grund (BT-139) oder Grundcode (BT-140); einer"),
	brExists("BR-43", ublModelLineCharge, "cbc:Amount", "A line charge (BG-28) needs its amount (BT-141); it", "Ein Zuschlag auf Positionsebene (BG-28) braucht den Betrag (BT-141); er"),
	brEither("BR-44", ublModelLineCharge, "cbc:AllowanceChargeReason", "cbc:AllowanceChargeReasonCode", "A line charge (BG-28) needs a reason (BT-144) or reason code (BT-145); one", "Ein Zuschlag auf Positionsebene (BG-28) braucht einen Grund (BT-144) oder Grundcode (BT-145); einer"),
	{ID: "BR-30", Flag: Fatal, Context: ublModelLinePeriod,
		Test:      func(n *Node) bool { return brPeriodOK(n, "cbc:StartDate", "cbc:EndDate") },
		Message:   "The end of the line period (BT-135) must not be before its start (BT-134).",
		MessageDE: "Das Ende des Positionszeitraums (BT-135) darf nicht vor seinem Beginn (BT-134) liegen."},
	{ID: "BR-29", Flag: Fatal, Context: ublModelPeriod,
		Test:      func(n *Node) bool { return brPeriodOK(n, "cbc:StartDate", "cbc:EndDate") },
		Message:   "The end of the invoicing period (BT-74) must not be before its start (BT-73).",
		MessageDE: "Das Ende des Abrechnungszeitraums (BT-74) darf nicht vor seinem Beginn (BT-73) liegen."},
	{ID: "BR-54", Flag: Fatal, Context: ublModelItemProperty,
		Test:      func(n *Node) bool { return n.Has("cbc:Name") && n.Has("cbc:Value") },
		Message:   "An item attribute (BG-32) needs a name (BT-160) and a value (BT-161).",
		MessageDE: "Ein Artikelattribut (BG-32) braucht Name (BT-160) und Wert (BT-161)."},
	{ID: "BR-65", Flag: Fatal, Context: ublModelClassification,
		Test:      func(n *Node) bool { return n.HasAttr("listID") },
		Message:   "An item classification identifier (BT-158) needs its scheme identifier (@listID).",
		MessageDE: "Eine Artikelklassifizierung (BT-158) braucht die Schema-Kennung (@listID)."},
	{ID: "BR-64", Flag: Fatal, Context: ublModelStandardID,
		Test:      func(n *Node) bool { return n.HasAttr("schemeID") },
		Message:   "An item standard identifier (BT-157) needs its scheme identifier (@schemeID).",
		MessageDE: "Eine Artikelkennung nach Standard (BT-157) braucht die Schema-Kennung (@schemeID)."},
	{ID: "BR-17", Flag: Fatal, Context: ublModelPayee,
		Test: func(n *Node) bool {
			if !n.Has("cac:PartyName/cbc:Name") {
				return false
			}
			return !xrAnyIn(n.Strs("cac:PartyName/cbc:Name"), n.Strs("../cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name")) &&
				!xrAnyIn(n.Strs("cac:PartyIdentification/cbc:ID"), n.Strs("../cac:AccountingSupplierParty/cac:Party/cac:PartyIdentification/cbc:ID"))
		},
		Message:   "A payee (BG-10) needs a name (BT-59) and must differ from the seller.",
		MessageDE: "Ein Zahlungsempfänger (BG-10) braucht einen Namen (BT-59) und muss sich vom Verkäufer unterscheiden."},
	brNotBlank("BR-50", ublModelPayeeAccount, "cbc:ID", "With a credit transfer the payment account identifier (BT-84)", "Bei einer Überweisung die Kontokennung (BT-84)"),
	brExists("BR-49", ublModelPaymentMeans, "cbc:PaymentMeansCode", "Each payment instruction (BG-16) needs its payment means code (BT-81); it", "Jede Zahlungsanweisung (BG-16) braucht den Zahlungsartcode (BT-81); er"),
	{ID: "BR-61", Flag: Fatal, Context: ublModelPaymentMeans,
		Test: func(n *Node) bool {
			code := xrFirstNorm(n, "cbc:PaymentMeansCode")
			transfer := code == "30" || code == "58"
			return !transfer || n.Has("cac:PayeeFinancialAccount/cbc:ID")
		},
		Message:   "With a credit transfer (code 30 or 58) the payment account identifier (BT-84) must be given.",
		MessageDE: "Bei einer Überweisung (Code 30 oder 58) muss die Kontokennung (BT-84) angegeben werden."},
	brExists("BR-55", ublModelBillingRef, "cac:InvoiceDocumentReference/cbc:ID", "A preceding invoice reference (BG-3) needs the preceding invoice number (BT-25); it", "Eine Referenz auf eine vorausgegangene Rechnung (BG-3) braucht deren Nummer (BT-25); sie"),
	{ID: "BR-62", Flag: Fatal, Context: ublModelSupplierEndpoint,
		Test:      func(n *Node) bool { return n.HasAttr("schemeID") },
		Message:   "The seller electronic address (BT-34) needs its scheme identifier (@schemeID).",
		MessageDE: "Die elektronische Adresse des Verkäufers (BT-34) braucht die Schema-Kennung (@schemeID)."},
	brNotBlank("BR-09", ublModelSupplierAddress, "cac:Country/cbc:IdentificationCode", "The seller country code (BT-40)", "Der Ländercode des Verkäufers (BT-40)"),
	brNotBlank("BR-18", ublModelTaxRep, "cac:PartyName/cbc:Name", "The seller tax representative name (BT-62)", "Der Name des Steuervertreters (BT-62)"),
	brExists("BR-19", ublModelTaxRep, "cac:PostalAddress", "The seller tax representative postal address (BG-12)", "Die Anschrift des Steuervertreters (BG-12)"),
	{ID: "BR-56", Flag: Fatal, Context: ublModelTaxRep,
		Test: func(n *Node) bool {
			for _, s := range n.All("cac:PartyTaxScheme") {
				if ublVAT(s) && s.Has("cbc:CompanyID") {
					return true
				}
			}
			return false
		},
		Message:   "The seller tax representative needs its VAT identifier (BT-63).",
		MessageDE: "Der Steuervertreter braucht seine USt-IdNr. (BT-63)."},
	brNotBlank("BR-20", ublModelTaxRepAddress, "cac:Country/cbc:IdentificationCode", "The seller tax representative country code (BT-69)", "Der Ländercode des Steuervertreters (BT-69)"),
	brExists("BR-45", ublModelTaxSubtotal, "cbc:TaxableAmount", "Each VAT breakdown (BG-23) needs the taxable amount (BT-116); it", "Jede Umsatzsteueraufschlüsselung (BG-23) braucht die Bemessungsgrundlage (BT-116); sie"),
	brExists("BR-46", ublModelTaxSubtotal, "cbc:TaxAmount", "Each VAT breakdown (BG-23) needs the VAT amount (BT-117); it", "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Steuerbetrag (BT-117); er"),
	{ID: "BR-47", Flag: Fatal, Context: ublModelTaxSubtotal,
		Test:      func(n *Node) bool { return ublHasVATCategoryID(n) },
		Message:   "Each VAT breakdown (BG-23) needs the VAT category code (BT-118).",
		MessageDE: "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Code der Umsatzsteuerkategorie (BT-118)."},
	{ID: "BR-48", Flag: Fatal, Context: ublModelTaxSubtotal,
		Test: func(n *Node) bool {
			for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
				if tc.Has("cbc:Percent") || ublCat(tc) == "O" {
					return true
				}
			}
			return false
		},
		Message:   "Each VAT breakdown (BG-23) needs the VAT rate (BT-119), except for category O.",
		MessageDE: "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Steuersatz (BT-119), außer bei Kategorie O."},
}

// ublHasVATCategoryID is exists(cac:TaxCategory[VAT scheme]/cbc:ID).
func ublHasVATCategoryID(n *Node) bool {
	for _, tc := range ublVATCategories(n, "cac:TaxCategory") {
		if tc.Has("cbc:ID") {
			return true
		}
	}
	return false
}

// brDateString102 is path/udt:DateTimeString[@format = '102'].
func brDateString102(n *Node, path string) []string {
	var out []string
	for _, d := range n.All(path + "/udt:DateTimeString") {
		if f, _ := d.Attr("format"); f == "102" {
			out = append(out, d.Value())
		}
	}
	return out
}

func brPeriodCII(n *Node) bool {
	if !n.Has("ram:EndDateTime") || !n.Has("ram:StartDateTime") {
		return true
	}
	return anyStringCmp(brDateString102(n, "ram:EndDateTime"), brDateString102(n, "ram:StartDateTime"), func(x, y string) bool { return x >= y })
}

const ciiSeller = ciiAgreement + "/ram:SellerTradeParty"
const ciiBuyer = ciiAgreement + "/ram:BuyerTradeParty"

var brCIIRules = []Rule{
	{ID: "BR-65", Flag: Fatal, Context: ciiModelClassification,
		Test:      func(n *Node) bool { return xrFirstNorm(n, "ram:ClassCode/@listID") != "" || !n.Has("ram:ClassCode") },
		Message:   "An item classification identifier (BT-158) needs its scheme identifier (@listID).",
		MessageDE: "Eine Artikelklassifizierung (BT-158) braucht die Schema-Kennung (@listID)."},
	brNotBlank("BR-52", ciiModelDocRef, "ram:IssuerAssignedID", "Each supporting document (BG-24) needs its reference (BT-122); it", "Jede rechnungsbegründende Unterlage (BG-24) braucht ihre Kennung (BT-122); sie"),
	{ID: "BR-51", Flag: Fatal, Context: ciiModelCard,
		Test:      func(n *Node) bool { return utf8.RuneCountInString(n.Str("ram:ID")) <= 10 },
		Message:   "Only the last four to six digits of the payment card number (BT-87) may be given.",
		MessageDE: "Von der Kartennummer (BT-87) dürfen nur die letzten vier bis sechs Ziffern angegeben werden."},
	brEither("BR-50", ciiModelPayeeAccount, "ram:IBANID", "ram:ProprietaryID", "With a credit transfer the payment account identifier (BT-84)", "Bei einer Überweisung die Kontokennung (BT-84)"),
	brEither("BR-61", ciiModelPayeeAccount, "ram:IBANID", "ram:ProprietaryID", "With a credit transfer (code 30 or 58) the payment account identifier (BT-84)", "Bei einer Überweisung (Code 30 oder 58) die Kontokennung (BT-84)"),
	{ID: "BR-57", Flag: Fatal, Context: ciiModelDelivery,
		Test: func(n *Node) bool {
			const a = "ram:ShipToTradeParty/ram:PostalTradeAddress"
			return !n.Has(a) || xrFirstNorm(n, a+"/ram:CountryID") != ""
		},
		Message:   "A deliver-to address (BG-15) needs its country code (BT-80).",
		MessageDE: "Eine Lieferanschrift (BG-15) braucht den Ländercode (BT-80)."},
	brExists("BR-31", ciiModelDocAllowance, "../ram:ActualAmount", "A document level allowance (BG-20) needs its amount (BT-92); it", "Ein Nachlass auf Dokumentenebene (BG-20) braucht den Betrag (BT-92); er"),
	{ID: "BR-32", Flag: Fatal, Context: ciiModelDocAllowance, Test: ciiACHasVATCategory,
		Message:   "A document level allowance (BG-20) needs its VAT category code (BT-95).",
		MessageDE: "Ein Nachlass auf Dokumentenebene (BG-20) braucht den Code der Umsatzsteuerkategorie (BT-95)."},
	brEither("BR-33", ciiModelDocAllowance, "../ram:Reason", "../ram:ReasonCode", "A document level allowance (BG-20) needs a reason (BT-97) or reason code (BT-98); one", "Ein Nachlass auf Dokumentenebene (BG-20) braucht einen Grund (BT-97) oder Grundcode (BT-98); einer"),
	brExists("BR-36", ciiModelDocCharge, "../ram:ActualAmount", "A document level charge (BG-21) needs its amount (BT-99); it", "Ein Zuschlag auf Dokumentenebene (BG-21) braucht den Betrag (BT-99); er"),
	{ID: "BR-37", Flag: Fatal, Context: ciiModelDocCharge, Test: ciiACHasVATCategory,
		Message:   "A document level charge (BG-21) needs its VAT category code (BT-102).",
		MessageDE: "Ein Zuschlag auf Dokumentenebene (BG-21) braucht den Code der Umsatzsteuerkategorie (BT-102)."},
	brEither("BR-38", ciiModelDocCharge, "../ram:Reason", "../ram:ReasonCode", "A document level charge (BG-21) needs a reason (BT-104) or reason code (BT-105); one", "Ein Zuschlag auf Dokumentenebene (BG-21) braucht einen Grund (BT-104) oder Grundcode (BT-105); einer"),
	brExists("BR-12", ciiModelTotals, "ram:LineTotalAmount", "The sum of invoice line net amounts (BT-106)", "Die Summe der Nettobeträge der Positionen (BT-106)"),
	brExists("BR-13", ciiModelTotals, "ram:TaxBasisTotalAmount", "The invoice total without VAT (BT-109)", "Der Gesamtbetrag ohne Umsatzsteuer (BT-109)"),
	brExists("BR-14", ciiModelTotals, "ram:GrandTotalAmount", "The invoice total with VAT (BT-112)", "Der Gesamtbetrag mit Umsatzsteuer (BT-112)"),
	brExists("BR-15", ciiModelTotals, "ram:DuePayableAmount", "The amount due for payment (BT-115)", "Der fällige Betrag (BT-115)"),
	{ID: "BR-53", Flag: Fatal, Context: ciiModelTotals,
		Test: func(n *Node) bool {
			r := n.Root()
			tcc := r.Strs(ciiSettle + "/ram:TaxCurrencyCode")
			if len(tcc) == 0 {
				return true
			}
			return xrAnyIn(n.Strs("ram:TaxTotalAmount/@currencyID"), tcc) && !xrAnyIn(tcc, r.Strs(ciiCurrencyPath))
		},
		Message:   "With a VAT accounting currency (BT-6) the VAT total in that currency (BT-111) must be given, and BT-6 must differ from the invoice currency.",
		MessageDE: "Bei einer Steuerwährung (BT-6) muss die Umsatzsteuersumme in dieser Währung (BT-111) angegeben werden, und BT-6 muss sich von der Rechnungswährung unterscheiden."},

	brNotBlank("BR-01", ciiModelRoot, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "The specification identifier (BT-24)", "Die Spezifikationskennung (BT-24)"),
	brNotBlank("BR-02", ciiModelRoot, "rsm:ExchangedDocument/ram:ID", "The invoice number (BT-1)", "Die Rechnungsnummer (BT-1)"),
	{ID: "BR-03", Flag: Fatal, Context: ciiModelRoot,
		Test: func(n *Node) bool {
			d := brDateString102(n, "rsm:ExchangedDocument/ram:IssueDateTime")
			return len(d) > 0 && NormSpace(d[0]) != ""
		},
		Message:   "The invoice issue date (BT-2) must be given (format 102).",
		MessageDE: "Das Rechnungsdatum (BT-2) muss angegeben werden (Format 102)."},
	brNotBlank("BR-04", ciiModelRoot, "rsm:ExchangedDocument/ram:TypeCode", "The invoice type code (BT-3)", "Der Rechnungstyp (BT-3)"),
	brNotBlank("BR-05", ciiModelRoot, ciiCurrencyPath, "The invoice currency code (BT-5)", "Der Währungscode der Rechnung (BT-5)"),
	brNotBlank("BR-06", ciiModelRoot, ciiSeller+"/ram:Name", "The seller name (BT-27)", "Der Name des Verkäufers (BT-27)"),
	brNotBlank("BR-07", ciiModelRoot, ciiBuyer+"/ram:Name", "The buyer name (BT-44)", "Der Name des Käufers (BT-44)"),
	brExists("BR-08", ciiModelRoot, ciiSeller+"/ram:PostalTradeAddress", "The seller postal address (BG-5)", "Die Anschrift des Verkäufers (BG-5)"),
	brNotBlank("BR-09", ciiModelRoot, ciiSeller+"/ram:PostalTradeAddress/ram:CountryID", "The seller country code (BT-40)", "Der Ländercode des Verkäufers (BT-40)"),
	brExists("BR-10", ciiModelRoot, ciiBuyer+"/ram:PostalTradeAddress", "The buyer postal address (BG-8)", "Die Anschrift des Käufers (BG-8)"),
	brNotBlank("BR-11", ciiModelRoot, ciiBuyer+"/ram:PostalTradeAddress/ram:CountryID", "The buyer country code (BT-55)", "Der Ländercode des Käufers (BT-55)"),
	{ID: "BR-16", Flag: Fatal, Context: ciiModelRoot,
		Test:      func(n *Node) bool { return len(n.Descendants("ram:IncludedSupplyChainTradeLineItem")) > 0 },
		Message:   "At least one invoice line (BG-25) must be given.",
		MessageDE: "Mindestens eine Rechnungsposition (BG-25) muss angegeben werden."},
	{ID: "BR-62", Flag: Fatal, Context: ciiModelRoot,
		Test:      func(n *Node) bool { return ciiEndpointSchemeOK(n, ciiSeller) },
		Message:   "The seller electronic address (BT-34) needs its scheme identifier (@schemeID).",
		MessageDE: "Die elektronische Adresse des Verkäufers (BT-34) braucht die Schema-Kennung (@schemeID)."},
	{ID: "BR-63", Flag: Fatal, Context: ciiModelRoot,
		Test:      func(n *Node) bool { return ciiEndpointSchemeOK(n, ciiBuyer) },
		Message:   "The buyer electronic address (BT-49) needs its scheme identifier (@schemeID).",
		MessageDE: "Die elektronische Adresse des Käufers (BT-49) braucht die Schema-Kennung (@schemeID)."},
	{ID: "BR-B-01", Flag: Fatal, Context: ciiModelRoot,
		Test: func(n *Node) bool {
			cats := ciiAllValues(n, "ram:CategoryCode")
			if !xrIn("B", cats) {
				return true
			}
			for _, c := range ciiAllValues(n, "ram:CountryID") {
				if c != "IT" {
					return false
				}
			}
			return true
		},
		Message:   "Split payment (VAT category B) is only allowed for Italian domestic invoices.",
		MessageDE: "Split Payment (Umsatzsteuerkategorie B) ist nur für inländische italienische Rechnungen zulässig."},
	{ID: "BR-B-02", Flag: Fatal, Context: ciiModelRoot,
		Test: func(n *Node) bool {
			cats := ciiAllValues(n, "ram:CategoryCode")
			return !xrIn("B", cats) || !xrIn("S", cats)
		},
		Message:   "An invoice with split payment (VAT category B) must not also use standard rate (S).",
		MessageDE: "Eine Rechnung mit Split Payment (Kategorie B) darf nicht zugleich den Normalsatz (S) verwenden."},

	brNotBlank("BR-21", ciiModelLine, "ram:AssociatedDocumentLineDocument/ram:LineID", "Each invoice line (BG-25) needs its identifier (BT-126); it", "Jede Rechnungsposition (BG-25) braucht ihre Kennung (BT-126); sie"),
	brExists("BR-22", ciiModelLine, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "Each invoice line needs the invoiced quantity (BT-129); it", "Jede Rechnungsposition braucht die Menge (BT-129); sie"),
	brExists("BR-23", ciiModelLine, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode", "Each invoice line needs the unit of measure (BT-130); it", "Jede Rechnungsposition braucht die Mengeneinheit (BT-130); sie"),
	brExists("BR-24", ciiModelLine, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", "Each invoice line needs its net amount (BT-131); it", "Jede Rechnungsposition braucht ihren Nettobetrag (BT-131); er"),
	brNotBlank("BR-25", ciiModelLine, "ram:SpecifiedTradeProduct/ram:Name", "Each invoice line needs the item name (BT-153); it", "Jede Rechnungsposition braucht den Artikelnamen (BT-153); er"),
	brExists("BR-26", ciiModelLine, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", "Each invoice line needs the item net price (BT-146); it", "Jede Rechnungsposition braucht den Nettopreis (BT-146); er"),
	{ID: "BR-27", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *Node) bool {
			return brAnyNum(n, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", opGe, 0)
		},
		Message:   "The item net price (BT-146) must not be negative.",
		MessageDE: "Der Nettopreis (BT-146) darf nicht negativ sein."},
	{ID: "BR-28", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *Node) bool {
			const p = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount"
			return !n.Has(p) || brAnyNum(n, p, opGe, 0)
		},
		Message:   "The item gross price (BT-148) must not be negative.",
		MessageDE: "Der Bruttopreis (BT-148) darf nicht negativ sein."},
	{ID: "BR-64", Flag: Fatal, Context: ciiModelLine,
		Test: func(n *Node) bool {
			return xrFirstNorm(n, "ram:SpecifiedTradeProduct/ram:GlobalID/@schemeID") != "" || !n.Has("ram:SpecifiedTradeProduct/ram:GlobalID")
		},
		Message:   "An item standard identifier (BT-157) needs its scheme identifier (@schemeID).",
		MessageDE: "Eine Artikelkennung nach Standard (BT-157) braucht die Schema-Kennung (@schemeID)."},
	brExists("BR-41", ciiModelLineAllowance, "../ram:ActualAmount", "A line allowance (BG-27) needs its amount (BT-136); it", "Ein Nachlass auf Positionsebene (BG-27) braucht den Betrag (BT-136); er"),
	brEither("BR-42", ciiModelLineAllowance, "../ram:Reason", "../ram:ReasonCode", "A line allowance (BG-27) needs a reason (BT-139) or reason code (BT-140); one", "Ein Nachlass auf Positionsebene (BG-27) braucht einen Grund (BT-139) oder Grundcode (BT-140); einer"),
	brExists("BR-43", ciiModelLineCharge, "../ram:ActualAmount", "A line charge (BG-28) needs its amount (BT-141); it", "Ein Zuschlag auf Positionsebene (BG-28) braucht den Betrag (BT-141); er"),
	brEither("BR-44", ciiModelLineCharge, "../ram:Reason", "../ram:ReasonCode", "A line charge (BG-28) needs a reason (BT-144) or reason code (BT-145); one", "Ein Zuschlag auf Positionsebene (BG-28) braucht einen Grund (BT-144) oder Grundcode (BT-145); einer"),
	{ID: "BR-30", Flag: Fatal, Context: ciiModelLinePeriod, Test: brPeriodCII,
		Message:   "The end of the line period (BT-135) must not be before its start (BT-134).",
		MessageDE: "Das Ende des Positionszeitraums (BT-135) darf nicht vor seinem Beginn (BT-134) liegen."},
	{ID: "BR-29", Flag: Fatal, Context: ciiModelPeriod, Test: brPeriodCII,
		Message:   "The end of the invoicing period (BT-74) must not be before its start (BT-73).",
		MessageDE: "Das Ende des Abrechnungszeitraums (BT-74) darf nicht vor seinem Beginn (BT-73) liegen."},
	{ID: "BR-54", Flag: Fatal, Context: ciiModelCharacteristic,
		Test:      func(n *Node) bool { return n.Has("ram:Description") && n.Has("ram:Value") },
		Message:   "An item attribute (BG-32) needs a name (BT-160) and a value (BT-161).",
		MessageDE: "Ein Artikelattribut (BG-32) braucht Name (BT-160) und Wert (BT-161)."},
	{ID: "BR-17", Flag: Fatal, Context: ciiModelPayee,
		Test: func(n *Node) bool {
			if !n.Has("ram:Name") {
				return false
			}
			const s = "../../ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
			return !xrAnyIn(n.Strs("ram:Name"), n.Strs(s+"ram:Name")) && !xrAnyIn(n.Strs("ram:ID"), n.Strs(s+"ram:ID")) &&
				!xrAnyIn(n.Strs("ram:SpecifiedLegalOrganization/ram:ID"), n.Strs(s+"ram:SpecifiedLegalOrganization/ram:ID"))
		},
		Message:   "A payee (BG-10) needs a name (BT-59) and must differ from the seller.",
		MessageDE: "Ein Zahlungsempfänger (BG-10) braucht einen Namen (BT-59) und muss sich vom Verkäufer unterscheiden."},
	brExists("BR-49", ciiModelPaymentMeans, "ram:TypeCode", "Each payment instruction (BG-16) needs its payment means code (BT-81); it", "Jede Zahlungsanweisung (BG-16) braucht den Zahlungsartcode (BT-81); er"),
	brNotBlank("BR-55", ciiModelPrecedingRef, "ram:IssuerAssignedID", "A preceding invoice reference (BG-3) needs the preceding invoice number (BT-25); it", "Eine Referenz auf eine vorausgegangene Rechnung (BG-3) braucht deren Nummer (BT-25); sie"),
	brExists("BR-18", ciiModelTaxRep, "ram:Name", "The seller tax representative name (BT-62)", "Der Name des Steuervertreters (BT-62)"),
	brExists("BR-19", ciiModelTaxRep, "ram:PostalTradeAddress", "The seller tax representative postal address (BG-12)", "Die Anschrift des Steuervertreters (BG-12)"),
	brExists("BR-20", ciiModelTaxRep, "ram:PostalTradeAddress/ram:CountryID", "The seller tax representative country code (BT-69)", "Der Ländercode des Steuervertreters (BT-69)"),
	{ID: "BR-56", Flag: Fatal, Context: ciiModelTaxRep,
		Test: func(n *Node) bool {
			for _, id := range n.All("ram:SpecifiedTaxRegistration/ram:ID") {
				if s, _ := id.Attr("schemeID"); s == "VA" {
					return NormSpace(id.Value()) != ""
				}
			}
			return false
		},
		Message:   "The seller tax representative needs its VAT identifier (BT-63).",
		MessageDE: "Der Steuervertreter braucht seine USt-IdNr. (BT-63)."},
}

// ciiACHasVATCategory is ../ram:CategoryTradeTax[upper-case(ram:TypeCode) = 'VAT']/ram:CategoryCode.
func ciiACHasVATCategory(n *Node) bool {
	for _, t := range n.All("../ram:CategoryTradeTax") {
		if ciiVATType(t) && t.Has("ram:CategoryCode") {
			return true
		}
	}
	return false
}

// ciiEndpointSchemeOK is BR-62/63: the first electronic address of the
// party has a scheme, or the party has none.
func ciiEndpointSchemeOK(n *Node, party string) bool {
	comms := n.All(party + "/ram:URIUniversalCommunication")
	if len(comms) == 0 {
		return true
	}
	// URIUniversalCommunication[1] is the first of each party's.
	for _, c := range comms {
		if c.pos == 1 {
			if NormSpace(c.Str("ram:URIID/@schemeID")) != "" {
				return true
			}
			break
		}
	}
	return false
}

// ciiAllValues returns the values of every element named name anywhere.
func ciiAllValues(n *Node, name string) []string {
	var out []string
	for _, e := range n.Root().Descendants(name) {
		out = append(out, e.Value())
	}
	return out
}

// brCIIHeaderTaxRules are BR-45 … BR-48 on the VAT breakdown of CII.
var brCIIHeaderTaxRules = []Rule{
	brExists("BR-45", ciiModelHeaderTax, "ram:BasisAmount", "Each VAT breakdown (BG-23) needs the taxable amount (BT-116); it", "Jede Umsatzsteueraufschlüsselung (BG-23) braucht die Bemessungsgrundlage (BT-116); sie"),
	brExists("BR-46", ciiModelHeaderTax, "ram:CalculatedAmount", "Each VAT breakdown (BG-23) needs the VAT amount (BT-117); it", "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Steuerbetrag (BT-117); er"),
	{ID: "BR-47", Flag: Fatal, Context: ciiModelHeaderTax,
		Test:      func(n *Node) bool { return ciiVATType(n) && n.Has("ram:CategoryCode") },
		Message:   "Each VAT breakdown (BG-23) needs the VAT category code (BT-118).",
		MessageDE: "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Code der Umsatzsteuerkategorie (BT-118)."},
	{ID: "BR-48", Flag: Fatal, Context: ciiModelHeaderTax,
		Test: func(n *Node) bool {
			return ciiVATType(n) && (n.Has("ram:RateApplicablePercent") || xrIn("O", n.Strs("ram:CategoryCode")))
		},
		Message:   "Each VAT breakdown (BG-23) needs the VAT rate (BT-119), except for category O.",
		MessageDE: "Jede Umsatzsteueraufschlüsselung (BG-23) braucht den Steuersatz (BT-119), außer bei Kategorie O."},
}
