package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/eingang/eingang/invoice"
)

// rulesConfig is the serve configuration's choice of rule release: by
// default the release whose start day has come judges a document by its
// day of receipt.
type rulesConfig struct {
	// Switch maps a release's name to the day (YYYY-MM-DD, UTC) from which
	// it judges, in place of its own start day.
	Switch map[string]string `yaml:"switch"`
	// Transition maps a release's name to the first day of a window that
	// ends on its switch day, in which the release before it runs too and
	// the report shows both verdicts.
	Transition map[string]string `yaml:"transition"`
	// Follow is the release whose verdict files a submission within a
	// transition window: newer (the default) or older.
	Follow string `yaml:"follow"`
}

// schedule returns the configuration as an invoice.Schedule.
func (c rulesConfig) schedule() (invoice.Schedule, error) {
	s := invoice.Schedule{Switch: map[string]time.Time{}, Transition: map[string]time.Time{}}
	for name, day := range c.Switch {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s, fmt.Errorf("rules.switch: %s: %w", name, err)
		}
		s.Switch[name] = t
	}
	for name, day := range c.Transition {
		t, err := time.Parse(time.DateOnly, day)
		if err != nil {
			return s, fmt.Errorf("rules.transition: %s: %w", name, err)
		}
		s.Transition[name] = t
	}
	switch c.Follow {
	case "", "newer":
	case "older":
		s.FollowOlder = true
	default:
		return s, fmt.Errorf("rules.follow: %q is neither newer nor older", c.Follow)
	}
	return s, s.Validate()
}

// cmdRules implements "eingang rules": the releases the validator carries,
// which judges today, and, rule by rule, what each changes and where that
// comes from.
func cmdRules(args []string, stdout, stderr io.Writer) int {
	fl := newFlags("rules", `usage: eingang rules [--config FILE] [--at YYYY-MM-DD] [--json]

Lists the rule releases the validator carries: each release's parts and
their versions, the day it judges from, and rule by rule what it changes in
the release before it, with the source of each change (a source file, or
published notes: those rules are marked "notes"). It names the release in
force today (or on --at), under the switch dates of the serve configuration
FILE where given.
`, stderr)
	config := fl.String("config", "", "the serve configuration, whose rules: section may switch releases")
	at := fl.String("at", "", "the day to name the release in force for (default today)")
	asJSON := fl.Bool("json", false, "write the releases as JSON")
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	var sched invoice.Schedule
	if *config != "" {
		cfg, err := loadServeConfig(*config)
		if err != nil {
			fmt.Fprintf(stderr, "eingang rules: %v\n", err)
			return 2
		}
		if sched, err = cfg.Rules.schedule(); err != nil {
			fmt.Fprintf(stderr, "eingang rules: %v\n", err)
			return 2
		}
	}
	day := time.Now().UTC()
	if *at != "" {
		t, err := time.Parse(time.DateOnly, *at)
		if err != nil {
			fmt.Fprintf(stderr, "eingang rules: --at: %v\n", err)
			return 2
		}
		day = t
	}
	files, also := sched.At(day)
	rels := invoice.Releases()
	if *asJSON {
		out := struct {
			Day        string            `json:"day"`
			InForce    string            `json:"in_force"`
			Transition string            `json:"transition,omitempty"`
			Releases   []invoice.Release `json:"releases"`
		}{day.Format(time.DateOnly), files, also, rels}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "eingang rules: %v\n", err)
			return 2
		}
		return 0
	}
	var b strings.Builder
	for _, r := range rels {
		mark := ""
		switch r.Name {
		case files:
			mark = "  (in force on " + day.Format(time.DateOnly) + ")"
		case also:
			mark = "  (runs beside it in a transition window)"
		}
		start := r.Start
		if t, ok := sched.Switch[r.Name]; ok {
			start = t
		}
		fmt.Fprintf(&b, "release %s%s\n  judges from %s\n", r.Name, mark, start.Format(time.DateOnly))
		for _, p := range r.Parts {
			fmt.Fprintf(&b, "  %-30s %-22s %s\n", p.Name, p.Version, p.Source)
		}
		changes := append([]invoice.RuleChange(nil), r.Changes...)
		sort.SliceStable(changes, func(i, j int) bool { return !changes[i].FromNotes && changes[j].FromNotes })
		if len(changes) > 0 {
			fmt.Fprintf(&b, "  changes (%d):\n", len(changes))
		}
		for _, c := range changes {
			from := "source"
			if c.FromNotes {
				from = "notes"
			}
			carried := ""
			if !c.Carried {
				carried = " [not carried]"
			}
			fmt.Fprintf(&b, "    %-7s %-8s %-4s %s: %s (%s)%s\n", c.Kind, from, c.Syntax, c.ID, c.What, c.Source, carried)
		}
	}
	io.WriteString(stdout, b.String())
	return 0
}
