package view

import (
	"regexp"
	"strings"
	"testing"

	"github.com/eingang/eingang/invoice/internal/model"
	"github.com/eingang/eingang/schemas"
)

// TestRenderLabels checks that every label of the page has an English
// translation.
func TestRenderLabels(t *testing.T) {
	for _, m := range regexp.MustCompile(`\.T "([^"]+)"`).FindAllStringSubmatch(viewHTML, -1) {
		if _, ok := english[m[1]]; !ok {
			t.Errorf("label %q has no English translation", m[1])
		}
	}
	for _, s := range []string{"Verkäufer", "Käufer", "Zahlungsempfänger", "Steuervertreter des Verkäufers", "Rechnung", "Gutschrift"} {
		if _, ok := english[s]; !ok {
			t.Errorf("label %q has no English translation", s)
		}
	}
}

// TestCodeNames checks that each code the view names is one the validator
// accepts in that place, so that no name stands for a code that cannot
// occur.
func TestCodeNames(t *testing.T) {
	for name, c := range codeLists {
		if c.key == "" {
			continue
		}
		list := schemas.CodeList(c.key)
		if list == "" {
			t.Fatalf("%s: no code list %s", name, c.key)
		}
		for code := range c.names {
			if !strings.Contains(list, " "+code+" ") {
				t.Errorf("%s: code %s is not in the validator's list %s", name, code, c.key)
			}
		}
	}
}

// TestLocale checks the number, money, date and IBAN formats.
func TestLocale(t *testing.T) {
	de, en := locale{}, locale{en: true}
	for _, c := range []struct{ got, want string }{
		{de.Money(model.Amount{Raw: "1190.00", Currency: "EUR"}), "1.190,00 €"},
		{en.Money(model.Amount{Raw: "1190.00", Currency: "EUR"}), "€1,190.00"},
		{de.Money(model.Amount{Raw: "-1234567.5", Currency: "SEK"}), "-1.234.567,50 SEK"},
		{en.Money(model.Amount{Raw: "-1234567.5", Currency: "EUR"}), "-€1,234,567.50"},
		{en.Money(model.Amount{Raw: "12.3456", Currency: "USD"}), "USD 12.3456"},
		{de.Money(model.Amount{Raw: "12,5", Currency: "EUR"}), "12,5 €"}, // not a decimal: as written
		{de.Num("30.00000000000"), "30,00000000000"},
		{de.Percent(model.Text{Value: "19.00"}), "19 %"},
		{en.Percent(model.Text{Value: "5.5"}), "5.5%"},
		{de.Percent(model.Text{Value: "0"}), "0 %"},
		{de.Date(model.Text{Value: "2026-03-01"}), "01.03.2026"},
		{en.Date(model.Text{Value: "2026-03-01"}), "1 Mar 2026"},
		{de.Date(model.Text{Value: "20260301"}), "20260301"},
		{de.IBAN(model.Text{Value: "DE02120300000000202051"}), "DE02 1203 0000 0000 2020 51"},
		{de.IBAN(model.Text{Value: "123456"}), "123456"},
		{de.Size(500), "500 Bytes"},
		{de.Size(205800), "201,0 KB"},
		{en.Size(3 << 20), "3.0 MB"},
		{de.Code("unit", model.Text{Value: "H87"}), "Stück"},
		{en.Code("vat", model.Text{Value: "AE"}), "Reverse charge"},
		{de.Code("unit", model.Text{Value: "QQQ"}), "QQQ"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	for lang, want := range map[string]bool{"": false, "de": false, "en": true, "en-US": true,
		"de-DE,de;q=0.9,en;q=0.8": false, "fr-FR,en;q=0.5": true, "en;q=0.4,de;q=0.6": false, "fr": false} {
		if English(lang) != want {
			t.Errorf("English(%q) = %v", lang, !want)
		}
	}
}
