package email

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/eingang/eingang/ingest"
)

// Reasons a mail files nothing (eingang_mail_rejected_total{reason}).
const (
	ReasonNoInvoice       = "no-invoice"
	ReasonSeveralInvoices = "several-invoices"
	ReasonTooLarge        = "too-large"
	ReasonUnreadable      = "unreadable"
	ReasonDuplicate       = "duplicate" // the same invoice again (by its bytes)
	ReasonInvalid         = "invalid"   // the invoice was filed among the rejected
	ReasonFailed          = "failed"    // handling it failed again and again (Config.MaxTries)
)

// reasonPDF starts the reason of a mail whose PDF the pipeline refused,
// followed by the refusal's code (ingest.PDFError): pdf-no-xml,
// pdf-encrypted, pdf-xml-differs, ...
const reasonPDF = "pdf-"

// A result is what became of one mail.
type result struct {
	reason   string          // why nothing was filed; "" when an invoice was
	detail   string          // for unreadable and too-large
	receipt  *ingest.Receipt // the pipeline's answer, if it was asked
	first    *ingest.Outcome // for a duplicate invoice: the first one's outcome
	invoices int             // invoices found (XML or PDF attachments, the more numerous)
	ignored  []string        // other attachments, by name
	pdf      bool            // a PDF was among them
	beside   *Part           // an XML beside the PDF taken as the invoice
	picture  bool            // that PDF carried no invoice XML: the XML was filed
	refusal  *ingest.PDFError
	muniName string // the municipality's name, if routed
}

// maxEcho is how many characters of a mail's subject its reply repeats.
const maxEcho = 200

// echo returns a subject as a reply repeats it: on one line, control
// characters as spaces, runs of white space as one, at most maxEcho
// characters (then an ellipsis), and valid UTF-8.
func echo(subject string) string {
	out := make([]rune, 0, maxEcho+2)
	space := false
	for _, r := range subject {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError {
			space = len(out) > 0
			continue
		}
		if space {
			out, space = append(out, ' '), false
		}
		if out = append(out, r); len(out) > maxEcho {
			out = append(out[:maxEcho-1], '…')
			break
		}
	}
	return string(out)
}

// text returns the reply's body, German then English.
func (r *result) text(subject string) string {
	subject = echo(subject)
	var b strings.Builder
	for _, lang := range []string{"de", "en"} {
		t := func(de, en string, a ...any) {
			if lang == "de" {
				fmt.Fprintf(&b, de, a...)
			} else {
				fmt.Fprintf(&b, en, a...)
			}
			b.WriteByte('\n')
		}
		if lang == "en" {
			b.WriteString("\n--- English ---\n\n")
		}
		t("Guten Tag,\n\nIhre E-Mail „%s“ ist bei der E-Rechnungs-Annahme eingegangen.\n", "Hello,\n\nyour mail \"%s\" has reached the e-invoice gateway.\n", subject)
		r.verdict(t)
		if r.receipt != nil {
			r.findings(&b, lang)
		}
		if len(r.ignored) > 0 {
			t("Nicht verarbeitete Anhänge: %s", "Attachments not processed: %s", strings.Join(r.ignored, ", "))
		}
		if r.picture {
			t("Das PDF enthält keine Rechnungs-XML (es ist keine hybride Rechnung) und wurde nicht verarbeitet; abgelegt wurde die mitgesandte XML.",
				"The PDF carries no invoice XML (it is no hybrid invoice) and was not processed; the XML sent with it was filed.")
		}
		if r.receipt != nil {
			t("\nDer vollständige Prüfbericht liegt als report.json bei.", "\nThe full validation report is attached as report.json.")
		}
		t("\nDiese Nachricht wurde automatisch erstellt.", "\nThis message was sent automatically.")
	}
	return b.String()
}

func (r *result) verdict(t func(de, en string, a ...any)) {
	if r.receipt != nil {
		t("Eingangsnummer: %s", "Receipt id: %s", r.receipt.ID)
	}
	switch r.reason {
	case ReasonNoInvoice:
		t("Ergebnis: nicht angenommen. Die E-Mail enthält keine Rechnung (XML-Anhang oder hybrides PDF).", "Result: not accepted. The mail holds no invoice (XML attachment or hybrid PDF).")
	case ReasonSeveralInvoices:
		t("Ergebnis: nicht angenommen. Die E-Mail enthält %d Rechnungen; bitte senden Sie genau eine Rechnung je E-Mail. Keine wurde abgelegt.",
			"Result: not accepted. The mail holds %d invoices; please send exactly one invoice per mail. None was filed.", r.invoices)
	case ReasonTooLarge:
		t("Ergebnis: nicht angenommen. Die E-Mail ist zu groß (%s).", "Result: not accepted. The mail is too large (%s).", r.detail)
	case ReasonFailed:
		t("Ergebnis: nicht angenommen. Die E-Mail konnte wiederholt nicht verarbeitet werden; bitte senden Sie die Rechnung erneut oder wenden Sie sich an uns.",
			"Result: not accepted. Processing the mail failed repeatedly; please send the invoice again or contact us.")
	case ReasonUnreadable:
		t("Ergebnis: nicht angenommen. Die E-Mail ist fehlerhaft aufgebaut und kann nicht gelesen werden (%s).",
			"Result: not accepted. The mail is malformed and cannot be read (%s).", r.detail)
	}
	if e := r.refusal; e != nil {
		pct := strings.NewReplacer("%", "%%")
		t("Ergebnis: nicht angenommen, nichts wurde abgelegt. Grund (%s): "+pct.Replace(e.MessageDE)+".",
			"Result: not accepted, nothing was filed. Reason (%s): "+pct.Replace(e.Message)+".", e.Code)
		t("Angenommen werden XRechnung (UBL oder CII) als XML und hybride Rechnungen (ZUGFeRD 2.x / Factur-X 1.0 im Profil EN 16931 oder XRECHNUNG) als PDF mit eingebetteter XML.",
			"Accepted are XRechnung (UBL or CII) as XML and hybrid invoices (ZUGFeRD 2.x / Factur-X 1.0 of the profile EN 16931 or XRECHNUNG) as a PDF with the XML embedded.")
		return
	}
	if r.receipt == nil {
		if r.reason == ReasonDuplicate {
			t("Ergebnis: nicht angenommen. Eine E-Mail mit derselben Message-ID (%s) ist bereits eingegangen; diese wurde nicht verarbeitet und nichts aus ihr abgelegt. Bitte senden Sie die Rechnung in einer neuen E-Mail.",
				"Result: not accepted. A mail with the same Message-ID (%s) came before; this one was not processed and nothing of it was filed. Please send the invoice again in a new mail.", r.detail)
		}
		return
	}
	o := r.receipt.Outcome
	if r.first != nil {
		o = *r.first
		t("Ergebnis: diese Rechnung ist bereits unter der Eingangsnummer %s eingegangen und wurde nicht erneut abgelegt.",
			"Result: this invoice was received before under receipt id %s and was not filed again.", r.receipt.ID)
	}
	if o.Format == ingest.FormatPDF {
		profile := o.Profile
		if profile == "" {
			profile = "?"
		}
		t("Eingegangen als hybride Rechnung (PDF mit eingebetteter XML, Profil %s); geprüft und maßgeblich ist die XML, die Seiten des PDF sind eine Ansicht.",
			"Received as a hybrid invoice (PDF with embedded XML, profile %s); the XML is what was checked and is legally binding, the PDF's pages are a view.", profile)
	}
	if o.Malware != "" {
		t("Ergebnis: abgelehnt. Die Virenprüfung fand Schadsoftware (%s); die Rechnung wurde nicht zugestellt. Bitte prüfen Sie Ihr System und senden Sie die Rechnung ohne sie erneut.",
			"Result: rejected. The malware scan found %s; the invoice was not delivered. Please check your system and send the invoice again without it.", o.Malware)
		return
	}
	switch o.Status {
	case ingest.StatusRouted:
		t("Ergebnis: angenommen und an %s weitergeleitet (Leitweg-ID %s).", "Result: accepted and forwarded to %s (Leitweg-ID %s).", r.muniName, o.LeitwegID)
	case ingest.StatusClearing:
		t("Ergebnis: angenommen. Eine Verwaltung wurde nicht gefunden; die Rechnung wird von Hand zugeordnet. Grund: %s",
			"Result: accepted. No administration was found; the invoice will be routed by hand. Reason: %s", o.ClearingReason)
	case ingest.StatusRejected:
		t("Ergebnis: abgelehnt. Die Rechnung ist keine gültige XRechnung (%s); bitte korrigieren und erneut senden.",
			"Result: rejected. The invoice is not a valid XRechnung (%s); please correct it and send it again.", o.RejectReason)
	}
}

// maxFindings is how many findings the text lists; report.json has all.
const maxFindings = 20

func (r *result) findings(b *strings.Builder, lang string) {
	n := 0
	for _, f := range r.receipt.Findings {
		if !f.Counted {
			continue
		}
		if n == 0 {
			b.WriteString(map[string]string{"de": "\nBefunde:\n", "en": "\nFindings:\n"}[lang])
		}
		n++
		if n > maxFindings {
			continue
		}
		msg := f.Message
		if lang == "de" && f.MessageDE != "" {
			msg = f.MessageDE
		}
		level := string(f.Level)
		if de, ok := map[string]string{"error": "Fehler", "warning": "Warnung", "information": "Hinweis"}[level]; ok && lang == "de" {
			level = de
		}
		fmt.Fprintf(b, "- %s %s: %s\n", level, f.Rule, msg)
	}
	if n > maxFindings {
		fmt.Fprintf(b, map[string]string{"de": "- … und %d weitere (siehe report.json)\n", "en": "- … and %d more (see report.json)\n"}[lang], n-maxFindings)
	}
}

// report returns the JSON report to attach, or nil.
func (r *result) report() []byte {
	if r.receipt == nil || r.receipt.Report == nil {
		return nil
	}
	b, err := json.MarshalIndent(struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Report any    `json:"report"`
	}{r.receipt.ID, string(r.receipt.Status), r.receipt.Report}, "", "  ")
	if err != nil {
		return nil
	}
	return b
}

// subjectLine is the reply's subject.
func (r *result) subjectLine(subject string) string {
	s := "Eingangsbestätigung / receipt"
	if r.reason != "" && r.reason != ReasonInvalid {
		s = "Nicht angenommen / not accepted"
	}
	if subject = echo(subject); subject == "" {
		return s
	}
	return s + ": Re: " + subject
}
