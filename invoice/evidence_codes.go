package invoice

// Evidence of the code list rules (BR-CL) and the decimal rules (BR-DEC):
// the value the document has and the list or form it must have.

// A codeRule names where a code list rule reads its code (the element's
// value, or an attribute) and the list.
type codeRule struct{ attr, list string }

// codeRules are the BR-CL rules of both syntaxes; ublCodeAttrs and
// ciiCodeAttrs hold where the two differ.
var codeRules = map[string]codeRule{
	"BR-CL-01": {"", "UNTDID 1001"},
	"BR-CL-03": {"currencyID", "ISO 4217"},
	"BR-CL-04": {"", "ISO 4217"},
	"BR-CL-05": {"", "ISO 4217"},
	"BR-CL-10": {"schemeID", "ISO 6523 ICD"},
	"BR-CL-11": {"schemeID", "ISO 6523 ICD"},
	"BR-CL-13": {"listID", "UNTDID 7143"},
	"BR-CL-14": {"", "ISO 3166-1 alpha-2"},
	"BR-CL-15": {"", "ISO 3166-1 alpha-2"},
	"BR-CL-16": {"", "UNTDID 4461"},
	"BR-CL-17": {"", "UNTDID 5305"},
	"BR-CL-18": {"", "UNTDID 5305"},
	"BR-CL-19": {"", "UNTDID 5189"},
	"BR-CL-20": {"", "UNTDID 7161"},
	"BR-CL-21": {"schemeID", "ISO 6523 ICD"},
	"BR-CL-22": {"", "VATEX"},
	"BR-CL-23": {"unitCode", "UN/ECE Rec 20/Rec 21"},
	"BR-CL-24": {"mimeCode", "application/pdf, image/png, image/jpeg, text/csv, XLSX, ODS"},
	"BR-CL-25": {"schemeID", "CEF EAS"},
	"BR-CL-26": {"schemeID", "ISO 6523 ICD"},
}

// codeEvidence explains the BR-CL rules, with the syntax's own rules
// added.
func codeEvidence(own map[string]codeRule) map[string]explainer {
	m := map[string]explainer{}
	add := func(id string, c codeRule) {
		m[id] = func(n *node) *Evidence {
			return valueOf(n, c.attr, "", "a code of "+c.list, "ein Code aus "+c.list)
		}
	}
	for id, c := range codeRules {
		add(id, c)
	}
	for id, c := range own {
		add(id, c)
	}
	return m
}

// A decimalRule names the amount a BR-DEC rule reads, from its context.
type decimalRule struct{ path, bt string }

// decimalEvidence explains the BR-DEC rules of a syntax.
func decimalEvidence(m map[string]explainer, rules map[string]decimalRule) {
	for id, d := range rules {
		m[id] = func(n *node) *Evidence {
			f := field(n, d.path, d.bt)
			if f == nil {
				return nil
			}
			return &Evidence{Actual: f.Value, Expected: "at most two decimal places", expectedDE: "höchstens zwei Nachkommastellen", Fields: []Field{*f}}
		}
	}
}

func codesUBLEvidence() map[string]explainer {
	m := codeEvidence(map[string]codeRule{
		"BR-CL-06": {"", "UNTDID 2005"},
		"BR-CL-07": {"schemeID", "UNTDID 1153"},
	})
	decimalEvidence(m, map[string]decimalRule{
		"BR-DEC-01": {"cbc:Amount", "BT-92"}, "BR-DEC-02": {"cbc:BaseAmount", "BT-93"},
		"BR-DEC-05": {"cbc:Amount", "BT-99"}, "BR-DEC-06": {"cbc:BaseAmount", "BT-100"},
		"BR-DEC-09": {"cbc:LineExtensionAmount", "BT-106"}, "BR-DEC-10": {"cbc:AllowanceTotalAmount", "BT-107"},
		"BR-DEC-11": {"cbc:ChargeTotalAmount", "BT-108"}, "BR-DEC-12": {"cbc:TaxExclusiveAmount", "BT-109"},
		"BR-DEC-14": {"cbc:TaxInclusiveAmount", "BT-112"}, "BR-DEC-16": {"cbc:PrepaidAmount", "BT-113"},
		"BR-DEC-17": {"cbc:PayableRoundingAmount", "BT-114"}, "BR-DEC-18": {"cbc:PayableAmount", "BT-115"},
		"BR-DEC-19": {"cbc:TaxableAmount", "BT-116"}, "BR-DEC-20": {"cbc:TaxAmount", "BT-117"},
		"BR-DEC-23": {"cbc:LineExtensionAmount", "BT-131"},
		"BR-DEC-24": {"cbc:Amount", "BT-136"}, "BR-DEC-25": {"cbc:BaseAmount", "BT-137"},
		"BR-DEC-27": {"cbc:Amount", "BT-141"}, "BR-DEC-28": {"cbc:BaseAmount", "BT-142"},
	})
	return m
}

func codesCIIEvidence() map[string]explainer {
	m := codeEvidence(map[string]codeRule{
		"BR-CL-06": {"", "UNTDID 2475"},
		"BR-CL-07": {"", "UNTDID 1153"},
		"BR-CL-08": {"", "UNTDID 4451"},
	})
	decimalEvidence(m, map[string]decimalRule{
		"BR-DEC-01": {"../ram:ActualAmount", "BT-92"}, "BR-DEC-02": {"../ram:BasisAmount", "BT-93"},
		"BR-DEC-05": {"../ram:ActualAmount", "BT-99"}, "BR-DEC-06": {"../ram:BasisAmount", "BT-100"},
		"BR-DEC-09": {"ram:LineTotalAmount", "BT-106"}, "BR-DEC-10": {"ram:AllowanceTotalAmount", "BT-107"},
		"BR-DEC-11": {"ram:ChargeTotalAmount", "BT-108"}, "BR-DEC-12": {"ram:TaxBasisTotalAmount", "BT-109"},
		"BR-DEC-13": {"ram:TaxTotalAmount", "BT-110"}, "BR-DEC-14": {"ram:GrandTotalAmount", "BT-112"},
		"BR-DEC-16": {"ram:TotalPrepaidAmount", "BT-113"}, "BR-DEC-17": {"ram:RoundingAmount", "BT-114"},
		"BR-DEC-18": {"ram:DuePayableAmount", "BT-115"},
		"BR-DEC-19": {"ram:BasisAmount", "BT-116"}, "BR-DEC-20": {"ram:CalculatedAmount", "BT-117"},
		"BR-DEC-23": {"ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", "BT-131"},
		"BR-DEC-24": {"../ram:ActualAmount", "BT-136"}, "BR-DEC-25": {"../ram:BasisAmount", "BT-137"},
		"BR-DEC-27": {"../ram:ActualAmount", "BT-141"}, "BR-DEC-28": {"../ram:BasisAmount", "BT-142"},
	})
	return m
}
