package invoice

import (
	"fmt"
	"sync"

	"github.com/eingang/eingang/schemas"
)

// The catalogue says what each rule means, once per id, whatever the
// syntax: its flag and what to fix, in English and German. A rule
// definition holds only its context and its test; where one syntax truly
// needs other words (another element name, a test that differs from the
// other syntax's), the definition overrides Flag or the messages.

// A ruleDoc is the meaning of a rule id.
type ruleDoc struct {
	Flag               ruleFlag
	Message, MessageDE string
}

// catalogues lists the catalogue of every family, by file; the
// restriction tables' are built when the first rule table is.
var catalogues = sync.OnceValue(func() []map[string]ruleDoc {
	return []map[string]ruleDoc{
		brDocs,                                   // catalogue_br.go
		brcoDocs,                                 // catalogue_brco.go
		brdecDocs,                                // catalogue_brdec.go
		clDocs,                                   // catalogue_cl.go
		crDocs,                                   // catalogue_cr.go
		restrictionDocs(schemas.UBLRestrictions), // catalogue_cr.go
		restrictionDocs(schemas.CIIRestrictions), // catalogue_cr.go
		peppolDocs,                               // catalogue_peppol.go
		srDocs,                                   // catalogue_sr.go
		vatDocs,                                  // catalogue_vat.go
		xrDocs,                                   // catalogue_xr.go
	}
})

// documentWith fills in each rule's flag and messages from the catalogue
// lookup returns, where the definition does not give them.
func documentWith(rules []rule, lookup func(id string) (ruleDoc, bool)) []rule {
	for i := range rules {
		r := &rules[i]
		if r.ID == "" || r.Flag != "" && r.Message != "" {
			continue
		}
		d, ok := lookup(r.ID)
		if !ok {
			panic(fmt.Sprintf("invoice: rule %s has neither a catalogue entry nor its own message", r.ID))
		}
		if r.Flag == "" {
			r.Flag = d.Flag
		}
		if r.Message == "" {
			r.Message, r.MessageDE = d.Message, d.MessageDE
		}
	}
	return rules
}

// lookupDoc returns the catalogue entry of id.
func lookupDoc(id string) (ruleDoc, bool) {
	for _, c := range catalogues() {
		if d, ok := c[id]; ok {
			return d, true
		}
	}
	return ruleDoc{}, false
}
