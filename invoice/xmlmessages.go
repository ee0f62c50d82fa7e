package invoice

import (
	"fmt"
	"strings"
)

func parseError(line int, rule, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Rule: rule, Msg: fmt.Sprintf(format, args...), format: format, args: args}
}

// detailDE is the parser's message in German, or in English where it
// quotes a decoder's error.
func (e *ParseError) detailDE() string {
	if de, ok := parseMessagesDE[strings.TrimPrefix(e.format, wellformedPrefix)]; ok {
		return fmt.Sprintf(de, e.args...)
	}
	return e.Msg
}

// german says in German why the document is not well-formed XML.
func (e *ParseError) german() string {
	msg := e.detailDE()
	where := ""
	if e.Line > 0 {
		where = fmt.Sprintf(" (Zeile %d)", e.Line)
	}
	return "Das Dokument ist kein wohlgeformtes XML" + where + ": " + msg
}

const wellformedPrefix = "not well-formed XML: "

// parseMessagesDE translates the parser's messages; TestParseMessagesDE
// checks that every message of the parser has a translation.
var parseMessagesDE = map[string]string{
	"'&' not followed by an entity reference (write &amp;)": "auf '&' folgt keine Entitätsreferenz (schreiben Sie &amp;)",
	"'<' in the value of attribute %s":                      "'<' im Wert des Attributs %s",
	"'<' not followed by an element name":                   "auf '<' folgt kein Elementname",
	"CDATA outside the root element":                        "CDATA-Abschnitt außerhalb des Wurzelelements",
	"XML declaration not at the start of the document":      "die XML-Deklaration steht nicht am Anfang des Dokuments",
	"attribute %s appears twice in <%s>":                    "das Attribut %s steht zweimal in <%s>",
	"attribute %s of <%s> has no value":                     "das Attribut %s von <%s> hat keinen Wert",
	"attribute {%s}%s appears twice in <%s>":                "das Attribut {%s}%s steht zweimal in <%s>",
	"attributes of <%s> must be separated by white space":   "die Attribute von <%s> müssen durch Leerraum getrennt sein",
	"bad '/' in start tag <%s":                              "falsches '/' im Start-Tag <%s",
	"bad attribute in start tag <%s>":                       "fehlerhaftes Attribut im Start-Tag <%s>",
	"bad character reference &%s;":                          "fehlerhafte Zeichenreferenz &%s;",
	"bad end tag":                                           "fehlerhaftes End-Tag",
	"bad processing instruction target":                     "fehlerhaftes Ziel einer Verarbeitungsanweisung",
	"character reference &%s; is not an XML character":      "die Zeichenreferenz &%s; ist kein XML-Zeichen",
	"comment outside the root element":                      "Kommentar außerhalb des Wurzelelements",
	"content after the root element":                        "Inhalt nach dem Wurzelelement",
	"end tag </%s> does not match <%s>":                     "das End-Tag </%s> passt nicht zu <%s>",
	"end tag </%s> without a start tag":                     "End-Tag </%s> ohne Start-Tag",
	"namespace prefix %q of attribute %s is not declared":   "das Namensraum-Präfix %q des Attributs %s ist nicht deklariert",
	"namespace prefix %q of element %s is not declared":     "das Namensraum-Präfix %q des Elements %s ist nicht deklariert",
	"namespace prefix %s bound to an empty URI":             "das Namensraum-Präfix %s ist an einen leeren URI gebunden",
	"processing instruction without a target":               "Verarbeitungsanweisung ohne Ziel",
	"text before the root element":                          "Text vor dem Wurzelelement",
	"text outside the root element":                         "Text außerhalb des Wurzelelements",
	"the document ends inside element %s":                   "das Dokument endet innerhalb des Elements %s",
	"the document has no root element":                      "das Dokument hat kein Wurzelelement",
	"undefined entity &%s; (only &lt; &gt; &amp; &apos; &quot; and character references are allowed)": "nicht definierte Entität &%s; (erlaubt sind nur &lt; &gt; &amp; &apos; &quot; und Zeichenreferenzen)",
	"unexpected <!":                                        "unerwartetes <!",
	"unterminated CDATA section":                           "nicht abgeschlossener CDATA-Abschnitt",
	"unterminated XML declaration":                         "nicht abgeschlossene XML-Deklaration",
	"unterminated comment":                                 "nicht abgeschlossener Kommentar",
	"unterminated end tag </%s":                            "nicht abgeschlossenes End-Tag </%s",
	"unterminated processing instruction":                  "nicht abgeschlossene Verarbeitungsanweisung",
	"unterminated start tag <%s":                           "nicht abgeschlossenes Start-Tag <%s",
	"unterminated value of attribute %s":                   "nicht abgeschlossener Wert des Attributs %s",
	"value of attribute %s of <%s> is not quoted":          "der Wert des Attributs %s von <%s> steht nicht in Anführungszeichen",
	`"--" inside a comment`:                                `"--" innerhalb eines Kommentars`,
	`"]]>" in text`:                                        `"]]>" im Text`,
	"control character 0x%02X is not allowed":              "das Steuerzeichen 0x%02X ist nicht erlaubt",
	"character U+%04X is not allowed":                      "das Zeichen U+%04X ist nicht erlaubt",
	"the document has %d bytes, more than the limit of %d": "das Dokument hat %d Bytes, mehr als die Grenze von %d",
	"elements are nested more than %d deep":                "die Elemente sind tiefer als %d Ebenen verschachtelt",
	"the document has more than %d elements":               "das Dokument hat mehr als %d Elemente",
	"the document has a DOCTYPE declaration; invoices must not declare a DTD or entities (they are never resolved)": "das Dokument enthält eine DOCTYPE-Deklaration; Rechnungen dürfen weder DTD noch Entitäten deklarieren (sie werden nie aufgelöst)",
	"the text is not valid UTF-8 (byte 0x%02X): declare the document's real encoding or send UTF-8":                 "der Text ist kein gültiges UTF-8 (Byte 0x%02X): deklarieren Sie die tatsächliche Kodierung oder senden Sie UTF-8",
	"the document is a PDF, not XML; send the XML invoice itself":                                                   "das Dokument ist ein PDF, kein XML; bitte senden Sie die XML-Rechnung selbst",
}
