package invoice

import (
	"strconv"
	"strings"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// The EN 16931 VAT category rules: BR-S (standard rate), BR-Z (zero rated),
// BR-E (exempt), BR-AE (reverse charge), BR-IC (intra-community, code K),
// BR-G (export, G), BR-O (not subject to VAT), BR-AF (IGIC, L) and BR-AG
// (IPSI, M). The categories share shapes but differ in details the rules
// below keep (which checks filter on the VAT scheme, which normalise the
// code, which party identifiers count).

// vatCategory is one VAT category for the UBL rules: its code and the ids
// of its rules, -01 to -10 and the category's own.
type vatCategory struct {
	code string
	ids  []string
}

var vatCategories = []vatCategory{
	{"AE", []string{"BR-AE-01", "BR-AE-02", "BR-AE-03", "BR-AE-04", "BR-AE-05", "BR-AE-06", "BR-AE-07", "BR-AE-08", "BR-AE-09", "BR-AE-10"}},
	{"E", []string{"BR-E-01", "BR-E-02", "BR-E-03", "BR-E-04", "BR-E-05", "BR-E-06", "BR-E-07", "BR-E-08", "BR-E-09", "BR-E-10"}},
	{"G", []string{"BR-G-01", "BR-G-02", "BR-G-03", "BR-G-04", "BR-G-05", "BR-G-06", "BR-G-07", "BR-G-08", "BR-G-09", "BR-G-10"}},
	{"K", []string{"BR-IC-01", "BR-IC-02", "BR-IC-03", "BR-IC-04", "BR-IC-05", "BR-IC-06", "BR-IC-07", "BR-IC-08", "BR-IC-09", "BR-IC-10", "BR-IC-11", "BR-IC-12"}},
	{"L", []string{"BR-AF-01", "BR-AF-02", "BR-AF-03", "BR-AF-04", "BR-AF-05", "BR-AF-06", "BR-AF-07", "BR-AF-08", "BR-AF-09", "BR-AF-10"}},
	{"M", []string{"BR-AG-01", "BR-AG-02", "BR-AG-03", "BR-AG-04", "BR-AG-05", "BR-AG-06", "BR-AG-07", "BR-AG-08", "BR-AG-09", "BR-AG-10"}},
	{"O", []string{"BR-O-01", "BR-O-02", "BR-O-03", "BR-O-04", "BR-O-05", "BR-O-06", "BR-O-07", "BR-O-08", "BR-O-09", "BR-O-10", "BR-O-11", "BR-O-12", "BR-O-13", "BR-O-14"}},
	{"S", []string{"BR-S-01", "BR-S-02", "BR-S-03", "BR-S-04", "BR-S-05", "BR-S-06", "BR-S-07", "BR-S-08", "BR-S-09", "BR-S-10"}},
	{"Z", []string{"BR-Z-01", "BR-Z-02", "BR-Z-03", "BR-Z-04", "BR-Z-05", "BR-Z-06", "BR-Z-07", "BR-Z-08", "BR-Z-09", "BR-Z-10"}},
}

// --- UBL selections (over the whole document unless named otherwise) ---

// A ublTaxCat is what the category rules read of one tax category.
type ublTaxCat struct {
	vat bool     // ublVAT: of the VAT scheme
	cat string   // ublCat: normalize-space(cbc:ID)
	ids []string // every cbc:ID as written
}

// ublTaxCats are the tax categories of a document the category rules
// count, read once per document: the rules of the nine categories ask for
// them some forty times.
type ublTaxCats struct {
	all        []ublTaxCat // //cac:TaxCategory
	classified []ublTaxCat // //cac:ClassifiedTaxCategory
	subtotal   []ublTaxCat // the root's cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory
	// ac holds the categories of allowances and charges (cac:TaxCategory of
	// //cac:AllowanceCharge, or of the root's only), by [rootOnly][any,
	// allowance, charge].
	ac [2][3][]ublTaxCat
}

var ublTaxCatsKey xmltree.MemoKey[*ublTaxCats]

// ublCats returns the tax categories of n's document.
func ublCats(n *node) *ublTaxCats {
	return xmltree.Memo(n, &ublTaxCatsKey, func() *ublTaxCats {
		r := n.Root()
		read := func(tc *node) ublTaxCat {
			return ublTaxCat{vat: ublVAT(tc), cat: ublCat(tc), ids: tc.Strs("cbc:ID")}
		}
		c := &ublTaxCats{}
		for _, tc := range ublAllCTC(r) {
			c.classified = append(c.classified, read(tc))
		}
		// Each //cac:TaxCategory is read once, and goes into the lists its
		// parents put it in: the breakdowns' (the root's
		// cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory) and those of the
		// allowances and charges (cac:TaxCategory of //cac:AllowanceCharge
		// or of the root's cac:AllowanceCharge, with the indicator), each
		// in document order.
		for _, tc := range ublAllTC(r) {
			t := read(tc)
			c.all = append(c.all, t)
			p := tc.Parent
			if p.Is("cac:TaxSubtotal") && p.Parent.Is("cac:TaxTotal") && p.Parent.Parent == r {
				c.subtotal = append(c.subtotal, t)
			}
			if p != r && p.Is("cac:AllowanceCharge") {
				allowance, charge := ublChargeIndicatorIs(p, false), ublChargeIndicatorIs(p, true)
				for ro := range 2 {
					if ro == 1 && p.Parent != r {
						break
					}
					c.ac[ro][0] = append(c.ac[ro][0], t)
					if allowance {
						c.ac[ro][1] = append(c.ac[ro][1], t)
					}
					if charge {
						c.ac[ro][2] = append(c.ac[ro][2], t)
					}
				}
			}
		}
		return c
	})
}

// acCats returns the categories of allowances (ind false), charges (ind
// true) or both (ind nil), of the whole document or the root's only.
func (c *ublTaxCats) acCats(ind *bool, rootOnly bool) []ublTaxCat {
	ro, i := 0, 0
	if rootOnly {
		ro = 1
	}
	if ind != nil {
		i = 1
		if *ind {
			i = 2
		}
	}
	return c.ac[ro][i]
}

// ublAllTC and ublAllCTC return //cac:TaxCategory and
// //cac:ClassifiedTaxCategory.
func ublAllTC(r *node) []*node  { return r.Descendants("cac:TaxCategory") }
func ublAllCTC(r *node) []*node { return r.Descendants("cac:ClassifiedTaxCategory") }

var (
	vatFalse = false
	vatTrue  = true
)

// vatCount counts the categories with normalize-space(cbc:ID) = code (ns)
// or cbc:ID = code (raw), optionally only those of the VAT scheme.
func vatCount(tcs []ublTaxCat, code string, ns, vat bool) int {
	n := 0
	for i := range tcs {
		tc := &tcs[i]
		if vat && !tc.vat {
			continue
		}
		if ns && tc.cat == code || !ns && xmltree.In(code, tc.ids) {
			n++
		}
	}
	return n
}

// vatIDNodes counts TC[VAT]/cbc:ID[normalize-space(.) = code]: every ID
// child counts, not only the first.
func vatIDNodes(tcs []ublTaxCat, code string) int {
	n := 0
	for i := range tcs {
		if !tcs[i].vat {
			continue
		}
		for _, id := range tcs[i].ids {
			if xmltree.NormSpace(id) == code {
				n++
			}
		}
	}
	return n
}

// Party identifiers the category rules ask for.
func ublSupplierAnyTaxID(r *node) bool {
	return r.Has("//cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID")
}
func ublVATCompanyID(r *node, partyPath string) bool {
	for _, s := range r.All(partyPath + "/cac:PartyTaxScheme") {
		if ublVAT(s) && s.Has("cbc:CompanyID") {
			return true
		}
	}
	return false
}
func ublSupplierVATID(r *node) bool {
	return ublVATCompanyID(r, "//cac:AccountingSupplierParty/cac:Party")
}
func ublTaxRepVATID(r *node) bool { return ublVATCompanyID(r, "//cac:TaxRepresentativeParty") }
func ublCustomerVATID(r *node) bool {
	return ublVATCompanyID(r, "//cac:AccountingCustomerParty/cac:Party")
}
func ublCustomerLegalID(r *node) bool {
	return r.Has("//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
}

// vatBreakdownOnce is the -01 rule of AE, E, G, IC, O and Z: where the
// category is used (any tax category or item category of the VAT scheme),
// exactly one VAT breakdown has it.
func vatBreakdownOnce(r *node, code string) bool {
	c := ublCats(r)
	used := vatIDNodes(c.all, code) > 0 || vatIDNodes(c.classified, code) > 0
	if !used {
		return true
	}
	return vatIDNodes(c.subtotal, code) == 1
}

// vatRequires builds "(exists(cats) and parties) or not(exists(cats2))",
// cats and cats2 counting categories.
func vatRequires(cats, cats2 func(r *node) int, parties func(r *node) bool) func(n *node) bool {
	return func(n *node) bool {
		r := n.Root()
		if cats(r) > 0 && parties(r) {
			return true
		}
		return cats2(r) == 0
	}
}

// ublVATPaths are the paths the -08 rules read from a line and from an
// allowance or charge: its category code and rate, and its amount.
type ublVATPaths struct {
	lineCode, lineRate, lineAmount *xmltree.Path
	acCode, acRate, acAmount       *xmltree.Path
}

func newUBLVATPaths() *ublVATPaths {
	return &ublVATPaths{
		lineCode: xp("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"), lineRate: xp("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
		lineAmount: xp("cbc:LineExtensionAmount"),
		acCode:     xp("cac:TaxCategory/cbc:ID"), acRate: xp("cac:TaxCategory/cbc:Percent"), acAmount: xp("cbc:Amount"),
	}
}

// vatBase computes Σ line net amounts + Σ charges − Σ allowances over the
// root's lines and document level allowances/charges of the category
// (optionally of the rate). Each amount and rate is cast with
// xs:decimal() as the source does: ok is false where one raised.
func vatBase(r *node, lineName, code string, rate *xmltree.Decimal, p *ublVATPaths) (base xmltree.Decimal, ok bool) {
	rateOK := func(values []string) bool { return rate == nil || vatRateIn(r, values, *rate) }
	codeOK := func(values []string) bool {
		for _, v := range values {
			if xmltree.NormSpace(v) == code {
				return true
			}
		}
		return false
	}
	var lines, charges, allowances []string
	for _, l := range r.All(lineName) {
		if codeOK(p.lineCode.Strs(l)) && rateOK(p.lineRate.Strs(l)) {
			lines = append(lines, p.lineAmount.Strs(l)...)
		}
	}
	for _, ac := range r.All("cac:AllowanceCharge") {
		if !codeOK(p.acCode.Strs(ac)) || !rateOK(p.acRate.Strs(ac)) {
			continue
		}
		if ublChargeIndicatorIs(ac, true) {
			charges = append(charges, p.acAmount.Strs(ac)...)
		}
		if ublChargeIndicatorIs(ac, false) {
			allowances = append(allowances, p.acAmount.Strs(ac)...)
		}
	}
	l, ok1 := vatSumDec(r, lines)
	c, ok2 := vatSumDec(r, charges)
	a, ok3 := vatSumDec(r, allowances)
	if !ok1 || !ok2 || !ok3 {
		return xmltree.Decimal{}, false
	}
	return l.Add(c).Sub(a), true
}

// vatTaxableEquals is the -08 rule of AE, E, G, IC, O and Z: the taxable
// amount of the breakdown equals the category's lines and document level
// allowances and charges.
func vatTaxableEquals(code string, p *ublVATPaths) func(n *node) bool {
	return func(n *node) bool {
		r := n.Root()
		taxable, ok := xmltree.CastDec(n, n.Parent.Strs("cbc:TaxableAmount"))
		if !ok {
			return false
		}
		equals := func(lineName string) bool {
			base, ok := vatBase(r, lineName, code, nil, p)
			return ok && taxable.Cmp(base) == 0
		}
		if len(r.Descendants("cac:InvoiceLine")) > 0 && equals("cac:InvoiceLine") {
			return true
		}
		return len(r.Descendants("cac:CreditNoteLine")) > 0 && equals("cac:CreditNoteLine")
	}
}

// vatTaxableNear is the -08 rule of S, AF and AG: for the breakdown's rate,
// taxable amount - 1 < Σ < taxable amount + 1 (xs:decimal(cbc:TaxableAmount
// - 1): double arithmetic on the untyped amount, cast to the double's exact
// decimal value, as the reference does), where Σ covers the lines and allowances/charges of the
// category and rate. S asks in addition that such a line or allowance exist.
func vatTaxableNear(code string, sGuard bool, p *ublVATPaths) func(n *node) bool {
	return func(n *node) bool {
		r := n.Root()
		rates := n.Strs("cbc:Percent")
		if len(rates) == 0 {
			return true
		}
		rate, ok := xmltree.CastDec(n, rates) // every $rate in xs:decimal(cbc:Percent)
		if !ok {
			return false
		}
		within := func(lineName string) bool {
			// ../xs:decimal(cbc:TaxableAmount - 1): an untyped number; the
			// cast of INF or NaN fails too.
			t, ok := xmltree.UntypedNumber(n, n.Parent.Strs("cbc:TaxableAmount"))
			if !ok {
				return false
			}
			lo, ok1 := xmltree.DecimalOfDouble(t - 1)
			hi, ok2 := xmltree.DecimalOfDouble(t + 1)
			if !ok1 || !ok2 {
				n.Raise("cannot convert " + strconv.FormatFloat(t, 'g', -1, 64) + " to xs:decimal")
				return false
			}
			s, ok := vatBase(r, lineName, code, &rate, p)
			return ok && s.CmpRat(lo) > 0 && s.CmpRat(hi) < 0
		}
		if !sGuard {
			return len(r.Descendants("cac:InvoiceLine")) > 0 && within("cac:InvoiceLine") ||
				len(r.Descendants("cac:CreditNoteLine")) > 0 && within("cac:CreditNoteLine")
		}
		// exists(line) or exists(allowance), left to right: a rate the
		// second would cast is not read once the first holds.
		invGuard := vatAnyLineWithRate(r, "cac:InvoiceLine", code, rate, p) || vatAnyACWithRate(r, code, rate, p)
		if invGuard && within("cac:InvoiceLine") {
			return true
		}
		cnGuard := vatAnyLineWithRate(r, "cac:CreditNoteLine", code, rate, p) || vatAnyACWithRate(r, code, rate, p)
		return cnGuard && within("cac:CreditNoteLine")
	}
}

func vatCodeIn(values []string, code string) bool {
	for _, v := range values {
		if xmltree.NormSpace(v) == code {
			return true
		}
	}
	return false
}

// vatAnyLineWithRate is exists(//line[category code][category rate]).
func vatAnyLineWithRate(r *node, lineName, code string, rate xmltree.Decimal, p *ublVATPaths) bool {
	for _, l := range r.Descendants(lineName) {
		if vatCodeIn(p.lineCode.Strs(l), code) && vatRateIn(r, p.lineRate.Strs(l), rate) {
			return true
		}
	}
	return false
}

// vatAnyACWithRate is exists(//cac:AllowanceCharge[code][rate]) anywhere.
func vatAnyACWithRate(r *node, code string, rate xmltree.Decimal, p *ublVATPaths) bool {
	for _, ac := range r.Descendants("cac:AllowanceCharge") {
		if vatCodeIn(p.acCode.Strs(ac), code) && vatRateIn(r, p.acRate.Strs(ac), rate) {
			return true
		}
	}
	return false
}

// vatTaxAmountNear is the -09 rule of S, AF and AG: |tax| - 1 < round(|taxable|
// × rate/100, 2) < |tax| + 1.
func vatTaxAmountNear(n *node) bool {
	// xs:decimal() of each, in the source's order; one that is no
	// decimal raises.
	tax, base, ok := vatTaxAndBase(n, "cbc:TaxAmount", "cbc:TaxableAmount")
	if !ok {
		return false
	}
	pct, ok := xmltree.CastDec(n, n.Strs("cbc:Percent"))
	if !ok {
		return false
	}
	want := base.Abs().Mul(pct.Quo(xmltree.DecimalInt(100))).Round2()
	t, one := tax.Abs(), xmltree.DecimalInt(1)
	return t.Sub(one).Cmp(want) < 0 && t.Add(one).Cmp(want) > 0
}

// vatDecIsZero is xs:decimal(path) = 0; a value that is no decimal raises
// (xmltree.CastDecimal).
func vatDecIsZero(n *node, path string) bool {
	d, ok := xmltree.CastDec(n, n.Strs(path))
	return ok && d.Sign() == 0
}

// vatPercentCmp is (cbc:Percent) > 0 or >= 0: untyped against an integer.
func vatPercentCmp(n *node, orEqual bool) bool {
	if orEqual {
		return brAnyNum(n, "cbc:Percent", xmltree.OpGe, 0)
	}
	return brAnyNum(n, "cbc:Percent", xmltree.OpGt, 0)
}

// ublVATContexts are the four category contexts of a VAT category: the
// breakdown's category, the categories of allowances and of charges
// (anywhere), and the line item categories.
func ublVATContexts(code string, order int) (breakdown, allowance, charge, line ruleContext) {
	isCat := func(n *node) bool { return ublCat(n) == code && ublVAT(n) }
	breakdown = ruleContext{Pattern: patUBLModel, Order: order, Names: []string{"TaxCategory"},
		Match: func(n *node) bool {
			return n.Is("cac:TaxCategory") && n.Parent.Is("cac:TaxSubtotal") && n.Parent.Parent.Is("cac:TaxTotal") &&
				n.Parent.Parent.Parent != nil && n.Parent.Parent.Parent.Parent == nil && isCat(n)
		}}
	acCat := func(ind bool) func(n *node) bool {
		return func(n *node) bool {
			return n.Is("cac:TaxCategory") && n.Parent.Is("cac:AllowanceCharge") && ublChargeIndicatorIs(n.Parent, ind) && isCat(n)
		}
	}
	allowance = ruleContext{Pattern: patUBLModel, Order: order + 5, Names: []string{"TaxCategory"}, Match: acCat(false)}
	charge = ruleContext{Pattern: patUBLModel, Order: order + 8, Names: []string{"TaxCategory"}, Match: acCat(true)}
	line = ruleContext{Pattern: patUBLModel, Order: order + 11, Names: []string{"ClassifiedTaxCategory"},
		Match: func(n *node) bool {
			return n.Is("cac:ClassifiedTaxCategory") && n.Parent.Is("cac:Item") && ublLine(n.Parent.Parent) && isCat(n)
		}}
	return
}

// vatUBLRules builds the rules of all categories for UBL.
func vatUBLRules() []rule {
	paths := newUBLVATPaths()
	orders := map[string]int{"AE": 234, "E": 248, "G": 262, "K": 276, "L": 290, "M": 304, "O": 318, "S": 332, "Z": 346}
	var rules []rule
	for _, c := range vatCategories {
		c := c
		code := c.code
		id := func(n string) string {
			for _, id := range c.ids {
				if strings.HasSuffix(id, "-"+n) {
					return id
				}
			}
			panic("invoice: no VAT rule " + n + " for category " + code)
		}
		bd, al, ch, ln := ublVATContexts(code, orders[code])
		root := ublModelRoot
		add := func(n string, ctx ruleContext, test func(*node) bool) {
			rules = append(rules, rule{ID: id(n), Context: ctx, Test: test})
		}
		ns, raw := true, false
		ctcVAT := func(r *node) int { return vatCount(ublCats(r).classified, code, ns, true) }
		acVAT := func(ind bool, rootOnly bool) func(r *node) int {
			return func(r *node) int { return vatCount(ublCats(r).acCats(&ind, rootOnly), code, ns, true) }
		}

		// -01: the breakdown exists when the category is used.
		switch code {
		case "S":
			add("01", root, func(n *node) bool {
				c := ublCats(n)
				used := vatCount(c.acCats(nil, false), code, ns, false) + vatCount(c.classified, code, ns, false)
				bd := vatCount(c.subtotal, code, ns, false)
				return used > 0 && bd > 0 || used == 0 && bd == 0
			})
		case "L", "M":
			add("01", root, func(n *node) bool {
				c := ublCats(n)
				used := vatCount(c.acCats(nil, false), code, ns, true) + vatCount(c.classified, code, ns, true)
				bdRaw := vatCount(c.subtotal, code, raw, code == "M")
				bdNS := vatCount(c.subtotal, code, ns, true)
				return used > 0 && bdRaw > 0 || used == 0 && bdNS == 0
			})
		default:
			add("01", root, func(n *node) bool { return vatBreakdownOnce(n.Root(), code) })
		}

		// -02 … -04: the party identifiers the category needs.
		var parties func(r *node) bool
		switch code {
		case "AE":
			parties = func(r *node) bool {
				return (ublSupplierAnyTaxID(r) || ublTaxRepVATID(r)) && (ublCustomerVATID(r) || ublCustomerLegalID(r))
			}
		case "E", "L", "M", "S", "Z":
			parties = func(r *node) bool { return ublSupplierAnyTaxID(r) || ublTaxRepVATID(r) }
		case "G":
			parties = func(r *node) bool { return ublSupplierVATID(r) || ublTaxRepVATID(r) }
		case "K":
			parties = func(r *node) bool { return (ublSupplierVATID(r) || ublTaxRepVATID(r)) && ublCustomerVATID(r) }
		case "O":
			parties = func(r *node) bool { return !ublSupplierVATID(r) && !ublTaxRepVATID(r) && !ublCustomerVATID(r) }
		}
		lineNot := ctcVAT
		if code == "S" {
			lineNot = func(r *node) int { return vatCount(ublCats(r).classified, code, ns, false) }
		}
		add("02", root, vatRequires(ctcVAT, lineNot, parties))
		acCats := func(ind bool) func(r *node) int {
			switch code {
			case "O":
				return acVAT(ind, true)
			case "G":
				return func(r *node) int { return vatCount(ublCats(r).acCats(&ind, false), code, ns, false) }
			}
			return acVAT(ind, false)
		}
		acNot := func(ind bool) func(r *node) int {
			if code == "O" {
				return acVAT(ind, true)
			}
			if code == "L" && ind {
				return func(r *node) int { return vatCount(ublCats(r).acCats(&ind, false), code, raw, true) }
			}
			return acVAT(ind, false)
		}
		add("03", root, vatRequires(acCats(false), acNot(false), parties))
		add("04", root, vatRequires(acCats(true), acNot(true), parties))

		// -05 … -07: the rate on lines, allowances and charges.
		var rateOK func(n *node) bool
		switch code {
		case "S":
			rateOK = func(n *node) bool { return vatPercentCmp(n, false) }
		case "L", "M":
			rateOK = func(n *node) bool { return vatPercentCmp(n, true) }
		case "O":
			rateOK = func(n *node) bool { return !n.Has("cbc:Percent") }
		default:
			rateOK = func(n *node) bool { return vatDecIsZero(n, "cbc:Percent") }
		}
		add("05", ln, rateOK)
		add("06", al, rateOK)
		add("07", ch, rateOK)

		// -08 … -10: the breakdown.
		switch code {
		case "S", "L", "M":
			add("08", bd, vatTaxableNear(code, code == "S", paths))
			add("09", bd, vatTaxAmountNear)
			add("10", bd, func(n *node) bool { return !n.Has("cbc:TaxExemptionReason") && !n.Has("cbc:TaxExemptionReasonCode") })
		default:
			add("08", bd, vatTaxableEquals(code, paths))
			add("09", bd, func(n *node) bool { return vatDecIsZero(n.Parent, "cbc:TaxAmount") })
			if code == "Z" {
				add("10", bd, func(n *node) bool { return !n.Has("cbc:TaxExemptionReason") && !n.Has("cbc:TaxExemptionReasonCode") })
			} else {
				add("10", bd, func(n *node) bool { return n.Has("cbc:TaxExemptionReason") || n.Has("cbc:TaxExemptionReasonCode") })
			}
		}

		// Category-specific rules on the document.
		bdUsed := func(r *node) bool { return vatIDNodes(ublCats(r).subtotal, code) > 0 }
		switch code {
		case "K":
			add("11", root, func(n *node) bool {
				r := n.Root()
				if !bdUsed(r) {
					return true
				}
				return len([]rune(n.Str("cac:Delivery/cbc:ActualDeliveryDate"))) > 1 || n.Has("cac:InvoicePeriod/*")
			})
			add("12", root, func(n *node) bool {
				r := n.Root()
				if !bdUsed(r) {
					return true
				}
				return len([]rune(n.Str("cac:Delivery/cac:DeliveryLocation/cac:Address/cac:Country/cbc:IdentificationCode"))) > 1
			})
		case "O":
			others := func(tcs []ublTaxCat) int {
				c := 0
				for i := range tcs {
					if tcs[i].vat && tcs[i].cat != "O" {
						c++
					}
				}
				return c
			}
			add("11", root, func(n *node) bool { r := n.Root(); return !bdUsed(r) || others(ublCats(r).subtotal) == 0 })
			add("12", root, func(n *node) bool { r := n.Root(); return !bdUsed(r) || others(ublCats(r).classified) == 0 })
			add("13", root, func(n *node) bool {
				r := n.Root()
				return !bdUsed(r) || others(ublCats(r).acCats(&vatFalse, false)) == 0
			})
			add("14", root, func(n *node) bool {
				r := n.Root()
				return !bdUsed(r) || others(ublCats(r).acCats(&vatTrue, false)) == 0
			})
		}
	}
	return rules
}
