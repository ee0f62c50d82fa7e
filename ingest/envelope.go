package ingest

import (
	"crypto/sha256"
	"encoding/hex"
)

// ChannelData is what a channel that receives documents in an envelope of
// its own (the PEPPOL-style channel's StandardBusinessDocument) adds to a
// Submission.
type ChannelData struct {
	// Envelope, if set, is the whole message the document came in. It is
	// archived beside the original, write-once and retained like it.
	Envelope []byte
	// Key, if set, names the message within its channel (for PEPPOL the
	// access point's certificate identity, the SBDH sender and the
	// InstanceIdentifier). A submission with a key seen
	// before is a duplicate of the first, whatever its bytes; Submit keeps
	// nothing of it when the first is already filed.
	Key string
	// Expect, if set, is what the envelope says of the document. Submit
	// refuses a document that says otherwise with a *RefusedError, before
	// anything of it is kept.
	Expect *Expect
	// Details are kept in the submission's envelope (Meta), e.g. the
	// client certificate that authenticated the sender.
	Details map[string]string
	// XMLOnly says the channel takes invoice XML only: Submit refuses a
	// PDF with a *PDFError (CodeXMLOnly) and keeps nothing of it.
	XMLOnly bool
	// Beside, if set with a PDF as Data, is an invoice XML that came with
	// it (one mail): see Pipeline.Submit in hybrid.go.
	Beside *Beside
}

// ChannelMeta is what Meta keeps of a submission's ChannelData.
type ChannelMeta struct {
	Key            string            `json:"key,omitempty"`
	EnvelopeSHA256 string            `json:"envelope_sha256,omitempty"`
	Details        map[string]string `json:"details,omitempty"`
}

func (c ChannelData) meta() ChannelMeta {
	m := ChannelMeta{Key: c.Key, Details: c.Details}
	if c.Envelope != nil {
		sum := sha256.Sum256(c.Envelope)
		m.EnvelopeSHA256 = hex.EncodeToString(sum[:])
	}
	return m
}

// Expect is what a channel's envelope says of the document it carries.
// Empty fields are not checked.
type Expect struct {
	LeitwegID     string // the addressee: must be the invoice's BT-10 (compared as Leitweg-IDs)
	Specification string // must be the invoice's BT-24, exactly
}

// Reasons of a RefusedError.
const (
	RefusedLeitwegID     = "leitweg-id-mismatch"
	RefusedSpecification = "specification-mismatch"
)

// A RefusedError says that Submit kept nothing of a submission because its
// document contradicts its envelope (Expect).
type RefusedError struct {
	Reason string // one of the Refused constants
	Detail string
}

func (e *RefusedError) Error() string { return "ingest: refused (" + e.Reason + "): " + e.Detail }
