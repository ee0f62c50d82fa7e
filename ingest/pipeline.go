// Package ingest is the gateway's pipeline: a channel (HTTP upload, e-mail,
// PEPPOL-style endpoint) hands over a Submission; the pipeline keeps the
// original durably, validates it, routes it by Leitweg-ID and files it in a
// municipality's inbox, in clearing or among the rejected, and returns a
// Receipt. Channels know nothing of validation or storage; the pipeline
// knows nothing of HTTP or IMAP.
//
// Every step is idempotent on the submission id, and a submission is marked
// pending from before its original is written until it is filed, so that
// Recover can finish whatever a crash interrupted.
package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

// A Submission is what a channel hands to the pipeline.
type Submission struct {
	Data        []byte    // the document exactly as received
	Channel     string    // "upload", "email", "peppol"
	Sender      string    // sender address or identity, if known
	Reference   string    // the channel's own reference (request id, IMAP UID, SBDH id)
	Filename    string    // as the sender named it, if known
	ContentType string    // as declared
	ReceivedAt  time.Time // when the channel received it; zero means now
	ChannelData           // what a channel with an envelope adds (envelope.go)
}

// Status is where a submission ended up.
type Status string

// Statuses.
const (
	StatusRouted    Status = "routed"    // in a municipality's inbox
	StatusClearing  Status = "clearing"  // valid, but no municipality found: an operator routes it
	StatusRejected  Status = "rejected"  // invalid: goes to no inbox
	StatusDuplicate Status = "duplicate" // the same bytes were received before
	StatusPending   Status = "pending"   // kept, not yet filed
)

// A Receipt is the pipeline's answer for one submission.
type Receipt struct {
	ID       string  `json:"id"`
	Status   Status  `json:"status"`
	Accepted bool    `json:"accepted"`
	Outcome  Outcome `json:"-"`
	// ReceiptToken lets the sender ask for the status later. It is only
	// ever shown once; the store keeps its hash.
	ReceiptToken string            `json:"receipt_token,omitempty"`
	Report       *invoice.Report   `json:"-"`
	Findings     []invoice.Finding `json:"findings"`
}

// Meta is the envelope kept with each original.
type Meta struct {
	ID                 string    `json:"id"`
	Channel            string    `json:"channel"`
	Sender             string    `json:"sender,omitempty"`
	Reference          string    `json:"reference,omitempty"`
	Filename           string    `json:"filename,omitempty"`
	ContentType        string    `json:"content_type,omitempty"`
	ReceivedAt         time.Time `json:"received_at"`
	Size               int       `json:"size"`
	SHA256             string    `json:"sha256"`
	ReceiptTokenSHA256 string    `json:"receipt_token_sha256"`
	RetainUntil        time.Time `json:"retain_until"`
	ChannelMeta
}

// Outcome is what became of a submission; inbox, clearing and rejected
// entries hold it too.
type Outcome struct {
	ID             string    `json:"id"`
	Status         Status    `json:"status"`
	Accepted       bool      `json:"accepted"`
	RejectReason   string    `json:"reject_reason,omitempty"`
	Scenario       string    `json:"scenario,omitempty"`
	Municipality   string    `json:"municipality,omitempty"`
	LeitwegID      string    `json:"leitweg_id,omitempty"`
	ClearingReason string    `json:"clearing_reason,omitempty"`
	DuplicateOf    string    `json:"duplicate_of,omitempty"`
	Channel        string    `json:"channel"`
	ReceivedAt     time.Time `json:"received_at"`
	FiledAt        time.Time `json:"filed_at"`
	Seller         string    `json:"seller,omitempty"`
	InvoiceNumber  string    `json:"invoice_number,omitempty"`
	IssueDate      string    `json:"issue_date,omitempty"`
	Total          string    `json:"total,omitempty"`
	Currency       string    `json:"currency,omitempty"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
}

// Config configures a Pipeline.
type Config struct {
	Store     store.Store
	Validator *invoice.Validator
	// Directory returns the directory in force; it may change between calls
	// (reloads).
	Directory func() *directory.Directory
	// RetentionYears is how many full calendar years after the year of
	// receipt originals stay unalterable (default 10).
	RetentionYears int
	Logger         *slog.Logger
	Metrics        *Metrics // may be nil
	Now            func() time.Time
	// OnFiled, if set, is called after an invoice is filed in a
	// municipality's inbox (by the pipeline or by an operator from
	// clearing). It may be called again for the same invoice after a crash
	// (at least once, never lost): listeners must tolerate repeats. It must
	// not block.
	OnFiled func(Outcome)
}

// A Pipeline processes submissions. It is safe for concurrent use.
type Pipeline struct {
	cfg Config
}

// New returns a pipeline.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Store == nil || cfg.Validator == nil || cfg.Directory == nil {
		return nil, errors.New("ingest: store, validator and directory are required")
	}
	if cfg.RetentionYears <= 0 {
		cfg.RetentionYears = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Store = outageStore{cfg.Store}
	return &Pipeline{cfg: cfg}, nil
}

// Ready reports whether the pipeline can take submissions: a directory is
// loaded and the store answers.
func (p *Pipeline) Ready(ctx context.Context) error {
	if p.cfg.Directory() == nil {
		return errors.New("ingest: no directory loaded")
	}
	if err := p.cfg.Store.Ping(ctx); err != nil {
		return fmt.Errorf("ingest: archive: %w", err)
	}
	return nil
}

// Validate validates a document without keeping it, with the validator
// submissions meet.
func (p *Pipeline) Validate(ctx context.Context, data []byte, opts invoice.Options) (*invoice.Report, error) {
	return p.cfg.Validator.Validate(ctx, data, opts)
}

// Submit runs a submission through the pipeline. An error means the
// original could not be kept durably (nothing was acknowledged; the sender
// should retry; errors.Is(err, ErrUnavailable) tells an outage) or that
// filing failed after the original was kept (Recover finishes it).
func (p *Pipeline) Submit(ctx context.Context, sub Submission) (*Receipt, error) {
	now := p.cfg.Now().UTC()
	if sub.ReceivedAt.IsZero() {
		sub.ReceivedAt = now
	}
	if rec, err := p.before(ctx, sub); rec != nil || err != nil {
		return rec, err
	}
	uid, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("ingest: new id: %w", err)
	}
	id := uid.String()
	token, err := newReceiptToken()
	if err != nil {
		return nil, fmt.Errorf("ingest: receipt token: %w", err)
	}
	sum := sha256.Sum256(sub.Data)
	meta := Meta{
		ID: id, Channel: sub.Channel, Sender: sub.Sender, Reference: sub.Reference,
		Filename: sub.Filename, ContentType: sub.ContentType, ReceivedAt: sub.ReceivedAt.UTC(),
		Size: len(sub.Data), SHA256: hex.EncodeToString(sum[:]),
		ReceiptTokenSHA256: directory.HashToken(token),
		RetainUntil:        store.RetainUntil(sub.ReceivedAt, p.cfg.RetentionYears),
		ChannelMeta:        sub.meta(),
	}
	if err := p.keep(ctx, meta, sub.Data, sub.Envelope); err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		return nil, err
	}
	rec, err := p.process(ctx, meta, sub.Data)
	if err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		return nil, err
	}
	rec.ReceiptToken = token
	if rec.Status == StatusDuplicate {
		rec.ReceiptToken = ""
	}
	p.cfg.Metrics.submission(sub.Channel, string(rec.Status))
	return rec, nil
}

func newReceiptToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "rct_" + hex.EncodeToString(b), nil
}

// keep makes the original durable: pending marker, original (write-once,
// retained), envelope, written together and then synced once. Until the
// sync returns nothing is acknowledged; Recover checks what a power loss
// may have left half-written.
func (p *Pipeline) keep(ctx context.Context, meta Meta, data, envelope []byte) (err error) {
	s := p.cfg.Store
	dctx := store.Deferred(ctx)
	if err := s.Put(dctx, pendingKey(meta.ID), bytes.NewReader(nil), 0); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	defer func() {
		if err != nil {
			// Not acknowledged: the sender sends again. Drop the marker
			// if the store lets us; else Recover does.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			p.abandon(actx, meta.ID, err.Error())
		}
	}()
	err = s.Create(dctx, originalKey(meta.ID), bytes.NewReader(data), int64(len(data)), store.CreateOptions{RetainUntil: meta.RetainUntil})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	if err := p.keepEnvelope(dctx, meta, envelope); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	if err := createJSON(dctx, s, metaKey(meta.ID), meta); err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	if err := store.Sync(ctx, s); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	return nil
}

// corrupt reports whether err says a stored JSON object is incomplete or
// garbled: a deferred write that a power loss cut short.
func corrupt(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}

func createJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Create(ctx, key, bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
}

func putJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

func getJSON(ctx context.Context, s store.Store, key string, v any) error {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return fmt.Errorf("store: read %s: %w", key, err)
	}
	return json.Unmarshal(b, v)
}

// process runs the steps after keep; each is idempotent.
func (p *Pipeline) process(ctx context.Context, meta Meta, data []byte) (*Receipt, error) {
	s := p.cfg.Store
	// The objects below are written together and synced once before the
	// pending marker goes.
	dctx := store.Deferred(ctx)
	// Filed before (a recovery of a submission that was finished)?
	var done Outcome
	if err := getJSON(ctx, s, outcomeKey(meta.ID), &done); err == nil {
		rec := &Receipt{ID: meta.ID, Status: done.Status, Accepted: done.Accepted, Outcome: done}
		var rep invoice.Report
		if getJSON(ctx, s, reportKey(meta.ID), &rep) == nil {
			rec.Report, rec.Findings = &rep, rep.Findings
		}
		// The marker was still there: listeners may not have been told.
		p.filedHook(done)
		return rec, s.Delete(ctx, pendingKey(meta.ID))
	} else if !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
		return nil, fmt.Errorf("ingest: %s: %w", meta.ID, err)
	}

	out := Outcome{ID: meta.ID, Channel: meta.Channel, ReceivedAt: meta.ReceivedAt}

	// The same channel key (first) or the same bytes before, under another id?
	first, err := p.firstOf(ctx, dctx, meta)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	rep, err := p.cfg.Validator.Validate(ctx, data, invoice.Options{Model: true})
	if err != nil {
		return nil, fmt.Errorf("ingest: %s: validate: %w", meta.ID, err)
	}
	p.cfg.Metrics.validated(rep, time.Since(start))
	if err := putJSON(dctx, s, reportKey(meta.ID), rep); err != nil {
		return nil, fmt.Errorf("ingest: %s: report: %w", meta.ID, err)
	}
	out.Accepted = rep.Accepted
	out.RejectReason = rep.RejectReason
	out.Scenario = rep.Scenario
	if inv := rep.Invoice; inv != nil {
		out.Seller = inv.Seller.Name.Value
		if out.Seller == "" {
			out.Seller = inv.Seller.TradeName.Value
		}
		out.InvoiceNumber = inv.Number.Value
		out.IssueDate = inv.IssueDate.Value
		out.Total = inv.Payable.Raw
		out.Currency = inv.Currency.Value
		out.LeitwegID = inv.BuyerReference.Value
	}

	var entryKey string
	switch {
	case first != meta.ID:
		out.Status, out.DuplicateOf = StatusDuplicate, first
	case !rep.Accepted:
		out.Status = StatusRejected
		entryKey = rejectedKey(meta.ID)
	default:
		m, reason := p.route(out.LeitwegID)
		if m != nil {
			out.Status, out.Municipality = StatusRouted, m.ID
			entryKey = inboxKey(m.ID, "new", meta.ID)
		} else {
			out.Status, out.ClearingReason = StatusClearing, reason
			entryKey = clearingKey(meta.ID)
		}
	}
	out.FiledAt = p.cfg.Now().UTC()
	if entryKey != "" {
		// An invoice acknowledged before a crash must not reappear as new.
		if out.Status == StatusRouted {
			if _, err := s.Stat(ctx, inboxKey(out.Municipality, "acknowledged", meta.ID)); err == nil {
				entryKey = ""
			}
		}
		if entryKey != "" {
			if err := putJSON(dctx, s, entryKey, out); err != nil {
				return nil, fmt.Errorf("ingest: %s: file: %w", meta.ID, err)
			}
		}
	}
	if err := putJSON(dctx, s, outcomeKey(meta.ID), out); err != nil {
		return nil, fmt.Errorf("ingest: %s: outcome: %w", meta.ID, err)
	}
	if err := store.Sync(ctx, s); err != nil {
		return nil, fmt.Errorf("ingest: %s: file: %w", meta.ID, err)
	}
	// Should this deletion be lost, Recover finds the outcome and deletes
	// the marker again.
	if err := s.Delete(dctx, pendingKey(meta.ID)); err != nil {
		return nil, fmt.Errorf("ingest: %s: pending: %w", meta.ID, err)
	}
	p.cfg.Metrics.filed(out)
	p.filedHook(out)
	p.cfg.Logger.Info("filed", "id", meta.ID, "status", out.Status, "channel", meta.Channel,
		"municipality", out.Municipality, "leitweg_id", out.LeitwegID, "accepted", out.Accepted)
	rec := &Receipt{ID: meta.ID, Status: out.Status, Accepted: out.Accepted, Outcome: out, Report: rep, Findings: rep.Findings}
	if out.Status == StatusDuplicate {
		rec.ID = first
	}
	return rec, nil
}

// filedHook tells the OnFiled listener about an invoice filed in an inbox.
func (p *Pipeline) filedHook(o Outcome) {
	if p.cfg.OnFiled != nil && o.Status == StatusRouted {
		p.cfg.OnFiled(o)
	}
}

// route finds the municipality for a Leitweg-ID, or says why none.
func (p *Pipeline) route(buyerRef string) (*directory.Municipality, string) {
	id, err := leitweg.Parse(buyerRef)
	if err != nil {
		return nil, err.Error()
	}
	m := p.cfg.Directory().Route(id.String())
	if m == nil {
		return nil, fmt.Sprintf("no municipality for Leitweg-ID %s", id)
	}
	return m, ""
}

// Recover finishes every submission whose original was kept but that was
// not filed (a crash or a store outage in between). It returns how many it
// finished.
func (p *Pipeline) Recover(ctx context.Context) (int, error) {
	s := p.cfg.Store
	n := 0
	after := ""
	for {
		page, err := s.List(ctx, pendingPrefix, after, 500)
		if err != nil {
			return n, fmt.Errorf("ingest: recover: %w", err)
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, info := range page {
			id := info.Key[len(pendingPrefix):]
			after = id
			var meta Meta
			if err := getJSON(ctx, s, metaKey(id), &meta); err != nil {
				if !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
					return n, fmt.Errorf("ingest: recover %s: %w", id, err)
				}
				// The envelope was never completely written, so the sender
				// got no 2xx and will send again.
				if err := p.abandon(ctx, id, "no envelope"); err != nil {
					return n, err
				}
				continue
			}
			data, err := p.original(ctx, id)
			if errors.Is(err, store.ErrNotFound) {
				if err := p.abandon(ctx, id, "no original"); err != nil {
					return n, err
				}
				continue
			} else if err != nil {
				return n, fmt.Errorf("ingest: recover %s: %w", id, err)
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != meta.SHA256 {
				if err := p.abandon(ctx, id, "original incomplete"); err != nil {
					return n, err
				}
				continue
			}
			if bad, err := p.envelopeIncomplete(ctx, meta); err != nil {
				return n, fmt.Errorf("ingest: recover %s: %w", id, err)
			} else if bad {
				if err := p.abandon(ctx, id, "envelope incomplete"); err != nil {
					return n, err
				}
				continue
			}
			if _, err := p.process(ctx, meta, data); err != nil {
				return n, err
			}
			p.cfg.Logger.Info("recovered", "id", id)
			n++
		}
	}
}

func (p *Pipeline) original(ctx context.Context, id string) ([]byte, error) {
	r, err := p.cfg.Store.Get(ctx, originalKey(id))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return data, outage(err)
}

// abandon drops the pending marker of a submission that was never
// acknowledged: keeping it failed, or a crash or power loss cut it short,
// and the sender, who got no 2xx, sends again. Whatever of its original
// was written stays archived (it is write-once).
func (p *Pipeline) abandon(ctx context.Context, id, why string) error {
	p.cfg.Logger.Warn("unacknowledged submission abandoned", "id", id, "reason", why)
	if err := p.cfg.Store.Delete(ctx, pendingKey(id)); err != nil {
		return fmt.Errorf("ingest: abandon %s: %w", id, err)
	}
	return nil
}
