package invoice

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// flagCount counts a family's rule ids of one syntax by flag.
type flagCount struct{ fatal, warning, info int }

// ruleFamilies are the id families of the reference (EN 16931 validation
// artefacts 1.3.15, XRechnung Schematron 2.5.0 with its PEPPOL-EN16931-R
// rules): the form of their ids, their source, and how many ids each
// syntax has, by flag (counted in shared/conformance/rules.tsv). A family
// with ids in both syntaxes has each id in both, except oneSyntax.
var ruleFamilies = []struct {
	name     string
	id       *regexp.Regexp
	source   source
	ubl, cii flagCount
}{
	{"BR", regexp.MustCompile(`^BR-\d{2}$`), srcEN16931, flagCount{57, 1, 0}, flagCount{58, 0, 0}},
	{"BR-B", regexp.MustCompile(`^BR-B-\d{2}$`), srcEN16931, flagCount{2, 0, 0}, flagCount{2, 0, 0}},
	{"BR-CO", regexp.MustCompile(`^BR-CO-\d{2}$`), srcEN16931, flagCount{24, 0, 0}, flagCount{25, 0, 0}},
	{"BR-DEC", regexp.MustCompile(`^BR-DEC-\d{2}$`), srcEN16931, flagCount{21, 0, 0}, flagCount{21, 0, 0}},
	{"BR-S", regexp.MustCompile(`^BR-S-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-Z", regexp.MustCompile(`^BR-Z-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-E", regexp.MustCompile(`^BR-E-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-AE", regexp.MustCompile(`^BR-AE-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-IC", regexp.MustCompile(`^BR-IC-\d{2}$`), srcEN16931, flagCount{12, 0, 0}, flagCount{12, 0, 0}},
	{"BR-G", regexp.MustCompile(`^BR-G-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-O", regexp.MustCompile(`^BR-O-\d{2}$`), srcEN16931, flagCount{14, 0, 0}, flagCount{14, 0, 0}},
	{"BR-AF", regexp.MustCompile(`^BR-AF-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-AG", regexp.MustCompile(`^BR-AG-\d{2}$`), srcEN16931, flagCount{10, 0, 0}, flagCount{10, 0, 0}},
	{"BR-CL", regexp.MustCompile(`^BR-CL-\d{2}$`), srcEN16931, flagCount{23, 0, 0}, flagCount{23, 0, 0}},
	{"UBL-CR", regexp.MustCompile(`^UBL-CR-\d{3}$`), srcEN16931, flagCount{2, 676, 0}, flagCount{}},
	{"UBL-SR", regexp.MustCompile(`^UBL-SR-\d{2}$`), srcEN16931, flagCount{53, 0, 0}, flagCount{}},
	{"UBL-DT", regexp.MustCompile(`^UBL-DT-\d{2}$`), srcEN16931, flagCount{3, 21, 0}, flagCount{}},
	{"CII-SR", regexp.MustCompile(`^CII-SR-\d{2,3}$`), srcEN16931, flagCount{}, flagCount{17, 437, 0}},
	{"CII-DT", regexp.MustCompile(`^CII-DT-\d{3}$`), srcEN16931, flagCount{}, flagCount{70, 31, 0}},
	{"BR-DE", regexp.MustCompile(`^BR-DE-\d{1,2}(-[ab])?$`), srcXRechnung, flagCount{24, 7, 0}, flagCount{24, 7, 0}},
	{"BR-DE-CVD", regexp.MustCompile(`^BR-DE-CVD-\d{2}(-[ab])?$`), srcXRechnung, flagCount{7, 0, 0}, flagCount{7, 0, 0}},
	{"BR-DE-TMP", regexp.MustCompile(`^BR-DE-TMP-\d{2}$`), srcXRechnung, flagCount{0, 0, 1}, flagCount{0, 0, 1}},
	{"BR-DEX", regexp.MustCompile(`^BR-DEX-\d{2}$`), srcXRechnung, flagCount{13, 1, 0}, flagCount{6, 1, 0}},
	{"BR-TMP", regexp.MustCompile(`^BR-TMP-\d$`), srcXRechnung, flagCount{0, 1, 0}, flagCount{1, 1, 0}},
	{"BR-TMP-CVD", regexp.MustCompile(`^BR-TMP-CVD-\d{2}$`), srcXRechnung, flagCount{1, 0, 0}, flagCount{1, 0, 0}},
	{"PEPPOL-EN16931-R", regexp.MustCompile(`^PEPPOL-EN16931-R\d{3}(-\d)?$`), srcXRechnung, flagCount{20, 1, 0}, flagCount{21, 1, 0}},
}

// oneSyntax are the ids of two-syntax families that the reference defines
// for one syntax only.
var oneSyntax = map[string]syntax{
	"BR-CO-27":              syntaxCII,
	"BR-DEX-02":             syntaxUBL,
	"BR-DEX-03":             syntaxUBL,
	"BR-DEX-09":             syntaxUBL,
	"BR-DEX-10":             syntaxUBL,
	"BR-DEX-11":             syntaxUBL,
	"BR-DEX-12":             syntaxUBL,
	"BR-DEX-13":             syntaxUBL,
	"BR-DEX-14":             syntaxUBL,
	"BR-DEX-15":             syntaxCII,
	"BR-TMP-3":              syntaxCII,
	"PEPPOL-EN16931-R043":   syntaxUBL, // CII splits it in two:
	"PEPPOL-EN16931-R043-1": syntaxCII,
	"PEPPOL-EN16931-R043-2": syntaxCII,
}

// flagDiffers are the ids whose flag the reference sets differently per
// syntax.
var flagDiffers = map[string]bool{"BR-51": true} // fatal in CII, a warning in UBL

// TestRuleTable checks the rule table on its own, without the reference's
// files: every rule has a well-formed id of a known family, of its source
// and syntax, once per syntax, with a valid flag, a context, a test and a
// message in English and German; ids of two-syntax families exist in both
// with the same flag; and each family has the reference's number of ids
// per syntax and flag.
func TestRuleTable(t *testing.T) {
	type key struct {
		id     string
		syntax syntax
	}
	flags := map[key]ruleFlag{}
	family := map[string]int{} // id -> index in ruleFamilies
	counts := make([]map[syntax]*flagCount, len(ruleFamilies))
	for i := range counts {
		counts[i] = map[syntax]*flagCount{syntaxUBL: {}, syntaxCII: {}}
	}
	for _, r := range allRules() {
		if r.ID == "" {
			if r.Test != nil {
				t.Errorf("a rule without id has a test (context %v/%d)", r.Context.Pattern, r.Context.Order)
			}
			continue
		}
		if r.Test == nil || r.Context.Match == nil {
			t.Errorf("%s: no test or no context", r.ID)
		}
		if r.Context.Pattern == 0 || r.Context.Pattern >= numPatterns {
			t.Errorf("%s: pattern %d is none of the reference's", r.ID, r.Context.Pattern)
		}
		if strings.TrimSpace(r.Message) == "" || strings.TrimSpace(r.MessageDE) == "" {
			t.Errorf("%s: needs an English and a German message", r.ID)
		} else if r.Message == r.MessageDE {
			t.Errorf("%s: the German message is the English one: %q", r.ID, r.Message)
		}
		syntax := r.Syntax()
		k := key{r.ID, syntax}
		if _, dup := flags[k]; dup {
			t.Errorf("%s (%s) is defined twice", r.ID, syntax)
		}
		flags[k] = r.Flag
		fam := -1
		for i, f := range ruleFamilies {
			if f.id.MatchString(r.ID) {
				fam = i
				break
			}
		}
		if fam < 0 {
			t.Errorf("%s: no family of the reference has an id of this form", r.ID)
			continue
		}
		family[r.ID] = fam
		if f := ruleFamilies[fam]; r.Source() != f.source {
			t.Errorf("%s: a rule of %s, yet its pattern %d belongs to the other source", r.ID, f.name, r.Context.Pattern)
		}
		c := counts[fam][syntax]
		switch r.Flag {
		case fatal:
			c.fatal++
		case warning:
			c.warning++
		case info:
			c.info++
		default:
			t.Errorf("%s (%s): flag %q is none of fatal, warning, information", r.ID, syntax, r.Flag)
		}
	}
	for k, flag := range flags {
		other := syntaxCII
		if k.syntax == syntaxCII {
			other = syntaxUBL
		}
		fam, ok := family[k.id]
		if !ok || ruleFamilies[fam].ubl == (flagCount{}) || ruleFamilies[fam].cii == (flagCount{}) {
			continue // an id of no family (reported), or a family of one syntax
		}
		if s, ok := oneSyntax[k.id]; ok {
			if s != k.syntax {
				t.Errorf("%s is a rule of %s only, yet defined for %s", k.id, s, k.syntax)
			}
			continue
		}
		twin, ok := flags[key{k.id, other}]
		if !ok {
			t.Errorf("%s is defined for %s, not for %s", k.id, k.syntax, other)
		} else if twin != flag && !flagDiffers[k.id] {
			t.Errorf("%s: flag %s for %s, %s for %s", k.id, flag, k.syntax, twin, other)
		}
	}
	for i, f := range ruleFamilies {
		if got := *counts[i][syntaxUBL]; got != f.ubl {
			t.Errorf("%s, UBL: %+v ids (fatal, warning, information), the reference has %+v", f.name, got, f.ubl)
		}
		if got := *counts[i][syntaxCII]; got != f.cii {
			t.Errorf("%s, CII: %+v ids (fatal, warning, information), the reference has %+v", f.name, got, f.cii)
		}
	}
}

// TestRuleTableReference checks the rule table against the reference's
// list of rule ids, shared/conformance/rules.tsv: every registered id
// exists there for its syntax with the same flag, and every id there is
// registered.
func TestRuleTableReference(t *testing.T) {
	f, err := os.Open(filepath.Join(sharedDir(t), "conformance", "rules.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type key struct{ id, syntax string }
	want := map[key]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "id\t") || line == "" {
			continue
		}
		col := strings.Split(line, "\t")
		want[key{col[0], col[1]}] = col[3]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	got := map[key]bool{}
	for _, r := range allRules() {
		if r.ID == "" {
			continue
		}
		k := key{r.ID, r.Syntax().String()}
		flag, ok := want[k]
		if !ok {
			t.Errorf("%s (%s) is not a rule of the reference", r.ID, k.syntax)
			continue
		}
		if string(r.Flag) != flag && !(flag == "warn" && r.Flag == warning) && !(flag == "info" && r.Flag == info) {
			t.Errorf("%s (%s): flag %s, the reference says %s", r.ID, k.syntax, r.Flag, flag)
		}
		got[k] = true
	}
	var missing []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k.id+"/"+k.syntax)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("not implemented (%d of %d): %s", len(missing), len(want), strings.Join(missing, " "))
	}
}
