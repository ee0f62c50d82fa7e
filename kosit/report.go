// Package kosit speaks the interfaces of the KoSIT reference validator
// (itplr-kosit/validator) with eingang's validator behind them, so that a
// client of the reference can switch by changing a URL or a command.
//
// NewReport turns an invoice.Report into the VARL report
// (namespace http://www.xoev.de/de/validator/varl/1) that the reference
// writes with the XRechnung configuration: engine, timestamp, document
// identification, the matched scenario or noScenarioMatched, one
// validationStepResult per step and the assessment (accept or reject) with
// an XHTML explanation. Status maps a report to the reference daemon's
// HTTP status. WriteHTML writes the report for people, in German and
// English. NewHandler is the daemon: the 1.x protocol (POST a document to
// any path), the 2.x REST shape (/api/validate, /api/validate/minimal) and
// a page to paste or upload a document.
package kosit

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
)

// Namespaces of the reference's report and configuration formats.
const (
	NamespaceVARL      = "http://www.xoev.de/de/validator/varl/1"
	NamespaceScenarios = "http://www.xoev.de/de/validator/framework/1/scenarios"
	NamespaceXHTML     = "http://www.w3.org/1999/xhtml"
)

// Step ids of the report, as the configuration's default-report.xsl names
// them: the XML Schema, each Schematron (val-sch.1 EN 16931, val-sch.2
// XRechnung) and the well-formedness check.
const (
	StepXSD         = "val-xsd"
	StepSchematron1 = "val-sch.1"
	StepSchematron2 = "val-sch.2"
	StepXML         = "val-xml"
	// StepScenario holds the finding that no scenario matched. The
	// reference reports that by noScenarioMatched alone; eingang adds the
	// finding, which says why, as the one step noScenarioMatched allows.
	StepScenario = "val-scenario"
)

// Document is what a report identifies: the validated bytes and the name
// the client gave them (the daemon's last path segment, the CLI's file
// name).
type Document struct {
	Name string
	Data []byte
	// Received is when validation began (the report's timestamp).
	Received time.Time
}

// Engine names the program that wrote a report.
type Engine struct {
	Name    string // "eingang" where empty
	Version string
}

// A Step is one validationStepResult: its id, the configuration
// resource it stands for and the findings it reports.
type Step struct {
	ID       string
	Resource Resource // zero for the well-formedness and scenario steps
	Findings []invoice.Finding
}

// Valid reports whether the step has no error or warning, as
// default-report.xsl computes a step's valid attribute.
func (s Step) Valid() bool {
	for _, f := range s.Findings {
		if f.Level == invoice.LevelError || f.Level == invoice.LevelWarning {
			return false
		}
	}
	return true
}

// A Resource is a file of the configuration: a name and its location.
type Resource struct {
	Name, Location string
}

// Steps splits the counted findings of a report into the reference's
// validation steps, in the reference's order. Findings that were listed
// only because all rules were asked for are left out: the reference does
// not run those checks.
func Steps(rep *invoice.Report) []Step {
	var counted []invoice.Finding
	for _, f := range rep.Findings {
		if f.Counted {
			counted = append(counted, f)
		}
	}
	if rep.RejectReason == invoice.RejectNotWellformed {
		return []Step{{ID: StepXML, Findings: counted}}
	}
	if rep.Scenario == "" {
		if len(counted) == 0 {
			return nil
		}
		return []Step{{ID: StepScenario, Findings: counted}}
	}
	syn := syntaxOf(rep.DocType)
	xsd := Step{ID: StepXSD, Resource: schemaResource(rep.DocType)}
	en := Step{ID: StepSchematron1, Resource: Resource{"Schematron rules for EN16931 (" + syn + ")", "resources/" + strings.ToLower(syn) + "/xsl/EN16931-" + syn + "-validation.xsl"}}
	xr := Step{ID: StepSchematron2, Resource: Resource{"Schematron rules for Invoice - CIUS XRechnung (" + syn + ")", "resources/xrechnung/xsl/XRechnung-" + syn + "-validation.xsl"}}
	for _, f := range counted {
		switch {
		case strings.HasPrefix(f.Rule, "XSD"):
			xsd.Findings = append(xsd.Findings, f)
		case isXRechnungRule(f.Rule) || f.Rule == invoice.RuleProcessingError && xrechnungScenario(rep.Scenario):
			xr.Findings = append(xr.Findings, f)
		default:
			en.Findings = append(en.Findings, f)
		}
	}
	steps := []Step{xsd}
	if rep.RejectReason != invoice.RejectStructure {
		// The reference skips the Schematron where the XML Schema fails.
		steps = append(steps, en)
		if xrechnungScenario(rep.Scenario) {
			steps = append(steps, xr)
		}
	}
	return append(steps, Step{ID: StepXML})
}

// isXRechnungRule reports whether a rule id belongs to the XRechnung
// Schematron (which carries the PEPPOL rules XRechnung adopts) rather
// than to the EN 16931 one.
func isXRechnungRule(id string) bool {
	for _, p := range [...]string{"BR-DE-", "BR-DEX-", "BR-TMP-", "PEPPOL-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// xrechnungScenario reports whether a scenario runs the XRechnung
// Schematron besides EN 16931's.
func xrechnungScenario(name string) bool { return strings.Contains(name, "XRechnung") }

func syntaxOf(docType string) string {
	if docType == invoice.CIIInvoice.String() {
		return "CII"
	}
	return "UBL"
}

func schemaResource(docType string) Resource {
	switch docType {
	case invoice.UBLInvoice.String():
		return Resource{"XML Schema for UBL 2.1 Invoice", "resources/ubl/2.1/xsd/maindoc/UBL-Invoice-2.1.xsd"}
	case invoice.UBLCreditNote.String():
		return Resource{"XML Schema for UBL 2.1 CreditNote", "resources/ubl/2.1/xsd/maindoc/UBL-CreditNote-2.1.xsd"}
	}
	return Resource{"XML Schema for CII D16B", "resources/cii/16b/xsd/CrossIndustryInvoice_100pD16B.xsd"}
}

// Status is the HTTP status the reference daemon answers for a report:
// 200 when the document is acceptable, 406 when not, and 422 when its
// processing stopped (the document is not well-formed, or the Schematron
// stops with a dynamic error).
func Status(rep *invoice.Report) int {
	switch {
	case rep.RejectReason == invoice.RejectNotWellformed || rep.RejectReason == invoice.RejectProcessingError:
		return http.StatusUnprocessableEntity
	case rep.Accepted:
		return http.StatusOK
	}
	return http.StatusNotAcceptable
}

// Valid is the report's valid attribute: a scenario matched and every step
// is valid (no error, no warning).
func Valid(rep *invoice.Report) bool { return valid(rep, Steps(rep)) }

// valid is Valid for the steps of rep.
func valid(rep *invoice.Report, steps []Step) bool {
	if rep.Scenario == "" {
		return false
	}
	for _, s := range steps {
		if !s.Valid() {
			return false
		}
	}
	return true
}

// NewReport builds the VARL report of rep for doc.
func NewReport(doc Document, rep *invoice.Report, eng Engine) *etree.Document {
	steps := Steps(rep)
	h := headTexts(doc, rep, steps)
	d, root := reportHead(eng, h[0], h[1], h[2], h[3])
	m := resultElement(root, rep.Scenario != "")
	if rep.Scenario != "" {
		scenarioElement(m, rep, steps)
	}
	for _, s := range steps {
		stepElement(m, s)
	}
	explanation(root, rep.Accepted).AddChild(htmlElement(doc, rep, steps, eng, true))
	return d
}

// headTexts returns the texts of a report's head, in reportHead's order:
// valid, the timestamp, the document's hash and its reference.
func headTexts(doc Document, rep *invoice.Report, steps []Step) [4]string {
	sum := sha256.Sum256(doc.Data)
	return [4]string{strconv.FormatBool(valid(rep, steps)), timestamp(doc.Received), base64.StdEncoding.EncodeToString(sum[:]), normalize(doc.Name)}
}

// reportHead builds the report up to its result: the root with its valid
// attribute, the engine, the timestamp and the document's hash and
// reference.
func reportHead(eng Engine, valid, timestamp, hash, reference string) (*etree.Document, *etree.Element) {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("rep:report")
	root.CreateAttr("xmlns:rep", NamespaceVARL)
	root.CreateAttr("xmlns:s", NamespaceScenarios)
	root.CreateAttr("valid", valid)
	root.CreateAttr("varlVersion", "1.0.0")

	e := root.CreateElement("rep:engine")
	e.CreateElement("rep:name").SetText(eng.name())
	if eng.Version != "" {
		i := e.CreateElement("rep:info")
		i.CreateAttr("key", "version")
		i.SetText(eng.Version)
	}
	root.CreateElement("rep:timestamp").SetText(timestamp)
	id := root.CreateElement("rep:documentIdentification")
	h := id.CreateElement("rep:documentHash")
	h.CreateElement("rep:hashAlgorithm").SetText("SHA-256")
	h.CreateElement("rep:hashValue").SetText(hash)
	id.CreateElement("rep:documentReference").SetText(reference)
	return d, root
}

// timestamp is the reports' form of t.
func timestamp(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z07:00") }

// resultElement adds the element that holds the scenario and the steps:
// scenarioMatched, or noScenarioMatched.
func resultElement(root *etree.Element, matched bool) *etree.Element {
	if matched {
		return root.CreateElement("rep:scenarioMatched")
	}
	return root.CreateElement("rep:noScenarioMatched")
}

// explanation adds the assessment, accept or reject, and returns its
// explanation.
func explanation(root *etree.Element, accepted bool) *etree.Element {
	verdict := "rep:reject"
	if accepted {
		verdict = "rep:accept"
	}
	return root.CreateElement("rep:assessment").CreateElement(verdict).CreateElement("rep:explanation")
}

// A ReportWriter writes the VARL reports of one engine as the daemon
// answers them, unindented, from parts built once (NewReport's bytes, in a
// fraction of the time). It is safe for concurrent use.
type ReportWriter struct {
	eng     Engine
	varl    *varl
	buffers sync.Pool // *buffer
}

// NewReportWriter builds the parts of eng's reports.
func NewReportWriter(eng Engine) *ReportWriter {
	rw := &ReportWriter{eng: eng, varl: newVARL(eng)}
	rw.buffers.New = func() any { return new(buffer) }
	return rw
}

// Write writes the VARL report of rep for doc to w.
func (rw *ReportWriter) Write(w io.Writer, doc Document, rep *invoice.Report) error {
	b := rw.buffers.Get().(*buffer)
	b.Reset()
	rw.write(b, doc, rep)
	_, err := w.Write(b.Bytes())
	if b.Cap() <= eagerBytes {
		rw.buffers.Put(b)
	}
	if err != nil {
		return fmt.Errorf("kosit: write report: %w", err)
	}
	return nil
}

// write appends the report to b.
func (rw *ReportWriter) write(b *buffer, doc Document, rep *invoice.Report) {
	if !rw.varl.write(b, doc, rep) {
		b.tokens(NewReport(doc, rep, rw.eng).Child)
	}
}

func (e Engine) name() string {
	if e.Name == "" {
		return "eingang"
	}
	return e.Name
}

// scenarioElement writes the s:scenario the report cites: the matched
// scenario's name, match and resources.
func scenarioElement(parent *etree.Element, rep *invoice.Report, steps []Step) {
	s := parent.CreateElement("s:scenario")
	s.CreateElement("s:name").SetText(rep.Scenario)
	s.CreateElement("s:match").SetText(matchOf(rep))
	for _, st := range steps {
		if st.Resource.Name == "" {
			continue
		}
		tag := "s:validateWithSchematron"
		if st.ID == StepXSD {
			tag = "s:validateWithXmlSchema"
		}
		resourceElement(s.CreateElement(tag), st.Resource)
	}
	resourceElement(s.CreateElement("s:createReport"), Resource{"Validation report for XRechnung", "resources/xrechnung-report.xsl"})
	s.CreateElement("s:acceptMatch").SetText("/rep:report/rep:assessment[1]/rep:accept[1]")
}

// matchOf is the scenario's match XPath on the identifier the document
// carries.
func matchOf(rep *invoice.Report) string {
	id := strings.ReplaceAll(rep.CustomizationID, "'", "''")
	switch rep.DocType {
	case invoice.UBLInvoice.String():
		return "exists(/invoice:Invoice/cbc:CustomizationID[. = '" + id + "'])"
	case invoice.UBLCreditNote.String():
		return "exists(/cn:CreditNote/cbc:CustomizationID[text() = '" + id + "'])"
	}
	return "exists(/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID[text() = '" + id + "'])"
}

func resourceElement(parent *etree.Element, r Resource) {
	e := parent.CreateElement("s:resource")
	e.CreateElement("s:name").SetText(r.Name)
	e.CreateElement("s:location").SetText(r.Location)
}

// stepElement writes one validationStepResult with its messages.
func stepElement(parent *etree.Element, s Step) {
	e := stepFrame(parent, s.ID, s.Valid(), s.Resource)
	for i, f := range s.Findings {
		messageElement(e, s.ID, strconv.Itoa(i+1), f.Rule, string(f.Level), positionOf(f), normalize(f.Message))
	}
}

// stepFrame adds a validationStepResult without its messages.
func stepFrame(parent *etree.Element, id string, valid bool, res Resource) *etree.Element {
	e := parent.CreateElement("rep:validationStepResult")
	e.CreateAttr("id", id)
	e.CreateAttr("valid", strconv.FormatBool(valid))
	if res.Name != "" {
		resourceElement(e, res)
	}
	return e
}

// messageElement adds the message of a finding: its id (the step's and
// the number n), code, level, position and text.
func messageElement(parent *etree.Element, step, n, code, level string, p position, text string) {
	m := parent.CreateElement("rep:message")
	m.CreateAttr("id", step+"."+n)
	m.CreateAttr("code", code)
	m.CreateAttr("level", level)
	p.set(m, "lineNumber", "columnNumber", "xpathLocation")
	m.SetText(text)
}

// A position is where a finding is as the reports give it: its line,
// column and XPath, each "" where unknown.
type position struct{ line, column, xpath string }

func positionOf(f invoice.Finding) position {
	var p position
	if f.Line > 0 {
		p.line = strconv.Itoa(f.Line)
	}
	if f.Column > 0 {
		p.column = strconv.Itoa(f.Column)
	}
	if strings.HasPrefix(f.Location, "/") {
		p.xpath = strings.Join(strings.Fields(f.Location), " ")
	}
	return p
}

// set sets the known parts of p as the attributes named.
func (p position) set(e *etree.Element, line, column, xpath string) {
	for _, a := range [...][2]string{{line, p.line}, {column, p.column}, {xpath, p.xpath}} {
		if a[1] != "" {
			e.CreateAttr(a[0], a[1])
		}
	}
}

// locate sets a finding's line, column and XPath, where known, as the
// attributes named.
func locate(e *etree.Element, f invoice.Finding, line, column, xpath string) {
	positionOf(f).set(e, line, column, xpath)
}

// normalize makes s an xs:normalizedString: no tab, carriage return or line
// feed.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// A buffer holds a report being written, and the character data token
// that writes text into it escaped as etree escapes text and attribute
// values (both in escapeNormal, with the default write settings).
type buffer struct {
	bytes.Buffer
	cd etree.CharData
	ws etree.WriteSettings
}

// text writes s escaped.
func (b *buffer) text(s string) {
	b.cd.Data = s
	b.cd.WriteTo(b, &b.ws)
}

// tokens writes tokens as etree's Document.WriteTo does, unindented.
func (b *buffer) tokens(tokens []etree.Token) {
	for _, t := range tokens {
		t.WriteTo(b, &b.ws)
	}
}

// part writes p where ok, else the tokens that build adds to an element.
func (b *buffer) part(p []byte, ok bool, build func(*etree.Element)) {
	if ok {
		b.Write(p)
		return
	}
	x := etree.NewElement("x")
	build(x)
	b.tokens(x.Child)
}

// hole marks a place in a template: a character of Unicode's private use
// area, which etree writes as it is.
const hole = "\uE000"

// A template is what etree writes for tokens built with holes among their
// texts and attribute values, cut at the holes.
type template [][]byte

func newTemplate(tokens ...etree.Token) template {
	var b buffer
	b.tokens(tokens)
	return bytes.Split(b.Bytes(), []byte(hole))
}

// fill writes the template up to the hole after texts, with texts escaped
// in the holes before it.
func (t template) fill(b *buffer, texts ...string) {
	for i, s := range texts {
		b.Write(t[i])
		b.text(s)
	}
	b.Write(t[len(texts)])
}

// end writes the template after its last hole.
func (t template) end(b *buffer) { b.Write(t[len(t)-1]) }

// pick is t where cond holds, else f.
func pick[T any](cond bool, t, f T) T {
	if cond {
		return t
	}
	return f
}

// A varl writes VARL reports of one engine as NewReport builds them and
// etree writes them unindented, byte for byte, but from parts that the
// same code built and etree wrote once: the report's frame, the
// assessment, the HTML frame, the scenarios and steps of the
// configuration, a message and a row of the HTML table for each shape of
// finding. For each report only its texts (timestamp, hash, name,
// verdict, the findings' codes, positions and messages) are written,
// escaped by etree; what the parts do not cover (a scenario or step
// outside the configuration, an unknown level, an element whose text is
// empty) etree builds and writes as NewReport does.
type varl struct {
	head     template       // holes: valid, timestamp, hash, reference; the result and assessment
	result   [2]template    // noScenarioMatched, scenarioMatched; hole: content
	assess   [2]template    // reject, accept; hole: the HTML report
	html     [2][2]template // [accepted][with BT-24]; holes: name, reason where rejected, name, scenario, BT-24 where given, time; the steps
	scenario map[scenarioKey][]byte
	step     map[stepKey][]byte
	htmlStep map[string][]byte // steps without findings, by id

	// The parts of steps with findings.
	frame   map[frameKey]template // hole: the messages
	message [8]template           // by position.mask
	table   map[string]template   // by step id; holes: count, rows
	row     map[rowKey]template
}

// frameKey is what a step's frame depends on.
type frameKey struct {
	stepKey
	valid bool
}

// rowKey is what the frame of a finding's row depends on: its level, and
// whether it has a line, column and German message.
type rowKey struct {
	level                invoice.Level
	line, column, german bool
}

// mask tells which parts of p are known: 1 line, 2 column, 4 XPath.
func (p position) mask() int {
	return pick(p.line != "", 1, 0) | pick(p.column != "", 2, 0) | pick(p.xpath != "", 4, 0)
}

// scenarioKey is what a scenario element depends on (see scenarioElement
// and Steps).
type scenarioKey struct{ scenario, docType, customizationID, reason string }

func keyOfScenario(rep *invoice.Report) scenarioKey {
	k := scenarioKey{rep.Scenario, rep.DocType, rep.CustomizationID, ""}
	if rep.RejectReason == invoice.RejectStructure || rep.RejectReason == invoice.RejectNotWellformed {
		k.reason = rep.RejectReason
	}
	return k
}

// stepKey is what a step without findings depends on.
type stepKey struct {
	id  string
	res Resource
}

// newVARL builds the parts of eng's reports; nil where eng's name or
// version holds the hole.
func newVARL(eng Engine) *varl {
	if strings.Contains(eng.Name+eng.Version, hole) {
		return nil
	}
	v := &varl{scenario: map[scenarioKey][]byte{}, step: map[stepKey][]byte{}, htmlStep: map[string][]byte{},
		frame: map[frameKey]template{}, table: map[string]template{}, row: map[rowKey]template{}}
	d, root := reportHead(eng, hole, hole, hole, hole)
	withHole(root)
	v.head = newTemplate(d.Child...)
	for i, matched := range []bool{false, true} {
		v.result[i] = newTemplate(withHole(resultElement(etree.NewElement("x"), matched)))
		ex := withHole(explanation(etree.NewElement("x"), matched))
		v.assess[i] = newTemplate(ex.Parent().Parent())
		for j, cid := range []string{"", hole} {
			rep := &invoice.Report{Accepted: matched, RejectReason: hole, Scenario: hole, CustomizationID: cid}
			_, body := htmlFrame(hole, hole, rep, eng, true)
			v.html[i][j] = newTemplate(withHole(body).Parent())
		}
	}
	var b buffer
	write := func(build func(*etree.Element)) []byte {
		b.Reset()
		b.part(nil, false, build)
		return bytes.Clone(b.Bytes())
	}
	for _, sc := range configScenarios() {
		for _, reason := range []string{"", invoice.RejectStructure} {
			rep := &invoice.Report{Scenario: sc.name, DocType: sc.doc, CustomizationID: sc.spec, RejectReason: reason}
			steps := Steps(rep)
			v.scenario[keyOfScenario(rep)] = write(func(x *etree.Element) { scenarioElement(x, rep, steps) })
			for _, s := range steps {
				v.step[stepKey{s.ID, s.Resource}] = write(func(x *etree.Element) { stepElement(x, s) })
				v.htmlStep[s.ID] = write(func(x *etree.Element) { htmlStep(x, s) })
				for _, valid := range []bool{false, true} {
					v.frame[frameKey{stepKey{s.ID, s.Resource}, valid}] = newTemplate(withHole(stepFrame(etree.NewElement("x"), s.ID, valid, s.Resource)))
				}
			}
		}
	}
	for mask := range v.message {
		p := position{pick(mask&1 != 0, hole, ""), pick(mask&2 != 0, hole, ""), pick(mask&4 != 0, hole, "")}
		x := etree.NewElement("x")
		messageElement(x, hole, hole, hole, hole, p, hole)
		v.message[mask] = newTemplate(x.Child...)
	}
	for _, id := range []string{StepXSD, StepSchematron1, StepSchematron2, StepXML, StepScenario} {
		x := etree.NewElement("x")
		withHole(htmlTable(x, id, hole))
		v.table[id] = newTemplate(x.Child...)
	}
	for _, level := range []invoice.Level{invoice.LevelError, invoice.LevelWarning, invoice.LevelInfo} {
		for _, k := range []rowKey{{level, false, false, false}, {level, true, false, false}, {level, true, true, false},
			{level, false, false, true}, {level, true, false, true}, {level, true, true, true}} {
			f := invoice.Finding{Level: level, Rule: hole, Location: hole, Message: hole, MessageDE: pick(k.german, hole, "")}
			x := etree.NewElement("x")
			htmlRow(x, f, position{line: pick(k.line, hole, ""), column: pick(k.column, hole, "")})
			v.row[k] = newTemplate(x.Child...)
		}
	}
	return v
}

// writeStep writes a step with findings.
func (v *varl) writeStep(b *buffer, s Step) {
	frame, ok := v.frame[frameKey{stepKey{s.ID, s.Resource}, s.Valid()}]
	if !ok {
		b.part(nil, false, func(x *etree.Element) { stepElement(x, s) })
		return
	}
	frame.fill(b)
	for i, f := range s.Findings {
		p, n, text := positionOf(f), strconv.Itoa(i+1), normalize(f.Message)
		if text == "" { // an empty element
			b.part(nil, false, func(x *etree.Element) { messageElement(x, s.ID, n, f.Rule, string(f.Level), p, text) })
			continue
		}
		var a [8]string
		texts := append(a[:0], s.ID, n, f.Rule, string(f.Level))
		for _, t := range [...]string{p.line, p.column, p.xpath} {
			if t != "" {
				texts = append(texts, t)
			}
		}
		v.message[p.mask()].fill(b, append(texts, text)...)
	}
	frame.end(b)
}

// writeHTMLStep writes the page's part of a step with findings.
func (v *varl) writeHTMLStep(b *buffer, s Step) {
	table, ok := v.table[s.ID]
	if !ok {
		b.part(nil, false, func(x *etree.Element) { htmlStep(x, s) })
		return
	}
	table.fill(b, strconv.Itoa(len(s.Findings)))
	for _, f := range s.Findings {
		p := positionOf(f)
		row, ok := v.row[rowKey{f.Level, p.line != "", p.line != "" && p.column != "", f.MessageDE != ""}]
		if !ok || f.Rule == "" || f.Location == "" || f.Message == "" { // unknown level, or an empty element
			b.part(nil, false, func(x *etree.Element) { htmlRow(x, f, p) })
			continue
		}
		var a [7]string
		texts := append(a[:0], f.Rule, f.Location)
		if p.line != "" {
			texts = append(texts, p.line)
			if p.column != "" {
				texts = append(texts, p.column)
			}
		}
		if f.MessageDE != "" {
			texts = append(texts, f.MessageDE)
		}
		row.fill(b, append(texts, f.Message)...)
	}
	table.end(b)
}

// withHole adds the hole to e as its last text, and returns e.
func withHole(e *etree.Element) *etree.Element {
	e.CreateText(hole)
	return e
}

// write writes the report of rep for doc, as NewReport's is written. It
// reports false, having written nothing, where the report has an element
// that would be empty (no steps, or no document name), which etree writes
// as an empty-element tag and the templates would not: the caller then
// writes NewReport's.
func (v *varl) write(b *buffer, doc Document, rep *invoice.Report) bool {
	if v == nil {
		return false
	}
	steps := Steps(rep)
	if len(steps) == 0 || doc.Name == "" {
		return false
	}
	h := headTexts(doc, rep, steps)
	v.head.fill(b, h[:]...)

	matched := rep.Scenario != ""
	result := v.result[pick(matched, 1, 0)]
	result.fill(b)
	if matched {
		p, ok := v.scenario[keyOfScenario(rep)]
		b.part(p, ok, func(x *etree.Element) { scenarioElement(x, rep, steps) })
	}
	for _, s := range steps {
		if p, ok := v.step[stepKey{s.ID, s.Resource}]; ok && len(s.Findings) == 0 {
			b.Write(p)
		} else {
			v.writeStep(b, s)
		}
	}
	result.end(b)

	assess := v.assess[pick(rep.Accepted, 1, 0)]
	assess.fill(b)
	var a [6]string
	texts := append(a[:0], doc.Name)
	if !rep.Accepted {
		texts = append(texts, rep.RejectReason)
	}
	texts = append(texts, doc.Name, htmlScenario(rep))
	if rep.CustomizationID != "" {
		texts = append(texts, rep.CustomizationID)
	}
	texts = append(texts, htmlTime(doc.Received))
	html := v.html[pick(rep.Accepted, 1, 0)][pick(rep.CustomizationID != "", 1, 0)]
	html.fill(b, texts...)
	for _, s := range steps {
		if p, ok := v.htmlStep[s.ID]; ok && len(s.Findings) == 0 {
			b.Write(p)
		} else {
			v.writeHTMLStep(b, s)
		}
	}
	html.end(b)
	assess.end(b)
	v.head.end(b)
	return true
}
