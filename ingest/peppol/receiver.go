package peppol

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/eingang/eingang/ingest"
)

// Channel is the channel name of PEPPOL submissions.
const Channel = "peppol"

// Config configures a Receiver.
type Config struct {
	Pipeline *ingest.Pipeline
	// Known reports whether the directory has a municipality for a
	// Leitweg-ID (canonical form). Nil: every Leitweg-ID is known.
	Known   func(leitwegID string) bool
	Metrics *ingest.Metrics // may be nil
	Logger  *slog.Logger
	// MaxBytes is the largest SBD taken, in bytes (default 20 MB).
	MaxBytes int64
}

// A Receiver takes Standard Business Documents from a transport, checks
// them and hands their invoices to the pipeline. It is safe for concurrent
// use.
type Receiver struct {
	cfg     Config
	mu      sync.Mutex
	flights map[string]*flight
}

// A flight is a submission under way; the same message arriving meanwhile
// waits for its result instead of being kept a second time.
type flight struct {
	done chan struct{}
	res  *Result
}

// New returns a Receiver.
func New(cfg Config) *Receiver {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 20 << 20
	}
	return &Receiver{cfg: cfg, flights: map[string]*flight{}}
}

// A Peer is the authenticated access point that sent a message.
type Peer struct {
	Subject string // the client certificate's subject (RFC 2253)
	Issuer  string // its issuer (RFC 2253)
	Serial  string // its serial number, decimal
}

// PeerOf returns the access point a verified client certificate
// authenticates.
func PeerOf(c *x509.Certificate) Peer {
	return Peer{Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: c.SerialNumber.String()}
}

// identity names the access point in the keys of its messages: the
// SHA-256 (hex) of its certificate's issuer and subject.
//
// The binding is to the name the CA certified, not to the key or the
// certificate: an access point's certificate is renewed every few years,
// as a rule with a new key pair, and a message it sends again across a
// renewal is still the same message (the first receipt, not a second
// filing; another payload under its InstanceIdentifier still a reuse).
// The subject of a PEPPOL access point certificate carries its seat ID,
// which its CA gives to one access point only; the issuer keeps apart
// equal subjects of two CAs in client_ca_file. This trusts the CA for no
// more than the TLS handshake already does: whoever the CA certifies
// under a subject can send as that access point in any case. It no
// longer matches once the CA certifies the access point under another
// subject, or a new CA generation with another name issues its
// certificate; a message sent again after that is kept as a new one (the
// same payload is then a duplicate of the invoice by its bytes).
func (p Peer) identity() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s%d:%s", len(p.Issuer), p.Issuer, len(p.Subject), p.Subject))
	return hex.EncodeToString(sum[:])
}

// legacyKey is the key under which messages were kept before keys named
// the access point: sender and InstanceIdentifier.
func legacyKey(env *Envelope) string { return env.Sender + " " + env.InstanceIdentifier }

// A Receipt tells the sender that its invoice was kept, and where it went.
type Receipt struct {
	ID                 string    `json:"id"`
	InstanceIdentifier string    `json:"instance_identifier"`
	ReceivedAt         time.Time `json:"received_at"`
	PayloadSHA256      string    `json:"payload_sha256"`
	// Status is routed, clearing, rejected, duplicate (the same invoice
	// came before under another InstanceIdentifier; ID is the first's) or
	// pending (the first of this message is still being filed).
	Status string `json:"status"`
}

// A Line is one failed rule of a rejected invoice, or the one problem of a
// refused envelope.
type Line struct {
	Rule     string // rule id (BR-CO-10, XSD-…) or error code (receiver-unknown)
	Location string // XPath of the element concerned, if known
	Message  string
}

// A Result is the outcome of one message, independent of the transport.
type Result struct {
	// Envelope is what was read of the SBD; partial when Err is an *Error
	// of the envelope.
	Envelope *Envelope
	// Receipt is set when the invoice was kept (filed, rejected) or came
	// before.
	Receipt *Receipt
	// Again is set when the message (access point, sender and
	// InstanceIdentifier) came before: Receipt and Rejected are the first
	// answer's.
	Again bool
	// Rejected lists the failed rules of a rejected invoice.
	Rejected []Line
	// Err is an *Error when the message was refused (nothing of it was
	// kept), any other error when it could not be kept (send again).
	Err error
}

// Receive checks one SBD and hands its invoice to the pipeline. peer is
// the access point the transport authenticated (PeerOf its certificate).
// A message is the same as one before when the same access point (its
// certificate's issuer and subject, so a renewed certificate too) sent
// the same sender and InstanceIdentifier; another access point's message
// with that sender and InstanceIdentifier is a message of its own.
func (r *Receiver) Receive(ctx context.Context, sbd []byte, peer Peer) *Result {
	env, err := Parse(sbd)
	if err == nil && r.cfg.Known != nil && !r.cfg.Known(env.LeitwegID) {
		err = errorf(CodeUnknown, "no municipality in the directory has Leitweg-ID %s", env.LeitwegID)
	}
	if err != nil {
		return r.done(&Result{Envelope: env, Err: err}, peer)
	}
	sum := sha256.Sum256(env.Payload)
	key := peer.identity() + " " + env.Sender + " " + env.InstanceIdentifier
	fkey := key + " " + hex.EncodeToString(sum[:])

	r.mu.Lock()
	if f, ok := r.flights[fkey]; ok {
		r.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return r.done(&Result{Envelope: env, Err: ctx.Err()}, peer)
		}
		res := *f.res
		res.Envelope = env
		if res.Receipt != nil {
			res.Again = true
			if m := r.cfg.Metrics; m != nil {
				m.Submissions.WithLabelValues(Channel, string(ingest.StatusDuplicate)).Inc()
			}
		}
		return r.done(&res, peer)
	}
	f := &flight{done: make(chan struct{})}
	r.flights[fkey] = f
	r.mu.Unlock()
	// Once begun, filing finishes even if the sender goes away: a second
	// try then gets the first answer.
	f.res = r.submit(context.WithoutCancel(ctx), env, sbd, peer, key, hex.EncodeToString(sum[:]))
	r.mu.Lock()
	delete(r.flights, fkey)
	r.mu.Unlock()
	close(f.done)
	return r.done(f.res, peer)
}

func (r *Receiver) submit(ctx context.Context, env *Envelope, sbd []byte, peer Peer, key, sum string) *Result {
	p := r.cfg.Pipeline
	if first, err := r.legacy(ctx, env, peer); err != nil {
		return &Result{Envelope: env, Err: err}
	} else if first != nil {
		return r.again(ctx, env, *first, sum)
	}
	rec, err := p.Submit(ctx, ingest.Submission{
		Data: env.Payload, Channel: Channel, Sender: env.Sender, Reference: env.InstanceIdentifier,
		ContentType: "application/xml",
		ChannelData: ingest.ChannelData{
			Envelope: sbd, Key: key, XMLOnly: true, // hybrid PDFs come by upload and e-mail
			Expect:  &ingest.Expect{LeitwegID: env.LeitwegID, Specification: env.CustomizationID},
			Details: map[string]string{"tls_client_subject": peer.Subject, "tls_client_issuer": peer.Issuer, "tls_client_serial": peer.Serial},
		},
	})
	var refused *ingest.RefusedError
	var pdf *ingest.PDFError
	switch {
	case errors.As(err, &pdf):
		return &Result{Envelope: env, Err: &Error{Code: CodeDocumentType, Detail: pdf.Message}}
	case errors.As(err, &refused):
		code := CodeReceiverInvoice
		if refused.Reason == ingest.RefusedSpecification {
			code = CodeCustomization
		}
		return &Result{Envelope: env, Err: &Error{Code: code, Detail: refused.Detail}}
	case err != nil:
		return &Result{Envelope: env, Err: err}
	case rec.Status != ingest.StatusDuplicate:
		res := &Result{Envelope: env, Receipt: &Receipt{ID: rec.ID, InstanceIdentifier: env.InstanceIdentifier,
			ReceivedAt: rec.Outcome.ReceivedAt, PayloadSHA256: sum, Status: string(rec.Status)}}
		for _, f := range rec.Findings {
			if f.Counted && string(f.Level) == "error" {
				res.Rejected = append(res.Rejected, Line{f.Rule, f.Location, f.Message})
			}
		}
		return res
	}
	first, err := p.Meta(ctx, rec.ID)
	if err != nil {
		return &Result{Envelope: env, Err: fmt.Errorf("peppol: first of %s: %w", rec.ID, err)}
	}
	if first.Key != key {
		// The same invoice under another InstanceIdentifier, or from
		// another access point.
		return &Result{Envelope: env, Receipt: &Receipt{ID: rec.ID, InstanceIdentifier: env.InstanceIdentifier,
			ReceivedAt: rec.Outcome.ReceivedAt, PayloadSHA256: sum, Status: string(ingest.StatusDuplicate)}}
	}
	return r.again(ctx, env, first, sum)
}

// legacy returns the first of a message kept before keys named the access
// point (under legacyKey), if peer sent it: its certificate's subject is
// the one kept with it (the issuer was not kept then). Such a message sent
// again is answered as before the upgrade: with the first receipt, or
// instance-id-reused for another payload. The same sender and
// InstanceIdentifier from another access point are a message of its own.
// It returns nil when there is no such first.
func (r *Receiver) legacy(ctx context.Context, env *Envelope, peer Peer) (*ingest.Meta, error) {
	p := r.cfg.Pipeline
	id, err := p.Lookup(ctx, Channel, legacyKey(env))
	if err != nil || id == "" {
		return nil, err
	}
	first, err := p.Meta(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("peppol: first of %s: %w", id, err)
	}
	if first.Key != legacyKey(env) || first.Details["tls_client_subject"] != peer.Subject {
		return nil, nil
	}
	return &first, nil
}

// again answers a message that came before as first: with the first
// answer, or instance-id-reused when its payload is another.
func (r *Receiver) again(ctx context.Context, env *Envelope, first ingest.Meta, sum string) *Result {
	if first.SHA256 != sum {
		return &Result{Envelope: env, Err: errorf(CodeReused, "InstanceIdentifier %s of sender %s came before (submission %s) with another payload: give a new message a new InstanceIdentifier", env.InstanceIdentifier, env.Sender, first.ID)}
	}
	res, err := r.first(ctx, first)
	if err != nil {
		return &Result{Envelope: env, Err: err}
	}
	res.Envelope = env
	return res
}

// first rebuilds the answer given to the first of a message.
func (r *Receiver) first(ctx context.Context, meta ingest.Meta) (*Result, error) {
	p := r.cfg.Pipeline
	out, err := p.Outcome(ctx, meta.ID)
	if err != nil {
		return nil, fmt.Errorf("peppol: first %s: %w", meta.ID, err)
	}
	res := &Result{Again: true, Receipt: &Receipt{ID: meta.ID, InstanceIdentifier: meta.Reference,
		ReceivedAt: meta.ReceivedAt, PayloadSHA256: meta.SHA256, Status: string(out.Status)}}
	if out.Status != ingest.StatusRejected {
		return res, nil
	}
	rc, err := p.Report(ctx, meta.ID)
	if err != nil {
		return nil, fmt.Errorf("peppol: first %s: %w", meta.ID, err)
	}
	defer rc.Close()
	var rep struct {
		Findings []struct {
			Rule, Level, Location, Message string
			Counted                        bool
		}
	}
	if err := json.NewDecoder(rc).Decode(&rep); err != nil {
		return nil, fmt.Errorf("peppol: first %s: report: %w", meta.ID, err)
	}
	for _, f := range rep.Findings {
		if f.Counted && f.Level == "error" {
			res.Rejected = append(res.Rejected, Line{f.Rule, f.Location, f.Message})
		}
	}
	return res, nil
}

// done logs and counts a result.
func (r *Receiver) done(res *Result, peer Peer) *Result {
	env := res.Envelope
	var e *Error
	switch {
	case errors.As(res.Err, &e):
		r.cfg.Metrics.ChannelError(Channel, e.Code)
		r.cfg.Logger.Info("peppol message refused", "code", e.Code, "detail", e.Detail, "sender", env.Sender,
			"instance_identifier", env.InstanceIdentifier, "client", peer.Subject)
	case res.Err != nil:
		r.cfg.Metrics.ChannelError(Channel, CodeUnavailable)
		r.cfg.Logger.Warn("peppol message not kept", "err", res.Err, "sender", env.Sender, "instance_identifier", env.InstanceIdentifier)
	default:
		r.cfg.Logger.Info("peppol message", "id", res.Receipt.ID, "status", res.Receipt.Status, "again", res.Again,
			"sender", env.Sender, "instance_identifier", env.InstanceIdentifier, "client", peer.Subject)
	}
	return res
}
