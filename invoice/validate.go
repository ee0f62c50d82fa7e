package invoice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// RejectProcessingError is the reason for rejecting a document on which
// the reference's Schematron stops with an XPath dynamic error (for
// example normalize-space() of a value a comment divides into two text
// nodes): the reference rejects such a document, so does Validate.
const RejectProcessingError = "schematron-processing-error"

// RuleProcessingError is the rule id of the finding that reports such an
// error.
const RuleProcessingError = "SCHEMATRON-ERROR"

// Options change what Validate reports, never its verdict.
type Options struct {
	// AllRules evaluates every EN 16931 and XRechnung rule of the document's
	// syntax even where the reference would stop (no scenario, structure
	// invalid), and lists the findings as not counted.
	AllRules bool
	// Model reads the document's EN 16931 model into Report.Invoice.
	Model bool
	// Release names the rule release that judges (Releases lists them);
	// where empty, the validator's Schedule picks it by Received.
	Release string
	// Received is the document's date of receipt, by which the Schedule
	// picks the release where Release is empty; zero means now.
	Received time.Time
}

// A Validator validates documents against the XRechnung configuration. It
// is safe for concurrent use.
type Validator struct {
	rules     map[string]*lazyRules // by release name
	schedule  Schedule
	releases  []Release // in the order schedule starts them
	scenarios []scenario
	limits    xmltree.Limits
	parsers   *sync.Pool // of *xmltree.Parser: their buffers serve the next document
}

// NewValidator returns a validator of every release it carries; each
// release's rule table is compiled when it first judges a document (a
// command that validates under one release compiles that one). Compile
// once, validate many times. It judges by the releases' own start days
// until WithSchedule says otherwise.
func NewValidator() *Validator {
	rules := map[string]*lazyRules{}
	tables := &releaseTables{}
	for _, r := range Releases() {
		rules[r.Name] = &lazyRules{name: r.Name, tables: tables}
	}
	return &Validator{rules: rules, releases: Schedule{}.order(Releases()), scenarios: scenarios(), limits: xmltree.DefaultLimits,
		parsers: &sync.Pool{New: func() any { return xmltree.NewParser() }}}
}

// lazyRules is a release's rule table, compiled on first use.
type lazyRules struct {
	name   string
	tables *releaseTables
	once   sync.Once
	set    *ruleSet
}

func (l *lazyRules) get() *ruleSet {
	l.once.Do(func() { l.set = compile(l.tables.get(l.name)) })
	return l.set
}

// releaseTables are the documented rule tables of every release, built
// together (releasesRules) when the first release is compiled.
type releaseTables struct {
	once   sync.Once
	tables map[string][]rule
}

func (t *releaseTables) get(name string) []rule {
	t.once.Do(func() { t.tables = releasesRules() })
	return t.tables[name]
}

// Prepare compiles the rule table of release name now, where the first
// document it judges would: a command calls it beside reading its input,
// a server before it listens. An empty name is the release v's schedule
// picks today. It reports a release v does not carry.
func (v *Validator) Prepare(name string) error {
	if name == "" {
		name, _ = v.ReleaseAt(time.Now())
	}
	lazy, err := v.rulesOf(name)
	if err != nil {
		return fmt.Errorf("invoice: prepare: %w", err)
	}
	lazy.get()
	return nil
}

// rulesOf returns the rule table of release name, compiled or not, or
// LookupRelease's error for a release v does not carry.
func (v *Validator) rulesOf(name string) (*lazyRules, error) {
	if lazy, ok := v.rules[name]; ok {
		return lazy, nil
	}
	_, err := LookupRelease(name)
	return nil, err
}

// WithSchedule returns a copy of v that picks the release by s where
// Options name none. It reports a schedule that names a release v does
// not carry.
func (v *Validator) WithSchedule(s Schedule) (*Validator, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := *v
	c.schedule, c.releases = s, s.order(Releases())
	return &c, nil
}

// WithRelease returns a copy of v that judges every document by release
// name where Options name none, whatever the day: a validator of one
// configuration, as a KoSIT daemon runs one.
func (v *Validator) WithRelease(name string) (*Validator, error) {
	r, err := LookupRelease(name)
	if err != nil {
		return nil, err
	}
	c := *v
	c.schedule, c.releases = Schedule{}, []Release{r}
	return &c, nil
}

// ReleaseAt returns the release that files the verdict of a document
// received at t under v's schedule, and the one that runs beside it within
// a transition window ("" otherwise).
func (v *Validator) ReleaseAt(t time.Time) (files, also string) {
	return v.schedule.at(v.releases, t)
}

// Limits bound what the parser accepts, so that no input can exhaust
// memory or time. A document beyond them is rejected as not well-formed,
// with an XML-LIMIT finding.
type Limits struct {
	MaxBytes    int // largest document accepted, in bytes
	MaxDepth    int // deepest element nesting accepted
	MaxElements int // most elements accepted
}

// WithLimits returns a copy of v that parses with the given limits. A
// new Validator parses documents of up to 32 MB, nested up to 256 deep,
// with up to 4 million elements.
func (v *Validator) WithLimits(l Limits) *Validator {
	c := *v
	c.limits = xmltree.Limits(l)
	return &c
}

// Model parses a document with v's limits and reads its EN 16931 model,
// running no rule: for showing an invoice that was validated before.
func (v *Validator) Model(data []byte) (*Invoice, error) {
	root, err := xmltree.Parse(data, v.limits)
	if err != nil {
		return nil, err
	}
	return read(root)
}

var defaultValidator = sync.OnceValue(NewValidator)

// Validate validates one document with the default validator and reads its
// model. The error is non-nil only when ctx ends first; every problem of
// the document itself is a finding in the report.
func Validate(ctx context.Context, data []byte) (*Report, error) {
	return defaultValidator().Validate(ctx, data, Options{Model: true})
}

// patternsOf appends the patterns of a syntax to dst in the reference's
// order: the EN 16931 rules first (the first en), then XRechnung's.
func patternsOf(dst []pattern, s syntax) (patterns []pattern, en int) {
	if s == syntaxUBL {
		return append(dst, patUBLModel, patUBLSyntax, patUBLCodes, patXRUBLPeppolEmpty, patXRUBLPeppol, patXRUBL, patXRUBLExtension, patXRUBLCVD, patXRUBLDates), 3
	}
	return append(dst, patCIIModel, patCIISyntax, patCIICodes, patXRCIIPeppol, patXRCIIPeppolEmpty, patXRCIIPeppolPrice, patXRCII, patXRCIIExtension, patXRCIICVD, patXRCIIDates), 3
}

// Validate validates one document under the release opts name, or else
// the one v's schedule picks for its date of receipt; within a transition
// window the report's Transition holds the other release's verdict. The
// error is non-nil when ctx ends first or opts name a release v does not
// carry; every problem of the document itself is a finding in the report.
func (v *Validator) Validate(ctx context.Context, data []byte, opts Options) (*Report, error) {
	name, also := opts.Release, ""
	if name == "" {
		at := opts.Received
		if at.IsZero() {
			at = time.Now()
		}
		name, also = v.schedule.at(v.releases, at)
	}
	rep, err := v.validate(ctx, data, opts, name)
	if err != nil || also == "" {
		return rep, err
	}
	other, err := v.validate(ctx, data, Options{AllRules: opts.AllRules}, also)
	if err != nil {
		return nil, err
	}
	if other.Findings == nil {
		other.Findings = []Finding{}
	}
	rep.Transition = &ReleaseVerdict{Release: also, Accepted: other.Accepted, RejectReason: other.RejectReason, Findings: other.Findings}
	return rep, nil
}

// validate validates one document under the release name.
func (v *Validator) validate(ctx context.Context, data []byte, opts Options, name string) (*Report, error) {
	start := time.Now()
	lazy, err := v.rulesOf(name)
	if err != nil {
		return nil, fmt.Errorf("invoice: validate: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("invoice: validate: %w", err)
	}
	rep := &Report{DocType: UnknownDoc.String(), Release: name}
	defer func() { rep.Duration = time.Since(start) }()

	// Nothing of the tree outlives this call (findings and the model hold
	// strings), so its parser's buffers go back to the pool at the end.
	p := v.parsers.Get().(*xmltree.Parser)
	defer func() {
		p.Release()
		v.parsers.Put(p)
	}()
	root, err := p.Parse(data, v.limits)
	if err != nil {
		var pe *xmltree.ParseError
		if !errors.As(err, &pe) {
			pe = &xmltree.ParseError{Rule: "XML-WELLFORMED", Msg: err.Error()}
		}
		rep.RejectReason = RejectNotWellformed
		rep.Findings = []Finding{{Rule: pe.Rule, Level: LevelError, Location: lineLocation(pe.Line), Line: pe.Line, Message: pe.Error(), MessageDE: parseMessageDE(pe), Counted: true}}
		return rep, nil
	}
	t := docTypeOf(root)
	rep.DocType = t.String()
	if es := specElems(root, t); len(es) > 0 {
		rep.CustomizationID = es[0].Value()
	}
	if t == UnknownDoc {
		rep.RejectReason = RejectNoScenario
		rep.Findings = []Finding{{
			Rule: "SCENARIO", Level: LevelError, Location: "/" + root.Name(), Counted: true,
			Line: root.Line(), Column: root.Col(),
			Message:   fmt.Sprintf("the root element {%s}%s is not an invoice: send a UBL 2.1 Invoice or CreditNote, or a UN/CEFACT CII CrossIndustryInvoice", root.Space, root.Local),
			MessageDE: fmt.Sprintf("Das Wurzelelement {%s}%s ist keine Rechnung: erwartet wird eine UBL-2.1-Invoice oder -CreditNote oder eine UN/CEFACT-CII-CrossIndustryInvoice", root.Space, root.Local),
		}}
		return rep, nil
	}
	if opts.Model {
		rep.Invoice, _ = read(root)
	}
	sc := selectScenario(v.scenarios, root, t)
	if sc != nil {
		rep.Scenario = sc.Name
	} else {
		rep.RejectReason = RejectNoScenario
		f := Finding{
			Rule: "SCENARIO", Level: LevelError, Location: specLocation(t), Counted: true,
			Message:   fmt.Sprintf("the specification identifier (BT-24) %q matches no XRechnung 3.0 scenario: use %s", rep.CustomizationID, SpecXRechnung),
			MessageDE: fmt.Sprintf("Die Spezifikationskennung (BT-24) %q passt zu keinem XRechnung-3.0-Szenario: erwartet wird %s", rep.CustomizationID, SpecXRechnung),
		}
		if _, rel, ok := strings.Cut(strings.TrimPrefix(f.Location, "/"), "/"); ok {
			if e := root.First(rel); e != nil {
				f.Line, f.Column = e.Line(), e.Col()
				f.Evidence = &Evidence{Actual: rep.CustomizationID, Expected: SpecXRechnung,
					Fields: []Field{{BT: "BT-24", Path: e.Path(), Value: e.Value(), Line: e.Line()}}}
			}
		}
		rep.Findings = append(rep.Findings, f)
	}

	structure := validateStructure(root, t)
	structureOK := len(structure) == 0
	for i := range structure {
		structure[i].Counted = sc != nil
	}
	rep.Findings = append(rep.Findings, structure...)
	if sc != nil && !structureOK {
		rep.RejectReason = RejectStructure
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("invoice: validate: %w", err)
	}

	runRules := sc != nil && structureOK
	if runRules || opts.AllRules {
		rs := lazy.get()
		// The XRechnung patterns run on every document: the reference
		// pipeline evaluates the XRechnung Schematron whatever the
		// scenario, and although its findings count only in XRechnung
		// scenarios, a dynamic error in it rejects the document (see
		// RejectProcessingError).
		var buf [numPatterns]pattern
		patterns, en := patternsOf(buf[:0], docSyntax(t))
		var counted [numPatterns]bool
		if runRules {
			for i, p := range patterns {
				counted[p] = i < en || sc.XRechnung
			}
		}
		stopped := false
		hits := rs.run(root, patterns)
		if opts.AllRules {
			rep.Findings = slices.Grow(rep.Findings, len(hits)) // each hit a finding
		}
		for _, h := range hits {
			c := counted[h.rule.Context.Pattern]
			if h.err != "" {
				stopped = stopped || runRules
				rep.Findings = append(rep.Findings, Finding{
					Rule: RuleProcessingError, Level: LevelError, Location: h.node.Path(), Counted: runRules,
					Line: h.node.Line(), Column: h.node.Col(),
					Message:   fmt.Sprintf("the reference's Schematron stops here with an XPath dynamic error (rule %s: %s): correct the value the rule reads", h.rule.ID, h.err),
					MessageDE: fmt.Sprintf("Die Schematron-Prüfung der Referenz bricht hier mit einem XPath-Laufzeitfehler ab (Regel %s: %s): den Wert korrigieren, den die Regel liest", h.rule.ID, h.err),
				})
				continue
			}
			if !c && !opts.AllRules {
				continue
			}
			level := h.rule.Flag.level()
			if sc != nil {
				if l, ok := sc.Levels[h.rule.ID]; ok {
					level = l
				}
			}
			f := Finding{
				Rule: h.rule.ID, Level: level, Location: h.node.Path(),
				Message: h.rule.Message, MessageDE: h.rule.MessageDE,
				Counted: c,
			}
			explain(&f, h.rule, h.node)
			rep.Findings = append(rep.Findings, f)
		}
		switch {
		case stopped:
			rep.RejectReason = RejectProcessingError
		case runRules && rep.Errors() > 0:
			rep.RejectReason = RejectRules
		}
	}
	rep.Accepted = rep.RejectReason == ""
	return rep, nil
}

func specLocation(t DocType) string {
	switch t {
	case UBLInvoice:
		return "/Invoice/cbc:CustomizationID"
	case UBLCreditNote:
		return "/CreditNote/cbc:CustomizationID"
	}
	return "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
}

func lineLocation(line int) string {
	if line <= 0 {
		return ""
	}
	return fmt.Sprintf("line %d", line)
}

func parseMessageDE(pe *xmltree.ParseError) string {
	switch pe.Rule {
	case "XML-EMPTY":
		return "Das Dokument ist leer."
	case "XML-DTD":
		return "Das Dokument enthält eine DOCTYPE-Deklaration; Rechnungen dürfen weder DTD noch Entitäten deklarieren (sie werden nie aufgelöst)."
	case "XML-LIMIT":
		return "Das Dokument überschreitet eine Grenze des Parsers: " + parseDetailDE(pe)
	case "XML-ENCODING":
		return "Die Zeichenkodierung wird nicht unterstützt oder ist fehlerhaft; bitte UTF-8 verwenden: " + parseDetailDE(pe)
	}
	return notWellformedDE(pe)
}
