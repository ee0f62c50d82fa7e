package invoice

import (
	"strings"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 code list rules for UBL (see rules_cl_common.go for the
// lists).

// clNoteSubject is BR-CL-08: a note starting "#XXX#" must use a subject
// code of the list.
func clNoteSubject(list string) func(n *node) bool {
	return func(n *node) bool {
		v := n.Value()
		i := strings.IndexByte(v, '#')
		if i < 0 {
			return true
		}
		rest := v[i+1:]
		j := strings.IndexByte(rest, '#')
		if j < 0 {
			return true // substring-before gives "", not three characters
		}
		code := rest[:j]
		if utf8.RuneCountInString(code) != 3 {
			return true
		}
		return strings.Contains(list, code)
	}
}

func ublCodes(order int, names []string, match func(n *node) bool) ruleContext {
	return ruleContext{Pattern: patUBLCodes, Order: order, Names: names, Match: match}
}

var (
	ublCodesTypeCode = ublCodes(1151, []string{"InvoiceTypeCode", "CreditNoteTypeCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesAmount   = ublCodes(1154, []string{"Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount", "LineExtensionAmount",
		"TaxExclusiveAmount", "TaxInclusiveAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount", "PayableAmount"},
		func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesDocCurrency = ublCodes(1157, []string{"DocumentCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesTaxCurrency = ublCodes(1160, []string{"TaxCurrencyCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesPeriodCode  = ublCodes(1163, []string{"DescriptionCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC && n.Parent.Is("cac:InvoicePeriod") })
	ublCodesObjectID    = ublCodes(1166, []string{"ID"}, func(n *node) bool {
		p := n.Parent
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && (p.Is("cac:AdditionalDocumentReference") || p.Is("cac:DocumentReference")) &&
			xmltree.In("130", p.Strs("cbc:DocumentTypeCode"))
	})
	ublCodesPartyID = ublCodes(1169, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:PartyIdentification")
	})
	ublCodesLegalID = ublCodes(1172, []string{"CompanyID"}, func(n *node) bool {
		return n.Is("cbc:CompanyID") && n.HasAttr("schemeID") && n.Parent.Is("cac:PartyLegalEntity")
	})
	ublCodesClassification = ublCodes(1175, []string{"ItemClassificationCode"}, func(n *node) bool {
		return n.Is("cbc:ItemClassificationCode") && n.HasAttr("listID") && n.Parent.Is("cac:CommodityClassification")
	})
	ublCodesCountry = ublCodes(1179, []string{"IdentificationCode"}, func(n *node) bool {
		return n.Is("cbc:IdentificationCode") && n.Parent.Is("cac:Country")
	})
	ublCodesOrigin = ublCodes(1182, []string{"IdentificationCode"}, func(n *node) bool {
		return n.Is("cbc:IdentificationCode") && n.Parent.Is("cac:OriginCountry")
	})
	ublCodesPaymentMeans = ublCodes(1185, []string{"PaymentMeansCode"}, func(n *node) bool {
		return n.Is("cbc:PaymentMeansCode") && n.Parent.Is("cac:PaymentMeans")
	})
	ublCodesTaxCategory  = ublCodes(1188, []string{"ID"}, func(n *node) bool { return n.Is("cbc:ID") && n.Parent.Is("cac:TaxCategory") })
	ublCodesItemCategory = ublCodes(1191, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.Parent.Is("cac:ClassifiedTaxCategory")
	})
	ublCodesAllowanceReason = ublCodes(1194, []string{"AllowanceChargeReasonCode"}, func(n *node) bool {
		return n.Is("cbc:AllowanceChargeReasonCode") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, false)
	})
	ublCodesChargeReason = ublCodes(1197, []string{"AllowanceChargeReasonCode"}, func(n *node) bool {
		return n.Is("cbc:AllowanceChargeReasonCode") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, true)
	})
	ublCodesItemID = ublCodes(1200, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:StandardItemIdentification")
	})
	ublCodesExemption = ublCodes(1203, []string{"TaxExemptionReasonCode"}, func(n *node) bool { return n.Space == xmltree.NSCBC })
	ublCodesQuantity  = ublCodes(1206, []string{"InvoicedQuantity", "BaseQuantity", "CreditedQuantity"}, func(n *node) bool {
		return n.Space == xmltree.NSCBC && n.HasAttr("unitCode")
	})
	ublCodesBinary = ublCodes(1210, []string{"EmbeddedDocumentBinaryObject"}, func(n *node) bool {
		return n.Space == xmltree.NSCBC && n.HasAttr("mimeCode")
	})
	ublCodesEndpoint   = ublCodes(1213, []string{"EndpointID"}, func(n *node) bool { return n.Space == xmltree.NSCBC && n.HasAttr("schemeID") })
	ublCodesDeliveryID = ublCodes(1216, []string{"ID"}, func(n *node) bool {
		return n.Is("cbc:ID") && n.HasAttr("schemeID") && n.Parent.Is("cac:DeliveryLocation")
	})
)

var clUBLRules = []rule{
	{ID: "BR-CL-08", Context: ublModelNote, Test: clNoteSubject(clList("ubl/BR-CL-08/0"))},
	{ID: "BR-CL-01", Context: ublCodesTypeCode,
		Test: func() func(*node) bool {
			invoice, creditNote := clSet("ubl/BR-CL-01/0"), clSet("ubl/BR-CL-01/1")
			return func(n *node) bool {
				if n.Local == "InvoiceTypeCode" {
					return clIn(n.Value(), invoice)
				}
				return clIn(n.Value(), creditNote)
			}
		}()},
	{ID: "BR-CL-03", Context: ublCodesAmount, Test: clAttr("currencyID", clSet("ubl/BR-CL-03/0"))},
	{ID: "BR-CL-04", Context: ublCodesDocCurrency, Test: clValue(clSet("ubl/BR-CL-04/0"))},
	{ID: "BR-CL-05", Context: ublCodesTaxCurrency, Test: clValue(clSet("ubl/BR-CL-05/0"))},
	{ID: "BR-CL-06", Context: ublCodesPeriodCode, Test: clValue(clSet("ubl/BR-CL-06/0"))},
	{ID: "BR-CL-07", Context: ublCodesObjectID, Test: clAttr("schemeID", clSet("ubl/BR-CL-07/0"))},
	{ID: "BR-CL-10", Context: ublCodesPartyID,
		Test: func() func(*node) bool {
			icd, sepa := clSet("ubl/BR-CL-10/0"), clSet("ubl/BR-CL-10/1")
			return func(n *node) bool {
				s, _ := n.Attr("schemeID")
				if clIn(s, icd) {
					return true
				}
				return clIn(s, sepa) && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
			}
		}()},
	{ID: "BR-CL-11", Context: ublCodesLegalID, Test: clAttr("schemeID", clSet("ubl/BR-CL-11/0"))},
	{ID: "BR-CL-13", Context: ublCodesClassification, Test: clAttr("listID", clSet("ubl/BR-CL-13/0"))},
	{ID: "BR-CL-14", Context: ublCodesCountry, Test: clValue(clSet("ubl/BR-CL-14/0"))},
	{ID: "BR-CL-15", Context: ublCodesOrigin, Test: clValue(clSet("ubl/BR-CL-15/0"))},
	{ID: "BR-CL-16", Context: ublCodesPaymentMeans, Test: clValue(clSet("ubl/BR-CL-16/0"))},
	{ID: "BR-CL-17", Context: ublCodesTaxCategory, Test: clValue(clSet("ubl/BR-CL-17/0"))},
	{ID: "BR-CL-18", Context: ublCodesItemCategory, Test: clValue(clSet("ubl/BR-CL-18/0"))},
	{ID: "BR-CL-19", Context: ublCodesAllowanceReason, Test: clValue(clSet("ubl/BR-CL-19/0"))},
	{ID: "BR-CL-20", Context: ublCodesChargeReason, Test: clValue(clSet("ubl/BR-CL-20/0"))},
	{ID: "BR-CL-21", Context: ublCodesItemID, Test: clAttr("schemeID", clSet("ubl/BR-CL-21/0"))},
	{ID: "BR-CL-22", Context: ublCodesExemption,
		Test: clExemption(clSet("ubl/BR-CL-22/0"))},
	{ID: "BR-CL-23", Context: ublCodesQuantity, Test: clAttr("unitCode", clSet("ubl/BR-CL-23/0"))},
	{ID: "BR-CL-24", Context: ublCodesBinary, Test: clMimeOK},
	{ID: "BR-CL-25", Context: ublCodesEndpoint, Test: clAttr("schemeID", clSet("ubl/BR-CL-25/0"))},
	{ID: "BR-CL-26", Context: ublCodesDeliveryID, Test: clAttr("schemeID", clSet("ubl/BR-CL-26/0"))},
}
