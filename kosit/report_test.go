package kosit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
)

// reportSummary is what checkReport reads from a VARL report.
type reportSummary struct {
	valid    bool
	matched  bool
	accepted bool
	steps    []string
	messages []message
}

// message is a report message's code and level.
type message struct{ code, level string }

// checkReport checks a VARL report against the structure of report.xsd
// (the order and cardinality of the elements, the required attributes
// and their types) with etree, and returns what it says.
func checkReport(data []byte) (reportSummary, error) {
	var s reportSummary
	d := etree.NewDocument()
	if err := d.ReadFromBytes(data); err != nil {
		return s, fmt.Errorf("not XML: %w", err)
	}
	root := d.Root()
	if root == nil || root.Tag != "report" || root.NamespaceURI() != NamespaceVARL {
		return s, errors.New("root is not {varl}report")
	}
	var err error
	if s.valid, err = strconv.ParseBool(root.SelectAttrValue("valid", "")); err != nil {
		return s, fmt.Errorf("valid: %w", err)
	}
	if root.SelectAttrValue("varlVersion", "") == "" {
		return s, errors.New("no varlVersion")
	}
	kids := root.ChildElements()
	want := []string{"engine", "timestamp", "documentIdentification", "", "assessment"}
	if len(kids) != len(want) {
		return s, fmt.Errorf("report has %d children, want 5", len(kids))
	}
	for i, k := range kids {
		if k.NamespaceURI() != NamespaceVARL {
			return s, fmt.Errorf("child %d %s not in the VARL namespace", i, k.Tag)
		}
		if want[i] != "" && k.Tag != want[i] {
			return s, fmt.Errorf("child %d is %s, want %s", i, k.Tag, want[i])
		}
	}
	if kids[0].SelectElement("name") == nil || strings.TrimSpace(kids[0].SelectElement("name").Text()) == "" {
		return s, errors.New("engine without name")
	}
	if _, err := time.Parse(time.RFC3339, kids[1].Text()); err != nil {
		return s, fmt.Errorf("timestamp: %w", err)
	}
	id := kids[2].ChildElements()
	if len(id) != 2 || id[0].Tag != "documentHash" || id[1].Tag != "documentReference" {
		return s, errors.New("documentIdentification: want documentHash, documentReference")
	}
	h := id[0].ChildElements()
	if len(h) != 2 || h[0].Tag != "hashAlgorithm" || h[1].Tag != "hashValue" {
		return s, errors.New("documentHash: want hashAlgorithm, hashValue")
	}
	if _, err := base64.StdEncoding.DecodeString(h[1].Text()); err != nil {
		return s, fmt.Errorf("hashValue: %w", err)
	}
	m := kids[3]
	results := m.ChildElements()
	switch m.Tag {
	case "scenarioMatched":
		s.matched = true
		if len(results) < 2 || results[0].Tag != "scenario" || results[0].NamespaceURI() != NamespaceScenarios {
			return s, errors.New("scenarioMatched: want s:scenario first and a step")
		}
		sc := results[0].ChildElements()
		if len(sc) < 3 || sc[0].Tag != "name" || sc[1].Tag != "match" || sc[2].Tag != "validateWithXmlSchema" {
			return s, errors.New("s:scenario: want name, match, validateWithXmlSchema")
		}
		results = results[1:]
	case "noScenarioMatched":
		if len(results) > 1 {
			return s, errors.New("noScenarioMatched: at most one step")
		}
	default:
		return s, fmt.Errorf("child 3 is %s, want scenarioMatched or noScenarioMatched", m.Tag)
	}
	ids := map[string]bool{}
	for _, r := range results {
		if r.Tag != "validationStepResult" {
			return s, fmt.Errorf("%s in %s", r.Tag, m.Tag)
		}
		sid := r.SelectAttrValue("id", "")
		if sid == "" || ids[sid] {
			return s, fmt.Errorf("step id %q missing or repeated", sid)
		}
		ids[sid] = true
		s.steps = append(s.steps, sid)
		stepValid, err := strconv.ParseBool(r.SelectAttrValue("valid", ""))
		if err != nil {
			return s, fmt.Errorf("step %s valid: %w", sid, err)
		}
		seenMessage, errorOrWarning := false, false
		for _, c := range r.ChildElements() {
			switch c.Tag {
			case "resource":
				if seenMessage || c.NamespaceURI() != NamespaceScenarios {
					return s, fmt.Errorf("step %s: s:resource misplaced", sid)
				}
				continue
			case "message":
			default:
				return s, fmt.Errorf("step %s: %s", sid, c.Tag)
			}
			seenMessage = true
			mid := c.SelectAttrValue("id", "")
			if mid == "" || ids[mid] {
				return s, fmt.Errorf("message id %q missing or repeated", mid)
			}
			ids[mid] = true
			level := c.SelectAttrValue("level", "")
			switch level {
			case "error", "warning":
				errorOrWarning = true
			case "information":
			default:
				return s, fmt.Errorf("message %s: level %q", mid, level)
			}
			code := c.SelectAttrValue("code", "")
			if code == "" || strings.ContainsAny(code, " \t\n") {
				return s, fmt.Errorf("message %s: code %q", mid, code)
			}
			for _, a := range []string{"lineNumber", "columnNumber"} {
				if v := c.SelectAttr(a); v != nil {
					if _, err := strconv.ParseInt(v.Value, 10, 32); err != nil {
						return s, fmt.Errorf("message %s: %s: %w", mid, a, err)
					}
				}
			}
			if x := c.SelectAttrValue("xpathLocation", "/"); !strings.HasPrefix(x, "/") || strings.Contains(x, "  ") {
				return s, fmt.Errorf("message %s: xpathLocation %q", mid, x)
			}
			if strings.ContainsAny(c.Text(), "\t\r\n") {
				return s, fmt.Errorf("message %s: text not a normalizedString", mid)
			}
			s.messages = append(s.messages, message{code, level})
		}
		if stepValid == errorOrWarning {
			return s, fmt.Errorf("step %s: valid=%v with errors or warnings %v", sid, stepValid, errorOrWarning)
		}
	}
	rec := kids[4].ChildElements()
	if len(rec) != 1 || rec[0].Tag != "accept" && rec[0].Tag != "reject" {
		return s, errors.New("assessment: want accept or reject")
	}
	s.accepted = rec[0].Tag == "accept"
	for _, ex := range rec[0].ChildElements() {
		html := ex.ChildElements()
		if ex.Tag != "explanation" || len(html) != 1 || html[0].NamespaceURI() != NamespaceXHTML || html[0].SelectAttrValue("data-report-type", "") == "" {
			return s, errors.New("explanation: want one XHTML root with data-report-type")
		}
	}
	if s.valid && (!s.matched || !s.accepted) {
		return s, errors.New("valid report that is not matched and accepted")
	}
	return s, nil
}

// expectation is a line of the conformance corpus's expected.jsonl.
type expectation struct {
	File       string `json:"file"`
	Wellformed bool   `json:"wellformed"`
	Accepted   bool   `json:"accepted"`
	Reason     string `json:"reject_reason"`
	Scenario   string `json:"scenario"`
}

// status is the reference daemon's status for the expectation.
func (e expectation) status() int {
	switch {
	case !e.Wellformed:
		return http.StatusUnprocessableEntity
	case e.Accepted:
		return http.StatusOK
	}
	return http.StatusNotAcceptable
}

// readExpected reads the corpus's expectations.
func readExpected(t testing.TB) (dir string, exp []expectation) {
	t.Helper()
	dir = testenv.Shared(t, "conformance")
	f, err := os.Open(filepath.Join(dir, "expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var e expectation
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		exp = append(exp, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(exp) == 0 {
		t.Fatal("expected.jsonl is empty")
	}
	return dir, exp
}

// counted is the code and level of each counted finding, in order: what
// a report lists.
func counted(rep *invoice.Report) []message {
	var out []message
	for _, f := range rep.Findings {
		if f.Counted {
			out = append(out, message{f.Rule, string(f.Level)})
		}
	}
	return out
}

// firstOf returns the first corpus document for which match holds.
func firstOf(t testing.TB, exp []expectation, match func(expectation) bool) string {
	t.Helper()
	for _, e := range exp {
		if match(e) {
			return e.File
		}
	}
	t.Fatal("no corpus document matches")
	return ""
}

func TestKoSITReport(t *testing.T) {
	dir, exp := readExpected(t)
	file := func(match func(expectation) bool) []byte {
		data, err := os.ReadFile(filepath.Join(dir, firstOf(t, exp, match)))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	ubl := `<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:CustomizationID>urn:example</cbc:CustomizationID></Invoice>`
	all := []string{StepXSD, StepSchematron1, StepSchematron2, StepXML}
	for _, c := range []struct {
		name     string
		data     []byte
		status   int
		matched  bool
		accepted bool
		steps    []string
	}{
		{"not well-formed", []byte("<Invoice"), 422, false, false, []string{StepXML}},
		{"doctype", []byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), 422, false, false, []string{StepXML}},
		{"not an invoice", []byte("<x/>"), 406, false, false, []string{StepScenario}},
		{"no scenario", []byte(ubl), 406, false, false, []string{StepScenario}},
		{"accepted UBL", file(func(e expectation) bool {
			return e.Accepted && strings.HasPrefix(e.File, "xrechnung-testsuite/") && strings.HasSuffix(e.File, "_ubl.xml")
		}), 200, true, true, all},
		{"accepted CII", file(func(e expectation) bool { return e.Accepted && strings.HasSuffix(e.File, "_uncefact.xml") }), 200, true, true, all},
		{"accepted plain EN 16931", file(func(e expectation) bool { return e.Accepted && !strings.Contains(e.Scenario, "XRechnung") }), 200, true, true, []string{StepXSD, StepSchematron1, StepXML}},
		{"XML Schema", file(func(e expectation) bool { return e.Reason == "xsd" }), 406, true, false, []string{StepXSD, StepXML}},
		{"rules", file(func(e expectation) bool { return e.Reason == "schematron" && e.Scenario != "" }), 406, true, false, all},
	} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := invoice.NewValidator().Validate(context.Background(), c.data, invoice.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := Status(rep); got != c.status {
				t.Fatalf("Status = %d, want %d (%s)", got, c.status, rep.RejectReason)
			}
			var buf bytes.Buffer
			doc := Document{Name: "doc.xml", Data: c.data, Received: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
			if err := NewReportWriter(Engine{Version: "test"}).Write(&buf, doc, rep); err != nil {
				t.Fatal(err)
			}
			s, err := checkReport(buf.Bytes())
			if err != nil {
				t.Fatalf("report: %v\n%s", err, buf.Bytes())
			}
			if s.matched != c.matched || s.accepted != c.accepted || strings.Join(s.steps, " ") != strings.Join(c.steps, " ") {
				t.Errorf("report: matched %v accepted %v steps %v, want %v %v %v", s.matched, s.accepted, s.steps, c.matched, c.accepted, c.steps)
			}
			if want := counted(rep); fmt.Sprint(s.messages) != fmt.Sprint(want) {
				t.Errorf("messages %v, want the counted findings %v", s.messages, want)
			}
			if s.valid != Valid(rep) {
				t.Errorf("valid attribute %v, Valid %v", s.valid, Valid(rep))
			}
			var html bytes.Buffer
			if err := WriteHTML(&html, doc, rep, Engine{}); err != nil {
				t.Fatal(err)
			}
			hd := etree.NewDocument()
			if err := hd.ReadFromBytes(html.Bytes()); err != nil {
				t.Fatalf("HTML report is not XHTML: %v", err)
			}
			for _, f := range rep.Findings {
				if f.Counted && (!bytes.Contains(html.Bytes(), []byte(f.Rule)) || f.MessageDE != "" && hd.FindElement("//p[@lang='de']") == nil) {
					t.Errorf("HTML report lacks %s or its German message", f.Rule)
				}
			}
		})
	}
}

// TestKoSITReportSchema validates reports of a sample against the
// configuration's report.xsd with xmllint, where EINGANG_KOSIT_XSD names a
// folder holding a fetched report.xsd (validator-configuration-xrechnung,
// src/report.xsd) and scenarios.xsd (validator, src/main/model/xsd).
func TestKoSITReportSchema(t *testing.T) {
	xsdDir := os.Getenv("EINGANG_KOSIT_XSD")
	if xsdDir == "" {
		t.Skip("EINGANG_KOSIT_XSD is not set: no fetched report.xsd to validate against (the structure is checked by TestKoSITReport and TestDaemonConformance)")
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("no xmllint on PATH (Debian: libxml2-utils): " + err.Error())
	}
	schema := prepareSchema(t, xsdDir)
	dir, exp := readExpected(t)
	v := invoice.NewValidator()
	out := t.TempDir()
	var files []string
	for i, e := range exp {
		// Every 60th document and every one that is not well-formed.
		if i%60 != 0 && e.Wellformed {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.Validate(context.Background(), data, invoice.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := NewReportWriter(Engine{Version: "test"}).Write(&buf, Document{Name: filepath.Base(e.File), Data: data, Received: time.Now()}, rep); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(out, fmt.Sprintf("%04d-report.xml", i))
		if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if msg, err := exec.Command(xmllint, append([]string{"--noout", "--schema", schema}, files...)...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, msg)
	}
	t.Logf("%d reports valid against %s", len(files), schema)
}

// prepareSchema copies report.xsd and scenarios.xsd into a temporary
// folder, giving report.xsd's import of the scenarios namespace the
// schemaLocation it lacks, and returns the copy of report.xsd.
func prepareSchema(t *testing.T, dir string) string {
	t.Helper()
	tmp := t.TempDir()
	rep, err := os.ReadFile(filepath.Join(dir, "report.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	sc, err := os.ReadFile(filepath.Join(dir, "scenarios.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	imp := `<xs:import namespace="` + NamespaceScenarios + `"`
	if !bytes.Contains(rep, []byte(imp)) {
		t.Fatalf("%s: no import of %s", dir, NamespaceScenarios)
	}
	rep = bytes.Replace(rep, []byte(imp), []byte(imp+` schemaLocation="scenarios.xsd"`), 1)
	if err := os.WriteFile(filepath.Join(tmp, "scenarios.xsd"), sc, 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(tmp, "report.xsd")
	if err := os.WriteFile(p, rep, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReportParts writes the report of every document of the conformance
// and edge corpora, under both releases, from the parts the daemon builds
// once (varl.write) and as NewReport builds it: the bytes are the same,
// for names and engines that need escaping too, and where the parts do
// not apply (no steps, no name) write says so.
func TestReportParts(t *testing.T) {
	var docs [][]byte
	for _, set := range []string{"conformance", "edge"} {
		dir := testenv.Shared(t, set)
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".xml") {
				return err
			}
			data, err := os.ReadFile(p)
			docs = append(docs, data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	docs = append(docs, []byte("<Invoice"), []byte("<x/>"), nil, []byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`),
		[]byte(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:CustomizationID>urn:example&amp;&lt;'"</cbc:CustomizationID></Invoice>`))
	engines := []Engine{{}, {Name: "e&<>\"'", Version: "1.0 <beta>\t"}}
	// Reports with findings of every shape, beside the corpora's.
	var shapes []invoice.Finding
	for i, level := range []invoice.Level{invoice.LevelError, invoice.LevelWarning, invoice.LevelInfo, "odd"} {
		for j, loc := range []string{"/Invoice/cbc:ID", "/Invoice\n  /cac:X[2]", "line 3", ""} {
			for k, rule := range []string{"BR-01", "BR-DE-1", "XSD-X", "PEPPOL-EN16931-R001", ""} {
				msg := []string{"m & <n>", "", "\tm\r\n'\"", "\xff\uE000"}[(i+j+k)%4]
				shapes = append(shapes, invoice.Finding{Rule: rule, Level: level, Location: loc, Line: (i + k) % 3 * 7, Column: (j + k) % 2 * 3,
					Message: msg, MessageDE: []string{"", "ü & ß"}[(i+k)%2], Counted: true})
			}
		}
	}
	var synthetic []*invoice.Report
	for _, sc := range configScenarios() {
		for _, reason := range []string{"", invoice.RejectStructure, invoice.RejectRules} {
			synthetic = append(synthetic, &invoice.Report{Scenario: sc.name, DocType: sc.doc, CustomizationID: sc.spec, RejectReason: reason, Findings: shapes})
		}
	}
	synthetic = append(synthetic, &invoice.Report{RejectReason: invoice.RejectNoScenario, Findings: shapes},
		&invoice.Report{RejectReason: invoice.RejectNotWellformed, Findings: shapes[:3]},
		&invoice.Report{Scenario: "EN16931 XRechnung (UBL Invoice)", DocType: invoice.UBLInvoice.String(), CustomizationID: "urn:x", Findings: shapes[5:9]})
	parts := []*varl{newVARL(engines[0]), newVARL(engines[1])}
	names := []string{"invoice.xml", "a&b <c> \"d\" 'e'\tf\r\n\xff\xfe.xml", "\uE000", "supplied_instance_1", ""}
	received := time.Date(2026, 12, 7, 3, 4, 5, 6e6, time.FixedZone("CET", 3600))
	var written, fallback int
	for i, rep := range synthetic {
		for e := range engines {
			doc := Document{Name: names[i%2], Data: []byte("<x/>"), Received: received}
			var want bytes.Buffer
			if _, err := NewReport(doc, rep, engines[e]).WriteTo(&want); err != nil {
				t.Fatal(err)
			}
			var got buffer
			if !parts[e].write(&got, doc, rep) {
				t.Fatalf("synthetic report %d: not written from the parts", i)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("synthetic report %d, engine %d: the parts write\n%s\nNewReport\n%s", i, e, got.Bytes(), want.Bytes())
			}
		}
	}
	for _, release := range []string{invoice.Release20260131, invoice.Release20260831} {
		v, err := invoice.NewValidator().WithRelease(release)
		if err != nil {
			t.Fatal(err)
		}
		for i, data := range docs {
			rep, err := v.Validate(context.Background(), data, invoice.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// Every document with the first engine and name; a sample with
			// the others.
			for e := range engines {
				for n, name := range names {
					if (e > 0 || n > 0) && i%97 != 0 && i < len(docs)-5 {
						continue
					}
					doc := Document{Name: name, Data: data, Received: received}
					var want bytes.Buffer
					if _, err := NewReport(doc, rep, engines[e]).WriteTo(&want); err != nil {
						t.Fatal(err)
					}
					var got buffer
					if !parts[e].write(&got, doc, rep) {
						if got.Len() > 0 {
							t.Fatalf("document %d: write reported false after writing", i)
						}
						fallback++
						continue
					}
					written++
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Fatalf("document %d, release %s, engine %d, name %q: the parts write\n%s\nNewReport\n%s", i, release, e, name, got.Bytes(), want.Bytes())
					}
				}
			}
		}
	}
	if written < 2*(len(docs)-5) {
		t.Fatalf("only %d reports written from the parts (%d not)", written, fallback)
	}
	t.Logf("%d documents: %d reports the same from the parts, %d left to NewReport", len(docs), written, fallback)
}
