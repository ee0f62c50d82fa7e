// Package invoice validates XRechnung invoices (UBL 2.1 Invoice and
// CreditNote, UN/CEFACT CII D16B) exactly as the KoSIT reference validator
// does, and reads their EN 16931 model.
//
// Validate checks one document with the default Validator; NewValidator
// compiles the rule table once for many documents, WithLimits bounds what
// its parser accepts, and Options ask for every rule's findings (AllRules)
// or the model (Model) as well. A Report holds the verdict (Accepted, with
// one of the Reject reasons otherwise), the matched scenario and the
// Findings (rule id, Level, location, English and German message); it
// writes itself as text (WriteText) and as JSON. Validator.Model reads the
// model of a document validated before, without running rules, Render
// writes it as a readable page in the language English picks, and an
// Attachment gives the content of an embedded document. SpecXRechnung and
// its kin are the specification identifiers (BT-24) the configuration
// knows.
//
// The rules themselves are internal. The BR, BR-DEC, BR-CL, PEPPOL and
// XRechnung families have one table in rules_<family>_common.go, a row an
// id with its UBL and its CII context and test, where a test both syntaxes
// run alike is written once and given each syntax's paths; the contexts
// and tests of one syntax alone live in rules_<family>_<syntax>.go, as do
// the tables of the families whose tests differ per syntax (BR-CO, the
// VAT categories) and of the syntax families, with their shared helpers in
// rules_<family>_common.go. What each rule id
// means (its flag and messages, once for both syntaxes) is in
// catalogue_<family>.go. The XML parser and path engine are in
// invoice/internal/xmltree.
package invoice
