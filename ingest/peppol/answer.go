package peppol

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/google/uuid"
)

// Namespaces of the answers.
const (
	NSReceipt             = "https://eingang.dev/ns/peppol-receipt"
	NSApplicationResponse = "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
	nsCAC                 = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
	nsCBC                 = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
)

// JSON returns the receipt as JSON.
func (rc *Receipt) JSON() []byte {
	b, _ := json.Marshal(rc) // strings and a time: cannot fail
	return append(b, '\n')
}

// XML returns the receipt as XML.
func (rc *Receipt) XML() []byte {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("Receipt")
	root.CreateAttr("xmlns", NSReceipt)
	for _, f := range [][2]string{
		{"ID", rc.ID}, {"InstanceIdentifier", rc.InstanceIdentifier},
		{"ReceivedAt", rc.ReceivedAt.UTC().Format(time.RFC3339Nano)},
		{"PayloadSHA256", rc.PayloadSHA256}, {"Status", rc.Status},
	} {
		root.CreateElement(f[0]).SetText(f[1])
	}
	return write(doc)
}

func write(doc *etree.Document) []byte {
	doc.Indent(2)
	b, _ := doc.WriteToBytes() // into memory: cannot fail
	return b
}

// MLR returns a PEPPOL Message Level Response rejecting the message (a UBL
// ApplicationResponse with response code RE): from the message's receiver
// to its sender, referring to its InstanceIdentifier, with one line
// response per line. A line whose rule is an envelope error code or
// starts with XSD or XML is a syntax violation (SV), any other a business
// rule violation (BV).
func MLR(env *Envelope, description string, lines []Line, now time.Time) []byte {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("ApplicationResponse")
	root.CreateAttr("xmlns", NSApplicationResponse)
	root.CreateAttr("xmlns:cac", nsCAC)
	root.CreateAttr("xmlns:cbc", nsCBC)
	root.CreateElement("cbc:CustomizationID").SetText("urn:fdc:peppol.eu:poacc:trns:mlr:3")
	root.CreateElement("cbc:ProfileID").SetText("urn:fdc:peppol.eu:poacc:bis:mlr:3")
	root.CreateElement("cbc:ID").SetText(uuid.NewString())
	now = now.UTC()
	root.CreateElement("cbc:IssueDate").SetText(now.Format(time.DateOnly))
	root.CreateElement("cbc:IssueTime").SetText(now.Format(time.TimeOnly))
	for _, p := range []struct{ tag, id string }{{"cac:SenderParty", env.Receiver}, {"cac:ReceiverParty", env.Sender}} {
		scheme, value, ok := strings.Cut(p.id, ":")
		if !ok {
			continue
		}
		ep := root.CreateElement(p.tag).CreateElement("cbc:EndpointID")
		ep.CreateAttr("schemeID", scheme)
		ep.SetText(value)
	}
	dr := root.CreateElement("cac:DocumentResponse")
	resp := dr.CreateElement("cac:Response")
	resp.CreateElement("cbc:ResponseCode").SetText("RE")
	resp.CreateElement("cbc:Description").SetText(description)
	ref := env.InstanceIdentifier
	if ref == "" {
		ref = "NA"
	}
	dr.CreateElement("cac:DocumentReference").CreateElement("cbc:ID").SetText(ref)
	for _, l := range lines {
		lr := dr.CreateElement("cac:LineResponse")
		loc := l.Location
		if loc == "" {
			loc = "NA"
		}
		lr.CreateElement("cac:LineReference").CreateElement("cbc:LineID").SetText(loc)
		r := lr.CreateElement("cac:Response")
		r.CreateElement("cbc:ResponseCode").SetText("RE")
		r.CreateElement("cbc:Description").SetText("[" + l.Rule + "] " + l.Message)
		st := r.CreateElement("cac:Status")
		reason := "BV"
		if isSyntax(l.Rule) {
			reason = "SV"
		}
		st.CreateElement("cbc:StatusReasonCode").SetText(reason)
		st.CreateElement("cbc:StatusReason").SetText(l.Rule)
	}
	return write(doc)
}

// isSyntax reports whether a rule id is a structure or parse finding or an
// envelope error code.
func isSyntax(rule string) bool {
	return strings.HasPrefix(rule, "XSD") || strings.HasPrefix(rule, "XML-") || strings.ToLower(rule) == rule
}
