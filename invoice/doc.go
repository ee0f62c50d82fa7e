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
// The rules themselves are internal: each family's definitions (context
// and test, per syntax) live in rules_<family>_<syntax>.go, with the
// helpers both syntaxes use in rules_<family>_common.go, and what each rule
// id means (its flag and messages, once for both syntaxes) in
// catalogue_<family>.go. The XML parser and path engine are in
// invoice/internal/xmltree.
package invoice
