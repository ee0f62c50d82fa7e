// Package peppol is the PEPPOL-style channel: access points deliver a
// Standard Business Document (an SBDH envelope around a UBL Invoice or
// CreditNote or a CII invoice) over HTTPS with client certificates; the
// channel checks the envelope, hands the invoice to the pipeline and
// answers with a receipt or a PEPPOL Message Level Response.
//
// The envelope handling works on bytes and knows no transport: Parse reads
// and checks an SBD, and a Receiver takes one from whatever received it
// (Handler here; an AS4 receiver could sit in front of the same Receive).
package peppol

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/eingang/eingang/leitweg"
)

// Namespaces and identifiers of the envelope.
const (
	NSSBDH        = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
	Authority     = "iso6523-actorid-upis" // the PEPPOL participant identifier scheme
	LeitwegScheme = "0204"                 // the ISO 6523 scheme of Leitweg-IDs
	ProcessID     = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// A Syntax is one kind of payload the channel takes.
type Syntax struct {
	Namespace, Local, Version string
}

// The payloads the channel takes: root element and the syntax version that
// DocumentIdentification and DOCUMENTID must name.
var (
	UBLInvoice    = Syntax{"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice", "2.1"}
	UBLCreditNote = Syntax{"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote", "2.1"}
	CIIInvoice    = Syntax{"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100", "CrossIndustryInvoice", "D16B"}
	syntaxes      = []Syntax{UBLInvoice, UBLCreditNote, CIIInvoice}
)

// An Envelope is a checked Standard Business Document.
type Envelope struct {
	Sender             string // participant id, e.g. 9930:de123456789
	Receiver           string // participant id, 0204:<Leitweg-ID>
	LeitwegID          string // the receiver's Leitweg-ID, canonical
	InstanceIdentifier string
	Syntax             Syntax
	CustomizationID    string // from DOCUMENTID: must be the invoice's BT-24
	// Payload is the invoice as it stands in the SBD, byte for byte; only
	// namespace declarations it inherits from the envelope are added to
	// its root tag, so that it stands alone.
	Payload []byte
}

// An Error is a problem of an envelope, with a stable code.
type Error struct {
	Code   string // one of the Code constants
	Detail string
}

func (e *Error) Error() string { return "peppol: " + e.Code + ": " + e.Detail }

// Error codes. Each names one check; an answer carries exactly one.
const (
	CodeTooLarge        = "too-large"              // 413: the SBD is larger than the limit
	CodeEmpty           = "empty-body"             // nothing was sent
	CodeMediaType       = "unsupported-media-type" // 415: not application/xml or text/xml
	CodeNotWellformed   = "not-wellformed"         // not well-formed XML, or a DOCTYPE
	CodeEncoding        = "encoding"               // not UTF-8
	CodeNotSBD          = "not-sbd"                // the root is not a StandardBusinessDocument
	CodeMissing         = "missing-element"        // a required part of the header is absent or empty
	CodeRepeated        = "repeated-element"       // a part of the header, or the payload, occurs twice
	CodeHeaderVersion   = "header-version"         // HeaderVersion is not 1.0
	CodeAuthority       = "identifier-authority"   // Sender or Receiver Identifier not iso6523-actorid-upis
	CodeReceiverScheme  = "receiver-scheme"        // the receiver is not scheme 0204
	CodeReceiverID      = "receiver-leitweg-id"    // the receiver is not a well-formed Leitweg-ID
	CodeCheckDigits     = "receiver-check-digits"  // the receiver's Leitweg-ID has wrong check digits
	CodeUnknown         = "receiver-unknown"       // no municipality of the directory has the Leitweg-ID
	CodeReceiverInvoice = "receiver-mismatch"      // the receiver is not the invoice's BT-10
	CodeDocumentType    = "document-type"          // Standard, Type or TypeVersion do not match the payload
	CodeDocumentID      = "document-id"            // DOCUMENTID does not match the payload's root and syntax
	CodeCustomization   = "customization-mismatch" // DOCUMENTID's customization is not the invoice's BT-24
	CodeProcessID       = "process-id"             // PROCESSID is not the billing process
	CodeNoPayload       = "no-payload"             // the SBD holds no document after its header
	CodeNotInvoice      = "not-an-invoice"         // the payload is not a UBL Invoice/CreditNote or CII invoice
	CodeReused          = "instance-id-reused"     // 409: the InstanceIdentifier came before with another payload
	CodeUnavailable     = "unavailable"            // 503: nothing was kept; send again
)

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}

var encodingDecl = regexp.MustCompile(`encoding\s*=\s*["']([^"']*)["']`)

// Parse reads a Standard Business Document and checks its envelope against
// its payload. Every problem is an *Error; the envelope returned with it
// holds what was read before the problem (for the answer). Parse checks
// what the bytes alone tell: whether the directory knows the receiver is
// the Receiver's to check, and whether the invoice's BT-10 and BT-24 agree
// with the envelope the pipeline's.
func Parse(data []byte) (*Envelope, error) {
	env := &Envelope{}
	err := env.parse(data)
	return env, err
}

func (env *Envelope) parse(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errorf(CodeEmpty, "the body is empty: send a StandardBusinessDocument")
	}
	if !utf8.Valid(data) {
		return errorf(CodeEncoding, "the document is not UTF-8")
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil {
		return errorf(CodeNotWellformed, "the document is not well-formed XML: %v", err)
	}
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Directive:
			return errorf(CodeNotWellformed, "a DOCTYPE or other declaration is not allowed")
		case *etree.ProcInst:
			if m := encodingDecl.FindStringSubmatch(t.Inst); t.Target == "xml" && m != nil && !strings.EqualFold(m[1], "UTF-8") {
				return errorf(CodeEncoding, "the document declares encoding %q: send UTF-8", m[1])
			}
		}
	}
	root := doc.Root()
	if root == nil || root.NamespaceURI() != NSSBDH || root.Tag != "StandardBusinessDocument" {
		return errorf(CodeNotSBD, "the root element must be {%s}StandardBusinessDocument", NSSBDH)
	}
	hdr, err := one(root, "StandardBusinessDocumentHeader")
	if err != nil {
		return err
	}
	version, err := text(hdr, "HeaderVersion")
	if err != nil {
		return err
	}
	if version != "1.0" {
		return errorf(CodeHeaderVersion, "HeaderVersion is %q, must be 1.0", version)
	}
	if env.Sender, err = party(hdr, "Sender"); err != nil {
		return err
	}
	if env.Receiver, err = party(hdr, "Receiver"); err != nil {
		return err
	}
	di, err := one(hdr, "DocumentIdentification")
	if err != nil {
		return err
	}
	var standard, typ, typeVersion string
	for _, f := range []struct {
		name string
		v    *string
	}{{"InstanceIdentifier", &env.InstanceIdentifier}, {"Standard", &standard}, {"Type", &typ}, {"TypeVersion", &typeVersion}} {
		if *f.v, err = text(di, f.name); err != nil {
			return err
		}
	}
	if err := env.checkReceiver(); err != nil {
		return err
	}
	scopes, err := scopes(hdr)
	if err != nil {
		return err
	}
	if scopes["PROCESSID"] != ProcessID {
		return errorf(CodeProcessID, "PROCESSID is %q, must be %s", scopes["PROCESSID"], ProcessID)
	}

	payload, err := payloadOf(root)
	if err != nil {
		return err
	}
	ns := payload.NamespaceURI()
	for _, s := range syntaxes {
		if s.Namespace == ns && s.Local == payload.Tag {
			env.Syntax = s
		}
	}
	if env.Syntax == (Syntax{}) {
		return errorf(CodeNotInvoice, "the payload {%s}%s is not an invoice: send a UBL 2.1 Invoice or CreditNote or a UN/CEFACT CII CrossIndustryInvoice", ns, payload.Tag)
	}
	s := env.Syntax
	if standard != s.Namespace || typ != s.Local || typeVersion != s.Version {
		return errorf(CodeDocumentType, "DocumentIdentification names Standard %q, Type %q, TypeVersion %q; the payload is %s %s %s", standard, typ, typeVersion, s.Namespace, s.Local, s.Version)
	}
	docID := scopes["DOCUMENTID"]
	prefix, suffix := s.Namespace+"::"+s.Local+"##", "::"+s.Version
	if !strings.HasPrefix(docID, prefix) || !strings.HasSuffix(docID, suffix) || len(docID) <= len(prefix)+len(suffix) {
		return errorf(CodeDocumentID, "DOCUMENTID is %q, must be %s<CustomizationID>%s for this payload", docID, prefix, suffix)
	}
	env.CustomizationID = docID[len(prefix) : len(docID)-len(suffix)]
	if env.Payload, err = payloadBytes(data, root, payload); err != nil {
		return err
	}
	return nil
}

// checkReceiver checks that the receiver is a Leitweg-ID under scheme 0204.
func (env *Envelope) checkReceiver() error {
	scheme, id, ok := strings.Cut(env.Receiver, ":")
	if !ok || scheme != LeitwegScheme {
		return errorf(CodeReceiverScheme, "the receiver %q is not addressed by Leitweg-ID: write %s:<Leitweg-ID>", env.Receiver, LeitwegScheme)
	}
	lw, err := leitweg.Parse(id)
	switch {
	case errors.Is(err, leitweg.ErrCheckDigits):
		return errorf(CodeCheckDigits, "the receiver's Leitweg-ID: %v", err)
	case err != nil:
		return errorf(CodeReceiverID, "the receiver's Leitweg-ID: %v", err)
	}
	env.LeitwegID = lw.String()
	return nil
}

// children returns the child elements of e in the SBDH namespace with the
// local name.
func children(e *etree.Element, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == NSSBDH {
			out = append(out, c)
		}
	}
	return out
}

// one returns the only child of e with the local name.
func one(e *etree.Element, local string) (*etree.Element, error) {
	switch cs := children(e, local); len(cs) {
	case 0:
		return nil, errorf(CodeMissing, "%s has no %s", e.Tag, local)
	case 1:
		return cs[0], nil
	default:
		return nil, errorf(CodeRepeated, "%s has %d %s, must have one", e.Tag, len(cs), local)
	}
}

// text returns the trimmed text of the only child of e with the local
// name, which must not be empty.
func text(e *etree.Element, local string) (string, error) {
	c, err := one(e, local)
	if err != nil {
		return "", err
	}
	t := strings.TrimSpace(c.Text())
	if t == "" {
		return "", errorf(CodeMissing, "%s/%s is empty", e.Tag, local)
	}
	return t, nil
}

// party reads the participant identifier of Sender or Receiver.
func party(hdr *etree.Element, local string) (string, error) {
	p, err := one(hdr, local)
	if err != nil {
		return "", err
	}
	id, err := one(p, "Identifier")
	if err != nil {
		return "", err
	}
	if a := id.SelectAttrValue("Authority", ""); a != Authority {
		return "", errorf(CodeAuthority, "%s/Identifier has Authority %q, must be %s", local, a, Authority)
	}
	v := strings.TrimSpace(id.Text())
	if v == "" {
		return "", errorf(CodeMissing, "%s/Identifier is empty", local)
	}
	return v, nil
}

// scopes returns the InstanceIdentifier of each BusinessScope/Scope by its
// Type; DOCUMENTID and PROCESSID must be there once each.
func scopes(hdr *etree.Element) (map[string]string, error) {
	bs, err := one(hdr, "BusinessScope")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, sc := range children(bs, "Scope") {
		typ, err := text(sc, "Type")
		if err != nil {
			return nil, err
		}
		if _, dup := m[typ]; dup && (typ == "DOCUMENTID" || typ == "PROCESSID") {
			return nil, errorf(CodeRepeated, "BusinessScope has more than one Scope %s", typ)
		}
		if m[typ], err = text(sc, "InstanceIdentifier"); err != nil {
			return nil, err
		}
	}
	for _, typ := range []string{"DOCUMENTID", "PROCESSID"} {
		if _, ok := m[typ]; !ok {
			return nil, errorf(CodeMissing, "BusinessScope has no Scope %s", typ)
		}
	}
	return m, nil
}

// payloadOf returns the one element after the header.
func payloadOf(root *etree.Element) (*etree.Element, error) {
	var out []*etree.Element
	for _, c := range root.ChildElements() {
		if !(c.Tag == "StandardBusinessDocumentHeader" && c.NamespaceURI() == NSSBDH) {
			out = append(out, c)
		}
	}
	switch len(out) {
	case 0:
		return nil, errorf(CodeNoPayload, "the StandardBusinessDocument holds no document after its header")
	case 1:
		return out[0], nil
	}
	return nil, errorf(CodeRepeated, "the StandardBusinessDocument holds %d documents after its header, must hold one", len(out))
}

// payloadBytes cuts the payload out of the SBD as it stands there, and
// adds to its root tag the namespace declarations it inherits.
func payloadBytes(data []byte, root, payload *etree.Element) ([]byte, error) {
	// The payload is the index-th child element of the root.
	index := 0
	for _, c := range root.ChildElements() {
		if c == payload {
			break
		}
		index++
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, n, start := 0, -1, int64(-1)
	for {
		before := dec.InputOffset()
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil, errorf(CodeNotWellformed, "the payload's end was not found")
		} else if err != nil {
			return nil, errorf(CodeNotWellformed, "the document is not well-formed XML: %v", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				if n++; n == index {
					start = before
				}
			}
		case xml.EndElement:
			depth--
			if depth == 1 && start >= 0 {
				return standalone(data[start:dec.InputOffset()], payload), nil
			}
		}
	}
}

// standalone adds to the payload's root tag the declarations of namespace
// prefixes that the payload uses and only the envelope declares.
func standalone(b []byte, payload *etree.Element) []byte {
	used, declared := map[string]bool{}, map[string]bool{}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		used[e.Space] = true
		for _, a := range e.Attr {
			switch {
			case a.Space == "xmlns":
				declared[a.Key] = true
			case a.Space == "" && a.Key == "xmlns":
				declared[""] = true
			case a.Space != "" && a.Space != "xml":
				used[a.Space] = true
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(payload)
	var add bytes.Buffer
	for _, prefix := range sortedKeys(used) {
		if declared[prefix] {
			continue
		}
		uri, ok := inherited(payload.Parent(), prefix)
		if !ok {
			continue
		}
		if prefix == "" {
			add.WriteString(` xmlns="`)
		} else {
			add.WriteString(` xmlns:` + prefix + `="`)
		}
		xml.EscapeText(&add, []byte(uri))
		add.WriteString(`"`)
	}
	if add.Len() == 0 {
		return b
	}
	at := 1 + len(payload.FullTag())
	out := make([]byte, 0, len(b)+add.Len())
	out = append(out, b[:at]...)
	out = append(out, add.Bytes()...)
	return append(out, b[at:]...)
}

// inherited finds the namespace a prefix ("" for the default) is bound to
// at e.
func inherited(e *etree.Element, prefix string) (string, bool) {
	for ; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if prefix == "" && a.Space == "" && a.Key == "xmlns" || prefix != "" && a.Space == "xmlns" && a.Key == prefix {
				return a.Value, true
			}
		}
	}
	return "", false
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
