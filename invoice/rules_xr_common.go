package invoice

import (
	"math/big"
	"regexp"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// xrRules are the XRechnung rules (XRechnung Schematron 2.5.0: BR-DE,
// BR-TMP, the extension's BR-DEX and the clean vehicles directive's
// BR-DE-CVD), a row an id with its UBL and its CII rule (catalogue_xr.go
// says what each means). Where the reference orders a context's rules
// otherwise in the two syntaxes and the logic differs anyway, an id has a
// row of each syntax's own, in that syntax's order. The contexts and the
// tests of one syntax alone are in rules_xr_ubl.go and rules_xr_cii.go.
func xrRules() []ruleRow {
	return []ruleRow{
		{"BR-DE-30", rule{}, on(xrCIIRoot, ciiSEPACreditorWithMandate)},
		{"BR-DE-31", rule{}, on(xrCIIRoot, ciiDebitedAccountWithMandate)},
		{"BR-DE-1", on(xrUBLRoot, exists("cac:PaymentMeans")), on(xrCIIRoot, exists(ciiSettle+"/ram:SpecifiedTradeSettlementPaymentMeans"))},
		{"BR-DE-15", on(xrUBLRoot, xrNonBlank("cbc:BuyerReference")), on(xrCIIRoot, xrNonBlank(ciiAgreement+"/ram:BuyerReference"))},
		{"BR-DE-16", on(xrUBLRoot, ublSellerVATIDWithVAT), on(xrCIIRoot, ciiSellerVATIDWithVAT)},
		{"BR-DE-17", on(xrUBLRoot, xrTypeCodeIn("cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode")),
			on(xrCIIRoot, xrTypeCodeIn("rsm:ExchangedDocument/ram:TypeCode"))},
		{"BR-DE-18", on(xrUBLRoot, xrSkonto("cac:PaymentTerms", "cbc:Note")),
			on(xrCIIRoot, xrSkonto(ciiSettle+"/ram:SpecifiedTradePaymentTerms", "ram:Description"))},
		{"BR-DE-21", on(xrUBLRoot, xrSpecIn("cbc:CustomizationID")), on(xrCIIContext, xrSpecIn("ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"))},
		{"BR-DE-22", on(xrUBLRoot, ublUniqueFilenames), on(xrCIIRoot, ciiUniqueFilenames)},
		{"BR-DE-26", on(xrUBLRoot, xrCorrectionRefers("cac:BillingReference/cac:InvoiceDocumentReference", "cbc:InvoiceTypeCode", "cbc:CreditNoteTypeCode")),
			on(xrCIIRoot, xrCorrectionRefers(ciiSettle+"/ram:InvoiceReferencedDocument", "rsm:ExchangedDocument/ram:TypeCode"))},
		{"BR-DE-30", on(xrUBLRoot, ublSEPACreditorWithMandate), rule{}},
		{"BR-DE-31", on(xrUBLRoot, ublDebitedAccountWithMandate), rule{}},
		{"BR-DE-TMP-32", on(xrUBLRoot, xrPeriodGiven("cac:Delivery/cbc:ActualDeliveryDate", "cac:InvoicePeriod", "cac:InvoicePeriod", "cac:InvoiceLine", "cac:CreditNoteLine")),
			on(xrCIITransaction, xrPeriodGiven("ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime",
				"ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod", "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod",
				"ram:IncludedSupplyChainTradeLineItem"))},
		{"BR-TMP-2", on(xrUBLExtRef, func(n *node) bool { return xrURL.MatchString(n.Str("cbc:URI")) }),
			on(xrCIIExternalDoc, func(n *node) bool { return !n.Has("ram:URIID") || xrURL.MatchString(n.Str("ram:URIID")) })},
		{"BR-DE-2", on(xrUBLSupplier, exists("cac:Party/cac:Contact")), on(xrCIISeller, exists("ram:DefinedTradeContact"))},
		{"BR-DE-3", on(xrUBLSupplierAddress, xrNonBlank("cbc:CityName")), on(xrCIISellerAddress, xrNonBlank("ram:CityName"))},
		{"BR-DE-4", on(xrUBLSupplierAddress, xrNonBlank("cbc:PostalZone")), on(xrCIISellerAddress, xrNonBlank("ram:PostcodeCode"))},
		{"BR-DE-5", on(xrUBLSupplierContact, xrNonBlank("cbc:Name")), on(xrCIISellerContact, xrNonBlank("ram:PersonName", "ram:DepartmentName"))},
		{"BR-DE-6", on(xrUBLSupplierContact, xrNonBlank("cbc:Telephone")),
			on(xrCIISellerContact, xrNonBlank("ram:TelephoneUniversalCommunication/ram:CompleteNumber"))},
		{"BR-DE-7", on(xrUBLSupplierContact, xrNonBlank("cbc:ElectronicMail")), on(xrCIISellerContact, xrNonBlank("ram:EmailURIUniversalCommunication/ram:URIID"))},
		{"BR-DE-27", on(xrUBLSupplierContact, xrTelephone("cbc:Telephone")),
			on(xrCIISellerContact, xrTelephone("ram:TelephoneUniversalCommunication/ram:CompleteNumber"))},
		{"BR-DE-28", on(xrUBLSupplierContact, xrEmailAt("cbc:ElectronicMail")), on(xrCIISellerContact, xrEmailAt("ram:EmailURIUniversalCommunication/ram:URIID"))},
		{"BR-DE-8", on(xrUBLCustomerAddress, xrNonBlank("cbc:CityName")), on(xrCIIBuyerAddress, xrNonBlank("ram:CityName"))},
		{"BR-DE-9", on(xrUBLCustomerAddress, xrNonBlank("cbc:PostalZone")), on(xrCIIBuyerAddress, xrNonBlank("ram:PostcodeCode"))},
		{"BR-DE-10", on(xrUBLDeliveryAddress, xrNonBlank("cbc:CityName")), on(xrCIIShipToAddress, xrNonBlank("ram:CityName"))},
		{"BR-DE-11", on(xrUBLDeliveryAddress, xrNonBlank("cbc:PostalZone")), on(xrCIIShipToAddress, xrNonBlank("ram:PostcodeCode"))},
		{"BR-DE-19", on(xrUBLTransfer, xrIBANWhere("cbc:PaymentMeansCode", "58", "cac:PayeeFinancialAccount/cbc:ID")),
			on(xrCIITransfer, xrIBANWhere("ram:TypeCode", "58", "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"))},
		{"BR-DE-23-a", on(xrUBLTransfer, exists("cac:PayeeFinancialAccount")), on(xrCIITransfer, exists("ram:PayeePartyCreditorFinancialAccount"))},
		{"BR-DE-23-b", on(xrUBLTransfer, xrNone("cac:CardAccount", "cac:PaymentMandate")),
			on(xrCIITransfer, func(n *node) bool {
				return !n.Has("ram:ApplicableTradeSettlementFinancialCard") && !xrCIIDirectDebit(n)
			})},
		{"BR-DE-24-a", on(xrUBLCard, exists("cac:CardAccount")), on(xrCIICard, exists("ram:ApplicableTradeSettlementFinancialCard"))},
		{"BR-DE-24-b", on(xrUBLCard, xrNone("cac:PayeeFinancialAccount", "cac:PaymentMandate")),
			on(xrCIICard, func(n *node) bool { return !n.Has("ram:PayeePartyCreditorFinancialAccount") && !xrCIIDirectDebit(n) })},
		{"BR-DE-20", on(xrUBLDebit, xrIBANWhere("cbc:PaymentMeansCode", "59", "cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")),
			on(xrCIIDebit, xrIBANWhere("ram:TypeCode", "59", "ram:PayerPartyDebtorFinancialAccount/ram:IBANID"))},
		{"BR-DE-25-a", on(xrUBLDebit, exists("cac:PaymentMandate")), on(xrCIIDebit, xrCIIDirectDebit)},
		{"BR-DE-25-b", on(xrUBLDebit, xrNone("cac:PayeeFinancialAccount", "cac:CardAccount")),
			on(xrCIIDebit, xrNone("ram:PayeePartyCreditorFinancialAccount", "ram:PayeeSpecifiedCreditorFinancialInstitution",
				"ram:PayerSpecifiedDebtorFinancialInstitution", "ram:ApplicableTradeSettlementFinancialCard"))},
		{"BR-DE-14", on(xrUBLTaxSubtotal, xrNonBlank("cac:TaxCategory/cbc:Percent")), on(xrCIIHeaderTax, xrNonBlank("ram:RateApplicablePercent"))},
		{"BR-TMP-3", rule{}, on(xrCIILineItem, ciiBasisQuantitiesAgree)},

		{"BR-DEX-01", on(xrUBLExtBinary, xrMimeOK), on(xrCIIExtBinary, xrMimeOK)},
		{"BR-DEX-02", on(xrUBLExtInvoice, xrUBLDEX02), rule{}},
		{"BR-DEX-03", on(xrUBLExtInvoice, ublSubLineOneCategory), rule{}},
		{"BR-DEX-09", on(xrUBLExtTotals, ublPayableWithThirdParty), rule{}},
		ruleRow{"BR-DEX-04", on(xrUBLExtPartyID, ublPartySchemeExtListed), on(xrCIIExtGlobalID, xrSchemeAttrIn("schemeID", xrICDExtCodes))}.
			ciiSays("The scheme identifier of a party identifier must be an ISO 6523 ICD code (or XR01-XR03).",
				"Die Schema-Kennung einer Partei-Kennung muss ein ISO-6523-ICD-Code sein (oder XR01-XR03)."),
		{"BR-DEX-05", on(xrUBLExtLegalID, xrSchemeAttrIn("schemeID", xrICDExtCodes)), on(xrCIIExtID, xrSchemeAttrIn("schemeID", xrICDExtCodes))},
		{"BR-DEX-06", on(xrUBLExtItemID, xrSchemeAttrIn("schemeID", xrICDExtCodes)), on(xrCIIExtProductID, xrSchemeAttrIn("schemeID", xrICDExtCodes))},
		{"BR-DEX-07", on(xrUBLExtEndpoint, xrSchemeAttrIn("schemeID", xrEASExtCodes)), on(xrCIIExtURIID, xrSchemeAttrIn("schemeID", xrEASExtCodes))},
		{"BR-DEX-08", on(xrUBLExtDeliveryID, xrSchemeAttrIn("schemeID", xrICDExtCodes)), on(xrCIIExtShipToID, xrSchemeAttrIn("schemeID", xrICDExtCodes))},
		{"BR-DEX-10", on(xrUBLExtPrepaid, xrNonBlank("cbc:ID")), rule{}},
		{"BR-DEX-11", on(xrUBLExtPrepaid, xrNonBlank("cbc:PaidAmount")), rule{}},
		{"BR-DEX-12", on(xrUBLExtPrepaid, xrNonBlank("cbc:InstructionID")), rule{}},
		{"BR-DEX-13", on(xrUBLExtPrepaid, ublPaidAmountDecimals), rule{}},
		{"BR-DEX-14", on(xrUBLExtPrepaid, func(n *node) bool {
			return xmltree.AnyIn(n.Strs("cbc:PaidAmount/@currencyID"), n.Parent.Strs("cbc:DocumentCurrencyCode"))
		}), rule{}},
		{"BR-DEX-15", rule{}, on(xrCIIExtLineDoc, func(n *node) bool { return len(n.Root().Descendants("ram:ParentLineID")) == 0 })},

		{"BR-DE-CVD-02", on(xrUBLCVDRoot, xrNonBlank("cac:OriginatorDocumentReference/cbc:ID")), rule{}},
		{"BR-DE-CVD-01", on(xrUBLCVDRoot, xrNonBlank("cac:ContractDocumentReference/cbc:ID")),
			on(xrCIICVDAgreement, xrNonBlank("ram:ContractReferencedDocument/ram:IssuerAssignedID"))},
		{"BR-DE-CVD-02", rule{}, on(xrCIICVDAgreement, ciiOriginatorReferenced)},
		{"BR-DE-CVD-03", on(xrUBLCVDRoot, xrCVDItem("cac:CommodityClassification/cbc:ItemClassificationCode/@listID", "cac:AdditionalItemProperty/cbc:Name",
			"cac:InvoiceLine/cac:Item", "cac:CreditNoteLine/cac:Item")),
			on(xrCIICVDTx, xrCVDItem("ram:DesignatedProductClassification/ram:ClassCode/@listID", "ram:ApplicableProductCharacteristic/ram:Description",
				"ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct"))},
		{"BR-DE-CVD-06-b", rule{}, on(xrCIICVDProduct, xrCVDOneClass("ram:ApplicableProductCharacteristic/ram:Description", "ram:DesignatedProductClassification/ram:ClassCode"))},
		{"BR-DE-CVD-06-a", on(xrUBLCVDItem, xrCVDOneProperty("cac:CommodityClassification/cbc:ItemClassificationCode/@listID", "cac:AdditionalItemProperty", "cbc:Name")),
			on(xrCIICVDProduct, xrCVDOneProperty("ram:DesignatedProductClassification/ram:ClassCode/@listID", "ram:ApplicableProductCharacteristic", "ram:Description"))},
		{"BR-DE-CVD-06-b", on(xrUBLCVDItem, xrCVDOneClass("cac:AdditionalItemProperty/cbc:Name", "cac:CommodityClassification/cbc:ItemClassificationCode")), rule{}},
		{"BR-TMP-CVD-01", on(xrUBLCVDClassification, xrSchemeAttrIn("listID", xr7143CVDCodes)), on(xrCIICVDClassCode, xrSchemeAttrIn("listID", xr7143CVDCodes))},
		{"BR-DE-CVD-04", on(xrUBLCVDClassification, xrVehicleCategoryOK), on(xrCIICVDClassCode, xrVehicleCategoryOK)},
		{"BR-DE-CVD-05", on(xrUBLCVDProperty, xrCVAAt("cbc:Value")), on(xrCIICVDCharacteristic, xrCVAAt("ram:Value"))},
	}
}

// xrTypeCodeIn is BR-DE-17: the type code at one of paths is of the
// XRechnung list.
func xrTypeCodeIn(paths ...string) func(n *node) bool {
	return func(n *node) bool {
		for _, p := range paths {
			if xmltree.In(n.NormStr(p), xrTypeCodes) {
				return true
			}
		}
		return false
	}
}

// xrSkonto is BR-DE-18 on the first note (at note) of each payment terms
// element (at terms).
func xrSkonto(terms, note string) func(n *node) bool {
	return func(n *node) bool {
		var notes []string
		for _, pt := range n.All(terms) {
			if d := pt.First(note); d != nil {
				notes = append(notes, d.Value())
			}
		}
		return xrSkontoOK(notes)
	}
}

// xrSpecIn is BR-DE-21: the specification identifier at path is one of
// XRechnung's.
func xrSpecIn(path string) func(n *node) bool {
	return func(n *node) bool {
		return xmltree.AnyIn(n.Strs(path), []string{SpecXRechnung, SpecExtension, SpecCVD})
	}
}

// xrCorrectionRefers is BR-DE-26: a corrected invoice (type code 384 at
// one of codes) refers to a preceding invoice (at ref).
func xrCorrectionRefers(ref string, codes ...string) func(n *node) bool {
	return func(n *node) bool {
		corrected := false
		for _, c := range codes {
			if n.NormStr(c) == "384" {
				corrected = true
				break
			}
		}
		return !corrected || n.Has(ref)
	}
}

// xrPeriodGiven is BR-DE-TMP-32: a delivery date (at delivery) or an
// invoicing period (at period), or else every line (at each of lines) has
// a period (at linePeriod).
func xrPeriodGiven(delivery, period, linePeriod string, lines ...string) func(n *node) bool {
	return func(n *node) bool {
		if n.Has(delivery) || n.Has(period) {
			return true
		}
		for _, path := range lines {
			for _, l := range n.All(path) {
				if !l.Has(linePeriod) {
					return false
				}
			}
		}
		return true
	}
}

// xrTelephone is BR-DE-27 on the telephone number at path.
func xrTelephone(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return xrTelephoneOK(p.NormStr(n)) }
}

// xrEmailAt is BR-DE-28 on the e-mail address at path.
func xrEmailAt(path string) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool { return xrEmail.MatchString(p.NormStr(n)) }
}

// xrIBANWhere is BR-DE-19/20: with the payment means code at codePath
// being code, the account at account is an IBAN.
func xrIBANWhere(codePath, code, account string) func(n *node) bool {
	pCode, pAccount := xp(codePath), xp(account)
	return func(n *node) bool { return pCode.NormStr(n) != code || xrIBANOK(pAccount.Str(n)) }
}

// xrNone is "not(a) and not(b) …": none of paths is there.
func xrNone(paths ...string) func(n *node) bool {
	ps := xps(paths)
	return func(n *node) bool {
		for _, p := range ps {
			if p.Has(n) {
				return false
			}
		}
		return true
	}
}

// xrMimeOK is BR-DEX-01's list of MIME codes for attachments: BR-CL-24's
// and application/xml.
func xrMimeOK(n *node) bool {
	m, _ := n.Attr("mimeCode")
	return xmltree.In(m, []string{"application/pdf", "image/png", "image/jpeg", "text/csv",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/vnd.oasis.opendocument.spreadsheet", "application/xml"})
}

// xrCVDItem is BR-DE-CVD-03: some item (at one of items) has a CVD
// classification (list identifiers at classes) and a clean vehicle
// attribute (property names at names).
func xrCVDItem(classes, names string, items ...string) func(n *node) bool {
	return func(n *node) bool {
		for _, path := range items {
			for _, it := range n.All(path) {
				if xmltree.In("CVD", it.Strs(classes)) && xmltree.In("cva", it.Strs(names)) {
					return true
				}
			}
		}
		return false
	}
}

// xrCVDOneProperty is BR-DE-CVD-06-a: an item with a CVD classification
// (list identifiers at classes) has exactly one property (at properties)
// named cva (at name).
func xrCVDOneProperty(classes, properties, name string) func(n *node) bool {
	return func(n *node) bool {
		if !xmltree.In("CVD", n.Strs(classes)) {
			return true
		}
		count := 0
		for _, p := range n.All(properties) {
			if xmltree.In("cva", p.Strs(name)) {
				count++
			}
		}
		return count == 1
	}
}

// xrCVDOneClass is BR-DE-CVD-06-b: an item with a property named cva (at
// names) has exactly one classification (at classes) of list CVD.
func xrCVDOneClass(names, classes string) func(n *node) bool {
	return func(n *node) bool {
		if !xmltree.In("cva", n.Strs(names)) {
			return true
		}
		count := 0
		for _, c := range n.All(classes) {
			if l, _ := c.Attr("listID"); l == "CVD" {
				count++
			}
		}
		return count == 1
	}
}

// xrVehicleCategoryOK is BR-DE-CVD-04: a classification of list CVD is a
// vehicle category.
func xrVehicleCategoryOK(n *node) bool {
	l, _ := n.Attr("listID")
	return xmltree.NormSpace(l) != "CVD" || xmltree.In(xmltree.NormSpace(n.Value()), xrVehicleCategories)
}

// xrCVAAt is BR-DE-CVD-05: the clean vehicle attribute's value (at path)
// is of the list.
func xrCVAAt(path string) func(n *node) bool {
	return func(n *node) bool { return xmltree.In(n.NormStr(path), xrCVACodes) }
}

// Values the XRechnung rules of both syntaxes share (XRechnung Schematron
// 2.5.0, common definitions). Code lists are written as the rules test them:
// contains(list, concat(' ', code, ' ')), so the spaces at the ends matter.
const (
	xrDIGACodes = " XR01 XR02 XR03 "
	xrICDCodes  = " 0002 0003 0004 0005 0006 0007 0008 0009 0010 0011 0012 0013 0014 0015 0016 0017 0018 0019 0020 0021 0022 0023 0024 0025 0026 0027 0028 0029 0030 0031 0032 0033 0034 0035 0036 0037 0038 0039 0040 0041 0042 0043 0044 0045 0046 0047 0048 0049 0050 0051 0052 0053 0054 0055 0056 0057 0058 0059 0060 0061 0062 0063 0064 0065 0066 0067 0068 0069 0070 0071 0072 0073 0074 0075 0076 0077 0078 0079 0080 0081 0082 0083 0084 0085 0086 0087 0088 0089 0090 0091 0093 0094 0095 0096 0097 0098 0099 0100 0101 0102 0104 0105 0106 0107 0108 0109 0110 0111 0112 0113 0114 0115 0116 0117 0118 0119 0120 0121 0122 0123 0124 0125 0126 0127 0128 0129 0130 0131 0132 0133 0134 0135 0136 0137 0138 0139 0140 0141 0142 0143 0144 0145 0146 0147 0148 0149 0150 0151 0152 0153 0154 0155 0156 0157 0158 0159 0160 0161 0162 0163 0164 0165 0166 0167 0168 0169 0170 0171 0172 0173 0174 0175 0176 0177 0178 0179 0180 0183 0184 0185 0186 0187 0188 0189 0190 0191 0192 0193 0194 0195 0196 0197 0198 0199 0200 0201 0202 0203 0204 0205 0206 0207 0208 0209 0210 0211 0212 0213 0214 0215 0216 0217 0218 0219 0220 0221 0222 0223 0224 0225 0226 0227 0228 0229 0230 0231 0232 0233 0234 0235 0236 0237 0238 0239 0240 0241 0242 0243 0244"
	// xrICDExtCodes: the ICD list plus the XRechnung extension's own codes.
	xrICDExtCodes = xrDIGACodes + xrICDCodes
	xrEASCodes    = " 0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177 0183 0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205 0208 0209 0210 0211 0212 0213 0215 0216 0217 0218 0219 0220 0221 0225 0230 0235 0240 0244 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 AN AQ AS AU EM "
	xrEASExtCodes = xrDIGACodes + xrEASCodes
	// xr7143CVDCodes: UNTDID 7143 item type identification codes plus CVD.
	xr7143CVDCodes = " CVD " + " AA AB AC AD AE AF AG AH AI AJ AK AL AM AN AO AP AQ AR AS AT AU AV AW AX AY AZ BA BB BC BD BE BF BG BH BI BJ BK BL BM BN BO BP BQ BR BS BT BU BV BW BX BY BZ CC CG CL CR CV DR DW EC EF EMD EN FS GB GN GMN GS HS IB IN IS IT IZ MA MF MN MP NB ON PD PL PO PPI PV QS RC RN RU RY SA SG SK SN SRS SRT SRU SRV SRW SRX SRY SRZ SS SSA SSB SSC SSD SSE SSF SSG SSH SSI SSJ SSK SSL SSM SSN SSO SSP SSQ SSR SSS SST SSU SSV SSW SSX SSY SSZ ST STA STB STC STD STE STF STG STH STI STJ STK STL STM STN STO STP STQ STR STS STT STU STV STW STX STY STZ SUA SUB SUC SUD SUE SUF SUG SUH SUI SUJ SUK SUL SUM TG TSN TSO TSP TSQ TSR TSS TST TSU UA UP VN VP VS VX ZZZ "
)

// xrVehicleCategories and xrCVACodes are the clean vehicles directive's
// vehicle categories and clean vehicle attribute values.
var (
	xrVehicleCategories = []string{"M1", "M2", "M3", "N1", "N2", "N3"}
	xrCVACodes          = []string{"clean", "zero-emission", "other"}
	xrVATCodes          = []string{"S", "Z", "E", "AE", "K", "G", "L", "M"}
	xrTypeCodes         = []string{"326", "380", "384", "389", "381", "875", "876", "877"}
)

// Regular expressions of the XRechnung rules, in Go syntax. XPath's '.'
// matches neither CR nor LF, hence [^\n\r].
var (
	xrSkontoLine = regexp.MustCompile(`(^|\r?\n)#(SKONTO)#TAGE=([0-9]+#PROZENT=[0-9]+\.[0-9]{2})(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$`)
	xrEmail      = regexp.MustCompile(`^[^@\s]+@([^@.\s]+\.)+[^@.\s]+$`)
	xrURL        = regexp.MustCompile(`^([a-zA-Z])([a-zA-Z0-9+.-])+:[^\n\r]*`)
	xrIBANShape  = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{0,30}$`)
	xrHashes     = regexp.MustCompile(`#[^\n\r]+#`)
	xrLeadNL     = regexp.MustCompile(`^\s*\n`)
)

// xrSkontoOK is BR-DE-18 on the payment terms notes: every line that starts
// with '#' must be a well-formed Skonto line, and the text after the last
// #…# segment must start with a line break.
func xrSkontoOK(notes []string) bool {
	var lines []string
	for _, note := range notes {
		if strings.IndexByte(note, '#') < 0 {
			continue // no line of it starts with '#'
		}
		for _, l := range xrSplitLines(note) {
			if strings.HasPrefix(xmltree.NormSpace(l), "#") {
				lines = append(lines, l)
			}
		}
	}
	if len(lines) == 0 {
		return true
	}
	// The second condition reads one note; several would be a type error
	// in the reference.
	tail := ""
	if len(notes) > 0 && notes[0] != "" {
		parts := xrHashes.Split(notes[0], -1)
		tail = parts[len(parts)-1]
	}
	tailOK := xrLeadNL.MatchString(tail)
	for _, l := range lines {
		if !xrSkontoLine.MatchString(xmltree.NormSpace(l)) || !tailOK {
			return false
		}
	}
	return true
}

// xrSplitLines is regexp.MustCompile(`\r?\n`).Split(s, -1), without the
// regular expression: s cut at each LF, a CR before it going with it. A
// match of \r?\n is each LF with the CR before it, if any (that CR cannot
// belong to the match before, which ends with an LF), and Split keeps the
// text between matches, the last piece included (empty after a final LF).
func xrSplitLines(s string) []string {
	if s == "" {
		return []string{""}
	}
	lines := strings.Split(s, "\n")
	for i := range lines[:len(lines)-1] {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	return lines
}

// xrIBANOK is the IBAN test of BR-DE-19/20: white space removed, the shape
// of an IBAN, and the ISO 13616 check (letters by code point - 55, digits
// by code point - 48, modulo 97 is 1), as the reference computes it.
func xrIBANOK(id string) bool {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '\f' {
			return -1
		}
		return r
	}, id)
	s = xmltree.NormSpace(s)
	if !xrIBANShape.MatchString(s) {
		return false
	}
	// The shape leaves ASCII letters and digits only. Each character
	// stands for its code point minus 55 (letters) or 48 (digits), written
	// in decimal; the number those digits make must be 1 modulo 97, taken
	// here digit group by digit group.
	rearranged := s[4:] + strings.ToUpper(s[0:2]) + s[2:4]
	rem := 0
	for i := 0; i < len(rearranged); i++ {
		v := int(rearranged[i]) - 48
		if rearranged[i] > 64 {
			v = int(rearranged[i]) - 55
		}
		if v < 10 {
			rem = (rem*10 + v) % 97
		} else {
			rem = (rem*100 + v) % 97
		}
	}
	return rem == 1
}

// xrTelephoneOK is matches(normalize-space(tel), '.*([0-9].*){3,}.*'):
// at least three digits.
func xrTelephoneOK(tel string) bool {
	n := 0
	for i := 0; i < len(tel); i++ {
		if tel[i] >= '0' && tel[i] <= '9' {
			n++
		}
	}
	return n >= 3
}

// xrSchemeIn is the reference's scheme test: the normalized scheme has no
// space and stands in the list.
func xrSchemeIn(scheme, list string) bool {
	s := xmltree.NormSpace(scheme)
	return !strings.Contains(s, " ") && strings.Contains(list, " "+s+" ")
}

// xrSchemeAttrIn is xrSchemeIn of the context node's attribute attr.
func xrSchemeAttrIn(attr, list string) func(n *node) bool {
	return func(n *node) bool { s, _ := n.Attr(attr); return xrSchemeIn(s, list) }
}

// xrNonBlank is xrHasNonBlank of the context node and one of paths, in
// their order.
func xrNonBlank(paths ...string) func(n *node) bool {
	ps := xps(paths)
	return func(n *node) bool {
		for _, p := range ps {
			if xrAnyNonBlank(p.Strs(n)) {
				return true
			}
		}
		return false
	}
}

// xrHasNonBlank reports whether some element the path selects has a value
// that is not blank (path[boolean(normalize-space(.))]).
func xrHasNonBlank(n *node, path string) bool { return xrAnyNonBlank(n.Strs(path)) }

// xrAnyNonBlank reports whether some of values is not blank.
func xrAnyNonBlank(values []string) bool {
	for _, v := range values {
		if !xmltree.Blank(v) {
			return true
		}
	}
	return false
}

// xrDecOrZero is "if (exists(x)) then xs:decimal(x) else 0"; where x is no
// decimal (or given twice) the cast raises on n and ok is false.
func xrDecOrZero(n *node, path string) (*big.Rat, bool) {
	values := n.Strs(path)
	if len(values) == 0 {
		return new(big.Rat), true
	}
	return xmltree.CastDecimal(n, values)
}

// The per-document answers of xrDeclares; each key is an identity, never
// written.
var xrCIIIsExtensionKey, xrCIIIsCVDKey, xrUBLIsExtensionKey, xrUBLIsCVDKey xmltree.MemoKey[bool]

// xrDeclares is $isExtension and $isCVD: the document is of the syntax
// isRoot tells and declares spec at path (from the root). It is computed
// once per document, under key.
func xrDeclares(n *node, key *xmltree.MemoKey[bool], isRoot func(*node) bool, path, spec string) bool {
	return xmltree.Memo(n, key, func() bool {
		r := n.Root()
		return isRoot(r) && xrTextIs(r, path, spec)
	})
}

// xrFreshNames is BR-DE-22's test of one attachment's file names: none of
// names is in seen; they are added to seen.
func xrFreshNames(seen map[string]bool, names []string) bool {
	for _, f := range names {
		if seen[f] {
			return false
		}
	}
	for _, f := range names {
		seen[f] = true
	}
	return true
}

// xrTextIs is path/text() = want (see anyTextEq).
func xrTextIs(n *node, path, want string) bool { return xmltree.AnyTextEq(n.All(path), want) }
