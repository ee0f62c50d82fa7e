package invoice

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// TestRestrictionSets checks that the engine's evaluation of the
// restriction rules through their path sets (rule.set) finds what calling
// each rule's Test finds, on the fixture and the conformance corpus, under
// every release.
func TestRestrictionSets(t *testing.T) {
	docs := [][]byte{readFixture(t, "minimal-ubl.xml")}
	filepath.WalkDir(filepath.Join(testenv.SharedDir(), "conformance"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			if b, err := os.ReadFile(p); err == nil {
				docs = append(docs, b)
			}
		}
		return nil
	})
	for _, rel := range Releases() {
		rules := releaseRules(rel.Name)
		plain := make([]rule, len(rules))
		sets := 0
		for i, r := range rules {
			if r.set != nil {
				sets++
			}
			r.set, r.inSet = nil, 0
			plain[i] = r
		}
		if sets == 0 {
			t.Fatalf("release %s: no rule is evaluated through a path set", rel.Name)
		}
		viaSets, viaTests := compile(rules), compile(plain)
		var buf [numPatterns]pattern
		for _, d := range docs {
			root, err := xmltree.Parse(d, xmltree.DefaultLimits)
			if err != nil || docTypeOf(root) == UnknownDoc {
				continue
			}
			patterns, _ := patternsOf(buf[:0], docSyntax(docTypeOf(root)))
			a, b := viaSets.run(root, patterns), viaTests.run(root, patterns)
			if len(a) != len(b) {
				t.Fatalf("release %s: %d hits through the path sets, %d through the tests", rel.Name, len(a), len(b))
			}
			for i := range a {
				if a[i].rule.ID != b[i].rule.ID || a[i].node != b[i].node || a[i].err != b[i].err {
					t.Fatalf("release %s, hit %d: %s at %s through the path sets, %s at %s through the tests",
						rel.Name, i, a[i].rule.ID, a[i].node.Path(), b[i].rule.ID, b[i].node.Path())
				}
			}
		}
	}
}
