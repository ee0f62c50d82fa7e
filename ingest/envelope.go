package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
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

// before runs what comes before anything of a submission is kept: its
// expectations, and the look-up of a submission with the same key. A
// non-nil receipt is the answer: a duplicate of that submission.
func (p *Pipeline) before(ctx context.Context, sub Submission) (*Receipt, error) {
	if sub.Expect != nil {
		if err := p.expect(sub.Data, sub.Expect); err != nil {
			return nil, err
		}
	}
	if sub.Key == "" {
		return nil, nil
	}
	first, err := p.lookup(ctx, refKey(sub.Channel, sub.Key))
	if err != nil || first == "" {
		return nil, err
	}
	// Filed already? Else (keeping or filing it is under way or was cut
	// short) this one is kept too and process decides.
	done, err := p.Outcome(ctx, first)
	if errors.Is(err, ErrNotFound) || err == nil && done.Status == StatusPending {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", first, err)
	}
	p.cfg.Metrics.submission(sub.Channel, string(StatusDuplicate))
	out := Outcome{ID: first, Status: StatusDuplicate, Accepted: done.Accepted, DuplicateOf: first, Channel: sub.Channel, ReceivedAt: sub.ReceivedAt.UTC()}
	return &Receipt{ID: first, Status: StatusDuplicate, Accepted: done.Accepted, Outcome: out}, nil
}

// expect checks a document against what its envelope says. A document the
// model cannot be read from is left to validation, which rejects it.
func (p *Pipeline) expect(data []byte, e *Expect) error {
	inv, err := p.cfg.Validator.Model(data)
	if err != nil {
		return nil
	}
	if e.LeitwegID != "" {
		want, werr := leitweg.Parse(e.LeitwegID)
		got, gerr := leitweg.Parse(inv.BuyerReference.Value)
		if werr != nil || gerr != nil || got != want {
			return &RefusedError{RefusedLeitwegID, fmt.Sprintf("the envelope is addressed to Leitweg-ID %s, the invoice's buyer reference (BT-10) is %q", e.LeitwegID, inv.BuyerReference.Value)}
		}
	}
	if e.Specification != "" && inv.Specification.Value != e.Specification {
		return &RefusedError{RefusedSpecification, fmt.Sprintf("the envelope names the specification %q, the invoice's specification identifier (BT-24) is %q", e.Specification, inv.Specification.Value)}
	}
	return nil
}

// firstOf returns the id that first brought the submission's channel key
// or, failing that, its bytes: meta.ID if none did.
func (p *Pipeline) firstOf(ctx, dctx context.Context, meta Meta) (string, error) {
	if meta.Key != "" {
		first, err := p.claim(ctx, dctx, refKey(meta.Channel, meta.Key), meta.ID)
		if err != nil || first != meta.ID {
			return first, err
		}
	}
	return p.claim(ctx, dctx, dedupKey(meta.SHA256), meta.ID)
}

// takeOver records the submission under its channel key and its bytes
// in place of a first submission that was never completely kept (a crash
// cut it short before anyone was answered).
func (p *Pipeline) takeOver(dctx context.Context, meta Meta) error {
	keys := []string{dedupKey(meta.SHA256)}
	if meta.Key != "" {
		keys = append(keys, refKey(meta.Channel, meta.Key))
	}
	for _, key := range keys {
		if err := p.cfg.Store.Put(dctx, key, bytes.NewReader([]byte(meta.ID)), int64(len(meta.ID))); err != nil {
			return fmt.Errorf("ingest: %s: dedup: %w", meta.ID, err)
		}
	}
	return nil
}

// claim records id under key (create-if-absent) and returns the id that
// is there first.
func (p *Pipeline) claim(ctx, dctx context.Context, key, id string) (string, error) {
	s := p.cfg.Store
	err := s.Create(dctx, key, bytes.NewReader([]byte(id)), int64(len(id)), store.CreateOptions{})
	if err == nil {
		return id, nil
	} else if !errors.Is(err, store.ErrExists) {
		return "", fmt.Errorf("ingest: %s: dedup: %w", id, err)
	}
	first, err := p.lookup(ctx, key)
	if err != nil {
		return "", fmt.Errorf("ingest: %s: dedup: %w", id, err)
	}
	if first == "" {
		// Cut short by a power loss before anyone was acknowledged: this
		// submission is the first.
		if err := s.Put(dctx, key, bytes.NewReader([]byte(id)), int64(len(id))); err != nil {
			return "", fmt.Errorf("ingest: %s: dedup: %w", id, err)
		}
		return id, nil
	}
	return first, nil
}

// lookup returns the id recorded under a dedup or ref key, or "" if none
// (or only a cut-short write) is there.
func (p *Pipeline) lookup(ctx context.Context, key string) (string, error) {
	r, err := p.cfg.Store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 100))
	if err != nil {
		return "", fmt.Errorf("store: read %s: %w", key, err)
	}
	if uuid.Validate(string(b)) != nil {
		return "", nil
	}
	return string(b), nil
}

// keepEnvelope writes the channel's envelope beside the original.
func (p *Pipeline) keepEnvelope(ctx context.Context, meta Meta, envelope []byte) error {
	if meta.EnvelopeSHA256 == "" {
		return nil
	}
	err := p.cfg.Store.Create(ctx, envelopeKey(meta.ID), bytes.NewReader(envelope), int64(len(envelope)), store.CreateOptions{RetainUntil: meta.RetainUntil})
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// envelopeIncomplete reports whether a submission's envelope is missing or
// differs from the hash its Meta holds (a power loss cut it short).
func (p *Pipeline) envelopeIncomplete(ctx context.Context, meta Meta) (bool, error) {
	if meta.EnvelopeSHA256 == "" {
		return false, nil
	}
	r, err := p.Envelope(ctx, meta.ID)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return false, fmt.Errorf("store: read %s: %w", envelopeKey(meta.ID), err)
	}
	return hex.EncodeToString(h.Sum(nil)) != meta.EnvelopeSHA256, nil
}

// Envelope returns the channel's whole message a submission came in (for
// PEPPOL the StandardBusinessDocument); ErrNotFound if it had none.
func (p *Pipeline) Envelope(ctx context.Context, id string) (io.ReadCloser, error) {
	return p.open(ctx, id, envelopeKey)
}
