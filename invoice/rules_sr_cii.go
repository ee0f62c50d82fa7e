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

func ciiSyntax(order int, names []string, match func(n *node) bool) ruleContext {
	return ruleContext{Pattern: patCIISyntax, Order: order, Names: names, Match: match}
}

func ramSuffix(suffix string) func(n *node) bool {
	return func(n *node) bool { return n.Space == xmltree.NSRAM && strings.HasSuffix(n.Local, suffix) }
}

func ciiAt(path string) func(n *node) bool {
	return func(n *node) bool { return n.AtRoot(path) && isCIIRoot(n.Root()) }
}

var (
	ciiSyntaxPaymentMeans = ciiSyntax(349, []string{"SpecifiedTradeSettlementPaymentMeans"}, func(n *node) bool { return n.Space == xmltree.NSRAM })
	ciiSyntaxContexts     = map[int]ruleContext{
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

// ciiCount is "count(path) <= max" (exact with eq).
func ciiCount(path string, max int, eq bool) func(n *node) bool {
	p := xp(path)
	return func(n *node) bool {
		c := len(p.All(n))
		if eq {
			return c == max
		}
		return c <= max
	}
}

// ciiNotBoth is "not both an identifier and a global identifier" of a party.
func ciiNotBoth(party string) func(n *node) bool {
	id, global := xp(party+"/ram:ID"), xp(party+"/ram:GlobalID")
	return func(n *node) bool { return !(id.Has(n) && global.Has(n)) }
}

// ciiUnless is "not(child) or cond".
func ciiUnless(child string, cond func(n *node) bool) func(n *node) bool {
	p := xp(child)
	return func(n *node) bool { return !p.Has(n) || cond(n) }
}

func ciiIsARDWithType(codes ...string) func(n *node) bool {
	return func(n *node) bool {
		return n.Is("ram:AdditionalReferencedDocument") && xmltree.AnyIn(n.Strs("ram:TypeCode"), codes)
	}
}

func ciiUnderHeaderSettlement(n *node) bool {
	return n.Ancestor("ram:ApplicableHeaderTradeSettlement") != nil
}

func ciiSyntaxRules() []rule {
	rules := restrictionRules(schemas.CIIRestrictions, ciiSyntaxContexts)
	return append(rules,
		rule{ID: "CII-SR-464", Context: ciiSyntaxPaymentMeans, Test: func(*node) bool { return true }},
		rule{ID: "CII-SR-003", Context: ciiSyntaxContexts[352], Test: ciiCount("ram:BusinessProcessSpecifiedDocumentContextParameter", 1, false)},
		rule{ID: "CII-SR-009", Context: ciiSyntaxContexts[352], Test: ciiCount("ram:GuidelineSpecifiedDocumentContextParameter", 1, true)},
		rule{ID: "CII-SR-010", Context: ciiSyntaxContexts[352], Test: ciiCount("ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", 1, true)},
		rule{ID: "CII-SR-014", Context: ciiSyntaxContexts[364], Test: ciiCount("ram:TypeCode", 1, true)},
		rule{ID: "CII-SR-030", Context: ciiSyntaxContexts[385], Test: ciiCount("ram:Content", 1, false)},
		rule{ID: "CII-SR-039", Context: ciiSyntaxContexts[395], Test: ciiCount("ram:IncludedNote", 1, false)},
		rule{ID: "CII-SR-040", Context: ciiSyntaxContexts[395], Test: ciiCount("ram:IncludedNote/ram:Content", 1, false)},
		rule{ID: "CII-SR-046", Context: ciiSyntaxContexts[403], Test: ciiUnless("ram:GlobalID", func(n *node) bool { return n.Has("ram:GlobalID/@schemeID") })},
		rule{ID: "CII-SR-090", Context: ciiSyntaxContexts[403], Test: ciiUnless("ram:OriginTradeCountry", func(n *node) bool { return len(n.All("ram:OriginTradeCountry/ram:ID")) == 1 })},
		rule{ID: "CII-SR-069", Context: ciiSyntaxContexts[461], Test: ciiCount("ram:Description", 1, true)},
		rule{ID: "CII-SR-072", Context: ciiSyntaxContexts[461], Test: ciiCount("ram:Value", 1, true)},
		rule{ID: "CII-SR-439", Context: ciiSyntaxContexts[465], Test: ciiCount("ram:NetPriceProductTradePrice/ram:ChargeAmount", 1, true)},
		rule{ID: "CII-SR-119", Context: ciiSyntaxContexts[465],
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
			}},
		rule{ID: "CII-SR-441", Context: ciiSyntaxContexts[465], Test: ciiCount("ram:NetPriceProductTradePrice/ram:ChargeAmount", 1, false)},
		rule{ID: "CII-SR-463", Context: ciiSyntaxContexts[518],
			Test: func(n *node) bool { return n.Has("ram:ChargeIndicator") }},
		rule{ID: "CII-SR-440", Context: ciiSyntaxContexts[521], Test: ciiCount("ram:ActualAmount", 1, false)},
		rule{ID: "CII-SR-454", Context: ciiSyntaxContexts[553], Test: ciiCount("ram:ApplicableTradeTax", 1, true)},
		rule{ID: "CII-SR-450", Context: ciiSyntaxContexts[598], Test: ciiNotBoth("ram:BuyerTradeParty")},
		rule{ID: "CII-SR-455", Context: ciiSyntaxContexts[598], Test: ciiCount("ram:SellerTradeParty/ram:DefinedTradeContact", 1, false)},
		rule{ID: "CII-SR-456", Context: ciiSyntaxContexts[598], Test: ciiCount("ram:BuyerTradeParty/ram:DefinedTradeContact", 1, false)},
		rule{ID: "CII-SR-457", Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool { return ciiCountTyped(n, "50") <= 1 }},
		rule{ID: "CII-SR-458", Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool { return ciiCountTyped(n, "130") <= 1 }},
		rule{ID: "CII-SR-459", Context: ciiSyntaxContexts[598], Test: ciiCount("ram:SellerTradeParty/ram:URIUniversalCommunication", 1, false)},
		rule{ID: "CII-SR-460", Context: ciiSyntaxContexts[598], Test: ciiCount("ram:BuyerTradeParty/ram:URIUniversalCommunication", 1, false)},
		rule{ID: "CII-SR-465", Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool {
				return !(n.Has("ram:SellerTradeParty/ram:DefinedTradeContact/ram:PersonName") && n.Has("ram:SellerTradeParty/ram:DefinedTradeContact/ram:DepartmentName"))
			}},
		rule{ID: "CII-SR-466", Context: ciiSyntaxContexts[598],
			Test: func(n *node) bool {
				return !(n.Has("ram:BuyerTradeParty/ram:DefinedTradeContact/ram:PersonName") && n.Has("ram:BuyerTradeParty/ram:DefinedTradeContact/ram:DepartmentName"))
			}},
		rule{ID: "CII-SR-449", Context: ciiSyntaxContexts[696], Test: ciiNotBoth("ram:ShipToTradeParty")},
		rule{ID: "CII-SR-451", Context: ciiSyntaxContexts[730], Test: ciiNotBoth("ram:PayeeTradeParty")},
		rule{ID: "CII-SR-452", Context: ciiSyntaxContexts[730], Test: ciiCount("ram:SpecifiedTradePaymentTerms", 1, false)},
		rule{ID: "CII-SR-453", Context: ciiSyntaxContexts[730], Test: ciiCount("ram:SpecifiedTradePaymentTerms/ram:Description", 1, false)},
		rule{ID: "CII-SR-461", Context: ciiSyntaxContexts[730], Test: ciiCount("ram:ApplicableTradeTax/ram:TaxPointDate", 1, false)},
		rule{ID: "CII-SR-462", Context: ciiSyntaxContexts[730],
			Test: func(n *node) bool {
				seen := map[string]bool{}
				for _, t := range n.Root().Descendants("ram:ApplicableTradeTax") {
					for _, v := range t.Strs("ram:DueDateTypeCode") {
						seen[v] = true
					}
				}
				return len(seen) <= 1
			}},
		rule{ID: "CII-DT-015", Context: ciiSyntaxContexts[873], Test: ciiUnless("ram:URIID", ciiIsARDWithType("916"))},
		rule{ID: "CII-DT-018", Context: ciiSyntaxContexts[873],
			Test: func(n *node) bool {
				return !n.Has("ram:TypeCode") || n.Is("ram:AdditionalReferencedDocument") && xmltree.AnyIn(n.Strs("ram:TypeCode"), []string{"50", "130", "916"})
			}},
		rule{ID: "CII-DT-021", Context: ciiSyntaxContexts[873], Test: ciiUnless("ram:Name", ciiIsARDWithType("916"))},
		rule{ID: "CII-DT-022", Context: ciiSyntaxContexts[873], Test: ciiUnless("ram:AttachmentBinaryObject", ciiIsARDWithType("916"))},
		rule{ID: "CII-DT-024", Context: ciiSyntaxContexts[873], Test: ciiUnless("ram:ReferenceTypeCode", ciiIsARDWithType("130"))},
		rule{ID: "CII-DT-027", Context: ciiSyntaxContexts[873], Test: ciiUnless("ram:FormattedIssueDateTime", func(n *node) bool { return n.Is("ram:InvoiceReferencedDocument") })},
		rule{ID: "CII-DT-033", Context: ciiSyntaxContexts[895], Test: ciiUnless("@unitCode", func(n *node) bool {
			return n.Root().Has(ciiLine + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode")
		})},
		rule{ID: "CII-DT-037", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:TypeCode", func(n *node) bool { return xmltree.In("VAT", n.Strs("ram:TypeCode")) })},
		rule{ID: "CII-DT-041", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:BasisAmount", ciiUnderHeaderSettlement)},
		rule{ID: "CII-DT-052", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:ExemptionReasonCode", func(n *node) bool { return n.Is("ram:ApplicableTradeTax") })},
		rule{ID: "CII-DT-098", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:ExemptionReason", func(n *node) bool { return n.Is("ram:ApplicableTradeTax") })},
		rule{ID: "CII-DT-054", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:TaxPointDate", ciiUnderHeaderSettlement)},
		rule{ID: "CII-DT-058", Context: ciiSyntaxContexts[901], Test: ciiUnless("ram:DueDateTypeCode", ciiUnderHeaderSettlement)},
		rule{ID: "CII-DT-097", Context: ciiSyntaxContexts[963],
			Test: func(n *node) bool { return ciiDate102.MatchString(n.Value()) }},
	)
}

// ciiCountTyped counts the agreement's additional referenced documents with
// a type code.
func ciiCountTyped(n *node, code string) int {
	c := 0
	for _, d := range n.All("ram:AdditionalReferencedDocument") {
		if xmltree.In(code, d.Strs("ram:TypeCode")) {
			c++
		}
	}
	return c
}
