package invoice

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

// The readable view of an invoice. html/template escapes every value: the
// invoice's text is the sender's, and untrusted.

//go:embed render.html
var renderHTML string

var renderTemplate = template.Must(template.New("invoice").Funcs(template.FuncMap{
	"party": func(title, id, group string, p Party) any {
		return struct {
			Title, ID, Group string
			P                Party
		}{title, id, group, p}
	},
}).Parse(renderHTML))

// Render writes a readable HTML page of the invoice, in German with the
// business term numbers. It is a view: the original document stays the
// legal record.
func Render(w io.Writer, inv *Invoice) error {
	kind := "Rechnung"
	if inv.Doc == UBLCreditNote || inv.TypeCode.Value == "381" {
		kind = "Gutschrift"
	}
	if err := renderTemplate.Execute(w, struct {
		Kind string
		Inv  *Invoice
	}{kind, inv}); err != nil {
		return fmt.Errorf("invoice: render: %w", err)
	}
	return nil
}
