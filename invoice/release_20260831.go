package invoice

import (
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/eingang/eingang/invoice/internal/xmltree"
	"github.com/eingang/eingang/schemas"
)

// Release 2026-08-31: what it changes in release 2026-01-31.
//
// From source files: EN 16931 validation artefacts 1.3.16 (the *.sch diff
// of ConnectingEurope/eInvoicing-EN16931 validation-1.3.15..validation-1.3.16)
// and XRechnung Schematron master at 3098f3d with branch 226 (ad390c4):
// the CEN 1.3.16 code list variables, BR-TMP-4 and BR-TMP-5; XRechnung
// Schematron branch 225 (a3b0090): the UBL fix of PEPPOL-EN16931-R008,
// which src/xsl/peppol-into-xr.xsl writes into the merged rule. From the
// published notes of XRechnung Schematron v2.6.0 (no source file):
// BR-TMP-2 fatal, BR-TMP-6, BR-TMP-7.
//
// Peppol BIS Billing 3.0.21 (rules/sch/PEPPOL-EN16931-UBL.sch and -CII.sch,
// "Last update: 2026 May release 3.0.21") changes no test of the
// PEPPOL-EN16931-R rules XRechnung merges (src/xsl/rule-list.xml): their
// contexts, tests and flags are those of v3.0.19 (the 3.0.20 files 2.5.0
// merged are not public here) and of the 2.5.0 merge this package carries;
// only their messages gain an "[id]-" prefix. The one PEPPOL-EN16931-R test
// change since v3.0.19, R004's not(contains(..., '::')), is in a rule
// XRechnung does not merge. So the release changes no rule for 3.0.21.

const (
	srcCEN1316 = "EN 16931 validation artefacts 1.3.16"
	srcXRMain  = "XRechnung Schematron master 3098f3d"
	srcXR226   = "XRechnung Schematron branch 226 (ad390c4)"
	srcXR225   = "XRechnung Schematron branch 225 (a3b0090), src/xsl/peppol-into-xr.xsl"
	srcNotes26 = "notes of XRechnung Schematron v2.6.0"
)

// release20260831 is the release 2026-08-31 with its change set.
func release20260831() releaseDef {
	changes := []RuleChange{
		{ID: "BR-CO-25", Syntax: "both", Kind: "removed", What: "payment due date or terms with a positive amount due: removed", Source: srcCEN1316},
		{ID: "BR-CO-27", Syntax: "cii", Kind: "removed", What: "IBAN or proprietary id: removed (CII-SR-470 takes it over)", Source: srcCEN1316},
		{ID: "BR-18", Syntax: "cii", Kind: "changed", What: "normalize-space(ram:Name) != ''", Source: srcCEN1316},
		{ID: "BR-20", Syntax: "cii", Kind: "changed", What: "normalize-space(ram:PostalTradeAddress/ram:CountryID) != ''", Source: srcCEN1316},
		{ID: "BR-50", Syntax: "cii", Kind: "changed", What: "normalize-space(ram:IBANID) or normalize-space(ram:ProprietaryID) not empty", Source: srcCEN1316},
		{ID: "BR-51", Syntax: "cii", Kind: "changed", What: "string-length(normalize-space(ram:ID)) <= 10", Source: srcCEN1316},
		{ID: "BR-CO-11", Syntax: "cii", Kind: "changed", What: "sums ram:ActualAmount[1]", Source: srcCEN1316},
		{ID: "BR-CO-12", Syntax: "cii", Kind: "changed", What: "sums ram:ActualAmount[1]", Source: srcCEN1316},
		{ID: "BR-CO-13", Syntax: "cii", Kind: "changed", What: "reads each amount [1]", Source: srcCEN1316},
		{ID: "BR-CO-15", Syntax: "cii", Kind: "changed", What: "reads each amount [1] from the root's monetary summation", Source: srcCEN1316},
		{ID: "BR-CO-16", Syntax: "cii", Kind: "changed", What: "reads each amount [1]; absent, not zero, prepaid and rounding amounts", Source: srcCEN1316},
		{ID: "BR-CO-26", Syntax: "ubl", Kind: "changed", What: "a party identifier with schemeID SEPA does not identify the seller", Source: srcCEN1316},
		{ID: "BR-B-02", Syntax: "ubl", Kind: "changed", What: "reads the breakdown's cac:TaxCategory/cbc:ID for S", Source: srcCEN1316},
		{ID: "BR-DEC-01 BR-DEC-05 BR-DEC-24 BR-DEC-27", Syntax: "cii", Kind: "changed", What: "reads ../ram:ActualAmount[1]", Source: srcCEN1316},
		{ID: "BR-S-08 BR-Z-08 BR-E-08 BR-AE-08 BR-IC-08 BR-G-08 BR-O-08 BR-AF-08 BR-AG-08", Syntax: "cii", Kind: "changed", What: "sum each allowance's and charge's ram:ActualAmount[1]", Source: srcCEN1316},
		{ID: "BR-CL-01 BR-CL-03 BR-CL-04 BR-CL-05 BR-CL-10 BR-CL-11 BR-CL-21 BR-CL-25 BR-CL-26", Syntax: "both", Kind: "changed", What: "code lists of 1.3.16 (schemas/codelists_1316_gen.go)", Source: srcCEN1316},
		{ID: "UBL-SR-23", Syntax: "ubl", Kind: "changed", What: "count(cac:PartyTaxScheme/cbc:CompanyID) <= 1", Source: srcCEN1316},
		{ID: "UBL-CR-674", Syntax: "ubl", Kind: "changed", What: "not(//cbc:PrimaryAccountNumberID/@schemeID)", Source: srcCEN1316},
		{ID: "CII-SR-464", Syntax: "cii", Kind: "changed", What: "not(ram:PayerSpecifiedDebtorFinancialInstitution)", Source: srcCEN1316},
		{ID: "UBL-SR-56", Syntax: "ubl", Kind: "added", What: "count(cac:OriginatorDocumentReference/cbc:ID) <= 1", Source: srcCEN1316},
		{ID: "CII-SR-467 … CII-SR-494", Syntax: "cii", Kind: "added", What: "28 cardinality and payment means rules", Source: srcCEN1316},
		{ID: "BR-DEX-04 BR-DEX-05 BR-DEX-06 BR-DEX-07 BR-DEX-08", Syntax: "both", Kind: "changed", What: "ICD and EAS code lists of CEN 1.3.16", Source: srcXRMain},
		{ID: "BR-TMP-4", Syntax: "cii", Kind: "added", What: "count(ram:Name) <= 1 per attachment (BG-24), a warning", Source: srcXR226},
		{ID: "BR-TMP-5", Syntax: "cii", Kind: "added", What: "count(ram:AttachmentBinaryObject) <= 1 per attachment (BG-24), a warning", Source: srcXR226},
		{ID: "BR-TMP-2", Syntax: "both", Kind: "changed", What: "raised from warning to fatal", Source: srcNotes26, FromNotes: true, Carried: true},
		{ID: "BR-TMP-6", Syntax: "ubl", Kind: "added", What: "a UBL date is written YYYY-MM-DD, a warning", Source: srcNotes26, FromNotes: true, Carried: true},
		{ID: "BR-TMP-7", Syntax: "cii", Kind: "added", What: "a CII date has format 102, a warning", Source: srcNotes26, FromNotes: true, Carried: true},
		{ID: "PEPPOL-EN16931-R008", Syntax: "ubl", Kind: "changed", What: "name() = 'cbc:ID' and parent::cac:OrderReference: an empty order reference (BT-13) passes", Source: srcXR225},
	}
	for i := range changes {
		if !changes[i].FromNotes {
			changes[i].Carried = true
		}
	}
	return releaseDef{
		Release: Release{
			Name:  Release20260831,
			Start: time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC),
			Parts: []Part{
				{"EN 16931 validation artefacts", "1.3.16", "ConnectingEurope/eInvoicing-EN16931, tag validation-1.3.16"},
				{"XRechnung Schematron", "2.6.0 (public part)", "itplr-kosit/xrechnung-schematron master 3098f3d with branches 226 (ad390c4) and 225 (a3b0090, PEPPOL-EN16931-R008 in UBL); BR-TMP-2, -6, -7 from the notes of v2.6.0"},
				{"Peppol BIS Billing", "3.0.21", "OpenPeppol/peppol-bis-invoice-3 rules/sch/PEPPOL-EN16931-UBL.sch (9cc76bc) and -CII.sch (b879686) of release 3.0.21 (no public tag): the merged PEPPOL-EN16931-R rules test as in 2.5.0, so no rule changes; PEPPOL-EN16931-R008 (UBL) as XRechnung branch 225 (a3b0090) rewrites it"},
				{"code lists", "1.3.16", "the lists of the EN 16931 validation artefacts 1.3.16 (schemas/codelists_1316_gen.go) and of XRechnung Schematron master"},
				{"XML Schemas", "UBL 2.1, CII D16B", "as release 2026-01-31"},
				{"scenarios", "2026-01-31", "as release 2026-01-31 (the configuration's own sources of 2026-08-31 are not public)"},
			},
			Changes: changes,
		},
		edition: cen1316,
		changes: changes20260831,
	}
}

// notesOnly20260831 are the rule ids of release 2026-08-31 whose tests come
// from published notes, not from a source file.
var notesOnly20260831 = []string{"BR-TMP-2", "BR-TMP-6", "BR-TMP-7"}

// changes20260831 is what release 2026-08-31 changes, rule by rule.
func changes20260831() changeSet {
	cs := changeSet{
		remove: []ruleKey{{"BR-CO-25", syntaxUBL}, {"BR-CO-25", syntaxCII}, {"BR-CO-27", syntaxCII}},
		retest: []retest{
			{ruleKey{"BR-18", syntaxCII}, brNotBlank("ram:Name")},
			{ruleKey{"BR-20", syntaxCII}, brNotBlank("ram:PostalTradeAddress/ram:CountryID")},
			{ruleKey{"BR-50", syntaxCII}, brEitherNotBlank("ram:IBANID", "ram:ProprietaryID")},
			{ruleKey{"BR-51", syntaxCII}, func(n *node) bool { return utf8.RuneCountInString(n.NormStr("ram:ID")) <= 10 }},
			{ruleKey{"BR-CO-11", syntaxCII}, ciiACTotal1316("ram:AllowanceTotalAmount", false)},
			{ruleKey{"BR-CO-12", syntaxCII}, ciiACTotal1316("ram:ChargeTotalAmount", true)},
			{ruleKey{"BR-CO-13", syntaxCII}, ciiTaxBasis(ciiFirstDec)},
			{ruleKey{"BR-CO-15", syntaxCII}, ciiGrandTotal1316},
			{ruleKey{"BR-CO-16", syntaxCII}, ciiDuePayable(ciiFirstDec, func(n *node, path string) bool { return n.Has(path) })},
			{ruleKey{"BR-CO-26", syntaxUBL}, ublSellerIdentified1316},
			{ruleKey{"BR-B-02", syntaxUBL}, ublSplitPaymentNotStandard1316},
			{ruleKey{"BR-DEC-01", syntaxCII}, brdecFirstOK("../ram:ActualAmount")},
			{ruleKey{"BR-DEC-05", syntaxCII}, brdecFirstOK("../ram:ActualAmount")},
			{ruleKey{"BR-DEC-24", syntaxCII}, brdecFirstOK("../ram:ActualAmount")},
			{ruleKey{"BR-DEC-27", syntaxCII}, brdecFirstOK("../ram:ActualAmount")},
			{ruleKey{"UBL-SR-23", syntaxUBL}, ublMaxOnce("cac:PartyTaxScheme/cbc:CompanyID")},
			{ruleKey{"UBL-CR-674", syntaxUBL}, restrictionRules([]schemas.Restriction{{ID: "UBL-CR-674", Flag: "warning", Context: 391, Path: "//cbc:PrimaryAccountNumberID/@schemeID"}},
				map[int]ruleContext{391: ublSyntaxRoot})[0].Test},
			{ruleKey{"CII-SR-464", syntaxCII}, func(n *node) bool { return !n.Has("ram:PayerSpecifiedDebtorFinancialInstitution") }},
			{ruleKey{"PEPPOL-EN16931-R008", syntaxUBL}, peppolUBLEmptyOrderRef},
		},
		add: []rule{
			{ID: "UBL-SR-56", Context: ublSyntaxRoot, Test: ublMaxOnce("cac:OriginatorDocumentReference/cbc:ID")},
			{ID: "CII-SR-467", Context: ciiSyntaxContexts[834], Test: ciiAllEqualToFirst("//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode")},
			{ID: "CII-SR-468", Context: ciiSyntaxContexts[834], Test: ciiAllEqualToFirst("//ram:SpecifiedTradeSettlementPaymentMeans/ram:Information")},
			{ID: "CII-SR-469", Context: ciiSyntaxContexts[834], Test: ciiCount("//ram:ApplicableHeaderTradeSettlement/ram:PaymentReference", 1, false)},
			{ID: "CII-SR-470", Context: ciiSyntaxContexts[730], Test: ciiTransferHasAccount},
			{ID: "CII-SR-471", Context: ciiSyntaxContexts[518], Test: ciiCount("ram:RateApplicablePercent", 1, false)},
			{ID: "CII-SR-472", Context: ciiSyntaxContexts[518], Test: ciiCount("ram:CategoryTradeTax", 1, false)},
			{ID: "CII-SR-473", Context: ciiSyntaxContexts[518], Test: ciiCount("ram:ActualAmount", 1, false)},
			{ID: "CII-SR-474", Context: ciiSyntaxContexts[553], Test: func(n *node) bool { return len(ciiTypedDocs(n, "130")) <= 1 }},
			{ID: "CII-SR-475", Context: ciiSyntaxContexts[598], Test: ciiTypedDocsCount("916", "ram:Name")},
			{ID: "CII-SR-476", Context: ciiSyntaxContexts[598], Test: ciiTypedDocsCount("916", "ram:AttachmentBinaryObject")},
			{ID: "BR-TMP-4", Context: xrCIIExternalDoc, Test: ciiCount("ram:Name", 1, false)},
			{ID: "BR-TMP-5", Context: xrCIIExternalDoc, Test: ciiCount("ram:AttachmentBinaryObject", 1, false)},
			{ID: "BR-TMP-6", Context: xrUBLDates, Test: func(n *node) bool { return ublDate.MatchString(n.Value()) }},
			{ID: "BR-TMP-7", Context: xrCIIDates, Test: func(n *node) bool { f, _ := n.Attr("format"); return f == "102" }},
		},
		docs: docs20260831,
	}
	for i, name := range ciiSummationOnce {
		cs.add = append(cs.add, rule{ID: "CII-SR-" + itoa3(477+i), Context: ciiSyntaxContexts[822], Test: ciiCount("ram:"+name, 1, false)})
	}
	// The code list rules whose lists 1.3.16 changed, with its lists.
	changed := clChanged(cen1315, cen1316)
	for _, s := range []syntax{syntaxUBL, syntaxCII} {
		for _, r := range forSyntax(s, clRules(cen1316)) {
			if changed[r.ID]&s != 0 {
				cs.retest = append(cs.retest, retest{ruleKey{r.ID, s}, r.Test})
			}
		}
	}
	// The CII -08 rules, which sum each allowance's ram:ActualAmount[1].
	for _, r := range ciiVATRules(cen1316) {
		switch r.ID {
		case "BR-S-08", "BR-Z-08", "BR-E-08", "BR-AE-08", "BR-IC-08", "BR-G-08", "BR-O-08", "BR-AF-08", "BR-AG-08":
			cs.retest = append(cs.retest, retest{ruleKey{r.ID, syntaxCII}, r.Test})
		}
	}
	// XRechnung's ICD and EAS lists as of CEN 1.3.16.
	icd, eas := xrDIGACodes+xrICDCodes1316, xrDIGACodes+xrEASCodes1316
	cs.retest = append(cs.retest,
		retest{ruleKey{"BR-DEX-04", syntaxUBL}, func(n *node) bool { return ublPartySchemeExtListedIn(n, icd) }},
		retest{ruleKey{"BR-DEX-04", syntaxCII}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-05", syntaxUBL}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-05", syntaxCII}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-06", syntaxUBL}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-06", syntaxCII}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-07", syntaxUBL}, xrSchemeAttrIn("schemeID", eas)},
		retest{ruleKey{"BR-DEX-07", syntaxCII}, xrSchemeAttrIn("schemeID", eas)},
		retest{ruleKey{"BR-DEX-08", syntaxUBL}, xrSchemeAttrIn("schemeID", icd)},
		retest{ruleKey{"BR-DEX-08", syntaxCII}, xrSchemeAttrIn("schemeID", icd)},
	)
	return cs
}

// XRechnung Schematron master's ICD and EAS lists (common.sch), which add
// the codes of CEN 1.3.16 to 2.5.0's.
const (
	xrICDCodes1316 = xrICDCodes + " 0245 0246 0247 0248 "
	xrEASCodes1316 = xrEASCodes + "0242 0245 0246 0248 "
)

// ciiSummationOnce are the amounts of the header monetary summation that
// CII-SR-477 … CII-SR-494 allow at most once, in the order of their ids.
var ciiSummationOnce = []string{"LineTotalAmount", "ChargeTotalAmount", "AllowanceTotalAmount", "TaxBasisTotalAmount", "RoundingAmount",
	"GrandTotalAmount", "InformationAmount", "TotalPrepaidAmount", "TotalDiscountAmount", "TotalAllowanceChargeAmount", "DuePayableAmount",
	"RetailValueExcludingTaxInformationAmount", "TotalDepositFeeInformationAmount", "ProductValueExcludingTobaccoTaxInformationAmount",
	"TotalRetailValueInformationAmount", "GrossLineTotalAmount", "NetLineTotalAmount", "NetIncludingTaxesLineTotalAmount"}

// itoa3 writes n (below 1000) with three digits.
func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

// The contexts of the notes' date rules, each a pattern of its own so that
// they take no element from another rule's context.
var (
	xrUBLDates = ruleContext{Pattern: patXRUBLDates, Order: 1,
		Names: []string{"IssueDate", "DueDate", "TaxPointDate", "StartDate", "EndDate", "ActualDeliveryDate", "PaymentDueDate"},
		Match: func(n *node) bool { return n.Space == xmltree.NSCBC && isUBLRoot(n.Root()) }}
	xrCIIDates = ruleContext{Pattern: patXRCIIDates, Order: 1, Names: []string{"DateTimeString"},
		Match: func(n *node) bool {
			return (n.Space == xmltree.NSUDT || n.Space == xmltree.NSQDT) && isCIIRoot(n.Root())
		}}
	ublDate = regexp.MustCompile(`^[ \t\n\r]*[0-9]{4}-[0-9]{2}-[0-9]{2}[ \t\n\r]*$`)
)

// peppolUBLEmptyOrderRef is PEPPOL-EN16931-R008 in UBL as XRechnung branch
// 225 rewrites its test, name() = 'cbc:ID' and parent::cac:OrderReference:
// of the empty elements, an order reference's identifier (BT-13) passes.
// name() is the name as the document writes it (see NameIs): an empty ID
// written with another prefix, or none, still fires.
func peppolUBLEmptyOrderRef(n *node) bool {
	return n.NameIs("cbc:ID") && n.Parent.Is("cac:OrderReference")
}

// ciiAllEqualToFirst is count(path[normalize-space(.) !=
// normalize-space((path)[1])]) = 0.
func ciiAllEqualToFirst(path string) func(n *node) bool {
	return func(n *node) bool {
		vs := n.Strs(path)
		for _, v := range vs {
			if xmltree.NormSpace(v) != xmltree.NormSpace(vs[0]) {
				return false
			}
		}
		return true
	}
}

// ciiTransferHasAccount is CII-SR-470: no credit transfer (30, 58) without
// an IBAN or a proprietary id of the payee's account.
func ciiTransferHasAccount(n *node) bool {
	for _, pm := range n.All("ram:SpecifiedTradeSettlementPaymentMeans") {
		code := pm.NormStr("ram:TypeCode")
		if (code == "30" || code == "58") &&
			!pm.Has("ram:PayeePartyCreditorFinancialAccount/ram:IBANID") && !pm.Has("ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID") {
			return false
		}
	}
	return true
}

// ciiTypedDocs returns the additional referenced documents of n whose
// normalized type code is code.
func ciiTypedDocs(n *node, code string) []*node {
	var out []*node
	for _, d := range n.All("ram:AdditionalReferencedDocument") {
		if d.NormStr("ram:TypeCode") == code {
			out = append(out, d)
		}
	}
	return out
}

// ciiTypedDocsCount is count(ram:AdditionalReferencedDocument[
// normalize-space(ram:TypeCode) = code]/child) <= 1: over all such
// documents of the agreement, as CEN 1.3.16 writes CII-SR-475 and -476.
func ciiTypedDocsCount(code, child string) func(n *node) bool {
	return func(n *node) bool {
		c := 0
		for _, d := range ciiTypedDocs(n, code) {
			c += len(d.All(child))
		}
		return c <= 1
	}
}

// brdecFirstOK is string-length(substring-after(path[1], '.')) <= 2.
func brdecFirstOK(path string) func(n *node) bool {
	return func(n *node) bool {
		v := n.Str(path)
		for i := 0; i < len(v); i++ {
			if v[i] == '.' {
				return utf8.RuneCountInString(v[i+1:]) <= 2
			}
		}
		return true
	}
}

// ciiFirstDec is xs:decimal(path[1]): the first value cast, absent is not
// present.
func ciiFirstDec(n *node, path string) (xmltree.Decimal, bool) {
	vs := n.Strs(path)
	if len(vs) == 0 {
		return xmltree.Decimal{}, false
	}
	return xmltree.CastDec(n, vs[:1])
}

// ciiACTotal1316 is BR-CO-11 (charge false) and BR-CO-12 (charge true) of
// 1.3.16: the total equals the rounded sum of the allowances' (charges')
// ram:ActualAmount[1], or there are neither.
func ciiACTotal1316(total string, charge bool) func(n *node) bool {
	return func(n *node) bool {
		var amounts []string
		any := false
		for _, ac := range n.Root().All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
			if ciiIndicatorIs(ac, charge) {
				any = true
				if vs := ac.Strs("ram:ActualAmount"); len(vs) > 0 {
					amounts = append(amounts, vs[0])
				}
			}
		}
		if !any && !n.Has(total) {
			return true
		}
		return xmltree.AnyUntypedEqRoundedSum(n, n.Strs(total), amounts)
	}
}

// ciiGrandTotal1316 is BR-CO-15 of 1.3.16: for each invoice currency, the
// VAT total in it is given once and BT-112 = round(BT-109 + BT-110), or
// BT-112 = BT-109; each amount the first of the root's monetary summation.
func ciiGrandTotal1316(n *node) bool {
	const sum = ciiSettle + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
	for _, cur := range n.Strs(ciiCurrencyPath) {
		var taxes []string
		for _, t := range n.All(sum + "/ram:TaxTotalAmount") {
			if c, _ := t.Attr("currencyID"); c == cur {
				taxes = append(taxes, t.Value())
			}
		}
		grand, ok1 := ciiFirstDec(n, sum+"/ram:GrandTotalAmount")
		ok := false
		if len(taxes) == 1 && ok1 {
			basis, ok2 := ciiFirstDec(n, sum+"/ram:TaxBasisTotalAmount")
			if tax, ok3 := xmltree.CastDec(n, taxes); ok2 && ok3 && grand.Cmp(basis.Add(tax).Round2()) == 0 {
				ok = true
			}
		}
		if !ok {
			basis, ok2 := ciiFirstDec(n, sum+"/ram:TaxBasisTotalAmount")
			if !(ok1 && ok2 && grand.Cmp(basis) == 0) {
				return false
			}
		}
	}
	return true
}

// ublSellerIdentified1316 is BR-CO-26 of 1.3.16 for UBL: a VAT identifier,
// a party identifier whose scheme is not SEPA, or a legal registration
// identifier.
func ublSellerIdentified1316(n *node) bool {
	for _, s := range n.All("cac:Party/cac:PartyTaxScheme") {
		if ublVAT(s) && s.Has("cbc:CompanyID") {
			return true
		}
	}
	for _, id := range n.All("cac:Party/cac:PartyIdentification/cbc:ID") {
		if s, ok := id.Attr("schemeID"); !ok || s != "SEPA" {
			return true
		}
	}
	return n.Has("cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
}

// Paths ublSplitPaymentNotStandard1316 reads, compiled once.
var (
	ublACTaxCodes        = xp("cac:AllowanceCharge/cac:TaxCategory/cbc:ID")
	ublBreakdownTaxCodes = xp("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID")
)

// ublSplitPaymentNotStandard1316 is BR-B-02 of 1.3.16 for UBL: the
// breakdown's standard rate is read from its cac:TaxCategory.
func ublSplitPaymentNotStandard1316(n *node) bool {
	var classified []string
	for _, tc := range n.Root().Descendants("cac:ClassifiedTaxCategory") {
		classified = append(classified, tc.Strs("cbc:ID")...)
	}
	acCodes := ublACTaxCodes.Strs(n)
	breakdown := ublBreakdownTaxCodes.Strs(n)
	if !xmltree.In("B", breakdown) && !xmltree.In("B", acCodes) && !xmltree.In("B", classified) {
		return true
	}
	return !xmltree.In("S", breakdown) && !xmltree.In("S", acCodes) && !xmltree.In("S", classified)
}

// ublPartySchemeExtListedIn is BR-DEX-04 with the ICD list icd.
func ublPartySchemeExtListedIn(n *node, icd string) bool {
	s, _ := n.Attr("schemeID")
	if xrSchemeIn(s, icd) {
		return true
	}
	return xrSchemeIn(s, " SEPA ") && (n.Ancestor("cac:AccountingSupplierParty") != nil || n.Ancestor("cac:PayeeParty") != nil)
}

// docs20260831 are the catalogue entries release 2026-08-31 adds or
// changes.
var docs20260831 = map[string]ruleDoc{
	"BR-TMP-2": {fatal, "The external document location (BT-124) must be an absolute URL with a scheme.",
		"Der Speicherort des externen Dokuments (BT-124) muss eine absolute URL mit Schema sein."},
	"BR-TMP-4": {warning, "An attachment (BG-24) may have at most one description (BT-123).",
		"Ein Anhang (BG-24) darf höchstens eine Beschreibung (BT-123) haben."},
	"BR-TMP-5": {warning, "An attachment (BG-24) may carry at most one attached document (BT-125).",
		"Ein Anhang (BG-24) darf höchstens ein angehängtes Dokument (BT-125) enthalten."},
	"BR-TMP-6": {warning, "A date should be written YYYY-MM-DD.",
		"Ein Datum soll als JJJJ-MM-TT geschrieben sein."},
	"BR-TMP-7": {warning, "A date should have format 102 (YYYYMMDD).",
		"Ein Datum soll das Format 102 (JJJJMMTT) haben."},
	"CII-SR-464": {warning, "The payer's financial institution should not be given.",
		"Das Finanzinstitut des Zahlers soll nicht angegeben werden."},
	"BR-B-02": {fatal, "An invoice with split payment (VAT category B) must not also use standard rate (S), in lines, allowances, charges or the VAT breakdown.",
		"Eine Rechnung mit Split Payment (Umsatzsteuerkategorie B) darf nicht auch den Normalsatz (S) verwenden, weder in Positionen, Nachlässen, Zuschlägen noch in der Aufschlüsselung."},
	"UBL-SR-56": {fatal, "The originator document reference (BT-17) may occur at most once.",
		"Die Referenz auf das Ausschreibungsdokument (BT-17) darf höchstens einmal vorkommen."},
	"CII-SR-467": {fatal, "All payment means type codes (BT-81) must be the same.",
		"Alle Codes der Zahlungsart (BT-81) müssen gleich sein."},
	"CII-SR-468": {fatal, "All payment means texts (BT-82) must be the same.",
		"Alle Texte der Zahlungsart (BT-82) müssen gleich sein."},
	"CII-SR-469": {fatal, "The remittance information (BT-83) may occur at most once.",
		"Der Verwendungszweck (BT-83) darf höchstens einmal vorkommen."},
	"CII-SR-470": {fatal, "With a credit transfer (30, 58) the IBAN or a proprietary identifier of the payment account (BT-84) must be given.",
		"Bei einer Überweisung (30, 58) muss die IBAN oder eine andere Kennung des Zahlungskontos (BT-84) angegeben werden."},
	"CII-SR-471": {fatal, "A document level allowance or charge may have at most one VAT rate.",
		"Ein Nachlass oder Zuschlag auf Dokumentebene darf höchstens einen Umsatzsteuersatz haben."},
	"CII-SR-472": {fatal, "A document level allowance or charge may have at most one VAT category (BT-95, BT-102).",
		"Ein Nachlass oder Zuschlag auf Dokumentebene darf höchstens eine Umsatzsteuerkategorie (BT-95, BT-102) haben."},
	"CII-SR-473": {fatal, "A document level allowance or charge may have at most one amount (BT-92, BT-99).",
		"Ein Nachlass oder Zuschlag auf Dokumentebene darf höchstens einen Betrag (BT-92, BT-99) haben."},
	"CII-SR-474": {warning, "An invoice line may reference at most one invoiced object (type code 130).",
		"Eine Rechnungsposition darf höchstens ein Rechnungsobjekt (Typcode 130) referenzieren."},
	"CII-SR-475": {warning, "The attachments (type code 916) should have at most one description (BT-123) in all.",
		"Die Anhänge (Typcode 916) sollen insgesamt höchstens eine Beschreibung (BT-123) haben."},
	"CII-SR-476": {warning, "The attachments (type code 916) should carry at most one attached document (BT-125) in all.",
		"Die Anhänge (Typcode 916) sollen insgesamt höchstens ein angehängtes Dokument (BT-125) enthalten."},
	"CII-SR-477": summationOnce("LineTotalAmount", "BT-106"),
	"CII-SR-478": summationOnce("ChargeTotalAmount", "BT-108"),
	"CII-SR-479": summationOnce("AllowanceTotalAmount", "BT-107"),
	"CII-SR-480": summationOnce("TaxBasisTotalAmount", "BT-109"),
	"CII-SR-481": summationOnce("RoundingAmount", "BT-114"),
	"CII-SR-482": summationOnce("GrandTotalAmount", "BT-112"),
	"CII-SR-483": summationOnce("InformationAmount", ""),
	"CII-SR-484": summationOnce("TotalPrepaidAmount", "BT-113"),
	"CII-SR-485": summationOnce("TotalDiscountAmount", ""),
	"CII-SR-486": summationOnce("TotalAllowanceChargeAmount", ""),
	"CII-SR-487": summationOnce("DuePayableAmount", "BT-115"),
	"CII-SR-488": summationOnce("RetailValueExcludingTaxInformationAmount", ""),
	"CII-SR-489": summationOnce("TotalDepositFeeInformationAmount", ""),
	"CII-SR-490": summationOnce("ProductValueExcludingTobaccoTaxInformationAmount", ""),
	"CII-SR-491": summationOnce("TotalRetailValueInformationAmount", ""),
	"CII-SR-492": summationOnce("GrossLineTotalAmount", ""),
	"CII-SR-493": summationOnce("NetLineTotalAmount", ""),
	"CII-SR-494": summationOnce("NetIncludingTaxesLineTotalAmount", ""),
}

// summationOnce documents the rule that the header monetary summation
// holds the element name (business term bt, where it has one) at most
// once.
func summationOnce(name, bt string) ruleDoc {
	what := "ram:" + name
	if bt != "" {
		what += " (" + bt + ")"
	}
	return ruleDoc{fatal, "The document totals may give " + what + " at most once.",
		"Die Summen des Dokuments dürfen " + what + " höchstens einmal angeben."}
}
