package kosit

import (
	"fmt"
	"io"
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

// levelName is the German and English name of a level.
func levelName(l invoice.Level) (de, en string) {
	switch l {
	case invoice.LevelError:
		return "Fehler", "error"
	case invoice.LevelWarning:
		return "Warnung", "warning"
	}
	return "Information", "information"
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
	de, en := stepName(s.ID)
	body.CreateElement("h2").SetText(fmt.Sprintf("%s / %s (%s): %d", de, en, s.ID, len(s.Findings)))
	if len(s.Findings) == 0 {
		body.CreateElement("p").SetText("Keine Meldungen. / No messages.")
		return
	}
	t := body.CreateElement("table")
	tr := t.CreateElement("thead").CreateElement("tr")
	for _, c := range []string{"Regel / Rule", "Stufe / Level", "Ort / Location", "Meldung / Message"} {
		tr.CreateElement("th").SetText(c)
	}
	tb := t.CreateElement("tbody")
	for _, f := range s.Findings {
		r := tb.CreateElement("tr")
		r.CreateAttr("class", string(f.Level))
		r.CreateElement("td").CreateElement("code").SetText(f.Rule)
		lde, lenEN := levelName(f.Level)
		r.CreateElement("td").SetText(lde + " / " + lenEN)
		loc := r.CreateElement("td")
		loc.CreateElement("code").SetText(f.Location)
		if f.Line > 0 {
			loc.CreateText(fmt.Sprintf(" (Zeile/line %d", f.Line))
			if f.Column > 0 {
				loc.CreateText(fmt.Sprintf(", Spalte/column %d", f.Column))
			}
			loc.CreateText(")")
		}
		msg := r.CreateElement("td")
		if f.MessageDE != "" {
			p := msg.CreateElement("p")
			p.CreateAttr("lang", "de")
			p.SetText(f.MessageDE)
		}
		p := msg.CreateElement("p")
		p.CreateAttr("lang", "en")
		p.SetText(f.Message)
	}
}
