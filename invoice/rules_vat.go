package invoice

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// The EN 16931 VAT category rules: BR-S (standard rate), BR-Z (zero rated),
// BR-E (exempt), BR-AE (reverse charge), BR-IC (intra-community, code K),
// BR-G (export, G), BR-O (not subject to VAT), BR-AF (IGIC, L) and BR-AG
// (IPSI, M). The categories share shapes but differ in details the rules
// below keep (which checks filter on the VAT scheme, which normalise the
// code, which party identifiers count).

// vatCategory describes one VAT category for the UBL rules.
type vatCategory struct {
	prefix, code string // rule id prefix (BR-AE) and category code (AE)
	name, nameDE string
}

var vatCategories = []vatCategory{
	{"BR-AE", "AE", "reverse charge (AE)", "Umkehrung der Steuerschuldnerschaft (AE)"},
	{"BR-E", "E", "exempt from VAT (E)", "steuerbefreit (E)"},
	{"BR-G", "G", "export outside the EU (G)", "Ausfuhr außerhalb der EU (G)"},
	{"BR-IC", "K", "intra-community supply (K)", "innergemeinschaftliche Lieferung (K)"},
	{"BR-AF", "L", "IGIC, Canary Islands (L)", "IGIC, Kanarische Inseln (L)"},
	{"BR-AG", "M", "IPSI, Ceuta and Melilla (M)", "IPSI, Ceuta und Melilla (M)"},
	{"BR-O", "O", "not subject to VAT (O)", "nicht steuerbar (O)"},
	{"BR-S", "S", "standard rate (S)", "Normalsatz (S)"},
	{"BR-Z", "Z", "zero rated (Z)", "Nullsatz (Z)"},
}

// --- UBL selections (over the whole document unless named otherwise) ---

// ublTCs returns tax categories: //cac:TaxCategory (all), the categories
// of allowances/charges (//cac:AllowanceCharge[ind]/cac:TaxCategory; ind
// nil for any), or of the root's allowances/charges.
func ublAllTC(r *Node) []*Node  { return r.Descendants("cac:TaxCategory") }
func ublAllCTC(r *Node) []*Node { return r.Descendants("cac:ClassifiedTaxCategory") }

func ublACTC(r *Node, ind *bool, rootOnly bool) []*Node {
	var out []*Node
	var acs []*Node
	if rootOnly {
		acs = r.All("cac:AllowanceCharge")
	} else {
		acs = r.Descendants("cac:AllowanceCharge")
	}
	for _, ac := range acs {
		if ind == nil || ublChargeIndicatorIs(ac, *ind) {
			out = append(out, ac.All("cac:TaxCategory")...)
		}
	}
	return out
}

func ublSubtotalTC(r *Node) []*Node { return r.All("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory") }

var (
	vatFalse = false
	vatTrue  = true
)

// vatFilter keeps the categories with normalize-space(cbc:ID) = code (ns)
// or cbc:ID = code (raw), optionally only those of the VAT scheme.
func vatFilter(tcs []*Node, code string, ns, vat bool) []*Node {
	var out []*Node
	for _, tc := range tcs {
		if vat && !ublVAT(tc) {
			continue
		}
		if ns && ublCat(tc) == code || !ns && xrIn(code, tc.Strs("cbc:ID")) {
			out = append(out, tc)
		}
	}
	return out
}

// vatIDNodes counts TC[VAT]/cbc:ID[normalize-space(.) = code]: every ID
// child counts, not only the first.
func vatIDNodes(tcs []*Node, code string) int {
	n := 0
	for _, tc := range tcs {
		if !ublVAT(tc) {
			continue
		}
		for _, id := range tc.All("cbc:ID") {
			if NormSpace(id.Value()) == code {
				n++
			}
		}
	}
	return n
}

// Party identifiers the category rules ask for.
func ublSupplierAnyTaxID(r *Node) bool {
	return r.Has("//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
}
func ublVATCompanyID(r *Node, partyPath string) bool {
	for _, s := range r.All(partyPath + "/cac:PartyTaxScheme") {
		if ublVAT(s) && s.Has("cbc:CompanyID") {
			return true
		}
	}
	return false
}
func ublSupplierVATID(r *Node) bool {
	return ublVATCompanyID(r, "//cac:AccountingSupplierParty/cac:Party")
}
func ublTaxRepVATID(r *Node) bool { return ublVATCompanyID(r, "//cac:TaxRepresentativeParty") }
func ublCustomerVATID(r *Node) bool {
	return ublVATCompanyID(r, "//cac:AccountingCustomerParty/cac:Party")
}
func ublCustomerLegalID(r *Node) bool {
	return r.Has("//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
}

// vatBreakdownOnce is the -01 rule of AE, E, G, IC, O and Z: where the
// category is used (any tax category or item category of the VAT scheme),
// exactly one VAT breakdown has it.
func vatBreakdownOnce(r *Node, code string) bool {
	used := vatIDNodes(ublAllTC(r), code) > 0 || vatIDNodes(ublAllCTC(r), code) > 0
	if !used {
		return true
	}
	return vatIDNodes(ublSubtotalTC(r), code) == 1
}

// vatRequires builds "(exists(cats) and parties) or not(exists(cats2))".
func vatRequires(cats, cats2 func(r *Node) []*Node, parties func(r *Node) bool) func(n *Node) bool {
	return func(n *Node) bool {
		r := n.Root()
		if len(cats(r)) > 0 && parties(r) {
			return true
		}
		return len(cats2(r)) == 0
	}
}

// vatSumDec sums decimals, treating values that are no decimal as zero
// (the reference stops there anyway).
func vatSumDec(values []string) *big.Rat {
	s := new(big.Rat)
	for _, v := range values {
		s.Add(s, DecOr(v))
	}
	return s
}

// vatBase computes Σ line net amounts + Σ charges − Σ allowances over the
// root's lines and document level allowances/charges of the category
// (optionally of the rate).
func vatBase(r *Node, lineName, code string, rate *big.Rat) *big.Rat {
	rateOK := func(values []string) bool {
		if rate == nil {
			return true
		}
		for _, v := range values {
			if d, ok := Dec(v); ok && d.Cmp(rate) == 0 {
				return true
			}
		}
		return false
	}
	codeOK := func(values []string) bool {
		for _, v := range values {
			if NormSpace(v) == code {
				return true
			}
		}
		return false
	}
	var lines, charges, allowances []string
	for _, l := range r.All(lineName) {
		if codeOK(l.Strs("cac:Item/cac:ClassifiedTaxCategory/cbc:ID")) && rateOK(l.Strs("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")) {
			lines = append(lines, l.Strs("cbc:LineExtensionAmount")...)
		}
	}
	for _, ac := range r.All("cac:AllowanceCharge") {
		if !codeOK(ac.Strs("cac:TaxCategory/cbc:ID")) || !rateOK(ac.Strs("cac:TaxCategory/cbc:Percent")) {
			continue
		}
		if ublChargeIndicatorIs(ac, true) {
			charges = append(charges, ac.Strs("cbc:Amount")...)
		}
		if ublChargeIndicatorIs(ac, false) {
			allowances = append(allowances, ac.Strs("cbc:Amount")...)
		}
	}
	s := vatSumDec(lines)
	s.Add(s, vatSumDec(charges))
	return s.Sub(s, vatSumDec(allowances))
}

// vatTaxableEquals is the -08 rule of AE, E, G, IC, O and Z: the taxable
// amount of the breakdown equals the category's lines and document level
// allowances and charges.
func vatTaxableEquals(code string) func(n *Node) bool {
	return func(n *Node) bool {
		r := n.Root()
		taxable, ok := Dec(n.Parent.Str("cbc:TaxableAmount"))
		if !ok {
			return false
		}
		if len(r.Descendants("cac:InvoiceLine")) > 0 && taxable.Cmp(vatBase(r, "cac:InvoiceLine", code, nil)) == 0 {
			return true
		}
		return len(r.Descendants("cac:CreditNoteLine")) > 0 && taxable.Cmp(vatBase(r, "cac:CreditNoteLine", code, nil)) == 0
	}
}

// doubleToDec converts the result of double arithmetic to xs:decimal as
// the reference does (shortest representation).
func doubleToDec(f float64) (*big.Rat, bool) {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r, ok
}

// vatTaxableNear is the -08 rule of S, AF and AG: for the breakdown's rate,
// taxable amount - 1 < Σ < taxable amount + 1 (computed in double, as the
// reference does), where Σ covers the lines and allowances/charges of the
// category and rate. S asks in addition that such a line or allowance exist.
func vatTaxableNear(code string, sGuard bool) func(n *Node) bool {
	return func(n *Node) bool {
		r := n.Root()
		rates := n.Strs("cbc:Percent")
		if len(rates) == 0 {
			return true
		}
		rate, ok := Dec(rates[0])
		if !ok {
			return true
		}
		ta := n.Parent.First("cbc:TaxableAmount")
		within := func(lineName string) bool {
			if ta == nil {
				return false
			}
			t := Num(ta.Value())
			lo, ok1 := doubleToDec(t - 1)
			hi, ok2 := doubleToDec(t + 1)
			if !ok1 || !ok2 {
				return false
			}
			s := vatBase(r, lineName, code, rate)
			return lo.Cmp(s) < 0 && hi.Cmp(s) > 0
		}
		if !sGuard {
			return len(r.Descendants("cac:InvoiceLine")) > 0 && within("cac:InvoiceLine") ||
				len(r.Descendants("cac:CreditNoteLine")) > 0 && within("cac:CreditNoteLine")
		}
		acWithRate := vatAnyACWithRate(r, code, rate)
		invGuard := vatAnyLineWithRate(r, "cac:InvoiceLine", code, rate) || acWithRate
		cnGuard := vatAnyLineWithRate(r, "cac:CreditNoteLine", code, rate) || acWithRate
		return invGuard && within("cac:InvoiceLine") || cnGuard && within("cac:CreditNoteLine")
	}
}

func vatRateIn(values []string, rate *big.Rat) bool {
	for _, v := range values {
		if d, ok := Dec(v); ok && d.Cmp(rate) == 0 {
			return true
		}
	}
	return false
}

func vatCodeIn(values []string, code string) bool {
	for _, v := range values {
		if NormSpace(v) == code {
			return true
		}
	}
	return false
}

// vatAnyLineWithRate is exists(//line[category code][category rate]).
func vatAnyLineWithRate(r *Node, lineName, code string, rate *big.Rat) bool {
	for _, l := range r.Descendants(lineName) {
		if vatCodeIn(l.Strs("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"), code) && vatRateIn(l.Strs("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"), rate) {
			return true
		}
	}
	return false
}

// vatAnyACWithRate is exists(//cac:AllowanceCharge[code][rate]) anywhere.
func vatAnyACWithRate(r *Node, code string, rate *big.Rat) bool {
	for _, ac := range r.Descendants("cac:AllowanceCharge") {
		if vatCodeIn(ac.Strs("cac:TaxCategory/cbc:ID"), code) && vatRateIn(ac.Strs("cac:TaxCategory/cbc:Percent"), rate) {
			return true
		}
	}
	return false
}

// vatTaxAmountNear is the -09 rule of S, AF and AG: |tax| - 1 < round(|taxable|
// × rate/100, 2) < |tax| + 1.
func vatTaxAmountNear(n *Node) bool {
	tax, ok1 := Dec(n.Parent.Str("cbc:TaxAmount"))
	base, ok2 := Dec(n.Parent.Str("cbc:TaxableAmount"))
	pct, ok3 := Dec(n.Str("cbc:Percent"))
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	want := RoundDec2(new(big.Rat).Mul(new(big.Rat).Abs(base), new(big.Rat).Quo(pct, big.NewRat(100, 1))))
	t := new(big.Rat).Abs(tax)
	return ratSub(t, big.NewRat(1, 1)).Cmp(want) < 0 && ratAdd(t, big.NewRat(1, 1)).Cmp(want) > 0
}

// vatDecIsZero is xs:decimal(path) = 0.
func vatDecIsZero(n *Node, path string) bool {
	d, ok := Dec(n.Str(path))
	return ok && n.Has(path) && d.Sign() == 0
}

// vatPercentCmp is (cbc:Percent) > 0 or >= 0: untyped against an integer.
func vatPercentCmp(n *Node, orEqual bool) bool {
	if orEqual {
		return brAnyNum(n, "cbc:Percent", opGe, 0)
	}
	return brAnyNum(n, "cbc:Percent", opGt, 0)
}

// ublVATContexts are the four category contexts of a VAT category: the
// breakdown's category, the categories of allowances and of charges
// (anywhere), and the line item categories.
func ublVATContexts(code string, order int) (breakdown, allowance, charge, line Context) {
	isCat := func(n *Node) bool { return ublCat(n) == code && ublVAT(n) }
	breakdown = Context{Pattern: UBLModel, Order: order, Names: []string{"TaxCategory"},
		Match: func(n *Node) bool {
			return n.Is("cac:TaxCategory") && n.Parent.Is("cac:TaxSubtotal") && n.Parent.Parent.Is("cac:TaxTotal") &&
				n.Parent.Parent.Parent != nil && n.Parent.Parent.Parent.Parent == nil && isCat(n)
		}}
	acCat := func(ind bool) func(n *Node) bool {
		return func(n *Node) bool {
			return n.Is("cac:TaxCategory") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, ind) && isCat(n)
		}
	}
	allowance = Context{Pattern: UBLModel, Order: order + 5, Names: []string{"TaxCategory"}, Match: acCat(false)}
	charge = Context{Pattern: UBLModel, Order: order + 8, Names: []string{"TaxCategory"}, Match: acCat(true)}
	line = Context{Pattern: UBLModel, Order: order + 11, Names: []string{"ClassifiedTaxCategory"},
		Match: func(n *Node) bool {
			return n.Is("cac:ClassifiedTaxCategory") && n.Parent.Is("cac:Item") && ublLine(n.Parent.Parent) && isCat(n)
		}}
	return
}

// vatUBLRules builds the rules of all categories for UBL.
func vatUBLRules() []Rule {
	orders := map[string]int{"AE": 234, "E": 248, "G": 262, "K": 276, "L": 290, "M": 304, "O": 318, "S": 332, "Z": 346}
	var rules []Rule
	for _, c := range vatCategories {
		c := c
		code := c.code
		id := func(n string) string { return c.prefix + "-" + n }
		bd, al, ch, ln := ublVATContexts(code, orders[code])
		root := ublModelRoot
		msg := func(en, de string) (string, string) {
			return strings.ReplaceAll(en, "{cat}", c.name), strings.ReplaceAll(de, "{cat}", c.nameDE)
		}
		add := func(n string, ctx Context, test func(*Node) bool, en, de string) {
			m, md := msg(en, de)
			rules = append(rules, Rule{ID: id(n), Flag: Fatal, Context: ctx, Test: test, Message: m, MessageDE: md})
		}
		ns, raw := true, false
		ctcVAT := func(r *Node) []*Node { return vatFilter(ublAllCTC(r), code, ns, true) }
		acVAT := func(ind bool, rootOnly bool) func(r *Node) []*Node {
			return func(r *Node) []*Node { return vatFilter(ublACTC(r, &ind, rootOnly), code, ns, true) }
		}

		// -01: the breakdown exists when the category is used.
		switch code {
		case "S":
			add("01", root, func(n *Node) bool {
				r := n.Root()
				used := len(vatFilter(ublACTC(r, nil, false), code, ns, false)) + len(vatFilter(ublAllCTC(r), code, ns, false))
				bd := len(vatFilter(ublSubtotalTC(r), code, ns, false))
				return used > 0 && bd > 0 || used == 0 && bd == 0
			}, "Where {cat} is used on lines, allowances or charges, a VAT breakdown for it must be given, and only then.",
				"Wenn {cat} in Positionen, Nachlässen oder Zuschlägen verwendet wird, muss es dafür eine Aufschlüsselung geben, und nur dann.")
		case "L", "M":
			add("01", root, func(n *Node) bool {
				r := n.Root()
				used := len(vatFilter(ublACTC(r, nil, false), code, ns, true)) + len(vatFilter(ublAllCTC(r), code, ns, true))
				bdRaw := len(vatFilter(ublSubtotalTC(r), code, raw, code == "M"))
				bdNS := len(vatFilter(ublSubtotalTC(r), code, ns, true))
				return used > 0 && bdRaw > 0 || used == 0 && bdNS == 0
			}, "Where {cat} is used on lines, allowances or charges, a VAT breakdown for it must be given, and only then.",
				"Wenn {cat} in Positionen, Nachlässen oder Zuschlägen verwendet wird, muss es dafür eine Aufschlüsselung geben, und nur dann.")
		default:
			add("01", root, func(n *Node) bool { return vatBreakdownOnce(n.Root(), code) },
				"Where {cat} is used, exactly one VAT breakdown (BG-23) must have it.",
				"Wenn {cat} verwendet wird, muss genau eine Umsatzsteueraufschlüsselung (BG-23) diese Kategorie haben.")
		}

		// -02 … -04: the party identifiers the category needs.
		var parties func(r *Node) bool
		switch code {
		case "AE":
			parties = func(r *Node) bool {
				return (ublSupplierAnyTaxID(r) || ublTaxRepVATID(r)) && (ublCustomerVATID(r) || ublCustomerLegalID(r))
			}
		case "E", "L", "M", "S", "Z":
			parties = func(r *Node) bool { return ublSupplierAnyTaxID(r) || ublTaxRepVATID(r) }
		case "G":
			parties = func(r *Node) bool { return ublSupplierVATID(r) || ublTaxRepVATID(r) }
		case "K":
			parties = func(r *Node) bool { return (ublSupplierVATID(r) || ublTaxRepVATID(r)) && ublCustomerVATID(r) }
		case "O":
			parties = func(r *Node) bool { return !ublSupplierVATID(r) && !ublTaxRepVATID(r) && !ublCustomerVATID(r) }
		}
		partyEN, partyDE := "the seller VAT identifier (BT-31) or tax registration (BT-32), or the tax representative's VAT identifier (BT-63)", "die USt-IdNr. (BT-31) oder Steuernummer (BT-32) des Verkäufers oder die USt-IdNr. des Steuervertreters (BT-63)"
		switch code {
		case "AE":
			partyEN += ", and the buyer VAT identifier (BT-48) or legal registration identifier (BT-47)"
			partyDE += " sowie die USt-IdNr. (BT-48) oder Registernummer (BT-47) des Käufers"
		case "K":
			partyEN, partyDE = "the seller (BT-31) or tax representative (BT-63) VAT identifier and the buyer VAT identifier (BT-48)", "die USt-IdNr. des Verkäufers (BT-31) oder Steuervertreters (BT-63) und die USt-IdNr. des Käufers (BT-48)"
		case "O":
			partyEN, partyDE = "no VAT identifier of seller (BT-31), tax representative (BT-63) or buyer (BT-48)", "keine USt-IdNr. von Verkäufer (BT-31), Steuervertreter (BT-63) oder Käufer (BT-48)"
		}
		lineNot := ctcVAT
		if code == "S" {
			lineNot = func(r *Node) []*Node { return vatFilter(ublAllCTC(r), code, ns, false) }
		}
		add("02", root, vatRequires(ctcVAT, lineNot, parties),
			"An invoice line with {cat} requires "+partyEN+".", "Eine Position mit {cat} erfordert "+partyDE+".")
		acCats := func(ind bool) func(r *Node) []*Node {
			switch code {
			case "O":
				return acVAT(ind, true)
			case "G":
				return func(r *Node) []*Node { return vatFilter(ublACTC(r, &ind, false), code, ns, false) }
			}
			return acVAT(ind, false)
		}
		acNot := func(ind bool) func(r *Node) []*Node {
			if code == "O" {
				return acVAT(ind, true)
			}
			if code == "L" && ind {
				return func(r *Node) []*Node { return vatFilter(ublACTC(r, &ind, false), code, raw, true) }
			}
			return acVAT(ind, false)
		}
		add("03", root, vatRequires(acCats(false), acNot(false), parties),
			"A document level allowance with {cat} requires "+partyEN+".", "Ein Nachlass auf Dokumentenebene mit {cat} erfordert "+partyDE+".")
		add("04", root, vatRequires(acCats(true), acNot(true), parties),
			"A document level charge with {cat} requires "+partyEN+".", "Ein Zuschlag auf Dokumentenebene mit {cat} erfordert "+partyDE+".")

		// -05 … -07: the rate on lines, allowances and charges.
		var rateOK func(n *Node) bool
		var rateEN, rateDE string
		switch code {
		case "S":
			rateOK, rateEN, rateDE = func(n *Node) bool { return vatPercentCmp(n, false) }, "must be above zero", "muss größer als null sein"
		case "L", "M":
			rateOK, rateEN, rateDE = func(n *Node) bool { return vatPercentCmp(n, true) }, "must be zero or more", "muss null oder größer sein"
		case "O":
			rateOK, rateEN, rateDE = func(n *Node) bool { return !n.Has("cbc:Percent") }, "must not be given", "darf nicht angegeben werden"
		default:
			rateOK, rateEN, rateDE = func(n *Node) bool { return vatDecIsZero(n, "cbc:Percent") }, "must be 0", "muss 0 sein"
		}
		add("05", ln, rateOK, "The VAT rate of a line with {cat} (BT-152) "+rateEN+".", "Der Steuersatz einer Position mit {cat} (BT-152) "+rateDE+".")
		add("06", al, rateOK, "The VAT rate of an allowance with {cat} (BT-96) "+rateEN+".", "Der Steuersatz eines Nachlasses mit {cat} (BT-96) "+rateDE+".")
		add("07", ch, rateOK, "The VAT rate of a charge with {cat} (BT-103) "+rateEN+".", "Der Steuersatz eines Zuschlags mit {cat} (BT-103) "+rateDE+".")

		// -08 … -10: the breakdown.
		switch code {
		case "S", "L", "M":
			add("08", bd, vatTaxableNear(code, code == "S"),
				"The taxable amount of the {cat} breakdown (BT-116) must equal its lines' net amounts plus charges minus allowances, per rate.",
				"Die Bemessungsgrundlage der Aufschlüsselung {cat} (BT-116) muss je Steuersatz den Nettobeträgen der Positionen zuzüglich Zuschlägen abzüglich Nachlässen entsprechen.")
			add("09", bd, vatTaxAmountNear,
				"The VAT amount of the {cat} breakdown (BT-117) must equal its taxable amount (BT-116) × rate (BT-119).",
				"Der Steuerbetrag der Aufschlüsselung {cat} (BT-117) muss Bemessungsgrundlage (BT-116) × Steuersatz (BT-119) entsprechen.")
			add("10", bd, func(n *Node) bool { return !n.Has("cbc:TaxExemptionReason") && !n.Has("cbc:TaxExemptionReasonCode") },
				"A {cat} breakdown must not give an exemption reason (BT-120, BT-121).",
				"Eine Aufschlüsselung {cat} darf keinen Befreiungsgrund (BT-120, BT-121) angeben.")
		default:
			add("08", bd, vatTaxableEquals(code),
				"The taxable amount of the {cat} breakdown (BT-116) must equal its lines' net amounts plus charges minus allowances.",
				"Die Bemessungsgrundlage der Aufschlüsselung {cat} (BT-116) muss den Nettobeträgen der Positionen zuzüglich Zuschlägen abzüglich Nachlässen entsprechen.")
			add("09", bd, func(n *Node) bool { return vatDecIsZero(n.Parent, "cbc:TaxAmount") },
				"The VAT amount of the {cat} breakdown (BT-117) must be 0.",
				"Der Steuerbetrag der Aufschlüsselung {cat} (BT-117) muss 0 sein.")
			if code == "Z" {
				add("10", bd, func(n *Node) bool { return !n.Has("cbc:TaxExemptionReason") && !n.Has("cbc:TaxExemptionReasonCode") },
					"A {cat} breakdown must not give an exemption reason (BT-120, BT-121).",
					"Eine Aufschlüsselung {cat} darf keinen Befreiungsgrund (BT-120, BT-121) angeben.")
			} else {
				add("10", bd, func(n *Node) bool { return n.Has("cbc:TaxExemptionReason") || n.Has("cbc:TaxExemptionReasonCode") },
					"A {cat} breakdown must give an exemption reason (BT-120) or reason code (BT-121).",
					"Eine Aufschlüsselung {cat} muss einen Befreiungsgrund (BT-120) oder dessen Code (BT-121) angeben.")
			}
		}

		// Category-specific rules on the document.
		bdUsed := func(r *Node) bool { return vatIDNodes(ublSubtotalTC(r), code) > 0 }
		switch code {
		case "K":
			add("11", root, func(n *Node) bool {
				r := n.Root()
				if !bdUsed(r) {
					return true
				}
				return len([]rune(n.Str("cac:Delivery/cbc:ActualDeliveryDate"))) > 1 || n.Has("cac:InvoicePeriod/*")
			}, "An intra-community supply needs the actual delivery date (BT-72) or the invoicing period (BG-14).",
				"Eine innergemeinschaftliche Lieferung braucht das Lieferdatum (BT-72) oder den Abrechnungszeitraum (BG-14).")
			add("12", root, func(n *Node) bool {
				r := n.Root()
				if !bdUsed(r) {
					return true
				}
				return len([]rune(n.Str("cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"))) > 1
			}, "An intra-community supply needs the deliver-to country code (BT-80).",
				"Eine innergemeinschaftliche Lieferung braucht den Ländercode der Lieferanschrift (BT-80).")
		case "O":
			others := func(tcs []*Node) int {
				c := 0
				for _, tc := range tcs {
					if ublVAT(tc) && ublCat(tc) != "O" {
						c++
					}
				}
				return c
			}
			add("11", root, func(n *Node) bool { r := n.Root(); return !bdUsed(r) || others(ublSubtotalTC(r)) == 0 },
				"An invoice with a breakdown not subject to VAT (O) must not have breakdowns of other categories.",
				"Eine Rechnung mit einer Aufschlüsselung „nicht steuerbar“ (O) darf keine Aufschlüsselungen anderer Kategorien haben.")
			add("12", root, func(n *Node) bool { r := n.Root(); return !bdUsed(r) || others(ublAllCTC(r)) == 0 },
				"An invoice with a breakdown not subject to VAT (O) must not have lines of other categories.",
				"Eine Rechnung mit einer Aufschlüsselung „nicht steuerbar“ (O) darf keine Positionen anderer Kategorien haben.")
			add("13", root, func(n *Node) bool { r := n.Root(); return !bdUsed(r) || others(ublACTC(r, &vatFalse, false)) == 0 },
				"An invoice with a breakdown not subject to VAT (O) must not have allowances of other categories.",
				"Eine Rechnung mit einer Aufschlüsselung „nicht steuerbar“ (O) darf keine Nachlässe anderer Kategorien haben.")
			add("14", root, func(n *Node) bool { r := n.Root(); return !bdUsed(r) || others(ublACTC(r, &vatTrue, false)) == 0 },
				"An invoice with a breakdown not subject to VAT (O) must not have charges of other categories.",
				"Eine Rechnung mit einer Aufschlüsselung „nicht steuerbar“ (O) darf keine Zuschläge anderer Kategorien haben.")
		}
	}
	return rules
}

// --- CII ---

// ciiSchemeIDs reports whether an element at path has @schemeID in schemes.
func ciiSchemeIDs(r *Node, path string, schemes ...string) bool {
	for _, id := range r.All(path) {
		if s, ok := id.Attr("schemeID"); ok && xrIn(s, schemes) {
			return true
		}
	}
	return false
}

// Party identifier conditions of the CII category rules.
func ciiPartiesAE(r *Node) bool {
	seller := ciiSchemeIDs(r, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA", "FC") ||
		ciiSchemeIDs(r, "//ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
	buyer := ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") ||
		r.Has("//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID")
	return seller && buyer
}
func ciiPartiesSeller(r *Node) bool {
	return ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiSeller+"/ram:SpecifiedTaxRegistration/ram:ID", "VA", "FC") ||
		ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiAgreement+"/ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesG(r *Node) bool {
	return ciiSchemeIDs(r, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") ||
		ciiSchemeIDs(r, "//ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesIC(r *Node) bool {
	return ciiPartiesG(r) && ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}
func ciiPartiesO(r *Node) bool {
	return !ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiSeller+"/ram:SpecifiedTaxRegistration/ram:ID", "VA") &&
		!ciiSchemeIDs(r, "/rsm:CrossIndustryInvoice/"+ciiAgreement+"/ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA") &&
		!ciiSchemeIDs(r, "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID", "VA")
}

// ciiVATBase computes R(Σ line net amounts) + R(Σ charges) − R(Σ
// allowances) of a category (and rate), each rounded to two decimals.
func ciiVATBase(r *Node, code string, rate *big.Rat) *big.Rat {
	rateOK := func(values []string) bool { return rate == nil || vatRateIn(values, rate) }
	var lines, charges, allowances []string
	for _, s := range r.All(ciiLine + "/ram:SpecifiedLineTradeSettlement") {
		if xrIn(code, s.Strs("ram:ApplicableTradeTax/ram:CategoryCode")) && rateOK(s.Strs("ram:ApplicableTradeTax/ram:RateApplicablePercent")) {
			lines = append(lines, s.Strs("ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")...)
		}
	}
	for _, ac := range r.All(ciiSettle + "/ram:SpecifiedTradeAllowanceCharge") {
		if !xrIn(code, ac.Strs("ram:CategoryTradeTax/ram:CategoryCode")) || !rateOK(ac.Strs("ram:CategoryTradeTax/ram:RateApplicablePercent")) {
			continue
		}
		if ciiIndicatorIs(ac, true) {
			charges = append(charges, ac.Strs("ram:ActualAmount")...)
		}
		if ciiIndicatorIs(ac, false) {
			allowances = append(allowances, ac.Strs("ram:ActualAmount")...)
		}
	}
	s := RoundDec2(vatSumDec(lines))
	s.Add(s, RoundDec2(vatSumDec(charges)))
	return s.Sub(s, RoundDec2(vatSumDec(allowances)))
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

// ciiVATNear is the -08 rule of AE, E, G, IC, Z: basis − 1 < Σ < basis + 1
// (double arithmetic), for the breakdown the category code n belongs to.
func ciiVATNear(code string) func(n *Node) bool {
	return func(n *Node) bool {
		ba := n.Parent.First("ram:BasisAmount")
		if ba == nil {
			return false
		}
		b := Num(ba.Value())
		s := ratFloat(ciiVATBase(n.Root(), code, nil))
		return b-1 < s && b+1 > s
	}
}

// ciiVATEqualsPerRate is BR-S-08: for the breakdown's rate, the basis equals
// Σ (double comparison).
func ciiVATEqualsPerRate(code string) func(n *Node) bool {
	return func(n *Node) bool {
		for _, rs := range n.Parent.Strs("ram:RateApplicablePercent") {
			rate, ok := Dec(rs)
			if !ok {
				return true
			}
			if !anyUntypedCmpDouble(n, n.Parent.Strs("ram:BasisAmount"), opEq, ratFloat(ciiVATBase(n.Root(), code, rate))) {
				return false
			}
		}
		return true
	}
}

// ciiVATRules builds the category rules for CII.
func ciiVATRules() []Rule {
	var rules []Rule
	r := func(id string, ctx Context, test func(*Node) bool, en, de string) {
		rules = append(rules, Rule{ID: id, Flag: Fatal, Context: ctx, Test: test, Message: en, MessageDE: de})
	}
	ctx := func(order int, names []string, match func(n *Node) bool) Context {
		return Context{Pattern: CIIModel, Order: order, Names: names, Match: match}
	}
	// Header contexts: the category code element of a breakdown (with or
	// without the VAT type), or the breakdown itself.
	hdrCode := func(order int, code string, vat bool) Context {
		return ctx(order, []string{"CategoryCode"}, func(n *Node) bool {
			p := n.Parent
			return n.Is("ram:CategoryCode") && p.Is("ram:ApplicableTradeTax") && p.Parent.Is("ram:ApplicableHeaderTradeSettlement") &&
				n.Value() == code && (!vat || ciiVATType(p))
		})
	}
	hdrTax := func(order int, code string) Context {
		return ctx(order, []string{"ApplicableTradeTax"}, func(n *Node) bool {
			return n.Is("ram:ApplicableTradeTax") && n.Parent.Is("ram:ApplicableHeaderTradeSettlement") && n.Parent.Parent.Is("rsm:SupplyChainTradeTransaction") &&
				xrIn(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	acTax := func(order int, code string, charge bool) Context {
		return ctx(order, []string{"CategoryTradeTax"}, func(n *Node) bool {
			return n.Is("ram:CategoryTradeTax") && n.Parent.Is("ram:SpecifiedTradeAllowanceCharge") && ciiIndicatorIs(n.Parent, charge) &&
				xrIn(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	lineTax := func(order int, code string) Context {
		return ctx(order, []string{"ApplicableTradeTax"}, func(n *Node) bool {
			p := n.Parent
			return n.Is("ram:ApplicableTradeTax") && p.Is("ram:SpecifiedLineTradeSettlement") && p.Parent.Is("ram:IncludedSupplyChainTradeLineItem") &&
				p.Parent.Parent.Is("rsm:SupplyChainTradeTransaction") && xrIn(code, n.Strs("ram:CategoryCode")) && ciiVATType(n)
		})
	}
	// ram:RateApplicablePercent = 0, > 0, >= 0: untyped against an integer.
	rate := func(op cmpOp) func(n *Node) bool {
		return func(n *Node) bool { return brAnyNum(n, "ram:RateApplicablePercent", op, 0) }
	}
	zero, pos, nonNeg := opEq, opGt, opGe
	noRate := func(n *Node) bool { return !n.Has("ram:RateApplicablePercent") }
	reasons := func(prefix string) func(n *Node) bool {
		return func(n *Node) bool {
			return n.Has(prefix+"ram:ExemptionReason") || n.Has(prefix+"ram:ExemptionReasonCode")
		}
	}
	noReasons := func(prefix string) func(n *Node) bool {
		return func(n *Node) bool {
			return !n.Has(prefix+"ram:ExemptionReason") && !n.Has(prefix+"ram:ExemptionReasonCode")
		}
	}
	calcZero := func(path string) func(n *Node) bool {
		return func(n *Node) bool { return brAnyNum(n, path, opEq, 0) }
	}
	parties := func(f func(*Node) bool) func(n *Node) bool { return func(n *Node) bool { return f(n.Root()) } }
	always := func(*Node) bool { return true }

	const (
		m05 = "The VAT rate of a line with this category (BT-152) is wrong for the category."
		d05 = "Der Steuersatz einer Position dieser Kategorie (BT-152) passt nicht zur Kategorie."
		m06 = "The VAT rate of an allowance with this category (BT-96) is wrong for the category."
		d06 = "Der Steuersatz eines Nachlasses dieser Kategorie (BT-96) passt nicht zur Kategorie."
		m07 = "The VAT rate of a charge with this category (BT-103) is wrong for the category."
		d07 = "Der Steuersatz eines Zuschlags dieser Kategorie (BT-103) passt nicht zur Kategorie."
		m08 = "The taxable amount of the breakdown (BT-116) must equal its lines' net amounts plus charges minus allowances."
		d08 = "Die Bemessungsgrundlage der Aufschlüsselung (BT-116) muss den Nettobeträgen der Positionen zuzüglich Zuschlägen abzüglich Nachlässen entsprechen."
		m09 = "The VAT amount of the breakdown (BT-117) is wrong for the category."
		d09 = "Der Steuerbetrag der Aufschlüsselung (BT-117) passt nicht zur Kategorie."
		m10 = "The exemption reason (BT-120, BT-121) of the breakdown is wrong for the category: required for exempt categories, not allowed otherwise."
		d10 = "Der Befreiungsgrund (BT-120, BT-121) der Aufschlüsselung passt nicht zur Kategorie: bei befreiten Kategorien erforderlich, sonst unzulässig."
		mP  = "The VAT identifiers this VAT category requires of seller, tax representative or buyer are missing or not allowed."
		dP  = "Die für diese Umsatzsteuerkategorie nötigen bzw. unzulässigen USt-IdNr. von Verkäufer, Steuervertreter oder Käufer stimmen nicht."
	)

	// AE: reverse charge.
	r("BR-AE-08", hdrCode(178, "AE", true), ciiVATNear("AE"), m08, d08)
	r("BR-AE-09", hdrCode(178, "AE", true), calcZero("../ram:CalculatedAmount"), m09, d09)
	r("BR-AE-10", hdrCode(178, "AE", true), reasons("../"), m10, d10)
	r("BR-AE-03", acTax(183, "AE", false), parties(ciiPartiesAE), mP, dP)
	r("BR-AE-06", acTax(183, "AE", false), rate(zero), m06, d06)
	r("BR-AE-04", acTax(187, "AE", true), parties(ciiPartiesAE), mP, dP)
	r("BR-AE-07", acTax(187, "AE", true), rate(zero), m07, d07)
	r("BR-AE-02", lineTax(191, "AE"), parties(ciiPartiesAE), mP, dP)
	r("BR-AE-05", lineTax(191, "AE"), rate(zero), m05, d05)
	// L: IGIC.
	r("BR-AF-08", hdrTax(195, "L"), func(n *Node) bool { return ciiVATEqualsPerRateAt(n, "L") }, m08, d08)
	r("BR-AF-09", hdrTax(195, "L"), always, m09, d09)
	r("BR-AF-10", hdrTax(195, "L"), noReasons(""), m10, d10)
	r("BR-AF-02", lineTax(200, "L"), parties(ciiPartiesSeller), mP, dP)
	r("BR-AF-05", lineTax(200, "L"), rate(pos), m05, d05)
	r("BR-AF-03", acTax(204, "L", false), parties(ciiPartiesSeller), mP, dP)
	r("BR-AF-06", acTax(204, "L", false), rate(pos), m06, d06)
	r("BR-AF-04", acTax(208, "L", true), parties(ciiPartiesSeller), mP, dP)
	r("BR-AF-07", acTax(208, "L", true), rate(pos), m07, d07)
	// M: IPSI.
	r("BR-AG-08", hdrTax(212, "M"), func(n *Node) bool { return ciiVATEqualsPerRateAt(n, "M") }, m08, d08)
	r("BR-AG-09", hdrTax(212, "M"), always, m09, d09)
	r("BR-AG-10", hdrTax(212, "M"), noReasons(""), m10, d10)
	r("BR-AG-02", lineTax(217, "M"), parties(ciiPartiesSeller), mP, dP)
	r("BR-AG-05", lineTax(217, "M"), rate(nonNeg), m05, d05)
	r("BR-AG-03", acTax(221, "M", false), parties(ciiPartiesSeller), mP, dP)
	r("BR-AG-06", acTax(221, "M", false), rate(nonNeg), m06, d06)
	r("BR-AG-04", acTax(225, "M", true), parties(ciiPartiesSeller), mP, dP)
	r("BR-AG-07", acTax(225, "M", true), rate(nonNeg), m07, d07)
	// E: exempt.
	r("BR-E-08", hdrCode(229, "E", true), ciiVATNear("E"), m08, d08)
	r("BR-E-09", hdrCode(229, "E", true), calcZero("../ram:CalculatedAmount"), m09, d09)
	r("BR-E-10", hdrCode(229, "E", true), reasons("../"), m10, d10)
	r("BR-E-03", acTax(234, "E", false), parties(ciiPartiesSeller), mP, dP)
	r("BR-E-06", acTax(234, "E", false), rate(zero), m06, d06)
	r("BR-E-04", acTax(238, "E", true), parties(ciiPartiesSeller), mP, dP)
	r("BR-E-07", acTax(238, "E", true), rate(zero), m07, d07)
	r("BR-E-02", lineTax(242, "E"), parties(ciiPartiesSeller), mP, dP)
	r("BR-E-05", lineTax(242, "E"), rate(zero), m05, d05)
	// G: export.
	r("BR-G-08", hdrCode(246, "G", true), ciiVATNear("G"), m08, d08)
	r("BR-G-09", hdrCode(246, "G", true), calcZero("../ram:CalculatedAmount"), m09, d09)
	r("BR-G-10", hdrCode(246, "G", true), reasons("../"), m10, d10)
	r("BR-G-03", acTax(251, "G", false), parties(ciiPartiesG), mP, dP)
	r("BR-G-06", acTax(251, "G", false), rate(zero), m06, d06)
	r("BR-G-04", acTax(255, "G", true), parties(ciiPartiesG), mP, dP)
	r("BR-G-07", acTax(255, "G", true), rate(zero), m07, d07)
	r("BR-G-02", lineTax(259, "G"), parties(ciiPartiesG), mP, dP)
	r("BR-G-05", lineTax(259, "G"), rate(zero), m05, d05)
	// K: intra-community.
	icHdr := hdrCode(263, "K", true)
	r("BR-IC-08", icHdr, ciiVATNear("K"), m08, d08)
	r("BR-IC-09", icHdr, calcZero("../ram:CalculatedAmount"), m09, d09)
	r("BR-IC-10", icHdr, reasons("../"), m10, d10)
	r("BR-IC-11", icHdr, func(n *Node) bool {
		return n.Root().Has(ciiDelivery+"/ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString") ||
			n.Has("../../ram:BillingSpecifiedPeriod/ram:StartDateTime") || n.Has("../../ram:BillingSpecifiedPeriod/ram:EndDateTime")
	}, "An intra-community supply needs the actual delivery date (BT-72) or the invoicing period (BG-14).",
		"Eine innergemeinschaftliche Lieferung braucht das Lieferdatum (BT-72) oder den Abrechnungszeitraum (BG-14).")
	r("BR-IC-12", icHdr, func(n *Node) bool {
		return n.Root().Has(ciiDelivery + "/ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CountryID")
	}, "An intra-community supply needs the deliver-to country code (BT-80).",
		"Eine innergemeinschaftliche Lieferung braucht den Ländercode der Lieferanschrift (BT-80).")
	r("BR-IC-03", acTax(270, "K", false), parties(ciiPartiesIC), mP, dP)
	r("BR-IC-06", acTax(270, "K", false), rate(zero), m06, d06)
	r("BR-IC-04", acTax(274, "K", true), parties(ciiPartiesIC), mP, dP)
	r("BR-IC-07", acTax(274, "K", true), rate(zero), m07, d07)
	r("BR-IC-02", lineTax(278, "K"), parties(ciiPartiesIC), mP, dP)
	r("BR-IC-05", lineTax(278, "K"), rate(zero), m05, d05)
	// O: not subject to VAT.
	oHdr := hdrTax(282, "O")
	r("BR-O-08", oHdr, func(n *Node) bool {
		return anyUntypedCmpDouble(n, n.Strs("ram:BasisAmount"), opEq, ratFloat(ciiVATBase(n.Root(), "O", nil)))
	}, m08, d08)
	r("BR-O-09", oHdr, calcZero("ram:CalculatedAmount"), m09, d09)
	r("BR-O-10", oHdr, reasons(""), m10, d10)
	otherTax := func(name string) func(n *Node) bool {
		return func(n *Node) bool {
			for _, t := range n.Root().Descendants(name) {
				for _, c := range t.Strs("ram:CategoryCode") {
					if c != "O" {
						return false
					}
				}
			}
			return true
		}
	}
	mO, dO := "An invoice with a breakdown not subject to VAT (O) must not use other VAT categories.", "Eine Rechnung mit einer Aufschlüsselung „nicht steuerbar“ (O) darf keine anderen Umsatzsteuerkategorien verwenden."
	r("BR-O-11", oHdr, otherTax("ram:ApplicableTradeTax"), mO, dO)
	r("BR-O-12", oHdr, otherTax("ram:ApplicableTradeTax"), mO, dO)
	r("BR-O-13", oHdr, otherTax("ram:CategoryTradeTax"), mO, dO)
	r("BR-O-14", oHdr, otherTax("ram:CategoryTradeTax"), mO, dO)
	r("BR-O-03", acTax(291, "O", false), parties(ciiPartiesO), mP, dP)
	r("BR-O-06", acTax(291, "O", false), noRate, m06, d06)
	r("BR-O-04", acTax(295, "O", true), parties(ciiPartiesO), mP, dP)
	r("BR-O-07", acTax(295, "O", true), noRate, m07, d07)
	r("BR-O-02", lineTax(299, "O"), parties(ciiPartiesO), mP, dP)
	r("BR-O-05", lineTax(299, "O"), noRate, m05, d05)
	// S: standard rate.
	sHdr := hdrCode(303, "S", false)
	r("BR-S-08", sHdr, ciiVATEqualsPerRate("S"), m08, d08)
	r("BR-S-09", sHdr, func(n *Node) bool {
		tax, ok1 := Dec(n.Parent.Str("ram:CalculatedAmount"))
		base, ok2 := Dec(n.Parent.Str("ram:BasisAmount"))
		if !ok1 || !ok2 || !n.Parent.Has("ram:RateApplicablePercent") {
			return false
		}
		t := math.Abs(ratFloat(tax))
		want := roundDouble(math.Abs(ratFloat(base))*Num(n.Parent.Str("ram:RateApplicablePercent"))) / 100
		return t-1 < want && t+1 > want
	}, m09, d09)
	r("BR-S-10", sHdr, noReasons("../"), m10, d10)
	r("BR-S-02", lineTax(308, "S"), parties(ciiPartiesSeller), mP, dP)
	r("BR-S-05", lineTax(308, "S"), rate(pos), m05, d05)
	r("BR-S-03", acTax(312, "S", false), parties(ciiPartiesSeller), mP, dP)
	r("BR-S-06", acTax(312, "S", false), rate(pos), m06, d06)
	r("BR-S-04", acTax(316, "S", true), parties(ciiPartiesSeller), mP, dP)
	r("BR-S-07", acTax(316, "S", true), rate(pos), m07, d07)
	// Z: zero rated.
	zHdr := hdrCode(320, "Z", false)
	r("BR-Z-08", zHdr, ciiVATNear("Z"), m08, d08)
	r("BR-Z-09", zHdr, calcZero("../ram:CalculatedAmount"), m09, d09)
	r("BR-Z-10", zHdr, noReasons("../"), m10, d10)
	r("BR-Z-03", acTax(325, "Z", false), parties(ciiPartiesSeller), mP, dP)
	r("BR-Z-06", acTax(325, "Z", false), rate(zero), m06, d06)
	r("BR-Z-04", acTax(329, "Z", true), parties(ciiPartiesSeller), mP, dP)
	r("BR-Z-07", acTax(329, "Z", true), rate(zero), m07, d07)
	r("BR-Z-02", lineTax(333, "Z"), parties(ciiPartiesSeller), mP, dP)
	r("BR-Z-05", lineTax(333, "Z"), rate(zero), m05, d05)

	// -01: the breakdown exists when the category is used (document level).
	hdr := func(n *Node, code string) int {
		return ciiCountCat(n, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", code)
	}
	line := func(n *Node, code string) int {
		return ciiCountCat(n, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax", code)
	}
	ctt := func(n *Node, code string) int { return ciiCountCat(n, "//ram:CategoryTradeTax", code) }
	m01, d01 := "Where the VAT category is used, exactly one VAT breakdown (BG-23) must have it.", "Wenn die Umsatzsteuerkategorie verwendet wird, muss genau eine Umsatzsteueraufschlüsselung (BG-23) sie haben."
	for _, c := range []struct{ id, code string }{{"BR-Z-01", "Z"}, {"BR-E-01", "E"}, {"BR-AE-01", "AE"}, {"BR-IC-01", "K"}, {"BR-G-01", "G"}} {
		code := c.code
		r(c.id, ciiModelRoot, func(n *Node) bool {
			if hdr(n, code) == 0 && line(n, code) == 0 && ctt(n, code) == 0 {
				return true
			}
			return hdr(n, code) == 1 && (line(n, code) > 0 || ctt(n, code) > 0)
		}, m01, d01)
	}
	r("BR-O-01", ciiModelRoot, func(n *Node) bool {
		return hdr(n, "O") == 0 || hdr(n, "O") == 1 && (line(n, "O") > 0 || ctt(n, "O") > 0)
	}, m01, d01)
	for _, c := range []struct{ id, code string }{{"BR-S-01", "S"}, {"BR-AF-01", "L"}, {"BR-AG-01", "M"}} {
		code := c.code
		r(c.id, ciiModelRoot, func(n *Node) bool {
			return (line(n, code)+hdr(n, code) >= 2 || line(n, code) == 0) && (ctt(n, code)+hdr(n, code) >= 2 || ctt(n, code) == 0)
		}, m01, d01)
	}
	return rules
}

// ciiVATEqualsPerRateAt is BR-AF-08/AG-08: their context is the breakdown,
// whose ../ram:RateApplicablePercent does not exist, so the rule holds.
func ciiVATEqualsPerRateAt(n *Node, code string) bool {
	return len(n.Strs("../ram:RateApplicablePercent")) == 0 || ciiVATEqualsPerRate(code)(n.First("ram:CategoryCode"))
}

// ciiCountCat counts the elements at path with ram:CategoryCode = code.
func ciiCountCat(n *Node, path, code string) int {
	c := 0
	for _, t := range n.Root().All(path) {
		if xrIn(code, t.Strs("ram:CategoryCode")) {
			c++
		}
	}
	return c
}
