package invoice

import (
	"strings"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// UBL syntax rules of EN 16931 (pattern UBL-syntax): cardinalities UBL
// allows but EN 16931 does not (UBL-SR) and data type restrictions (UBL-DT).
// Orders are the line numbers of the rule contexts in the 1.3.15
// preprocessed UBL Schematron.

var (
	ublSyntaxAddress = Context{Pattern: UBLSyntax, Order: 362, Names: []string{"PostalAddress", "Address"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxSupplierParty = Context{Pattern: UBLSyntax, Order: 365, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingSupplierParty") }}
	ublSyntaxDocRef = Context{Pattern: UBLSyntax, Order: 368, Names: []string{"AdditionalDocumentReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxAmount = Context{Pattern: UBLSyntax, Order: 372, Match: ublIsCheckedAmount}
	ublSyntaxBinary = Context{Pattern: UBLSyntax, Order: 375,
		Match: func(n *node) bool { return strings.HasSuffix(n.Local, "BinaryObject") }}
	ublSyntaxDelivery = Context{Pattern: UBLSyntax, Order: 379, Names: []string{"Delivery"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxAllowance = Context{Pattern: UBLSyntax, Order: 382, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublChargeIndicatorIs(n, false) }}
	ublSyntaxCharge = Context{Pattern: UBLSyntax, Order: 385, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublChargeIndicatorIs(n, true) }}
	ublSyntaxPartyTaxScheme = Context{Pattern: UBLSyntax, Order: 388, Names: []string{"PartyTaxScheme"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxRoot = Context{Pattern: UBLSyntax, Order: 391, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	ublSyntaxLine = Context{Pattern: UBLSyntax, Order: 1119, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxPayee = Context{Pattern: UBLSyntax, Order: 1128, Names: []string{"PayeeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxPaymentMeans = Context{Pattern: UBLSyntax, Order: 1133, Names: []string{"PaymentMeans"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxBillingRef = Context{Pattern: UBLSyntax, Order: 1138, Names: []string{"BillingReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxTaxRep = Context{Pattern: UBLSyntax, Order: 1142, Names: []string{"TaxRepresentativeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxTaxSubtotal = Context{Pattern: UBLSyntax, Order: 1146, Names: []string{"TaxSubtotal"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
)

// ublIsCheckedAmount matches elements whose name ends in Amount but not in
// PriceAmount, outside a price that carries an allowance.
func ublIsCheckedAmount(n *node) bool {
	if !strings.HasSuffix(n.Local, "Amount") || strings.HasSuffix(n.Local, "PriceAmount") {
		return false
	}
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Is("cac:Price") && p.Has("cac:AllowanceCharge") {
			return false
		}
	}
	return true
}

// ublChargeIndicatorIs is cbc:ChargeIndicator = true()/false(): some
// indicator whose value casts to the boolean.
func ublChargeIndicatorIs(n *node, want bool) bool {
	for _, s := range n.Strs("cbc:ChargeIndicator") {
		if v, ok := xmltree.Bool(s); ok && v == want {
			return true
		}
	}
	return false
}

// ublMaxOnce builds a "path occurs at most once" rule.
func ublMaxOnce(id string, ctx Context, path, en, de string) Rule {
	return Rule{ID: id, Flag: Fatal, Context: ctx,
		Test:    func(n *node) bool { return len(n.All(path)) <= 1 },
		Message: en + " may occur at most once.", MessageDE: de + " darf höchstens einmal vorkommen."}
}

// ublNoAttr builds a "no attribute of this name anywhere" warning.
func ublNoAttr(id, attr string) Rule {
	return Rule{ID: id, Flag: Warning, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublCountAttr(n, attr, "") == 0 },
		Message:   "The attribute " + attr + " should not be used (EN 16931 does not carry it); remove it.",
		MessageDE: "Das Attribut " + attr + " sollte nicht verwendet werden (EN 16931 kennt es nicht); bitte entfernen."}
}

// ublCountAttr counts the attributes named attr (no namespace) in the whole
// document, leaving out those on elements named except. The counts are
// made in one walk per document.
func ublCountAttr(n *node, attr, except string) int {
	counts := n.Memo("ubl.attrCounts", func() any {
		m := map[string]int{}
		var walk func(e *node)
		walk = func(e *node) {
			for _, a := range e.Attrs {
				if a.Space == "" {
					m[a.Local]++
					if a.Local == "name" && e.Is("cbc:PaymentMeansCode") {
						m["name@cbc:PaymentMeansCode"]++
					}
				}
			}
			for _, c := range e.Children {
				walk(c)
			}
		}
		walk(n.Root())
		return m
	}).(map[string]int)
	if except != "" {
		return counts[attr] - counts[attr+"@"+except]
	}
	return counts[attr]
}

// ublDistinct counts the distinct string values of the elements named name
// anywhere in the document.
func ublDistinct(n *node, name string) int {
	seen := map[string]bool{}
	for _, e := range n.Root().Descendants(name) {
		seen[e.Value()] = true
	}
	return len(seen)
}

// ublTaxCompanyIDs counts the PartyTaxScheme/CompanyID elements of party
// whose scheme's upper-cased ID is VAT (vat) or is not (!vat).
func ublTaxCompanyIDs(party *node, vat bool) int {
	count := 0
	for _, pts := range party.All("cac:PartyTaxScheme") {
		match := false
		for _, id := range pts.Strs("cac:TaxScheme/cbc:ID") {
			if (strings.ToUpper(id) == "VAT") == vat {
				match = true
			}
		}
		if match {
			count += len(pts.All("cbc:CompanyID"))
		}
	}
	return count
}

// ublPayeeDiffers is (cac:PartyName/cbc:Name) != (seller's RegistrationName):
// some payee name differs from some seller name.
func ublPayeeDiffers(n *node) bool {
	for _, a := range n.Strs("cac:PartyName/cbc:Name") {
		for _, b := range n.Strs("../cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName") {
			if a != b {
				return true
			}
		}
	}
	return false
}

var ublSRRules = []Rule{
	{ID: "UBL-SR-51", Flag: Fatal, Context: ublSyntaxAddress,
		Test:      func(n *node) bool { return len(n.All("cac:AddressLine")) <= 1 },
		Message:   "An address may have only one third address line (cac:AddressLine).",
		MessageDE: "Eine Anschrift darf nur eine dritte Adresszeile (cac:AddressLine) haben."},
	{ID: "UBL-SR-42", Flag: Fatal, Context: ublSyntaxSupplierParty,
		Test:      func(n *node) bool { return len(n.All("cac:PartyTaxScheme")) <= 2 },
		Message:   "The seller may have at most two party tax schemes (VAT identifier and tax registration).",
		MessageDE: "Der Verkäufer darf höchstens zwei PartyTaxScheme-Angaben haben (USt-IdNr. und Steuernummer)."},
	ublMaxOnce("UBL-SR-33", ublSyntaxDocRef, "cbc:DocumentDescription", "The supporting document description (BT-123)", "Die Beschreibung der rechnungsbegründenden Unterlage (BT-123)"),
	{ID: "UBL-SR-43", Flag: Fatal, Context: ublSyntaxDocRef,
		Test: func(n *node) bool {
			codes := n.Strs("cbc:DocumentTypeCode")
			for _, c := range codes {
				if c == "130" || c == "50" && n.Root().Local == "CreditNote" {
					return true
				}
			}
			return !n.Has("cbc:ID/@schemeID") && len(codes) == 0
		},
		Message:   "A scheme identifier (@schemeID) on a document reference is only allowed for the invoiced object (document type code 130, or 50 in a credit note).",
		MessageDE: "Eine Schema-Kennung (@schemeID) an einer Dokumentreferenz ist nur für das Rechnungsobjekt (Dokumentart 130, in Gutschriften 50) erlaubt."},
	{ID: "UBL-DT-01", Flag: Fatal, Context: ublSyntaxAmount,
		Test: func(n *node) bool {
			v := n.Value()
			i := strings.IndexByte(v, '.')
			return i < 0 || utf8.RuneCountInString(v[i+1:]) <= 2
		},
		Message:   "Amounts may have at most two decimal places.",
		MessageDE: "Beträge dürfen höchstens zwei Nachkommastellen haben."},
	{ID: "UBL-DT-06", Flag: Fatal, Context: ublSyntaxBinary,
		Test:      func(n *node) bool { return n.HasAttr("mimeCode") },
		Message:   "An attached binary object needs its MIME code (@mimeCode).",
		MessageDE: "Ein eingebettetes Binärobjekt braucht seinen MIME-Code (@mimeCode)."},
	{ID: "UBL-DT-07", Flag: Fatal, Context: ublSyntaxBinary,
		Test:      func(n *node) bool { return n.HasAttr("filename") },
		Message:   "An attached binary object needs its file name (@filename).",
		MessageDE: "Ein eingebettetes Binärobjekt braucht seinen Dateinamen (@filename)."},
	ublMaxOnce("UBL-SR-25", ublSyntaxDelivery, "cac:DeliveryParty/cac:PartyName/cbc:Name", "The deliver-to party name (BT-70)", "Der Name des Empfängers der Lieferung (BT-70)"),
	ublMaxOnce("UBL-SR-30", ublSyntaxAllowance, "cbc:AllowanceChargeReason", "The allowance reason (BT-97/BT-139)", "Der Grund des Nachlasses (BT-97/BT-139)"),
	ublMaxOnce("UBL-SR-31", ublSyntaxCharge, "cbc:AllowanceChargeReason", "The charge reason (BT-104/BT-144)", "Der Grund des Zuschlags (BT-104/BT-144)"),
	{ID: "UBL-SR-53", Flag: Fatal, Context: ublSyntaxPartyTaxScheme,
		Test:      func(n *node) bool { return n.Has("cac:TaxScheme/cbc:ID") && n.Has("cbc:CompanyID") },
		Message:   "A party tax scheme needs both the tax scheme (cac:TaxScheme/cbc:ID) and the identifier (cbc:CompanyID, e.g. the VAT identifier).",
		MessageDE: "Eine PartyTaxScheme-Angabe braucht sowohl das Steuerschema (cac:TaxScheme/cbc:ID) als auch die Kennung (cbc:CompanyID, z. B. die USt-IdNr.)."},

	ublNoAttr("UBL-DT-08", "schemeName"),
	ublNoAttr("UBL-DT-09", "schemeAgencyName"),
	ublNoAttr("UBL-DT-10", "schemeDataURI"),
	ublNoAttr("UBL-DT-11", "schemeURI"),
	ublNoAttr("UBL-DT-12", "format"),
	ublNoAttr("UBL-DT-13", "unitCodeListIdentifier"),
	ublNoAttr("UBL-DT-14", "unitCodeListAgencyIdentifier"),
	ublNoAttr("UBL-DT-15", "unitCodeListAgencyName"),
	ublNoAttr("UBL-DT-16", "listAgencyName"),
	ublNoAttr("UBL-DT-17", "listName"),
	{ID: "UBL-DT-18", Flag: Warning, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublCountAttr(n, "name", "cbc:PaymentMeansCode") == 0 },
		Message:   "The attribute name should only be used on the payment means code (BT-82); remove it elsewhere.",
		MessageDE: "Das Attribut name sollte nur am Zahlungsartcode (BT-82) stehen; bitte anderswo entfernen."},
	ublNoAttr("UBL-DT-19", "languageID"),
	ublNoAttr("UBL-DT-20", "listURI"),
	ublNoAttr("UBL-DT-21", "listSchemeURI"),
	ublNoAttr("UBL-DT-22", "languageLocaleID"),
	ublNoAttr("UBL-DT-23", "uri"),
	ublNoAttr("UBL-DT-24", "currencyCodeListVersionID"),
	ublNoAttr("UBL-DT-25", "characterSetCode"),
	ublNoAttr("UBL-DT-26", "encodingCode"),
	ublNoAttr("UBL-DT-27", "schemeAgencyID"),
	ublNoAttr("UBL-DT-28", "listAgencyID"),

	ublMaxOnce("UBL-SR-01", ublSyntaxRoot, "cac:ContractDocumentReference/cbc:ID", "The contract reference (BT-12)", "Die Vertragsnummer (BT-12)"),
	ublMaxOnce("UBL-SR-02", ublSyntaxRoot, "cac:ReceiptDocumentReference/cbc:ID", "The receiving advice reference (BT-15)", "Die Referenz auf die Wareneingangsmeldung (BT-15)"),
	ublMaxOnce("UBL-SR-03", ublSyntaxRoot, "cac:DespatchDocumentReference/cbc:ID", "The despatch advice reference (BT-16)", "Die Referenz auf das Lieferavis (BT-16)"),
	{ID: "UBL-SR-04", Flag: Fatal, Context: ublSyntaxRoot,
		Test: func(n *node) bool {
			count := 0
			for _, r := range n.All("cac:AdditionalDocumentReference") {
				for _, c := range r.Strs("cbc:DocumentTypeCode") {
					if c == "130" {
						count += len(r.All("cbc:ID"))
						break
					}
				}
			}
			return count <= 1
		},
		Message:   "The invoiced object identifier (BT-18) may occur at most once.",
		MessageDE: "Die Kennung des Rechnungsobjekts (BT-18) darf höchstens einmal vorkommen."},
	ublMaxOnce("UBL-SR-05", ublSyntaxRoot, "cac:PaymentTerms/cbc:Note", "The payment terms (BT-20)", "Die Zahlungsbedingungen (BT-20)"),
	ublMaxOnce("UBL-SR-08", ublSyntaxRoot, "cac:InvoicePeriod", "The invoicing period (BG-14)", "Der Abrechnungszeitraum (BG-14)"),
	ublMaxOnce("UBL-SR-09", ublSyntaxRoot, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "The seller name (BT-27)", "Der Name des Verkäufers (BT-27)"),
	ublMaxOnce("UBL-SR-10", ublSyntaxRoot, "cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name", "The seller trading name (BT-28)", "Der Handelsname des Verkäufers (BT-28)"),
	ublMaxOnce("UBL-SR-11", ublSyntaxRoot, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", "The seller legal registration identifier (BT-30)", "Die Registernummer des Verkäufers (BT-30)"),
	{ID: "UBL-SR-12", Flag: Fatal, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublSumParties(n, "cac:AccountingSupplierParty/cac:Party", true) <= 1 },
		Message:   "The seller VAT identifier (BT-31) may occur at most once.",
		MessageDE: "Die USt-IdNr. des Verkäufers (BT-31) darf höchstens einmal vorkommen."},
	{ID: "UBL-SR-13", Flag: Fatal, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublSumParties(n, "cac:AccountingSupplierParty/cac:Party", false) <= 1 },
		Message:   "The seller tax registration identifier (BT-32) may occur at most once.",
		MessageDE: "Die Steuernummer des Verkäufers (BT-32) darf höchstens einmal vorkommen."},
	ublMaxOnce("UBL-SR-14", ublSyntaxRoot, "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm", "The seller additional legal information (BT-33)", "Die weiteren rechtlichen Informationen zum Verkäufer (BT-33)"),
	ublMaxOnce("UBL-SR-15", ublSyntaxRoot, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", "The buyer name (BT-44)", "Der Name des Käufers (BT-44)"),
	ublMaxOnce("UBL-SR-16", ublSyntaxRoot, "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", "The buyer identifier (BT-46)", "Die Kennung des Käufers (BT-46)"),
	ublMaxOnce("UBL-SR-17", ublSyntaxRoot, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", "The buyer legal registration identifier (BT-47)", "Die Registernummer des Käufers (BT-47)"),
	{ID: "UBL-SR-18", Flag: Fatal, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublSumParties(n, "cac:AccountingCustomerParty/cac:Party", true) <= 1 },
		Message:   "The buyer VAT identifier (BT-48) may occur at most once.",
		MessageDE: "Die USt-IdNr. des Käufers (BT-48) darf höchstens einmal vorkommen."},
	ublMaxOnce("UBL-SR-24", ublSyntaxRoot, "cac:Delivery", "The delivery information (BG-13)", "Die Lieferinformationen (BG-13)"),
	{ID: "UBL-SR-29", Flag: Fatal, Context: ublSyntaxRoot,
		Test: func(n *node) bool {
			count := 0
			for _, id := range n.Root().Descendants("cbc:ID") {
				if id.Parent.Is("cac:PartyIdentification") {
					if s, _ := id.Attr("schemeID"); strings.ToUpper(s) == "SEPA" {
						count++
					}
				}
			}
			return count <= 1
		},
		Message:   "The bank assigned creditor identifier (BT-90, scheme SEPA) may occur at most once.",
		MessageDE: "Die Gläubiger-Identifikationsnummer (BT-90, Schema SEPA) darf höchstens einmal vorkommen."},
	ublMaxOnce("UBL-SR-39", ublSyntaxRoot, "cac:ProjectReference/cbc:ID", "The project reference (BT-11)", "Die Projektreferenz (BT-11)"),
	ublMaxOnce("UBL-SR-40", ublSyntaxRoot, "cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", "The buyer trading name (BT-45)", "Der Handelsname des Käufers (BT-45)"),
	{ID: "UBL-SR-44", Flag: Fatal, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublDistinct(n, "cbc:PaymentID") <= 1 },
		Message:   "An invoice may have only one remittance information (BT-83) value; the same value may repeat over several payment means.",
		MessageDE: "Eine Rechnung darf nur einen Verwendungszweck (BT-83) haben; derselbe Wert darf in mehreren Zahlungsarten wiederkehren."},
	ublMaxOnce("UBL-SR-45", ublSyntaxRoot, "cac:PaymentMeans/cbc:PaymentDueDate", "The payment due date (BT-9) in the payment means", "Das Fälligkeitsdatum (BT-9) in den Zahlungsarten"),
	{ID: "UBL-SR-46", Flag: Fatal, Context: ublSyntaxRoot,
		Test: func(n *node) bool {
			count := 0
			for _, c := range n.All("cac:PaymentMeans/cbc:PaymentMeansCode") {
				if c.HasAttr("name") {
					count++
				}
			}
			return count <= 1
		},
		Message:   "The payment means text (BT-82) may occur at most once.",
		MessageDE: "Der Text zur Zahlungsart (BT-82) darf höchstens einmal vorkommen."},
	{ID: "UBL-SR-47", Flag: Fatal, Context: ublSyntaxRoot,
		Test:      func(n *node) bool { return ublDistinct(n, "cbc:PaymentMeansCode") <= 1 },
		Message:   "Where there are several payment means, their payment means codes (BT-81) must be equal.",
		MessageDE: "Bei mehreren Zahlungsarten müssen ihre Zahlungsartcodes (BT-81) gleich sein."},
	ublMaxOnce("UBL-SR-49", ublSyntaxRoot, "cac:InvoicePeriod/cbc:DescriptionCode", "The value added tax point date code (BT-8)", "Der Code für das Datum der Steuerfälligkeit (BT-8)"),
	ublMaxOnce("UBL-SR-54", ublSyntaxRoot, "cac:PaymentMeans/cac:CardAccount", "The payment card information (BG-18)", "Die Zahlungskarteninformation (BG-18)"),
	ublMaxOnce("UBL-SR-55", ublSyntaxRoot, "cac:PaymentMeans/cac:PaymentMandate", "The direct debit mandate (BG-19)", "Das Lastschriftmandat (BG-19)"),

	ublMaxOnce("UBL-SR-34", ublSyntaxLine, "cbc:Note", "The invoice line note (BT-127)", "Die Positionsnotiz (BT-127)"),
	ublMaxOnce("UBL-SR-35", ublSyntaxLine, "cac:OrderLineReference/cbc:LineID", "The referenced purchase order line (BT-132)", "Die referenzierte Bestellposition (BT-132)"),
	ublMaxOnce("UBL-SR-36", ublSyntaxLine, "cac:InvoicePeriod", "The invoice line period (BG-26)", "Der Abrechnungszeitraum der Position (BG-26)"),
	ublMaxOnce("UBL-SR-37", ublSyntaxLine, "cac:Price/cac:AllowanceCharge/cbc:Amount", "The item price discount (BT-147)", "Der Rabatt auf den Artikelpreis (BT-147)"),
	{ID: "UBL-SR-48", Flag: Fatal, Context: ublSyntaxLine,
		Test:      func(n *node) bool { return len(n.All("cac:Item/cac:ClassifiedTaxCategory")) == 1 },
		Message:   "Each invoice line must have exactly one VAT category of the invoiced item (cac:Item/cac:ClassifiedTaxCategory, BG-30).",
		MessageDE: "Jede Rechnungsposition muss genau eine Umsatzsteuerkategorie des Artikels haben (cac:Item/cac:ClassifiedTaxCategory, BG-30)."},
	ublMaxOnce("UBL-SR-50", ublSyntaxLine, "cac:Item/cbc:Description", "The item description (BT-154)", "Die Artikelbeschreibung (BT-154)"),
	ublMaxOnce("UBL-SR-52", ublSyntaxLine, "cac:DocumentReference", "The line document reference", "Die Dokumentreferenz der Position"),

	{ID: "UBL-SR-19", Flag: Fatal, Context: ublSyntaxPayee,
		Test:      func(n *node) bool { return len(n.All("cac:PartyName/cbc:Name")) <= 1 && ublPayeeDiffers(n) },
		Message:   "The payee (BG-10) must have one name (BT-59), and only when the payee differs from the seller.",
		MessageDE: "Der Zahlungsempfänger (BG-10) muss genau einen Namen (BT-59) haben, und nur wenn er nicht der Verkäufer ist."},
	{ID: "UBL-SR-20", Flag: Fatal, Context: ublSyntaxPayee,
		Test: func(n *node) bool {
			count := 0
			for _, id := range n.All("cac:PartyIdentification/cbc:ID") {
				if s, _ := id.Attr("schemeID"); strings.ToUpper(s) != "SEPA" {
					count++
				}
			}
			return count <= 1 && ublPayeeDiffers(n)
		},
		Message:   "The payee identifier (BT-60) may occur at most once, and only when the payee differs from the seller.",
		MessageDE: "Die Kennung des Zahlungsempfängers (BT-60) darf höchstens einmal vorkommen, und nur wenn er nicht der Verkäufer ist."},
	{ID: "UBL-SR-21", Flag: Fatal, Context: ublSyntaxPayee,
		Test:      func(n *node) bool { return len(n.All("cac:PartyLegalEntity/cbc:CompanyID")) <= 1 && ublPayeeDiffers(n) },
		Message:   "The payee legal registration identifier (BT-61) may occur at most once, and only when the payee differs from the seller.",
		MessageDE: "Die Registernummer des Zahlungsempfängers (BT-61) darf höchstens einmal vorkommen, und nur wenn er nicht der Verkäufer ist."},

	ublMaxOnce("UBL-SR-26", ublSyntaxPaymentMeans, "cbc:PaymentID", "The remittance information (BT-83)", "Der Verwendungszweck (BT-83)"),
	ublMaxOnce("UBL-SR-27", ublSyntaxPaymentMeans, "cbc:PaymentMeansCode", "The payment means code (BT-81)", "Der Zahlungsartcode (BT-81)"),
	ublMaxOnce("UBL-SR-28", ublSyntaxPaymentMeans, "cac:PaymentMandate/cbc:ID", "The mandate reference (BT-89)", "Die Mandatsreferenz (BT-89)"),

	ublMaxOnce("UBL-SR-06", ublSyntaxBillingRef, "cac:InvoiceDocumentReference", "The preceding invoice reference (BG-3) per billing reference", "Die Referenz auf eine vorausgegangene Rechnung (BG-3) je BillingReference"),
	{ID: "UBL-SR-07", Flag: Fatal, Context: ublSyntaxBillingRef,
		Test:      func(n *node) bool { return n.Has("cac:InvoiceDocumentReference/cbc:ID") },
		Message:   "A preceding invoice reference (BG-3) needs the preceding invoice number (BT-25).",
		MessageDE: "Eine Referenz auf eine vorausgegangene Rechnung (BG-3) braucht deren Nummer (BT-25)."},

	ublMaxOnce("UBL-SR-22", ublSyntaxTaxRep, "cac:PartyName/cbc:Name", "The seller tax representative name (BT-62)", "Der Name des Steuervertreters (BT-62)"),
	ublMaxOnce("UBL-SR-23", ublSyntaxTaxRep, "cac:Party/cac:PartyTaxScheme/cbc:CompanyID", "The seller tax representative VAT identifier (BT-63)", "Die USt-IdNr. des Steuervertreters (BT-63)"),

	ublMaxOnce("UBL-SR-32", ublSyntaxTaxSubtotal, "cac:TaxCategory/cbc:TaxExemptionReason", "The VAT exemption reason text (BT-120)", "Der Befreiungsgrund (BT-120)"),
}

// ublSumParties counts the tax CompanyIDs (VAT or other) over all parties
// the path selects.
func ublSumParties(n *node, path string, vat bool) int {
	total := 0
	for _, p := range n.All(path) {
		total += ublTaxCompanyIDs(p, vat)
	}
	return total
}
