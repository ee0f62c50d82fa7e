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
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
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
func Valid(rep *invoice.Report) bool {
	if rep.Scenario == "" {
		return false
	}
	for _, s := range Steps(rep) {
		if !s.Valid() {
			return false
		}
	}
	return true
}

// NewReport builds the VARL report of rep for doc.
func NewReport(doc Document, rep *invoice.Report, eng Engine) *etree.Document {
	steps := Steps(rep)
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("rep:report")
	root.CreateAttr("xmlns:rep", NamespaceVARL)
	root.CreateAttr("xmlns:s", NamespaceScenarios)
	root.CreateAttr("valid", fmt.Sprint(Valid(rep)))
	root.CreateAttr("varlVersion", "1.0.0")

	e := root.CreateElement("rep:engine")
	e.CreateElement("rep:name").SetText(eng.name())
	if eng.Version != "" {
		i := e.CreateElement("rep:info")
		i.CreateAttr("key", "version")
		i.SetText(eng.Version)
	}
	root.CreateElement("rep:timestamp").SetText(doc.Received.Format("2006-01-02T15:04:05.000Z07:00"))
	id := root.CreateElement("rep:documentIdentification")
	h := id.CreateElement("rep:documentHash")
	h.CreateElement("rep:hashAlgorithm").SetText("SHA-256")
	sum := sha256.Sum256(doc.Data)
	h.CreateElement("rep:hashValue").SetText(base64.StdEncoding.EncodeToString(sum[:]))
	id.CreateElement("rep:documentReference").SetText(normalize(doc.Name))

	if rep.Scenario != "" {
		m := root.CreateElement("rep:scenarioMatched")
		scenarioElement(m, rep, steps)
		for _, s := range steps {
			stepElement(m, s)
		}
	} else {
		m := root.CreateElement("rep:noScenarioMatched")
		for _, s := range steps {
			stepElement(m, s)
		}
	}

	a := root.CreateElement("rep:assessment")
	verdict := "rep:reject"
	if rep.Accepted {
		verdict = "rep:accept"
	}
	ex := a.CreateElement(verdict).CreateElement("rep:explanation")
	ex.AddChild(htmlElement(doc, rep, steps, eng, true))
	return d
}

// WriteReport writes the VARL report of rep for doc, indented.
func WriteReport(w io.Writer, doc Document, rep *invoice.Report, eng Engine) error {
	d := NewReport(doc, rep, eng)
	d.Indent(2)
	if _, err := d.WriteTo(w); err != nil {
		return fmt.Errorf("kosit: write report: %w", err)
	}
	return nil
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
	e := parent.CreateElement("rep:validationStepResult")
	e.CreateAttr("id", s.ID)
	e.CreateAttr("valid", fmt.Sprint(s.Valid()))
	if s.Resource.Name != "" {
		resourceElement(e, s.Resource)
	}
	for i, f := range s.Findings {
		m := e.CreateElement("rep:message")
		m.CreateAttr("id", fmt.Sprintf("%s.%d", s.ID, i+1))
		m.CreateAttr("code", f.Rule)
		m.CreateAttr("level", string(f.Level))
		locate(m, f, "lineNumber", "columnNumber", "xpathLocation")
		m.SetText(normalize(f.Message))
	}
}

// locate sets a finding's line, column and XPath, where known, as the
// attributes named.
func locate(e *etree.Element, f invoice.Finding, line, column, xpath string) {
	if f.Line > 0 {
		e.CreateAttr(line, fmt.Sprint(f.Line))
	}
	if f.Column > 0 {
		e.CreateAttr(column, fmt.Sprint(f.Column))
	}
	if strings.HasPrefix(f.Location, "/") {
		e.CreateAttr(xpath, strings.Join(strings.Fields(f.Location), " "))
	}
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
