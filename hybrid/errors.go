package hybrid

import "fmt"

// Error codes returned in [Error.Code]. They are stable: callers map them
// to problem codes and translations without parsing messages.
const (
	CodeNotPDF           = "not-pdf"
	CodeEncrypted        = "encrypted"
	CodeNoXML            = "no-xml"
	CodeTwoXML           = "two-xml"
	CodeXMLNotWellFormed = "xml-not-well-formed"
	CodeTooLarge         = "too-large"
	CodeUnreadable       = "unreadable"
	CodePDFBomb          = "pdf-bomb"
	CodeProfile          = "profile"
)

// Error is a rejection of a hybrid PDF with a stable code and a message in
// English and German for the sender.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message is the English explanation for the sender.
	Message string
	// MessageDE is the German explanation for the sender.
	MessageDE string
	// Err is the underlying cause, if any (for logs, not for the sender).
	Err error
}

// Error returns the code and the English message, and the cause if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("hybrid: %s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("hybrid: %s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// messages holds the English and German text of each code.
var messages = map[string][2]string{
	CodeNotPDF: {
		"the file is not a PDF document",
		"die Datei ist kein PDF-Dokument",
	},
	CodeEncrypted: {
		"the PDF is encrypted; a ZUGFeRD / Factur-X PDF (PDF/A-3) must not be encrypted",
		"das PDF ist verschlüsselt; ein ZUGFeRD-/Factur-X-PDF (PDF/A-3) darf nicht verschlüsselt sein",
	},
	CodeNoXML: {
		"the PDF carries no embedded invoice XML (factur-x.xml, zugferd-invoice.xml, xrechnung.xml or another XML invoice); a PDF alone is not an electronic invoice",
		"das PDF enthält keine eingebettete Rechnungs-XML (factur-x.xml, zugferd-invoice.xml, xrechnung.xml oder eine andere XML-Rechnung); ein PDF allein ist keine elektronische Rechnung",
	},
	CodeTwoXML: {
		"the PDF carries more than one candidate invoice XML; embed exactly one",
		"das PDF enthält mehr als eine mögliche Rechnungs-XML; betten Sie genau eine ein",
	},
	CodeXMLNotWellFormed: {
		"the invoice XML embedded in the PDF is not well-formed XML",
		"die im PDF eingebettete Rechnungs-XML ist kein wohlgeformtes XML",
	},
	CodeTooLarge: {
		"the PDF is larger than the size limit",
		"das PDF ist größer als die zulässige Größe",
	},
	CodeUnreadable: {
		"the PDF cannot be read; it is damaged or not a valid PDF",
		"das PDF kann nicht gelesen werden; es ist beschädigt oder kein gültiges PDF",
	},
	CodePDFBomb: {
		"the PDF is refused as a decompression or nesting bomb: its content expands beyond the limit or is nested too deeply",
		"das PDF wird als Kompressions- oder Verschachtelungsbombe abgelehnt: sein Inhalt entpackt sich über die Grenze hinaus oder ist zu tief verschachtelt",
	},
}

// newError returns the Error for code with its standard texts, wrapping err.
func newError(code string, err error) *Error {
	m := messages[code]
	return &Error{Code: code, Message: m[0], MessageDE: m[1], Err: err}
}

// Texts returns the English and German message of an error code, as an
// Error of that code carries them; ok is false for an unknown code and
// for CodeProfile (whose text depends on the profile: ProfileProblem).
func Texts(code string) (en, de string, ok bool) {
	m, ok := messages[code]
	return m[0], m[1], ok
}
