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
// Rule releases: Releases lists the releases the validator carries (each
// with its parts, start day and changes, rule by rule), Options.Release
// names the one that judges, and otherwise a Schedule (Validator.WithSchedule)
// picks it by the document's day of receipt, with an optional transition
// window in which two run (Report.Transition).
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
// catalogue_<family>.go. The engine that runs them is engine.go (rules,
// contexts, patterns, compiling and running a table), families.go (the
// families' tables in the reference's order), catalogue.go and
// evidence.go; release.go holds what a release is and how its changes
// apply, and release_<name>.go what each release after the first changes.
// The XML parser and path engine are in invoice/internal/xmltree, the
// EN 16931 model in invoice/internal/model and the readable view in
// invoice/internal/view.
package invoice
