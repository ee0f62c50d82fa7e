package invoice

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
)

// The conformance test measures agreement with the reference (the KoSIT
// validator with the XRechnung configuration) on two labelled sets, file by
// file and rule by rule, the way shared/tools/conformance-compare.py scores
// it: the public corpus in ../shared/conformance, and ../shared/edge,
// variants of its accepted documents that probe the corners of XPath 2.0
// (number forms, prefixes, text split by comments, dates with time zones).
//
// Environment:
//
//	EINGANG_SHARED   the shared folder (default ../../shared from this package)
//	EINGANG_RULES    comma-separated rule id prefixes: compare only those ids
//	EINGANG_SHOW     how many differing files to print (default 20)

// Floors the test holds the validator to on each set: the agreement
// measured when they were last raised. The goals are 100% for both.
const (
	minVerdictAgreement = 100.0 // percent of documents with the reference's verdict
	minRuleAgreement    = 100.0 // percent of documents with exactly the reference's fired rule ids
)

type expectedDoc struct {
	File             string `json:"file"`
	Wellformed       bool   `json:"wellformed"`
	XSDValid         bool   `json:"xsd_valid"`
	Accepted         bool   `json:"accepted"`
	RejectReason     string `json:"reject_reason"`
	Scenario         string `json:"scenario"`
	SchematronErrors []any  `json:"schematron_errors"`
	Fired            []struct {
		ID       string `json:"id"`
		Level    string `json:"level"`
		Location string `json:"location"`
	} `json:"fired"`
}

func sharedDir(t testing.TB) string {
	return filepath.Dir(testenv.Shared(t, "conformance"))
}

func loadExpected(t testing.TB, dir string) []expectedDoc {
	return loadSet(t, filepath.Join(dir, "conformance"))
}

// loadSet reads the expected.jsonl of the labelled set in dir.
func loadSet(t testing.TB, dir string) []expectedDoc {
	return loadExpectedFile(t, filepath.Join(dir, "expected.jsonl"))
}

// loadExpectedFile reads a file of reference verdicts.
func loadExpectedFile(t testing.TB, path string) []expectedDoc {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []expectedDoc
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var d expectedDoc
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return docs
}

func isRuleID(id string) bool {
	u := strings.ToUpper(id)
	return id != "" && !strings.HasPrefix(u, "XSD") && !strings.HasPrefix(u, "XML") && !strings.HasPrefix(u, "SCENARIO")
}

// releaseExpectations are, per release, where the reference's verdicts for
// the documents of shared/<set> are (relative to the shared folder), and
// the rule ids whose tests come from published notes rather than a source
// file: the reference pipeline built from public sources cannot know them,
// so they are left out of the comparison, and a verdict they alone decide
// is compared as if they had not fired.
var releaseExpectations = []struct {
	release  string
	expected string // <set> stands for the set's name
	notes    []string
}{
	{Release20260131, "<set>/expected.jsonl", nil},
	{Release20260831, "releases/next/<set>/expected.jsonl", notesOnly20260831},
}

func TestConformance(t *testing.T) {
	shared := sharedDir(t)
	for _, re := range releaseExpectations {
		for _, set := range []string{"conformance", "edge"} {
			t.Run(re.release+"/"+set, func(t *testing.T) {
				dir := filepath.Join(shared, set)
				expected := filepath.Join(shared, strings.ReplaceAll(re.expected, "<set>", set))
				if _, err := os.Stat(expected); err != nil {
					t.Fatalf("the %s set's verdicts of release %s are missing: %v", set, re.release, err)
				}
				testAgreement(t, dir, loadExpectedFile(t, expected), re.release, re.notes)
			})
		}
	}
}

// TestConformanceNotesExcluded checks that the ids the conformance test
// leaves out of release 2026-08-31 are exactly the rules its change set
// takes from notes and carries.
func TestConformanceNotesExcluded(t *testing.T) {
	r, err := LookupRelease(Release20260831)
	if err != nil {
		t.Fatal(err)
	}
	var fromNotes []string
	for _, c := range r.Changes {
		if c.FromNotes && c.Carried {
			fromNotes = append(fromNotes, c.ID)
		}
	}
	if strings.Join(fromNotes, " ") != strings.Join(notesOnly20260831, " ") {
		t.Errorf("the notes-based rules carried are %v, the conformance test leaves out %v", fromNotes, notesOnly20260831)
	}
}

// notesVerdict is the verdict rep would have without the findings of the
// rules in notes: a document rejected by its rules alone is accepted where
// every counted error is one of them.
func notesVerdict(rep *Report, notes map[string]bool) bool {
	if rep.Accepted || rep.RejectReason != RejectRules || len(notes) == 0 {
		return rep.Accepted
	}
	for _, f := range rep.Findings {
		if f.Counted && f.Level == LevelError && !notes[f.Rule] {
			return false
		}
	}
	return true
}

// testAgreement validates every document of the labelled set in dir under
// release and holds the agreement with the reference's verdicts docs to
// the floors, leaving out the rule ids in notes.
func testAgreement(t *testing.T, dir string, docs []expectedDoc, release string, notes []string) {
	excluded := map[string]bool{}
	for _, id := range notes {
		excluded[id] = true
	}
	var filter []string
	if s := os.Getenv("EINGANG_RULES"); s != "" {
		filter = strings.Split(s, ",")
	}
	keep := func(id string) bool {
		if !isRuleID(id) || excluded[id] {
			return false
		}
		if filter == nil {
			return true
		}
		for _, p := range filter {
			if strings.HasPrefix(id, p) {
				return true
			}
		}
		return false
	}
	show := 20
	if s := os.Getenv("EINGANG_SHOW"); s != "" {
		show, _ = strconv.Atoi(s)
	}

	v := NewValidator()
	ctx := context.Background()
	var verdictOK, ruled, exact int
	var verdictDiffs, ruleDiffs []string
	missed := map[string]int{}
	extra := map[string]int{}
	for _, d := range docs {
		data, err := os.ReadFile(filepath.Join(dir, d.File))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.Validate(ctx, data, Options{AllRules: true, Release: release})
		if err != nil {
			t.Fatalf("%s: %v", d.File, err)
		}
		if rep.Release != release {
			t.Fatalf("%s: judged by release %q, want %q", d.File, rep.Release, release)
		}
		if notesVerdict(rep, excluded) == d.Accepted {
			verdictOK++
		} else {
			verdictDiffs = append(verdictDiffs, fmt.Sprintf("%s: reference accepted=%v (%s), eingang accepted=%v (%s) %s", d.File, d.Accepted, d.RejectReason, rep.Accepted, rep.RejectReason, firstErrors(rep, 3)))
		}
		if !d.Wellformed || len(d.SchematronErrors) > 0 {
			continue
		}
		ruled++
		want := map[string]string{}
		for _, f := range d.Fired {
			if keep(f.ID) {
				want[f.ID] = f.Location
			}
		}
		got := map[string]string{}
		for _, f := range rep.Findings {
			if keep(f.Rule) {
				got[f.Rule] = f.Location
			}
		}
		var m, e []string
		for id, loc := range want {
			if _, ok := got[id]; !ok {
				m = append(m, id+" @"+shortLoc(loc))
				missed[id]++
			}
		}
		for id, loc := range got {
			if _, ok := want[id]; !ok {
				e = append(e, id+" @"+loc)
				extra[id]++
			}
		}
		if len(m) == 0 && len(e) == 0 {
			exact++
			continue
		}
		sort.Strings(m)
		sort.Strings(e)
		ruleDiffs = append(ruleDiffs, fmt.Sprintf("%s:\n    missed %v\n    extra  %v", d.File, m, e))
	}
	vp := 100 * float64(verdictOK) / float64(len(docs))
	rp := 100 * float64(exact) / float64(ruled)
	t.Logf("release %s, leaving out %v", release, notes)
	t.Logf("verdict agreement: %d/%d = %.2f%%", verdictOK, len(docs), vp)
	t.Logf("rule sets equal: %d/%d = %.2f%% (filter %v)", exact, ruled, rp, filter)
	t.Logf("most missed: %s", top(missed, 25))
	t.Logf("most extra:  %s", top(extra, 25))
	for i, s := range ruleDiffs {
		if i >= show {
			t.Logf("... %d more files differ in rules", len(ruleDiffs)-show)
			break
		}
		t.Log(s)
	}
	if filter == nil {
		for i, s := range verdictDiffs {
			if i >= show {
				t.Logf("... %d more verdicts differ", len(verdictDiffs)-show)
				break
			}
			t.Log("verdict differs: " + s)
		}
		if vp < minVerdictAgreement {
			t.Errorf("verdict agreement %.2f%% fell below the floor %.2f%%", vp, minVerdictAgreement)
		}
		if rp < minRuleAgreement {
			t.Errorf("rule-set agreement %.2f%% fell below the floor %.2f%%", rp, minRuleAgreement)
		}
	}
}

func firstErrors(r *Report, n int) string {
	var s []string
	for _, f := range r.Findings {
		if f.Counted && f.Level == LevelError {
			s = append(s, f.Rule)
			if len(s) == n {
				break
			}
		}
	}
	return strings.Join(s, " ")
}

// shortLoc turns the reference's /Q{ns}local[n] locations into prefix-free paths.
func shortLoc(loc string) string {
	var b strings.Builder
	for len(loc) > 0 {
		if strings.HasPrefix(loc, "Q{") {
			if i := strings.IndexByte(loc, '}'); i >= 0 {
				loc = loc[i+1:]
				continue
			}
		}
		b.WriteByte(loc[0])
		loc = loc[1:]
	}
	return b.String()
}

func top(m map[string]int, n int) string {
	type kv struct {
		k string
		v int
	}
	var list []kv
	for k, v := range m {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || list[i].v == list[j].v && list[i].k < list[j].k })
	var s []string
	for i, x := range list {
		if i >= n {
			break
		}
		s = append(s, fmt.Sprintf("%s x%d", x.k, x.v))
	}
	return strings.Join(s, ", ")
}
