// Package invoice validates XRechnung invoices (UBL 2.1 Invoice and
// CreditNote, UN/CEFACT CII D16B) exactly as the KoSIT reference validator
// does, and reads their EN 16931 model.
//
// Validate checks one document with the default Validator; NewValidator
// compiles the rule table once for many documents, and WithLimits bounds
// what its parser accepts. A Report holds the verdict, the matched
// scenario and the Findings (rule id, level, location, English and German
// message). Validator.Model reads the model of a document validated
// before, without running rules, and Render writes it as a readable page.
package invoice
