package pages

import (
	"html/template"
	"io/fs"
	"strings"
	"time"

	"github.com/eingang/eingang/invoice"
)

var funcs = template.FuncMap{
	// date formats a time for the page's language, in the server's zone.
	"date": func(lang string, t time.Time) string {
		if t.IsZero() {
			return ""
		}
		if lang == "de" {
			return t.Local().Format("02.01.2006 15:04")
		}
		return t.Local().Format("2006-01-02 15:04")
	},
	"day": func(lang string, t time.Time) string {
		if lang == "de" {
			return t.Local().Format("02.01.2006")
		}
		return t.Local().Format("2006-01-02")
	},
	// invoiceDate formats an invoice's date as the invoice view does.
	"invoiceDate": invoice.FormatDate,
	// money formats an amount as the invoice view does.
	"money": invoice.FormatMoney,
	// dict passes several values to a template.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// parseTemplates parses each page with the layout and the shared parts.
func parseTemplates() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/form.html"))
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic("pages: " + err.Error())
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "form" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(files, n))
	}
	return out
}
