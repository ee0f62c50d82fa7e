package invoice

import (
	"fmt"

	"github.com/eingang/eingang/schemas"
)

// Evidence of the syntax rules: UBL-CR and CII-SR/CII-DT restrictions
// (what the document has that EN 16931 does not use), UBL-SR and CII-SR
// counts, UBL-DT data type rules.

// restrictionEvidence explains the restrictions of a table: the elements
// or attributes the path finds below the element the rule fired on.
func restrictionEvidence(m map[string]explainer, table []schemas.Restriction) {
	for _, r := range table {
		path := r.Path
		m[r.ID] = func(n *node) *Evidence {
			fs := allFields(n, path, "")
			if len(fs) == 0 {
				return nil
			}
			if len(fs) > maxTermFields {
				fs = fs[:maxTermFields]
			}
			return &Evidence{Actual: truncate(fs[0].Value), Fields: fs}
		}
	}
}

// countEvidence is the evidence of a rule that allows path at most (or,
// where exactly is set, exactly) max times.
func countEvidence(n *node, path string, max int, exactly bool) *Evidence {
	fs := allFields(n, path, "")
	ev := &Evidence{Actual: fmt.Sprint(len(fs)), numeric: true, Fields: fs}
	if exactly {
		ev.Expected, ev.expectedDE = fmt.Sprintf("exactly %d × %s", max, path), fmt.Sprintf("genau %d × %s", max, path)
	} else {
		ev.Expected, ev.expectedDE = fmt.Sprintf("at most %d × %s", max, path), fmt.Sprintf("höchstens %d × %s", max, path)
	}
	if len(ev.Fields) > maxTermFields {
		ev.Fields = ev.Fields[:maxTermFields]
	}
	return ev
}

// attrEvidence lists the elements of the document that carry the
// attribute name (without namespace).
func attrEvidence(n *node, name string) *Evidence {
	var fs []Field
	var walk func(e *node)
	walk = func(e *node) {
		for _, a := range e.Attrs {
			if a.Space == "" && a.Local == name && len(fs) < maxTermFields {
				fs = append(fs, Field{Path: e.Path() + "/@" + name, Value: a.Value, Line: e.Line()})
			}
		}
		for _, c := range e.Children {
			walk(c)
		}
	}
	walk(n.Root())
	if len(fs) == 0 {
		return nil
	}
	return &Evidence{Actual: fs[0].Value, Fields: fs}
}

func syntaxUBLEvidence() map[string]explainer {
	m := map[string]explainer{}
	restrictionEvidence(m, schemas.UBLRestrictions)
	for id, path := range map[string]string{
		"UBL-SR-01": "cac:ContractDocumentReference/cbc:ID",
		"UBL-SR-02": "cac:ReceiptDocumentReference/cbc:ID",
		"UBL-SR-03": "cac:DespatchDocumentReference/cbc:ID",
		"UBL-SR-05": "cac:PaymentTerms/cbc:Note",
		"UBL-SR-06": "cac:InvoiceDocumentReference",
		"UBL-SR-08": "cac:InvoicePeriod",
		"UBL-SR-09": "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
		"UBL-SR-10": "cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name",
		"UBL-SR-11": "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
		"UBL-SR-14": "cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyLegalForm",
		"UBL-SR-15": "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName",
		"UBL-SR-16": "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID",
		"UBL-SR-17": "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID",
		"UBL-SR-22": "cac:PartyName/cbc:Name",
		"UBL-SR-23": "cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
		"UBL-SR-24": "cac:Delivery",
		"UBL-SR-25": "cac:DeliveryParty/cac:PartyName/cbc:Name",
		"UBL-SR-26": "cbc:PaymentID",
		"UBL-SR-27": "cbc:PaymentMeansCode",
		"UBL-SR-28": "cac:PaymentMandate/cbc:ID",
		"UBL-SR-30": "cbc:AllowanceChargeReason",
		"UBL-SR-31": "cbc:AllowanceChargeReason",
		"UBL-SR-32": "cac:TaxCategory/cbc:TaxExemptionReason",
		"UBL-SR-33": "cbc:DocumentDescription",
		"UBL-SR-34": "cbc:Note",
		"UBL-SR-35": "cac:OrderLineReference/cbc:LineID",
		"UBL-SR-36": "cac:InvoicePeriod",
		"UBL-SR-37": "cac:Price/cac:AllowanceCharge/cbc:Amount",
		"UBL-SR-39": "cac:ProjectReference/cbc:ID",
		"UBL-SR-40": "cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name",
		"UBL-SR-45": "cac:PaymentMeans/cbc:PaymentDueDate",
		"UBL-SR-49": "cac:InvoicePeriod/cbc:DescriptionCode",
		"UBL-SR-50": "cac:Item/cbc:Description",
		"UBL-SR-52": "cac:DocumentReference",
		"UBL-SR-54": "cac:PaymentMeans/cac:CardAccount",
		"UBL-SR-55": "cac:PaymentMeans/cac:PaymentMandate",
	} {
		m[id] = func(n *node) *Evidence { return countEvidence(n, path, 1, false) }
	}
	for id, attr := range map[string]string{
		"UBL-DT-08": "schemeName", "UBL-DT-09": "schemeAgencyName", "UBL-DT-10": "schemeDataURI",
		"UBL-DT-11": "schemeURI", "UBL-DT-12": "format", "UBL-DT-13": "unitCodeListIdentifier",
		"UBL-DT-14": "unitCodeListAgencyIdentifier", "UBL-DT-15": "unitCodeListAgencyName",
		"UBL-DT-16": "listAgencyName", "UBL-DT-17": "listName", "UBL-DT-19": "languageID",
		"UBL-DT-20": "listURI", "UBL-DT-21": "listSchemeURI", "UBL-DT-22": "languageLocaleID",
		"UBL-DT-23": "uri", "UBL-DT-24": "currencyCodeListVersionID", "UBL-DT-25": "characterSetCode",
		"UBL-DT-26": "encodingCode", "UBL-DT-27": "schemeAgencyID", "UBL-DT-28": "listAgencyID",
	} {
		m[id] = func(n *node) *Evidence { return attrEvidence(n, attr) }
	}
	m["UBL-DT-01"] = func(n *node) *Evidence {
		return valueOf(n, "", "", "at most two decimal places", "höchstens zwei Nachkommastellen")
	}
	return m
}

func syntaxCIIEvidence() map[string]explainer {
	m := map[string]explainer{}
	restrictionEvidence(m, schemas.CIIRestrictions)
	for id, c := range map[string]struct {
		path    string
		exactly bool
	}{
		"CII-SR-003": {"ram:BusinessProcessSpecifiedDocumentContextParameter", false},
		"CII-SR-009": {"ram:GuidelineSpecifiedDocumentContextParameter", true},
		"CII-SR-010": {"ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", true},
		"CII-SR-014": {"ram:TypeCode", true},
		"CII-SR-030": {"ram:Content", false},
		"CII-SR-039": {"ram:IncludedNote", false},
		"CII-SR-040": {"ram:IncludedNote/ram:Content", false},
		"CII-SR-069": {"ram:Description", true},
		"CII-SR-072": {"ram:Value", true},
		"CII-SR-439": {"ram:NetPriceProductTradePrice/ram:ChargeAmount", true},
		"CII-SR-441": {"ram:NetPriceProductTradePrice/ram:ChargeAmount", false},
		"CII-SR-440": {"ram:ActualAmount", false},
		"CII-SR-454": {"ram:ApplicableTradeTax", true},
		"CII-SR-455": {"ram:SellerTradeParty/ram:DefinedTradeContact", false},
		"CII-SR-456": {"ram:BuyerTradeParty/ram:DefinedTradeContact", false},
		"CII-SR-459": {"ram:SellerTradeParty/ram:URIUniversalCommunication", false},
		"CII-SR-460": {"ram:BuyerTradeParty/ram:URIUniversalCommunication", false},
		"CII-SR-452": {"ram:SpecifiedTradePaymentTerms", false},
		"CII-SR-453": {"ram:SpecifiedTradePaymentTerms/ram:Description", false},
		"CII-SR-461": {"ram:ApplicableTradeTax/ram:TaxPointDate", false},
	} {
		m[id] = func(n *node) *Evidence { return countEvidence(n, c.path, 1, c.exactly) }
	}
	return m
}
