// Package view writes the readable page of an invoice's EN 16931 model,
// in German or English. Package invoice re-exports Render and its
// formatting helpers.
package view

import (
	"sync"

	"github.com/eingang/eingang/invoice/internal/model"
	"github.com/eingang/eingang/invoice/internal/xmltree"

	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

// The readable view of an invoice. html/template escapes every value: the
// invoice's text is the sender's, and untrusted.

//go:embed view.html
var viewHTML string

// renderTemplate is parsed when the first invoice is rendered: a command
// that renders none does not wait for it at start.
var renderTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("invoice").Funcs(template.FuncMap{
		"party": func(l locale, title, id, group string, p model.Party) any {
			return struct {
				L                locale
				Title, ID, Group string
				P                model.Party
			}{l, title, id, group, p}
		},
		"dict": func(l locale, v any) any {
			return struct {
				L locale
				V any
			}{l, v}
		},
	}).Parse(viewHTML))
})

// Render writes a readable HTML page of the invoice, with the business
// term numbers, code names instead of codes and local number and date
// formats. lang picks the language: "en" or an Accept-Language value that
// prefers English gives English, anything else German. The page is a view:
// the original document stays the legal record. Embedded attachments are
// linked as attachments/<n>, n counting the document's BG-24 from 1.
func Render(w io.Writer, inv *model.Invoice, lang string) error {
	l := locale{en: English(lang)}
	kind := l.Code("doc", inv.TypeCode)
	if kind == "" || kind == inv.TypeCode.Value {
		kind = l.T("Rechnung")
		if inv.Doc == model.UBLCreditNote {
			kind = l.T("Gutschrift")
		}
	}
	if err := renderTemplate().Execute(w, struct {
		L    locale
		Lang string
		Kind string
		Inv  *model.Invoice
	}{l, l.lang(), kind, inv}); err != nil {
		return fmt.Errorf("invoice: render: %w", err)
	}
	return nil
}

// English reports whether lang, a language tag or an HTTP Accept-Language
// value, prefers English to German.
func English(lang string) bool {
	best, bestQ := "", -1.0
	for _, part := range strings.Split(lang, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (primary == "en" || primary == "de") && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best == "en"
}

// FormatMoney writes an amount as the invoice view does, for the language
// lang ("de", "en" or an Accept-Language value): 1.190,00 € or €1,190.00.
// A raw value that is no decimal is returned as written.
func FormatMoney(raw, currency, lang string) string {
	return locale{en: English(lang)}.Money(model.Amount{Raw: raw, Currency: currency})
}

// FormatDate writes a date of the model (YYYY-MM-DD) as the invoice view
// does for lang: 02.11.2026 or 2 Nov 2026; other values as written.
func FormatDate(value, lang string) string {
	return locale{en: English(lang)}.Date(model.Text{Value: value})
}

// A locale formats the view's labels, numbers, dates and codes in German
// or English.
type locale struct{ en bool }

func (l locale) lang() string {
	if l.en {
		return "en"
	}
	return "de"
}

// T translates a label of the page, written in German in the template.
func (l locale) T(de string) string {
	if !l.en {
		return de
	}
	if en, ok := english[de]; ok {
		return en
	}
	return de
}

// Code names a code of one of the view's lists ("doc", "unit", "vat",
// "means", "allowance", "charge", "note", "vatpoint"), or returns the code
// as written where the list does not name it.
func (l locale) Code(list string, t model.Text) string {
	c, ok := codeLists[list]
	if !ok {
		panic("invoice: render: no code list " + list)
	}
	if n := c.name(t.Value, l.en); n != "" {
		return n
	}
	return t.Value
}

// Named returns "name, code" for a code the list names, else the code.
func (l locale) Named(list string, t model.Text) string {
	if n := l.Code(list, t); n != t.Value {
		return n + ", " + t.Value
	}
	return t.Value
}

var codeLists = map[string]codeList{
	"doc": docTypeNames, "unit": unitNames, "vat": vatCategoryNames, "means": paymentMeansNames,
	"allowance": allowanceReasonNames, "charge": chargeReasonNames, "note": noteSubjectNames, "vatpoint": vatPointNames,
}

// Date formats a YYYY-MM-DD date as 13.04.2018 or 13 Apr 2018; other
// values as written.
func (l locale) Date(t model.Text) string {
	v := t.Value
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return v
	}
	y, m, d := v[:4], v[5:7], v[8:]
	if !l.en {
		return d + "." + m + "." + y
	}
	mi, err := strconv.Atoi(m)
	if err != nil || mi < 1 || mi > 12 {
		return v
	}
	return strings.TrimPrefix(d, "0") + " " + [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[mi-1] + " " + y
}

// Num formats a decimal as written with the language's separators:
// 1234.5 as 1.234,5 or 1,234.5. Other values are returned as written.
func (l locale) Num(s string) string { return l.decimal(s, 0) }

// Percent formats a rate: 19.00 as 19 %, 5.5 as 5,5 %.
func (l locale) Percent(t model.Text) string {
	v := t.Value
	if v == "" {
		return ""
	}
	if _, ok := xmltree.Dec(v); ok && strings.Contains(v, ".") {
		v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
	}
	if l.en {
		return l.Num(v) + "%"
	}
	return l.Num(v) + " %"
}

// Money formats an amount with at least two decimals and its currency:
// 1.190,00 € or €1,190.00; SEK 1,190.00 or 1.190,00 SEK.
func (l locale) Money(a model.Amount) string {
	if a.Raw == "" {
		return ""
	}
	n := l.decimal(a.Raw, 2)
	switch {
	case a.Currency == "":
		return n
	case a.Currency == "EUR" && l.en:
		if m, ok := strings.CutPrefix(n, "-"); ok {
			return "-€" + m
		}
		return "€" + n
	case a.Currency == "EUR":
		return n + " €"
	case l.en:
		return a.Currency + " " + n
	}
	return n + " " + a.Currency
}

// decimal regroups the decimal s, padding its fraction to minFrac digits.
func (l locale) decimal(s string, minFrac int) string {
	if _, ok := xmltree.Dec(s); !ok {
		return s
	}
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		if s[0] == '-' {
			sign = "-"
		}
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < minFrac {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	group, point := ".", ","
	if l.en {
		group, point = ",", "."
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString(point)
		b.WriteString(frac)
	}
	return b.String()
}

// IBAN writes an IBAN in groups of four; other account identifiers as
// written.
func (l locale) IBAN(t model.Text) string {
	v := strings.ReplaceAll(t.Value, " ", "")
	if len(v) < 15 || len(v) > 34 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z' || v[2] < '0' || v[2] > '9' {
		return t.Value
	}
	var b strings.Builder
	for i := 0; i < len(v); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v[i:min(i+4, len(v))])
	}
	return b.String()
}

// Size formats a file size: 512 Bytes, 12,3 KB, 1,2 MB.
func (l locale) Size(n int) string {
	unit := "Bytes"
	if l.en {
		unit = "bytes"
	}
	switch {
	case n < 1024:
		return strconv.Itoa(n) + " " + unit
	case n < 1024*1024:
		return l.Num(strconv.FormatFloat(float64(n)/1024, 'f', 1, 64)) + " KB"
	}
	return l.Num(strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64)) + " MB"
}

// Add returns a+b, for numbering from 1.
func (l locale) Add(a, b int) int { return a + b }

// english translates the page's German labels.
var english = map[string]string{
	"Rechnung":   "Invoice",
	"Gutschrift": "Credit note",
	"Lesbare Ansicht der Rechnungsdaten. Rechtlich maßgeblich ist allein das unverändert archivierte Original (XML).": "A readable view of the invoice data. Only the original (XML), archived unaltered, is legally binding.",
	"Rechnungsdatum":                 "Invoice date",
	"Rechnungsart":                   "Invoice type",
	"Fällig am":                      "Due date",
	"Leitweg-ID":                     "Leitweg-ID (buyer reference)",
	"Währung":                        "Currency",
	"USt-Währung":                    "VAT accounting currency",
	"Steuerzeitpunkt":                "VAT point date",
	"Steuerzeitpunkt nach":           "VAT point date code",
	"Leistungszeitraum":              "Invoicing period",
	"bis":                            "to",
	"Verweise":                       "References",
	"Projekt":                        "Project",
	"Vertrag":                        "Contract",
	"Bestellung":                     "Purchase order",
	"Auftrag des Verkäufers":         "Sales order",
	"Wareneingangsmeldung":           "Receiving advice",
	"Versandanzeige":                 "Despatch advice",
	"Ausschreibung/Los":              "Tender or lot",
	"Abgerechnetes Objekt":           "Invoiced object",
	"Buchungsreferenz des Käufers":   "Buyer accounting reference",
	"Vorausgegangene Rechnung":       "Preceding invoice",
	"vom":                            "of",
	"von":                            "of",
	"Verkäufer":                      "Seller",
	"Käufer":                         "Buyer",
	"Zahlungsempfänger":              "Payee",
	"Steuervertreter des Verkäufers": "Seller tax representative",
	"Kennung":                        "Identifier",
	"Registernummer":                 "Legal registration",
	"USt-IdNr.":                      "VAT ID",
	"Steuernummer":                   "Tax registration",
	"Rechtliche Angaben":             "Additional legal information",
	"Elektronische Adresse":          "Electronic address",
	"Kontakt":                        "Contact",
	"Telefon":                        "Phone",
	"E-Mail":                         "Email",
	"Lieferung":                      "Delivery",
	"Empfänger":                      "Deliver to",
	"Lieferort":                      "Location",
	"Lieferdatum":                    "Delivery date",
	"Anschrift":                      "Address",
	"Positionen":                     "Lines",
	"Nr.":                            "No.",
	"Bezeichnung":                    "Item",
	"Menge":                          "Quantity",
	"Einzelpreis":                    "Unit price",
	"USt":                            "VAT",
	"Netto":                          "Net",
	"je":                             "per",
	"Bruttopreis":                    "Gross price",
	"Preisnachlass":                  "Price discount",
	"Artikelnummer des Verkäufers":   "Seller's item ID",
	"Artikelnummer des Käufers":      "Buyer's item ID",
	"Artikelkennung":                 "Standard item ID",
	"Klassifikation":                 "Classification",
	"Herkunftsland":                  "Country of origin",
	"Bestellposition":                "Order line",
	"Objektkennung":                  "Object ID",
	"Buchungsreferenz":               "Accounting reference",
	"Zeitraum":                       "Period",
	"Nachlass":                       "Allowance",
	"Zuschlag":                       "Charge",
	"Nachlässe und Zuschläge":        "Allowances and charges",
	"Art":                            "Kind",
	"Grund":                          "Reason",
	"Grundbetrag":                    "Base amount",
	"Prozent":                        "Percent",
	"Betrag":                         "Amount",
	"Umsatzsteuer":                   "VAT",
	"Kategorie":                      "Category",
	"Satz":                           "Rate",
	"Bemessungsgrundlage":            "Taxable amount",
	"Steuer":                         "Tax",
	"Befreiungsgrund":                "Exemption reason",
	"Summen":                         "Totals",
	"Summe der Positionen":           "Sum of lines",
	"Nachlässe":                      "Allowances",
	"Zuschläge":                      "Charges",
	"Gesamt ohne USt":                "Total without VAT",
	"Umsatzsteuer in USt-Währung":    "VAT in accounting currency",
	"Gesamt mit USt":                 "Total with VAT",
	"Vorauszahlung":                  "Paid amount",
	"Rundung":                        "Rounding",
	"Zahlbetrag":                     "Amount due",
	"Zahlung":                        "Payment",
	"Bedingungen":                    "Terms",
	"Zahlungsart":                    "Payment means",
	"Verwendungszweck":               "Remittance information",
	"Kontoinhaber":                   "Account name",
	"Karte":                          "Card",
	"Karteninhaber":                  "Card holder",
	"Mandatsreferenz":                "Mandate reference",
	"Gläubiger-ID":                   "Creditor ID",
	"Belastetes Konto":               "Debited account",
	"Bemerkungen":                    "Notes",
	"Anlagen":                        "Attachments",
	"Dokument":                       "Document",
	"Beschreibung":                   "Description",
	"Datei":                          "File",
	"Typ":                            "Type",
	"Größe":                          "Size",
	"herunterladen":                  "download",
	"Verweis":                        "Link",
	"Prozess":                        "Business process",
	"Spezifikation":                  "Specification",
}
