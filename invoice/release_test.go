package invoice

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestReleaseChangeSet checks release 2026-08-31's rule table against
// 2026-01-31's: exactly the removed rules are gone, exactly the added ones
// are new (28 CII-SR, UBL-SR-56, BR-TMP-4 to -7), every rule is documented
// in English and German and defined once per syntax, and BR-TMP-2 is
// fatal in the new release only.
func TestReleaseChangeSet(t *testing.T) {
	type key struct {
		id string
		s  syntax
	}
	table := func(name string) map[key]rule {
		m := map[key]rule{}
		for _, r := range releaseRules(name) {
			if r.ID == "" {
				continue
			}
			k := key{r.ID, r.Syntax()}
			if _, dup := m[k]; dup {
				t.Errorf("%s: %s (%s) is defined twice", name, r.ID, k.s)
			}
			if strings.TrimSpace(r.Message) == "" || strings.TrimSpace(r.MessageDE) == "" || r.Message == r.MessageDE {
				t.Errorf("%s: %s (%s) needs its own English and German message", name, r.ID, k.s)
			}
			if r.Test == nil || r.Context.Match == nil {
				t.Errorf("%s: %s (%s) has no test or no context", name, r.ID, k.s)
			}
			m[k] = r
		}
		return m
	}
	old, cur := table(Release20260131), table(Release20260831)
	var removed, added []string
	for k := range old {
		if _, ok := cur[k]; !ok {
			removed = append(removed, k.id+"/"+k.s.String())
		}
	}
	for k := range cur {
		if _, ok := old[k]; !ok {
			added = append(added, k.id+"/"+k.s.String())
		}
	}
	sort.Strings(removed)
	sort.Strings(added)
	if got, want := strings.Join(removed, " "), "BR-CO-25/cii BR-CO-25/ubl BR-CO-27/cii"; got != want {
		t.Errorf("removed: %s, want %s", got, want)
	}
	var want []string
	for i := 467; i <= 494; i++ {
		want = append(want, "CII-SR-"+itoa3(i)+"/cii")
	}
	want = append(want, "BR-TMP-4/cii", "BR-TMP-5/cii", "BR-TMP-6/ubl", "BR-TMP-7/cii", "UBL-SR-56/ubl")
	sort.Strings(want)
	if got, w := strings.Join(added, " "), strings.Join(want, " "); got != w {
		t.Errorf("added:\n got %s\nwant %s", got, w)
	}
	for _, s := range []syntax{syntaxUBL, syntaxCII} {
		if f := old[key{"BR-TMP-2", s}].Flag; f != warning {
			t.Errorf("2026-01-31: BR-TMP-2 (%s) is %s, want a warning", s, f)
		}
		if f := cur[key{"BR-TMP-2", s}].Flag; f != fatal {
			t.Errorf("2026-08-31: BR-TMP-2 (%s) is %s, want fatal", s, f)
		}
	}
	for id := range docs20260831 {
		if _, ubl := cur[key{id, syntaxUBL}]; !ubl {
			if _, cii := cur[key{id, syntaxCII}]; !cii {
				t.Errorf("2026-08-31 documents %s, which none of its rules has", id)
			}
		}
	}
	if releaseRules("1999-01-01") != nil {
		t.Error("an unknown release has rules")
	}
}

// TestReleaseChangesDiffer runs the documents the releases are meant to
// tell apart, each a minimal change of a corpus document, under both
// releases: the first verdict is 2026-01-31's, the second 2026-08-31's.
// Cases that fire alike under both hold a changed rule's bounds.
func TestReleaseChangesDiffer(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "minimal-ubl.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		edit     func([]byte) []byte
		rule     string
		old, cur bool // whether rule fires under each release
	}{
		{"two originator references (UBL-SR-56)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cac:AccountingSupplierParty>"),
				[]byte("<cac:OriginatorDocumentReference><cbc:ID>A</cbc:ID></cac:OriginatorDocumentReference><cac:OriginatorDocumentReference><cbc:ID>B</cbc:ID></cac:OriginatorDocumentReference><cac:AccountingSupplierParty>"), 1)
		}, "UBL-SR-56", false, true},
		{"an issue date with a time zone (BR-TMP-6)", func(b []byte) []byte {
			i := bytes.Index(b, []byte("<cbc:IssueDate>"))
			j := bytes.Index(b[i:], []byte("</cbc:IssueDate>"))
			return append(append(append([]byte{}, b[:i+j]...), []byte("Z")...), b[i+j:]...)
		}, "BR-TMP-6", false, true},
		// PEPPOL-EN16931-R008 in UBL, as XRechnung branch 225 rewrites it:
		// an empty cbc:ID of the order reference passes, every other empty
		// element still fires, and name() reads the prefix as written.
		{"an empty order reference id (PEPPOL-EN16931-R008)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cbc:ID>B-2026-117</cbc:ID>"), []byte("<cbc:ID></cbc:ID>"), 1)
		}, "PEPPOL-EN16931-R008", true, false},
		{"an empty order reference id, self-closed (PEPPOL-EN16931-R008)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cbc:ID>B-2026-117</cbc:ID>"), []byte("<cbc:ID/>"), 1)
		}, "PEPPOL-EN16931-R008", true, false},
		{"an empty order reference id in the default namespace (PEPPOL-EN16931-R008)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cbc:ID>B-2026-117</cbc:ID>"),
				[]byte(`<ID xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"/>`), 1)
		}, "PEPPOL-EN16931-R008", true, true},
		{"an empty sales order id beside the order reference id (PEPPOL-EN16931-R008)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cbc:ID>B-2026-117</cbc:ID>"), []byte("<cbc:ID>B-2026-117</cbc:ID><cbc:SalesOrderID/>"), 1)
		}, "PEPPOL-EN16931-R008", true, true},
		{"an empty additional document id (PEPPOL-EN16931-R008)", func(b []byte) []byte {
			return bytes.Replace(b, []byte("<cbc:ID>LN-0042</cbc:ID>"), []byte("<cbc:ID/>"), 1)
		}, "PEPPOL-EN16931-R008", true, true},
	}
	v := NewValidator()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := c.edit(base)
			if bytes.Equal(doc, base) {
				t.Fatal("the edit changed nothing")
			}
			for _, rel := range []struct {
				name string
				want bool
			}{{Release20260131, c.old}, {Release20260831, c.cur}} {
				rep, err := v.Validate(context.Background(), doc, Options{AllRules: true, Release: rel.name})
				if err != nil {
					t.Fatal(err)
				}
				if got := hasRule(rep, c.rule); got != rel.want {
					t.Errorf("release %s: %s fired %v, want %v (%s)", rel.name, c.rule, got, rel.want, firstErrors(rep, 5))
				}
			}
		})
	}
}

func hasRule(rep *Report, id string) bool {
	for _, f := range rep.Findings {
		if f.Rule == id {
			return true
		}
	}
	return false
}

// TestScheduleAt checks which release files a document by its day of
// receipt, with and without a switch day and a transition window.
func TestScheduleAt(t *testing.T) {
	sw := map[string]time.Time{Release20260831: day("2026-10-01")}
	tr := map[string]time.Time{Release20260831: day("2026-09-15")}
	cases := []struct {
		name        string
		s           Schedule
		at          string
		files, also string
	}{
		{"before every release", Schedule{}, "2025-12-31", Release20260131, ""},
		{"first release", Schedule{}, "2026-08-30", Release20260131, ""},
		{"second's own start", Schedule{}, "2026-08-31", Release20260831, ""},
		{"switched later: the first still", Schedule{Switch: sw}, "2026-09-30", Release20260131, ""},
		{"switched later: from the switch day", Schedule{Switch: sw}, "2026-10-01", Release20260831, ""},
		{"before the window", Schedule{Switch: sw, Transition: tr}, "2026-09-14", Release20260131, ""},
		{"in the window: the newer files", Schedule{Switch: sw, Transition: tr}, "2026-09-15", Release20260831, Release20260131},
		{"in the window: the older files", Schedule{Switch: sw, Transition: tr, FollowOlder: true}, "2026-09-20", Release20260131, Release20260831},
		{"after the window", Schedule{Switch: sw, Transition: tr}, "2026-10-01", Release20260831, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.s.Validate(); err != nil {
				t.Fatal(err)
			}
			files, also := c.s.At(day(c.at))
			if files != c.files || also != c.also {
				t.Errorf("At(%s) = %q, %q; want %q, %q", c.at, files, also, c.files, c.also)
			}
		})
	}
}

// TestScheduleValidate checks that a schedule naming an unknown release or
// a window that does not open before its switch is refused.
func TestScheduleValidate(t *testing.T) {
	for _, s := range []Schedule{
		{Switch: map[string]time.Time{"2027-01-31": day("2027-02-01")}},
		{Transition: map[string]time.Time{Release20260131: day("2026-01-01")}},
		{Transition: map[string]time.Time{Release20260831: day("2026-08-31")}},
	} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v: no error", s)
		}
		if _, err := NewValidator().WithSchedule(s); err == nil {
			t.Errorf("WithSchedule(%+v): no error", s)
		}
	}
}

// TestValidateTransition validates a document that the releases judge
// differently (BR-TMP-2 is fatal in 2026-08-31 only) on days before,
// within and after a transition window: the report names the release that
// filed, and within the window carries the other's verdict.
func TestValidateTransition(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(sharedDir(t), "conformance", "xrechnung-schematron", "mutants", "ubl-inv", "ubl-inv-br-tmp-2-test--04-ubl-inv-BT-124-invalid-urls--v4.xml"))
	if err != nil {
		t.Fatal(err)
	}
	sched := Schedule{Switch: map[string]time.Time{Release20260831: day("2026-10-01")}, Transition: map[string]time.Time{Release20260831: day("2026-09-15")}}
	cases := []struct {
		at                 string
		older              bool
		release            string
		accepted           bool
		transition         string
		transitionAccepted bool
	}{
		{"2026-09-01", false, Release20260131, true, "", false},
		{"2026-09-20", false, Release20260831, false, Release20260131, true},
		{"2026-09-20", true, Release20260131, true, Release20260831, false},
		{"2026-10-02", false, Release20260831, false, "", false},
	}
	for _, c := range cases {
		s := sched
		s.FollowOlder = c.older
		v, err := NewValidator().WithSchedule(s)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.Validate(context.Background(), doc, Options{Received: day(c.at)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Release != c.release || rep.Accepted != c.accepted {
			t.Errorf("%s (older %v): release %s accepted %v, want %s %v", c.at, c.older, rep.Release, rep.Accepted, c.release, c.accepted)
		}
		switch {
		case c.transition == "" && rep.Transition != nil:
			t.Errorf("%s: a transition verdict outside the window: %+v", c.at, rep.Transition)
		case c.transition != "" && rep.Transition == nil:
			t.Errorf("%s: no transition verdict in the window", c.at)
		case c.transition != "" && (rep.Transition.Release != c.transition || rep.Transition.Accepted != c.transitionAccepted):
			t.Errorf("%s: transition %s accepted %v, want %s %v", c.at, rep.Transition.Release, rep.Transition.Accepted, c.transition, c.transitionAccepted)
		}
	}
	if _, err := NewValidator().Validate(context.Background(), doc, Options{Release: "2027-01-31"}); err == nil {
		t.Error("an unknown release validates")
	}
}

// TestReleaseReproducible stores the report of every document of the
// conformance set as the archive does (JSON), validates the original again
// under the release the stored report names, and compares the findings:
// an archived verdict can be reproduced under its release.
func TestReleaseReproducible(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "conformance")
	docs := loadSet(t, dir)
	first := NewValidator()
	again := NewValidator() // a fresh one, as after a restart
	ctx := context.Background()
	n := 0
	for _, rel := range []string{Release20260131, Release20260831} {
		for _, d := range docs {
			data, err := os.ReadFile(filepath.Join(dir, d.File))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := first.Validate(ctx, data, Options{Model: true, Release: rel})
			if err != nil {
				t.Fatal(err)
			}
			stored, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var archived Report
			if err := json.Unmarshal(stored, &archived); err != nil {
				t.Fatal(err)
			}
			if archived.Release != rel {
				t.Fatalf("%s: the stored report names release %q, want %q", d.File, archived.Release, rel)
			}
			rep2, err := again.Validate(ctx, data, Options{Model: true, Release: archived.Release})
			if err != nil {
				t.Fatal(err)
			}
			redo, err := json.Marshal(rep2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(stored, redo) {
				t.Errorf("%s under %s: the report differs when validated again:\n%s\n%s", d.File, rel, stored, redo)
			}
			n++
		}
	}
	if n < 2*2900 {
		t.Errorf("only %d documents validated again", n)
	}
}

// TestWithRelease checks that a validator pinned to a release judges by it
// whatever the day, and that an unknown release is refused.
func TestWithRelease(t *testing.T) {
	for _, name := range []string{Release20260131, Release20260831} {
		v, err := NewValidator().WithRelease(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range []string{"2026-02-01", "2026-12-01"} {
			if got, also := v.ReleaseAt(day(at)); got != name || also != "" {
				t.Errorf("pinned to %s, on %s: %q, %q", name, at, got, also)
			}
		}
	}
	if _, err := NewValidator().WithRelease("2027-01-31"); err == nil {
		t.Error("an unknown release pins")
	}
}

// TestPrepare: Prepare compiles the release it names (or today's) and
// only that one, and refuses a release the validator does not carry.
func TestPrepare(t *testing.T) {
	today, _ := NewValidator().ReleaseAt(time.Now())
	for _, tc := range []struct{ name, compiled string }{
		{"", today},
		{Release20260131, Release20260131},
		{Release20260831, Release20260831},
	} {
		v := NewValidator()
		if err := v.Prepare(tc.name); err != nil {
			t.Fatalf("Prepare(%q): %v", tc.name, err)
		}
		for name, l := range v.rules {
			if got := l.set != nil; got != (name == tc.compiled) {
				t.Errorf("Prepare(%q): release %s compiled: %v", tc.name, name, got)
			}
		}
	}
	if err := NewValidator().Prepare("2027-01-31"); err == nil {
		t.Error("Prepare of an unknown release: no error")
	}
}
