package invoice

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// minRuleCoverage is the share of the reference's rule ids (per syntax,
// from shared/conformance/rules.tsv) the table implements: a floor raised
// as families land. The goal is 100%.
const minRuleCoverage = 1.0

// TestRuleTable checks the rule table against the reference's list of rule
// ids: every registered id exists there for its syntax with the same flag,
// and it reports the ids not implemented yet.
func TestRuleTable(t *testing.T) {
	dir := sharedDir(t)
	f, err := os.Open(filepath.Join(dir, "conformance", "rules.tsv"))
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
	got := map[key]Flag{}
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
		if r.Message == "" || r.MessageDE == "" {
			t.Errorf("%s: needs an English and a German message", r.ID)
		}
		k := key{r.ID, r.Syntax().String()}
		flag, ok := want[k]
		if !ok {
			t.Errorf("%s (%s) is not a rule of the reference", r.ID, k.syntax)
			continue
		}
		if string(r.Flag) != flag && !(flag == "warn" && r.Flag == Warning) && !(flag == "info" && r.Flag == Info) {
			t.Errorf("%s (%s): flag %s, the reference says %s", r.ID, k.syntax, r.Flag, flag)
		}
		got[k] = r.Flag
	}
	var missing []string
	for k := range want {
		if _, ok := got[k]; !ok {
			missing = append(missing, k.id+"/"+k.syntax)
		}
	}
	sort.Strings(missing)
	cov := float64(len(got)) / float64(len(want))
	t.Logf("rule ids implemented: %d of %d (%.1f%%)", len(got), len(want), 100*cov)
	if len(missing) > 0 {
		show := missing
		if len(show) > 40 {
			show = show[:40]
		}
		t.Logf("not implemented (%d): %s ...", len(missing), strings.Join(show, " "))
	}
	if cov < minRuleCoverage {
		t.Errorf("coverage %.3f fell below the floor %.3f", cov, minRuleCoverage)
	}
}
