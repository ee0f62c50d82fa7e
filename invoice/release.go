package invoice

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// A rule release is data with a name: its parts and their versions, the
// day it judges from, and what it changes in the rules of the release
// before it. The first release is the rule table as the families define it
// (ruleTables); each later one is a changeSet on top of the one before, so
// that a release that changes three rules changes three rows. The
// scenarios, the engine and every unchanged rule, catalogue entry and code
// list are shared.

// The releases the validator carries.
const (
	// Release20260131 is the XRechnung validator configuration release
	// 2026-01-31: EN 16931 validation artefacts 1.3.15 and XRechnung
	// Schematron 2.5.0 with its PEPPOL-EN16931-R rules.
	Release20260131 = "2026-01-31"
	// Release20260831 is the configuration release 2026-08-31 as far as
	// public sources and notes give it: EN 16931 validation artefacts
	// 1.3.16, XRechnung Schematron master with branch 226 (the changes of
	// v2.6.0 that are public), and the rules the notes of v2.6.0 name.
	Release20260831 = "2026-08-31"
)

// A Release describes one rule release the validator carries.
type Release struct {
	// Name is the release's name, the date the configuration was
	// released: 2026-01-31.
	Name string `json:"name"`
	// Start is the day from which the release judges documents by their
	// date of receipt, unless a Schedule switches to it on another day.
	Start time.Time `json:"start"`
	// Parts lists the artefacts the release is built from.
	Parts []Part `json:"parts"`
	// Changes lists, rule by rule, what the release changes in the one
	// before it and where each change comes from.
	Changes []RuleChange `json:"changes,omitempty"`
}

// A Part is one artefact of a release: its name, version and where it
// comes from.
type Part struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Source  string `json:"source"`
}

// A RuleChange is one rule that a release adds, changes or removes.
type RuleChange struct {
	ID string `json:"id"`
	// Syntax is ubl, cii or both.
	Syntax string `json:"syntax"`
	// Kind is added, changed or removed.
	Kind string `json:"kind"`
	// What says what changed.
	What string `json:"what"`
	// Source is the file or the notes the change comes from.
	Source string `json:"source"`
	// FromNotes is true where the change comes from published notes and
	// not from a source file: its test is this package's reading of the
	// notes, which no reference verdicts check.
	FromNotes bool `json:"from_notes"`
	// Carried is false where the notes name a change too vaguely to
	// implement it: the release does not carry it.
	Carried bool `json:"carried"`
}

// Releases returns the releases the validator carries, oldest first.
func Releases() []Release {
	defs := releaseDefs()
	out := make([]Release, len(defs))
	for i, d := range defs {
		out[i] = d.Release
	}
	return out
}

// LookupRelease returns the release named name.
func LookupRelease(name string) (Release, error) {
	for _, d := range releaseDefs() {
		if d.Name == name {
			return d.Release, nil
		}
	}
	return Release{}, fmt.Errorf("invoice: no rule release %q (the releases are %s)", name, releaseNames())
}

func releaseNames() string {
	var s string
	for i, d := range releaseDefs() {
		if i > 0 {
			s += ", "
		}
		s += d.Name
	}
	return s
}

// A Schedule says which release judges a document received at a time: by
// default the newest release whose start day has come; Switch moves a
// release's start to another day, and Transition opens a window before a
// release's switch in which the release before it runs too.
type Schedule struct {
	// Switch maps a release's name to the day it judges from, in place of
	// its Start.
	Switch map[string]time.Time
	// Transition maps a release's name to the first day of a window that
	// ends on its switch day: within it both that release and the one
	// before run, and the report shows both verdicts.
	Transition map[string]time.Time
	// FollowOlder files by the older release's verdict within a
	// transition window; by default the newer one's verdict files.
	FollowOlder bool
}

// Validate reports a schedule that names a release the validator does
// not carry, or a transition window that does not end before its switch.
func (s Schedule) Validate() error {
	for name := range s.Switch {
		if _, err := LookupRelease(name); err != nil {
			return fmt.Errorf("rules switch: %w", err)
		}
	}
	defs := releaseDefs()
	for name, from := range s.Transition {
		r, err := LookupRelease(name)
		if err != nil {
			return fmt.Errorf("rules transition: %w", err)
		}
		if r.Name == defs[0].Name {
			return fmt.Errorf("rules transition: %s is the first release: there is none before it to run beside it", name)
		}
		if !from.Before(s.start(r)) {
			return fmt.Errorf("rules transition: the window of %s opens on %s, not before its switch on %s", name, from.Format(time.DateOnly), s.start(r).Format(time.DateOnly))
		}
	}
	return nil
}

// start is the day release r judges from under s.
func (s Schedule) start(r Release) time.Time {
	if t, ok := s.Switch[r.Name]; ok {
		return t
	}
	return r.Start
}

// At returns the release that files the verdict of a document received at
// t and, within a transition window, the other release that runs beside it
// ("" otherwise). Before every release's start the first release judges.
func (s Schedule) At(t time.Time) (files, also string) {
	return s.at(s.order(Releases()), t)
}

// order returns rels sorted by the day each judges from under s.
func (s Schedule) order(rels []Release) []Release {
	rels = append([]Release(nil), rels...)
	sort.SliceStable(rels, func(i, j int) bool { return s.start(rels[i]).Before(s.start(rels[j])) })
	return rels
}

// at is At over rels, ordered by order.
func (s Schedule) at(rels []Release, t time.Time) (files, also string) {
	cur := 0
	for i, r := range rels {
		if !t.Before(s.start(r)) {
			cur = i
		}
	}
	files = rels[cur].Name
	if cur+1 < len(rels) {
		next := rels[cur+1]
		if from, ok := s.Transition[next.Name]; ok && !t.Before(from) {
			if s.FollowOlder {
				return files, next.Name
			}
			return next.Name, files
		}
	}
	return files, ""
}

// A releaseDef is a release with what it changes.
type releaseDef struct {
	Release
	// edition is the edition of the CEN artefacts' code lists.
	edition cenEdition
	// changes returns what the release changes in the one before it; nil
	// for the first release.
	changes func() changeSet
}

// releaseDefs lists the releases, oldest first. Each later release lists
// its changes in release_<name>.go.
func releaseDefs() []releaseDef {
	return []releaseDef{
		{Release: Release{
			Name:  Release20260131,
			Start: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
			Parts: []Part{
				{"EN 16931 validation artefacts", "1.3.15", "ConnectingEurope/eInvoicing-EN16931, tag validation-1.3.15"},
				{"XRechnung Schematron", "2.5.0", "itplr-kosit/xrechnung-schematron, tag v2.5.0, with its PEPPOL-EN16931-R rules"},
				{"code lists", "1.3.15", "the lists of the EN 16931 validation artefacts 1.3.15 (schemas/codelists_gen.go) and of XRechnung Schematron 2.5.0"},
				{"XML Schemas", "UBL 2.1, CII D16B", "the XSDs of the validator configuration v2026-01-31"},
				{"scenarios", "2026-01-31", "itplr-kosit/validator-configuration-xrechnung, tag v2026-01-31"},
			},
		}, edition: cen1315},
		release20260831(),
	}
}

// A changeSet is what a release changes in the rules of the release before
// it. A rule is one id in one syntax.
type changeSet struct {
	// remove drops rules.
	remove []ruleKey
	// retest gives rules a new test in their context.
	retest []retest
	// add appends new rules, with their contexts.
	add []rule
	// docs adds catalogue entries or replaces them (a flag raised, a
	// message reworded).
	docs map[string]ruleDoc
}

// A ruleKey names one rule: an id in a syntax.
type ruleKey struct {
	id     string
	syntax syntax
}

// A retest is a rule's new test.
type retest struct {
	ruleKey
	test func(n *node) bool
}

// releaseRules returns the documented rule table of release name, or nil
// for a release the validator does not carry.
func releaseRules(name string) []rule { return releasesRules()[name] }

// releasesRules returns the documented rule table of every release the
// validator carries, by name: the families' tables are built once, and
// each release applies its changes to those of the release before it.
func releasesRules() map[string][]rule {
	tables, size := ruleTables(), 0
	for _, family := range tables {
		size += len(family)
	}
	raw := make([]rule, 0, size)
	for _, family := range tables {
		raw = append(raw, family...)
	}
	out := map[string][]rule{}
	var overlays []map[string]ruleDoc
	for _, d := range releaseDefs() {
		if d.changes != nil {
			cs := d.changes()
			raw = cs.apply(raw)
			overlays = append([]map[string]ruleDoc{cs.docs}, overlays...)
		}
		// documentWith fills in the rules it gets: a copy, so that the
		// next release documents raw with its own overlays.
		out[d.Name] = documentWith(slices.Clone(raw), func(id string) (ruleDoc, bool) {
			for _, o := range overlays {
				if doc, ok := o[id]; ok {
					return doc, true
				}
			}
			return lookupDoc(id)
		})
	}
	return out
}

// apply returns rules with the change set applied: removed rules left out,
// retested rules with their new test in place, added rules at the end. It
// panics where a change names a rule that is not there (a programming
// error the tests catch).
func (cs changeSet) apply(rules []rule) []rule {
	drop := map[ruleKey]bool{}
	for _, k := range cs.remove {
		drop[k] = true
	}
	tests := map[ruleKey]func(*node) bool{}
	for _, r := range cs.retest {
		tests[r.ruleKey] = r.test
	}
	seen := map[ruleKey]bool{}
	out := make([]rule, 0, len(rules)+len(cs.add))
	for _, r := range rules {
		k := ruleKey{r.ID, r.Syntax()}
		if r.ID != "" && drop[k] {
			seen[k] = true
			continue
		}
		if t, ok := tests[k]; ok && r.ID != "" {
			seen[k] = true
			r.Test, r.set, r.inSet = t, nil, 0 // the engine calls the new Test
		}
		out = append(out, r)
	}
	for k := range drop {
		if !seen[k] {
			panic(fmt.Sprintf("invoice: a release removes %s (%s), which the release before it lacks", k.id, k.syntax))
		}
	}
	for k := range tests {
		if !seen[k] {
			panic(fmt.Sprintf("invoice: a release changes %s (%s), which the release before it lacks", k.id, k.syntax))
		}
	}
	return append(out, cs.add...)
}
