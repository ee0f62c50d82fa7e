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
	ublSyntaxAddress = ruleContext{Pattern: patUBLSyntax, Order: 362, Names: []string{"PostalAddress", "Address"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxSupplierParty = ruleContext{Pattern: patUBLSyntax, Order: 365, Names: []string{"Party"},
		Match: func(n *node) bool { return n.Is("cac:Party") && n.Parent.Is("cac:AccountingSupplierParty") }}
	ublSyntaxDocRef = ruleContext{Pattern: patUBLSyntax, Order: 368, Names: []string{"AdditionalDocumentReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxAmount = ruleContext{Pattern: patUBLSyntax, Order: 372, Match: ublIsCheckedAmount}
	ublSyntaxBinary = ruleContext{Pattern: patUBLSyntax, Order: 375,
		Match: func(n *node) bool { return strings.HasSuffix(n.Local, "BinaryObject") }}
	ublSyntaxDelivery = ruleContext{Pattern: patUBLSyntax, Order: 379, Names: []string{"Delivery"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxAllowance = ruleContext{Pattern: patUBLSyntax, Order: 382, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublChargeIndicatorIs(n, false) }}
	ublSyntaxCharge = ruleContext{Pattern: patUBLSyntax, Order: 385, Names: []string{"AllowanceCharge"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC && ublChargeIndicatorIs(n, true) }}
	ublSyntaxPartyTaxScheme = ruleContext{Pattern: patUBLSyntax, Order: 388, Names: []string{"PartyTaxScheme"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxRoot = ruleContext{Pattern: patUBLSyntax, Order: 391, Names: []string{"Invoice", "CreditNote"}, Match: isUBLRoot}
	ublSyntaxLine = ruleContext{Pattern: patUBLSyntax, Order: 1119, Names: []string{"InvoiceLine", "CreditNoteLine"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxPayee = ruleContext{Pattern: patUBLSyntax, Order: 1128, Names: []string{"PayeeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxPaymentMeans = ruleContext{Pattern: patUBLSyntax, Order: 1133, Names: []string{"PaymentMeans"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxBillingRef = ruleContext{Pattern: patUBLSyntax, Order: 1138, Names: []string{"BillingReference"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxTaxRep = ruleContext{Pattern: patUBLSyntax, Order: 1142, Names: []string{"TaxRepresentativeParty"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCAC }}
	ublSyntaxTaxSubtotal = ruleContext{Pattern: patUBLSyntax, Order: 1146, Names: []string{"TaxSubtotal"},
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

// Paths the helpers below read, compiled once.
var (
	ublPartyTaxScheme           = xp("cac:PartyTaxScheme")
	ublTaxSchemeID              = xp("cac:TaxScheme/cbc:ID")
	ublCompanyID                = xp("cbc:CompanyID")
	ublSupplierParty            = xp("cac:AccountingSupplierParty/cac:Party")
	ublCustomerParty            = xp("cac:AccountingCustomerParty/cac:Party")
	ublChargeIndicator          = xp("cbc:ChargeIndicator")
	ublPartyName                = xp("cac:PartyName/cbc:Name")
	ublSupplierRegistrationName = xp("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")
)

// ublChargeIndicatorIs is cbc:ChargeIndicator = true()/false(): some
// indicator whose value casts to the boolean.
func ublChargeIndicatorIs(n *node, want bool) bool {
	for _, s := range ublChargeIndicator.Strs(n) {
		if v, ok := xmltree.Bool(s); ok && v == want {
			return true
		}
	}
	return false
}

// ublMaxOnce is "path occurs at most once".
func ublMaxOnce(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return len(p.All(n)) <= 1 }
}

// ublNoAttr is "no attribute of this name anywhere".
func ublNoAttr(attr string) func(n *node) bool {
	return func(n *node) bool { return ublCountAttr(n, attr, "") == 0 }
}

var ublAttrCountsKey xmltree.MemoKey[map[string]int]

// ublCountAttr counts the attributes named attr (no namespace) in the whole
// document, leaving out those on elements named except. The counts are
// made in one walk per document.
func ublCountAttr(n *node, attr, except string) int {
	counts := xmltree.Memo(n, &ublAttrCountsKey, func() map[string]int {
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
	})
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
	for _, pts := range ublPartyTaxScheme.All(party) {
		match := false
		for _, id := range ublTaxSchemeID.Strs(pts) {
			if (strings.ToUpper(id) == "VAT") == vat {
				match = true
			}
		}
		if match {
			count += ublCompanyID.Count(pts)
		}
	}
	return count
}

// ublPayeeDiffers is (cac:PartyName/cbc:Name) != (seller's RegistrationName):
// some payee name differs from some seller name.
func ublPayeeDiffers(n *node) bool {
	for _, a := range ublPartyName.Strs(n) {
		// ../cac:AccountingSupplierParty/…, from the parent.
		for _, b := range ublSupplierRegistrationName.Strs(n.Parent) {
			if a != b {
				return true
			}
		}
	}
	return false
}

func ublSRRules() []rule {
	return []rule{
		{ID: "UBL-SR-51", Context: ublSyntaxAddress,
			Test: func(n *node) bool { return len(n.All("cac:AddressLine")) <= 1 }},
		{ID: "UBL-SR-42", Context: ublSyntaxSupplierParty,
			Test: func(n *node) bool { return len(n.All("cac:PartyTaxScheme")) <= 2 }},
		{ID: "UBL-SR-33", Context: ublSyntaxDocRef, Test: ublMaxOnce("cbc:DocumentDescription")},
		{ID: "UBL-SR-43", Context: ublSyntaxDocRef,
			Test: func(n *node) bool {
				codes := n.Strs("cbc:DocumentTypeCode")
				for _, c := range codes {
					if c == "130" || c == "50" && n.Root().Local == "CreditNote" {
						return true
					}
				}
				return !n.Has("cbc:ID/@schemeID") && len(codes) == 0
			}},
		{ID: "UBL-DT-01", Context: ublSyntaxAmount,
			Test: func(n *node) bool {
				v := n.Value()
				i := strings.IndexByte(v, '.')
				return i < 0 || utf8.RuneCountInString(v[i+1:]) <= 2
			}},
		{ID: "UBL-DT-06", Context: ublSyntaxBinary,
			Test: hasAttr("mimeCode")},
		{ID: "UBL-DT-07", Context: ublSyntaxBinary,
			Test: hasAttr("filename")},
		{ID: "UBL-SR-25", Context: ublSyntaxDelivery, Test: ublMaxOnce("cac:DeliveryParty/cac:PartyName/cbc:Name")},
		{ID: "UBL-SR-30", Context: ublSyntaxAllowance, Test: ublMaxOnce("cbc:AllowanceChargeReason")},
		{ID: "UBL-SR-31", Context: ublSyntaxCharge, Test: ublMaxOnce("cbc:AllowanceChargeReason")},
		{ID: "UBL-SR-53", Context: ublSyntaxPartyTaxScheme,
			Test: func(n *node) bool { return n.Has("cac:TaxScheme/cbc:ID") && n.Has("cbc:CompanyID") }},

		{ID: "UBL-DT-08", Context: ublSyntaxRoot, Test: ublNoAttr("schemeName")},
		{ID: "UBL-DT-09", Context: ublSyntaxRoot, Test: ublNoAttr("schemeAgencyName")},
		{ID: "UBL-DT-10", Context: ublSyntaxRoot, Test: ublNoAttr("schemeDataURI")},
		{ID: "UBL-DT-11", Context: ublSyntaxRoot, Test: ublNoAttr("schemeURI")},
		{ID: "UBL-DT-12", Context: ublSyntaxRoot, Test: ublNoAttr("format")},
		{ID: "UBL-DT-13", Context: ublSyntaxRoot, Test: ublNoAttr("unitCodeListIdentifier")},
		{ID: "UBL-DT-14", Context: ublSyntaxRoot, Test: ublNoAttr("unitCodeListAgencyIdentifier")},
		{ID: "UBL-DT-15", Context: ublSyntaxRoot, Test: ublNoAttr("unitCodeListAgencyName")},
		{ID: "UBL-DT-16", Context: ublSyntaxRoot, Test: ublNoAttr("listAgencyName")},
		{ID: "UBL-DT-17", Context: ublSyntaxRoot, Test: ublNoAttr("listName")},
		{ID: "UBL-DT-18", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublCountAttr(n, "name", "cbc:PaymentMeansCode") == 0 }},
		{ID: "UBL-DT-19", Context: ublSyntaxRoot, Test: ublNoAttr("languageID")},
		{ID: "UBL-DT-20", Context: ublSyntaxRoot, Test: ublNoAttr("listURI")},
		{ID: "UBL-DT-21", Context: ublSyntaxRoot, Test: ublNoAttr("listSchemeURI")},
		{ID: "UBL-DT-22", Context: ublSyntaxRoot, Test: ublNoAttr("languageLocaleID")},
		{ID: "UBL-DT-23", Context: ublSyntaxRoot, Test: ublNoAttr("uri")},
		{ID: "UBL-DT-24", Context: ublSyntaxRoot, Test: ublNoAttr("currencyCodeListVersionID")},
		{ID: "UBL-DT-25", Context: ublSyntaxRoot, Test: ublNoAttr("characterSetCode")},
		{ID: "UBL-DT-26", Context: ublSyntaxRoot, Test: ublNoAttr("encodingCode")},
		{ID: "UBL-DT-27", Context: ublSyntaxRoot, Test: ublNoAttr("schemeAgencyID")},
		{ID: "UBL-DT-28", Context: ublSyntaxRoot, Test: ublNoAttr("listAgencyID")},

		{ID: "UBL-SR-01", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:ContractDocumentReference/cbc:ID")},
		{ID: "UBL-SR-02", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:ReceiptDocumentReference/cbc:ID")},
		{ID: "UBL-SR-03", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:DespatchDocumentReference/cbc:ID")},
		{ID: "UBL-SR-04", Context: ublSyntaxRoot,
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
			}},
		{ID: "UBL-SR-05", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:PaymentTerms/cbc:Note")},
		{ID: "UBL-SR-08", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:InvoicePeriod")},
		{ID: "UBL-SR-09", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")},
		{ID: "UBL-SR-10", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name")},
		{ID: "UBL-SR-11", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")},
		{ID: "UBL-SR-12", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublSumParties(n, ublSupplierParty, true) <= 1 }},
		{ID: "UBL-SR-13", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublSumParties(n, ublSupplierParty, false) <= 1 }},
		{ID: "UBL-SR-14", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm")},
		{ID: "UBL-SR-15", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName")},
		{ID: "UBL-SR-16", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID")},
		{ID: "UBL-SR-17", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")},
		{ID: "UBL-SR-18", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublSumParties(n, ublCustomerParty, true) <= 1 }},
		{ID: "UBL-SR-24", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:Delivery")},
		{ID: "UBL-SR-29", Context: ublSyntaxRoot,
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
			}},
		{ID: "UBL-SR-39", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:ProjectReference/cbc:ID")},
		{ID: "UBL-SR-40", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name")},
		{ID: "UBL-SR-44", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublDistinct(n, "cbc:PaymentID") <= 1 }},
		{ID: "UBL-SR-45", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:PaymentMeans/cbc:PaymentDueDate")},
		{ID: "UBL-SR-46", Context: ublSyntaxRoot,
			Test: func(n *node) bool {
				count := 0
				for _, c := range n.All("cac:PaymentMeans/cbc:PaymentMeansCode") {
					if c.HasAttr("name") {
						count++
					}
				}
				return count <= 1
			}},
		{ID: "UBL-SR-47", Context: ublSyntaxRoot,
			Test: func(n *node) bool { return ublDistinct(n, "cbc:PaymentMeansCode") <= 1 }},
		{ID: "UBL-SR-49", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:InvoicePeriod/cbc:DescriptionCode")},
		{ID: "UBL-SR-54", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:PaymentMeans/cac:CardAccount")},
		{ID: "UBL-SR-55", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:PaymentMeans/cac:PaymentMandate")},

		{ID: "UBL-SR-34", Context: ublSyntaxLine, Test: ublMaxOnce("cbc:Note")},
		{ID: "UBL-SR-35", Context: ublSyntaxLine, Test: ublMaxOnce("cac:OrderLineReference/cbc:LineID")},
		{ID: "UBL-SR-36", Context: ublSyntaxLine, Test: ublMaxOnce("cac:InvoicePeriod")},
		{ID: "UBL-SR-37", Context: ublSyntaxLine, Test: ublMaxOnce("cac:Price/cac:AllowanceCharge/cbc:Amount")},
		{ID: "UBL-SR-48", Context: ublSyntaxLine,
			Test: func(n *node) bool { return len(n.All("cac:Item/cac:ClassifiedTaxCategory")) == 1 }},
		{ID: "UBL-SR-50", Context: ublSyntaxLine, Test: ublMaxOnce("cac:Item/cbc:Description")},
		{ID: "UBL-SR-52", Context: ublSyntaxLine, Test: ublMaxOnce("cac:DocumentReference")},

		{ID: "UBL-SR-19", Context: ublSyntaxPayee,
			Test: func(n *node) bool { return len(n.All("cac:PartyName/cbc:Name")) <= 1 && ublPayeeDiffers(n) }},
		{ID: "UBL-SR-20", Context: ublSyntaxPayee,
			Test: func(n *node) bool {
				count := 0
				for _, id := range n.All("cac:PartyIdentification/cbc:ID") {
					if s, _ := id.Attr("schemeID"); strings.ToUpper(s) != "SEPA" {
						count++
					}
				}
				return count <= 1 && ublPayeeDiffers(n)
			}},
		{ID: "UBL-SR-21", Context: ublSyntaxPayee,
			Test: func(n *node) bool { return len(n.All("cac:PartyLegalEntity/cbc:CompanyID")) <= 1 && ublPayeeDiffers(n) }},

		{ID: "UBL-SR-26", Context: ublSyntaxPaymentMeans, Test: ublMaxOnce("cbc:PaymentID")},
		{ID: "UBL-SR-27", Context: ublSyntaxPaymentMeans, Test: ublMaxOnce("cbc:PaymentMeansCode")},
		{ID: "UBL-SR-28", Context: ublSyntaxPaymentMeans, Test: ublMaxOnce("cac:PaymentMandate/cbc:ID")},

		{ID: "UBL-SR-06", Context: ublSyntaxBillingRef, Test: ublMaxOnce("cac:InvoiceDocumentReference")},
		{ID: "UBL-SR-07", Context: ublSyntaxBillingRef,
			Test: func(n *node) bool { return n.Has("cac:InvoiceDocumentReference/cbc:ID") }},

		{ID: "UBL-SR-22", Context: ublSyntaxTaxRep, Test: ublMaxOnce("cac:PartyName/cbc:Name")},
		{ID: "UBL-SR-23", Context: ublSyntaxTaxRep, Test: ublMaxOnce("cac:Party/cac:PartyTaxScheme/cbc:CompanyID")},

		{ID: "UBL-SR-32", Context: ublSyntaxTaxSubtotal, Test: ublMaxOnce("cac:TaxCategory/cbc:TaxExemptionReason")},
	}
}

// ublSumParties counts the tax CompanyIDs (VAT or other) over all parties
// the path selects.
func ublSumParties(n *node, path *xmltree.Path, vat bool) int {
	total := 0
	for _, p := range path.All(n) {
		total += ublTaxCompanyIDs(p, vat)
	}
	return total
}
