package invoice

import (
	"io"

	"github.com/eingang/eingang/invoice/internal/model"
	"github.com/eingang/eingang/invoice/internal/view"
)

// The EN 16931 model of an invoice (package invoice/internal/model) and its
// readable view (invoice/internal/view), apart from the rules: the
// validator reads the model of a document it parsed, and the rules never
// read it.

// An Invoice is the syntax-neutral EN 16931 view of a document: the
// business terms (BT-n) and groups (BG-n) the gateway routes, lists and
// renders by. Values keep the text as written and where it came from;
// money is exact (never float64).
type Invoice = model.Invoice

// The parts of an Invoice.
type (
	Text            = model.Text            // a value as written, with where it came from
	Amount          = model.Amount          // a sum of money, exact, with its currency
	Note            = model.Note            // an invoice note (BG-1)
	References      = model.References      // the document references
	Reference       = model.Reference       // one reference with its identifier and date
	Party           = model.Party           // a seller, buyer, payee or tax representative
	Address         = model.Address         // a postal address
	Contact         = model.Contact         // a contact point
	Delivery        = model.Delivery        // delivery information (BG-13)
	Period          = model.Period          // an invoicing period
	PaymentMeans    = model.PaymentMeans    // payment instructions (BG-16)
	AllowanceCharge = model.AllowanceCharge // a document or line allowance or charge
	VATBreakdown    = model.VATBreakdown    // a VAT breakdown (BG-23)
	Attachment      = model.Attachment      // an additional supporting document (BG-24)
	Line            = model.Line            // an invoice line (BG-25)
	Attribute       = model.Attribute       // an item attribute (BG-32)
)

// A DocType is the kind of document by its root element.
type DocType = model.DocType

// The document types.
const (
	UnknownDoc    = model.UnknownDoc
	UBLInvoice    = model.UBLInvoice
	UBLCreditNote = model.UBLCreditNote
	CIIInvoice    = model.CIIInvoice
)

// read maps a parsed UBL or CII document to the model.
func read(root *node) (*Invoice, error) { return model.Read(root) }

// Render writes a readable HTML page of the invoice, with the business
// term numbers, code names instead of codes and local number and date
// formats. lang picks the language: "en" or an Accept-Language value that
// prefers English gives English, anything else German. The page is a view:
// the original document stays the legal record. Embedded attachments are
// linked as attachments/<n>, n counting the document's BG-24 from 1.
func Render(w io.Writer, inv *Invoice, lang string) error { return view.Render(w, inv, lang) }

// English reports whether lang, a language tag or an HTTP Accept-Language
// value, prefers English to German.
func English(lang string) bool { return view.English(lang) }

// FormatMoney writes an amount as the invoice view does, for the language
// lang ("de", "en" or an Accept-Language value): 1.190,00 € or €1,190.00.
// A raw value that is no decimal is returned as written.
func FormatMoney(raw, currency, lang string) string { return view.FormatMoney(raw, currency, lang) }

// FormatDate writes a date of the model (YYYY-MM-DD) as the invoice view
// does for lang: 02.11.2026 or 2 Nov 2026; other values as written.
func FormatDate(value, lang string) string { return view.FormatDate(value, lang) }
