package kosit

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/invoice"
)

// WriteHTML writes the report of rep for doc as an XHTML page for people,
// in German and English: the verdict, the document's identification and
// every finding of every step with its location and messages. It is the
// page the report's explanation embeds.
func WriteHTML(w io.Writer, doc Document, rep *invoice.Report, eng Engine) error {
	d := etree.NewDocument()
	d.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	d.CreateDirective("DOCTYPE html")
	d.SetRoot(htmlElement(doc, rep, Steps(rep), eng, false))
	d.Indent(1)
	if _, err := d.WriteTo(w); err != nil {
		return fmt.Errorf("kosit: write html: %w", err)
	}
	return nil
}

// htmlStyle is the page's style sheet: readable without it, compact with.
const htmlStyle = `body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}
.accept{color:#05691e}.reject{color:#a40000}
table{border-collapse:collapse;width:100%;font-size:smaller}
td,th{border:1px solid #bbb;padding:3px;vertical-align:top;text-align:left}
th{background:#eee}.error{color:#a40000}.warning{color:#7a4b00}
dt{font-weight:bold}code{word-break:break-all}`

// levelText is the German and English name of a level.
func levelText(l invoice.Level) string {
	switch l {
	case invoice.LevelError:
		return "Fehler / error"
	case invoice.LevelWarning:
		return "Warnung / warning"
	}
	return "Information / information"
}

// stepName is the German and English names of the steps.
func stepName(id string) (de, en string) {
	switch id {
	case StepXSD:
		return "XML-Schema", "XML Schema"
	case StepSchematron1:
		return "Schematron EN 16931", "Schematron EN 16931"
	case StepSchematron2:
		return "Schematron XRechnung", "Schematron XRechnung"
	case StepXML:
		return "Wohlgeformtheit", "Well-formedness"
	}
	return "Szenario", "Scenario"
}

// htmlElement builds the XHTML report. Embedded in a VARL report it
// carries data-report-type="report" as report.xsd asks.
func htmlElement(doc Document, rep *invoice.Report, steps []Step, eng Engine, embedded bool) *etree.Element {
	h, body := htmlFrame(doc.Name, htmlTime(doc.Received), rep, eng, embedded)
	if len(steps) == 0 {
		body.CreateElement("p").SetText("Keine Meldungen. / No messages.")
	}
	for _, s := range steps {
		htmlStep(body, s)
	}
	return h
}

// htmlTime is the page's form of t.
func htmlTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

// htmlScenario is the scenario the page names.
func htmlScenario(rep *invoice.Report) string {
	if rep.Scenario == "" {
		return "kein Szenario erkannt / no scenario matched"
	}
	return rep.Scenario
}

// htmlFrame builds the XHTML report without its steps: the head, the
// verdict and the document's identification, and returns the body the
// steps go into.
func htmlFrame(name, received string, rep *invoice.Report, eng Engine, embedded bool) (h, body *etree.Element) {
	h = etree.NewElement("html")
	h.CreateAttr("xmlns", NamespaceXHTML)
	h.CreateAttr("lang", "de")
	if embedded {
		h.CreateAttr("data-report-type", "report")
	}
	head := h.CreateElement("head")
	head.CreateElement("meta").CreateAttr("charset", "utf-8")
	head.CreateElement("title").SetText("Prüfbericht / Validation report: " + name)
	if !embedded {
		head.CreateElement("style").SetText(htmlStyle)
	}
	body = h.CreateElement("body")
	body.CreateElement("h1").SetText("Prüfbericht / Validation report")

	v := body.CreateElement("p")
	if rep.Accepted {
		v.CreateAttr("class", "accept")
		v.CreateElement("strong").SetText("Annahme empfohlen / Acceptance recommended")
	} else {
		v.CreateAttr("class", "reject")
		v.CreateElement("strong").SetText("Ablehnung empfohlen / Rejection recommended")
		v.CreateText(" (" + rep.RejectReason + ")")
	}

	dl := body.CreateElement("dl")
	item := func(term, def string) {
		dl.CreateElement("dt").SetText(term)
		dl.CreateElement("dd").SetText(def)
	}
	item("Dokument / Document", name)
	item("Szenario / Scenario", htmlScenario(rep))
	if rep.CustomizationID != "" {
		item("Spezifikationskennung / Specification identifier (BT-24)", rep.CustomizationID)
	}
	item("Zeitpunkt / Time", received)
	item("Prüfwerkzeug / Engine", (eng.name() + " " + eng.Version))
	return h, body
}

// htmlStep adds a step to the body: its heading, and its findings'
// table or that there are none.
func htmlStep(body *etree.Element, s Step) {
	if len(s.Findings) == 0 {
		htmlHeading(body, s.ID, "0")
		body.CreateElement("p").SetText("Keine Meldungen. / No messages.")
		return
	}
	tb := htmlTable(body, s.ID, strconv.Itoa(len(s.Findings)))
	for _, f := range s.Findings {
		htmlRow(tb, f, positionOf(f))
	}
}

// htmlHeading adds a step's heading with the number of its findings.
func htmlHeading(body *etree.Element, id, n string) {
	de, en := stepName(id)
	body.CreateElement("h2").SetText(de + " / " + en + " (" + id + "): " + n)
}

// htmlTable adds a step's heading and its findings' table, and returns the
// table's body.
func htmlTable(body *etree.Element, id, n string) *etree.Element {
	htmlHeading(body, id, n)
	t := body.CreateElement("table")
	tr := t.CreateElement("thead").CreateElement("tr")
	for _, c := range []string{"Regel / Rule", "Stufe / Level", "Ort / Location", "Meldung / Message"} {
		tr.CreateElement("th").SetText(c)
	}
	return t.CreateElement("tbody")
}

// htmlRow adds a finding's row: rule, level, location (with the line and
// column of p) and messages.
func htmlRow(tb *etree.Element, f invoice.Finding, p position) {
	r := tb.CreateElement("tr")
	r.CreateAttr("class", string(f.Level))
	r.CreateElement("td").CreateElement("code").SetText(f.Rule)
	r.CreateElement("td").SetText(levelText(f.Level))
	loc := r.CreateElement("td")
	loc.CreateElement("code").SetText(f.Location)
	if p.line != "" {
		loc.CreateText(" (Zeile/line " + p.line)
		if p.column != "" {
			loc.CreateText(", Spalte/column " + p.column)
		}
		loc.CreateText(")")
	}
	msg := r.CreateElement("td")
	if f.MessageDE != "" {
		de := msg.CreateElement("p")
		de.CreateAttr("lang", "de")
		de.SetText(f.MessageDE)
	}
	en := msg.CreateElement("p")
	en.CreateAttr("lang", "en")
	en.SetText(f.Message)
}
