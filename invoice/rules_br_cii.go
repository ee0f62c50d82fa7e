package invoice

import (
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 core business rules for CII (see rules_br_common.go for the
// helpers both syntaxes use and catalogue_br.go for what each rule means).

const ciiSeller = ciiAgreement + "/ram:SellerTradeParty"
const ciiBuyer = ciiAgreement + "/ram:BuyerTradeParty"

var brCIIRules = []rule{
	{ID: "BR-65", Context: ciiModelClassification,
		Test: func(n *node) bool { return n.NormStr("ram:ClassCode/@listID") != "" || !n.Has("ram:ClassCode") }},
	{ID: "BR-52", Context: ciiModelDocRef, Test: brNotBlank("ram:IssuerAssignedID")},
	{ID: "BR-51", Flag: fatal, Context: ciiModelCard,
		Test:      func(n *node) bool { return utf8.RuneCountInString(n.Str("ram:ID")) <= 10 },
		Message:   "Only the last four to six digits of the payment card number (BT-87) may be given.",
		MessageDE: "Von der Kartennummer (BT-87) dürfen nur die letzten vier bis sechs Ziffern angegeben werden."},
	{ID: "BR-50", Context: ciiModelPayeeAccount, Test: brEither("ram:IBANID", "ram:ProprietaryID")},
	{ID: "BR-61", Context: ciiModelPayeeAccount, Test: brEither("ram:IBANID", "ram:ProprietaryID")},
	{ID: "BR-57", Context: ciiModelDelivery,
		Test: func(n *node) bool {
			const a = "ram:ShipToTradeParty/ram:PostalTradeAddress"
			return !n.Has(a) || n.NormStr(a+"/ram:CountryID") != ""
		}},
	{ID: "BR-31", Context: ciiModelDocAllowance, Test: brExists("../ram:ActualAmount")},
	{ID: "BR-32", Context: ciiModelDocAllowance, Test: ciiACHasVATCategory},
	{ID: "BR-33", Context: ciiModelDocAllowance, Test: brEither("../ram:Reason", "../ram:ReasonCode")},
	{ID: "BR-36", Context: ciiModelDocCharge, Test: brExists("../ram:ActualAmount")},
	{ID: "BR-37", Context: ciiModelDocCharge, Test: ciiACHasVATCategory},
	{ID: "BR-38", Context: ciiModelDocCharge, Test: brEither("../ram:Reason", "../ram:ReasonCode")},
	{ID: "BR-12", Context: ciiModelTotals, Test: brExists("ram:LineTotalAmount")},
	{ID: "BR-13", Context: ciiModelTotals, Test: brExists("ram:TaxBasisTotalAmount")},
	{ID: "BR-14", Context: ciiModelTotals, Test: brExists("ram:GrandTotalAmount")},
	{ID: "BR-15", Context: ciiModelTotals, Test: brExists("ram:DuePayableAmount")},
	{ID: "BR-53", Context: ciiModelTotals,
		Test: func(n *node) bool {
			r := n.Root()
			tcc := r.Strs(ciiSettle + "/ram:TaxCurrencyCode")
			if len(tcc) == 0 {
				return true
			}
			return xmltree.AnyIn(n.Strs("ram:TaxTotalAmount/@currencyID"), tcc) && !xmltree.AnyIn(tcc, r.Strs(ciiCurrencyPath))
		},
		Message:   "With a VAT accounting currency (BT-6) the VAT total in that currency (BT-111) must be given, and BT-6 must differ from the invoice currency.",
		MessageDE: "Bei einer Steuerwährung (BT-6) muss die Umsatzsteuersumme in dieser Währung (BT-111) angegeben werden, und BT-6 muss sich von der Rechnungswährung unterscheiden."},

	{ID: "BR-01", Context: ciiModelRoot, Test: brNotBlank("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")},
	{ID: "BR-02", Context: ciiModelRoot, Test: brNotBlank("rsm:ExchangedDocument/ram:ID")},
	{ID: "BR-03", Context: ciiModelRoot,
		Test: func(n *node) bool {
			d := brDateString102(n, "rsm:ExchangedDocument/ram:IssueDateTime")
			return len(d) > 0 && xmltree.NormSpace(d[0]) != ""
		},
		Message:   "The invoice issue date (BT-2) must be given (format 102).",
		MessageDE: "Das Rechnungsdatum (BT-2) muss angegeben werden (Format 102)."},
	{ID: "BR-04", Context: ciiModelRoot, Test: brNotBlank("rsm:ExchangedDocument/ram:TypeCode")},
	{ID: "BR-05", Context: ciiModelRoot, Test: brNotBlank(ciiCurrencyPath)},
	{ID: "BR-06", Context: ciiModelRoot, Test: brNotBlank(ciiSeller + "/ram:Name")},
	{ID: "BR-07", Context: ciiModelRoot, Test: brNotBlank(ciiBuyer + "/ram:Name")},
	{ID: "BR-08", Context: ciiModelRoot, Test: brExists(ciiSeller + "/ram:PostalTradeAddress")},
	{ID: "BR-09", Context: ciiModelRoot, Test: brNotBlank(ciiSeller + "/ram:PostalTradeAddress/ram:CountryID")},
	{ID: "BR-10", Context: ciiModelRoot, Test: brExists(ciiBuyer + "/ram:PostalTradeAddress")},
	{ID: "BR-11", Context: ciiModelRoot, Test: brNotBlank(ciiBuyer + "/ram:PostalTradeAddress/ram:CountryID")},
	{ID: "BR-16", Context: ciiModelRoot,
		Test: func(n *node) bool { return len(n.Descendants("ram:IncludedSupplyChainTradeLineItem")) > 0 }},
	{ID: "BR-62", Context: ciiModelRoot,
		Test: func(n *node) bool { return ciiEndpointSchemeOK(n, ciiSeller) }},
	{ID: "BR-63", Context: ciiModelRoot,
		Test: func(n *node) bool { return ciiEndpointSchemeOK(n, ciiBuyer) }},
	{ID: "BR-B-01", Context: ciiModelRoot,
		Test: func(n *node) bool {
			cats := ciiAllValues(n, "ram:CategoryCode")
			if !xmltree.In("B", cats) {
				return true
			}
			for _, c := range ciiAllValues(n, "ram:CountryID") {
				if c != "IT" {
					return false
				}
			}
			return true
		}},
	{ID: "BR-B-02", Context: ciiModelRoot,
		Test: func(n *node) bool {
			cats := ciiAllValues(n, "ram:CategoryCode")
			return !xmltree.In("B", cats) || !xmltree.In("S", cats)
		}},

	{ID: "BR-21", Context: ciiModelLine, Test: brNotBlank("ram:AssociatedDocumentLineDocument/ram:LineID")},
	{ID: "BR-22", Context: ciiModelLine, Test: brExists("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")},
	{ID: "BR-23", Context: ciiModelLine, Test: brExists("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode")},
	{ID: "BR-24", Context: ciiModelLine, Test: brExists("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")},
	{ID: "BR-25", Context: ciiModelLine, Test: brNotBlank("ram:SpecifiedTradeProduct/ram:Name")},
	{ID: "BR-26", Context: ciiModelLine, Test: brExists("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount")},
	{ID: "BR-27", Context: ciiModelLine,
		Test: func(n *node) bool {
			return brAnyNum(n, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", xmltree.OpGe, 0)
		}},
	{ID: "BR-28", Context: ciiModelLine,
		Test: func(n *node) bool {
			const p = "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount"
			return !n.Has(p) || brAnyNum(n, p, xmltree.OpGe, 0)
		}},
	{ID: "BR-64", Context: ciiModelLine,
		Test: func(n *node) bool {
			return n.NormStr("ram:SpecifiedTradeProduct/ram:GlobalID/@schemeID") != "" || !n.Has("ram:SpecifiedTradeProduct/ram:GlobalID")
		}},
	{ID: "BR-41", Context: ciiModelLineAllowance, Test: brExists("../ram:ActualAmount")},
	{ID: "BR-42", Context: ciiModelLineAllowance, Test: brEither("../ram:Reason", "../ram:ReasonCode")},
	{ID: "BR-43", Context: ciiModelLineCharge, Test: brExists("../ram:ActualAmount")},
	{ID: "BR-44", Context: ciiModelLineCharge, Test: brEither("../ram:Reason", "../ram:ReasonCode")},
	{ID: "BR-30", Context: ciiModelLinePeriod, Test: brPeriodCII},
	{ID: "BR-29", Context: ciiModelPeriod, Test: brPeriodCII},
	{ID: "BR-54", Context: ciiModelCharacteristic,
		Test: func(n *node) bool { return n.Has("ram:Description") && n.Has("ram:Value") }},
	{ID: "BR-17", Context: ciiModelPayee,
		Test: func(n *node) bool {
			if !n.Has("ram:Name") {
				return false
			}
			const s = "../../ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
			return !xmltree.AnyIn(n.Strs("ram:Name"), n.Strs(s+"ram:Name")) && !xmltree.AnyIn(n.Strs("ram:ID"), n.Strs(s+"ram:ID")) &&
				!xmltree.AnyIn(n.Strs("ram:SpecifiedLegalOrganization/ram:ID"), n.Strs(s+"ram:SpecifiedLegalOrganization/ram:ID"))
		}},
	{ID: "BR-49", Context: ciiModelPaymentMeans, Test: brExists("ram:TypeCode")},
	{ID: "BR-55", Context: ciiModelPrecedingRef, Test: brNotBlank("ram:IssuerAssignedID")},
	{ID: "BR-18", Context: ciiModelTaxRep, Test: brExists("ram:Name")},
	{ID: "BR-19", Context: ciiModelTaxRep, Test: brExists("ram:PostalTradeAddress")},
	{ID: "BR-20", Context: ciiModelTaxRep, Test: brExists("ram:PostalTradeAddress/ram:CountryID")},
	{ID: "BR-56", Context: ciiModelTaxRep,
		Test: func(n *node) bool {
			for _, id := range n.All("ram:SpecifiedTaxRegistration/ram:ID") {
				if s, _ := id.Attr("schemeID"); s == "VA" {
					return xmltree.NormSpace(id.Value()) != ""
				}
			}
			return false
		}},
}

// ciiACHasVATCategory is ../ram:CategoryTradeTax[upper-case(ram:TypeCode) = 'VAT']/ram:CategoryCode.
func ciiACHasVATCategory(n *node) bool {
	for _, t := range n.All("../ram:CategoryTradeTax") {
		if ciiVATType(t) && t.Has("ram:CategoryCode") {
			return true
		}
	}
	return false
}

// ciiEndpointSchemeOK is BR-62/63: the first electronic address of the
// party has a scheme, or the party has none.
func ciiEndpointSchemeOK(n *node, party string) bool {
	comms := n.All(party + "/ram:URIUniversalCommunication")
	if len(comms) == 0 {
		return true
	}
	// URIUniversalCommunication[1] is the first of each party's.
	for _, c := range comms {
		if c.Position() == 1 {
			if xmltree.NormSpace(c.Str("ram:URIID/@schemeID")) != "" {
				return true
			}
			break
		}
	}
	return false
}

// ciiAllValues returns the values of every element named name anywhere.
func ciiAllValues(n *node, name string) []string {
	var out []string
	for _, e := range n.Root().Descendants(name) {
		out = append(out, e.Value())
	}
	return out
}

// brCIIHeaderTaxRules are BR-45 … BR-48 on the VAT breakdown of CII.
var brCIIHeaderTaxRules = []rule{
	{ID: "BR-45", Context: ciiModelHeaderTax, Test: brExists("ram:BasisAmount")},
	{ID: "BR-46", Context: ciiModelHeaderTax, Test: brExists("ram:CalculatedAmount")},
	{ID: "BR-47", Context: ciiModelHeaderTax,
		Test: func(n *node) bool { return ciiVATType(n) && n.Has("ram:CategoryCode") }},
	{ID: "BR-48", Context: ciiModelHeaderTax,
		Test: func(n *node) bool {
			return ciiVATType(n) && (n.Has("ram:RateApplicablePercent") || xmltree.In("O", n.Strs("ram:CategoryCode")))
		}},
}

// brDateString102 is path/udt:DateTimeString[@format = '102'].
func brDateString102(n *node, path string) []string {
	var out []string
	for _, d := range n.All(path + "/udt:DateTimeString") {
		if f, _ := d.Attr("format"); f == "102" {
			out = append(out, d.Value())
		}
	}
	return out
}

func brPeriodCII(n *node) bool {
	if !n.Has("ram:EndDateTime") || !n.Has("ram:StartDateTime") {
		return true
	}
	return anyStringCmp(brDateString102(n, "ram:EndDateTime"), brDateString102(n, "ram:StartDateTime"), func(x, y string) bool { return x >= y })
}
