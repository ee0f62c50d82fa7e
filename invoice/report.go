package invoice

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Reasons for rejecting a document, in the order the checks run.
const (
	RejectNotWellformed = "not-wellformed"
	RejectNoScenario    = "no-scenario"
	RejectStructure     = "xsd"
	RejectRules         = "rules"
)

// A Report is the outcome of validating one document.
type Report struct {
	Accepted bool `json:"accepted"`
	// RejectReason is empty when accepted, else one of the Reject constants.
	RejectReason string `json:"reject_reason"`
	// Scenario names the configuration scenario that matched, or "".
	Scenario string `json:"scenario"`
	// DocType is ubl-invoice, ubl-creditnote, cii or unknown.
	DocType string `json:"doc_type"`
	// CustomizationID is BT-24 as found in the document.
	CustomizationID string `json:"customization_id"`
	// Release names the rule release that judged (Releases).
	Release  string    `json:"release"`
	Findings []Finding `json:"findings"`
	// Transition holds, within a transition window, the verdict of the
	// other release that ran beside the one that judged; nil otherwise.
	Transition *ReleaseVerdict `json:"transition,omitempty"`
	// Invoice is the document's EN 16931 model, where it is a UBL or CII
	// invoice, whatever the verdict.
	Invoice *Invoice `json:"-"`
	// Duration is the time validation took.
	Duration time.Duration `json:"-"`
}

// A ReleaseVerdict is the verdict of a release that ran beside the one
// that judged.
type ReleaseVerdict struct {
	Release      string    `json:"release"`
	Accepted     bool      `json:"accepted"`
	RejectReason string    `json:"reject_reason"`
	Findings     []Finding `json:"findings"`
}

// MarshalJSON writes the report with reject_reason and scenario null where
// they are empty, as the command line's JSON report has them, and findings
// as a list, empty where there are none.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return json.Marshal(struct {
		plain
		RejectReason *string `json:"reject_reason"`
		Scenario     *string `json:"scenario"`
	}{plain(r), null(r.RejectReason), null(r.Scenario)})
}

// null is nil for the empty string.
func null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// A Finding is one message of a report: a failed rule, a structure error or
// a parse error.
type Finding struct {
	// Rule is the rule id (BR-CO-10, UBL-CR-001, ...); structure findings
	// start with XSD, parse findings with XML.
	Rule  string `json:"rule"`
	Level Level  `json:"level"`
	// Location is an XPath to the element concerned, e.g.
	// /Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount.
	Location string `json:"location"`
	// Line and Column locate the element's start tag (or a parse error)
	// in the document, where known; the column counts characters.
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	Message   string `json:"message"`
	MessageDE string `json:"message_de,omitempty"`
	// Counted is false for findings listed only because all rules were
	// asked for: they do not influence the verdict.
	Counted bool `json:"counted"`
	// Evidence holds the values the finding rests on, where the rule has
	// an explanation (its fields appear in the finding's JSON: actual,
	// expected, calculation, fields); it is nil otherwise.
	*Evidence
}

// position writes where a finding is: its location and, where known, its
// line and column.
func (f *Finding) position() string {
	switch {
	case f.Line > 0 && f.Column > 0:
		return fmt.Sprintf("%s (line %d, column %d)", f.Location, f.Line, f.Column)
	case f.Line > 0 && f.Location != lineLocation(f.Line):
		return fmt.Sprintf("%s (line %d)", f.Location, f.Line)
	}
	return f.Location
}

// Errors returns how many counted findings are errors.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Counted && f.Level == LevelError {
			n++
		}
	}
	return n
}

// WriteText writes the report for people: the verdict of the document
// name, its scenario, then the findings grouped by severity (errors first),
// each with its location and its English and German message.
func (r *Report) WriteText(w io.Writer, name string) error {
	verdict := "ACCEPTED"
	if !r.Accepted {
		verdict = "REJECTED (" + r.RejectReason + ")"
	}
	b := fmt.Appendf(nil, "%s: %s\n", name, verdict)
	if r.Scenario != "" {
		b = fmt.Appendf(b, "  scenario: %s\n", r.Scenario)
	}
	for _, g := range [...]struct {
		level Level
		title string
	}{{LevelError, "errors"}, {LevelWarning, "warnings"}, {LevelInfo, "information"}} {
		n := 0
		for _, f := range r.Findings {
			if f.Level == g.level {
				n++
			}
		}
		if n == 0 {
			continue
		}
		b = fmt.Appendf(b, "  %s (%d):\n", g.title, n)
		for _, f := range r.Findings {
			if f.Level != g.level {
				continue
			}
			mark := ""
			if !f.Counted {
				mark = " (not counted)"
			}
			b = fmt.Appendf(b, "    %s%s at %s\n      %s\n", f.Rule, mark, f.position(), f.Message)
			if f.MessageDE != "" {
				b = fmt.Appendf(b, "      %s\n", f.MessageDE)
			}
		}
	}
	if r.Release != "" {
		b = fmt.Appendf(b, "  rules: release %s\n", r.Release)
	}
	if t := r.Transition; t != nil {
		other := "ACCEPTED"
		if !t.Accepted {
			other = "REJECTED (" + t.RejectReason + ")"
		}
		b = fmt.Appendf(b, "  transition: release %s says %s\n", t.Release, other)
	}
	_, err := w.Write(b)
	return err
}
