package kosit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
)

// Namespaces of the 2.x server's reports.
const (
	NamespaceXVRL    = "http://www.xproc.org/ns/xvrl"
	NamespaceCompact = "http://www.xoev.de/de/validator/framework/2/compact-format"
)

// NewXVRL builds the 2.x server's full report: an XVRL reports document
// with one report per validation step, each with its detections (severity,
// code, location, message) and a digest of the counts.
func NewXVRL(doc Document, rep *invoice.Report, eng Engine) *etree.Document {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("reports")
	root.CreateAttr("xmlns", NamespaceXVRL)
	ts := doc.Received.Format("2006-01-02T15:04:05.000Z07:00")
	md := root.CreateElement("metadata")
	md.CreateElement("timestamp").SetText(ts)
	v := md.CreateElement("validator")
	v.CreateAttr("name", eng.name())
	v.CreateAttr("version", eng.Version)
	md.CreateElement("document").CreateAttr("href", doc.Name)
	for _, s := range Steps(rep) {
		r := root.CreateElement("report")
		m := r.CreateElement("metadata")
		m.CreateElement("timestamp").SetText(ts)
		sv := m.CreateElement("validator")
		sv.CreateAttr("name", xvrlValidator(s.ID))
		sv.CreateAttr("version", eng.Version)
		if s.Resource.Location != "" {
			sch := m.CreateElement("schema")
			sch.CreateAttr("href", s.Resource.Location)
			sch.CreateAttr("schematypens", schemaTypeNS(s.ID))
		}
		m.CreateElement("document").CreateAttr("href", doc.Name)
		var n [3]int
		for _, f := range s.Findings {
			det := r.CreateElement("detection")
			det.CreateAttr("severity", xvrlSeverity(f.Level))
			det.CreateAttr("code", f.Rule)
			locate(det.CreateElement("location"), f, "line", "column", "xpath")
			msg := det.CreateElement("message")
			msg.CreateAttr("xml:lang", "en")
			msg.SetText(f.Message)
			if f.MessageDE != "" {
				de := det.CreateElement("message")
				de.CreateAttr("xml:lang", "de")
				de.SetText(f.MessageDE)
			}
			n[levelIndex(f.Level)]++
		}
		dg := r.CreateElement("digest")
		dg.CreateAttr("valid", fmt.Sprint(n[0] == 0))
		dg.CreateAttr("error-count", fmt.Sprint(n[0]))
		dg.CreateAttr("warning-count", fmt.Sprint(n[1]))
		dg.CreateAttr("info-count", fmt.Sprint(n[2]))
	}
	return d
}

func levelIndex(l invoice.Level) int {
	switch l {
	case invoice.LevelError:
		return 0
	case invoice.LevelWarning:
		return 1
	}
	return 2
}

func xvrlSeverity(l invoice.Level) string {
	if l == invoice.LevelInfo {
		return "info"
	}
	return string(l)
}

func xvrlValidator(step string) string {
	switch step {
	case StepXSD:
		return "Schema Validator"
	case StepSchematron1, StepSchematron2:
		return "Schematron Validator"
	case StepXML:
		return "XML Parser"
	}
	return "Scenario Selection"
}

func schemaTypeNS(step string) string {
	if step == StepXSD {
		return "http://www.w3.org/2001/XMLSchema"
	}
	return "http://purl.oclc.org/dsdl/schematron"
}

// Compact is the 2.x server's compact report of one document (its
// /api/validate/minimal), written as XML or JSON.
type Compact struct {
	Acceptable       int64           `json:"acceptable"`
	Rejected         int64           `json:"rejected"`
	ProcessingErrors int64           `json:"processing-errors"`
	Results          []CompactResult `json:"results"`
	Engine           CompactEngine   `json:"validator-engine"`
}

// CompactEngine names the engine in a compact report.
type CompactEngine struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
}

// CompactResult is the result of one document.
type CompactResult struct {
	Ref          string         `json:"ref"`
	Checksum     string         `json:"checksum,omitempty"`
	Scenario     string         `json:"scenario,omitempty"`
	Acceptance   string         `json:"acceptance"`
	ErrorSummary string         `json:"error-summary,omitempty"`
	Layers       []CompactLayer `json:"layers"`
}

// CompactLayer is one validation step: the schema or one Schematron.
type CompactLayer struct {
	Type       string             `json:"type"`
	Valid      bool               `json:"valid"`
	Name       string             `json:"name,omitempty"`
	Violations []CompactViolation `json:"violations"`
}

// CompactViolation is one finding.
type CompactViolation struct {
	Message  string `json:"message,omitempty"`
	Severity string `json:"severity,omitempty"`
	ID       string `json:"id,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
}

// NewCompact builds the compact report of rep for doc.
func NewCompact(doc Document, rep *invoice.Report, eng Engine) *Compact {
	sum := sha256.Sum256(doc.Data)
	res := CompactResult{Ref: doc.Name, Checksum: hex.EncodeToString(sum[:]), Scenario: rep.Scenario, Acceptance: Acceptance(rep), Layers: []CompactLayer{}}
	var errs []string
	for _, s := range Steps(rep) {
		l := CompactLayer{Type: "schematron", Name: s.Resource.Name, Violations: []CompactViolation{}}
		switch s.ID {
		case StepXSD:
			l.Type, l.Name = "schema", "XSD"
		case StepXML:
			l.Type, l.Name = "wellformedness", "XML"
		case StepScenario:
			l.Type, l.Name = "scenario", "Scenario"
		}
		l.Valid = true
		for _, f := range s.Findings {
			l.Violations = append(l.Violations, CompactViolation{Message: f.Message, Severity: string(f.Level), ID: f.Rule, Line: f.Line, Col: f.Column})
			if f.Level == invoice.LevelError {
				l.Valid = false
				errs = append(errs, f.Rule+": "+f.Message)
			}
		}
		res.Layers = append(res.Layers, l)
	}
	res.ErrorSummary = strings.Join(errs, "; ")
	c := &Compact{Results: []CompactResult{res}, Engine: CompactEngine{Name: eng.name(), Version: eng.Version}}
	switch res.Acceptance {
	case "ACCEPTABLE":
		c.Acceptable = 1
	case "REJECT":
		c.Rejected = 1
	default:
		c.ProcessingErrors = 1
	}
	return c
}

// WriteJSON writes the compact report as JSON.
func (c *Compact) WriteJSON(w io.Writer) error {
	if err := json.NewEncoder(w).Encode(c); err != nil {
		return fmt.Errorf("kosit: write compact report: %w", err)
	}
	return nil
}

// XML builds the compact report as XML.
func (c *Compact) XML() *etree.Document {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := d.CreateElement("reports")
	root.CreateAttr("xmlns", NamespaceCompact)
	root.CreateAttr("acceptable", fmt.Sprint(c.Acceptable))
	root.CreateAttr("rejected", fmt.Sprint(c.Rejected))
	root.CreateAttr("processing-errors", fmt.Sprint(c.ProcessingErrors))
	e := root.CreateElement("validator-engine")
	e.CreateAttr("name", c.Engine.Name)
	e.CreateAttr("version", c.Engine.Version)
	for _, r := range c.Results {
		re := root.CreateElement("report")
		re.CreateAttr("ref", r.Ref)
		re.CreateAttr("checksum", r.Checksum)
		if r.Scenario != "" {
			re.CreateAttr("scenario", r.Scenario)
		}
		re.CreateAttr("acceptance", r.Acceptance)
		if r.ErrorSummary != "" {
			re.CreateElement("error-summary").SetText(r.ErrorSummary)
		}
		for _, l := range r.Layers {
			le := re.CreateElement("layer")
			le.CreateAttr("type", l.Type)
			le.CreateAttr("valid", fmt.Sprint(l.Valid))
			le.CreateAttr("name", l.Name)
			for _, v := range l.Violations {
				ve := le.CreateElement("violation")
				ve.CreateAttr("id", v.ID)
				ve.CreateAttr("severity", v.Severity)
				if v.Line > 0 {
					ve.CreateAttr("line", fmt.Sprint(v.Line))
				}
				if v.Col > 0 {
					ve.CreateAttr("col", fmt.Sprint(v.Col))
				}
				ve.SetText(v.Message)
			}
		}
	}
	return d
}
