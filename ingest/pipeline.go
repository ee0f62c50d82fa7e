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
	"os"
	"strings"
	"sync"
	"sync/atomic"
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

// A Receipt is the pipeline's answer for one submission. For a duplicate,
// ID, Accepted, Outcome, Report and Findings are the first submission's
// (filed before the answer), and ReceiptToken follows that first one.
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
	// MinFreeBytes and MinFreeInodes are the room the store must have
	// left for the pipeline to be ready (defaults 100 MiB and 10,000
	// files; negative: no floor). A store that cannot tell (S3) is not
	// checked.
	MinFreeBytes  int64
	MinFreeInodes int64
	// Timeout bounds the work of one Submit (default 2 minutes). Once
	// begun, that work does not stop when the caller's context is
	// cancelled: a sender's connection that ends must not leave a
	// submission kept half-way.
	Timeout time.Duration
	// Instance names this gateway among those sharing the store (default:
	// the host name). Names must be unique among running gateways: a
	// gateway restarted under its name takes over at once what its former
	// run left pending (lease.go).
	Instance string
	// ClockSkew is how far the clocks of the gateways and the store may
	// differ (default 1 minute): a pending submission of another gateway
	// is taken over only Timeout plus ClockSkew after its marker.
	ClockSkew time.Duration
	Logger    *slog.Logger
	Metrics   *Metrics // may be nil
	Now       func() time.Time
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
	// refusal is the last write the store refused for want of room or as
	// read-only, until a submission is kept again.
	refusal atomic.Pointer[refusal]

	run string // this process's run id: the owner of what it keeps (lease.go)

	mu   sync.Mutex
	busy map[string]*busyID // submissions being kept, filed or recovered
}

type refusal struct {
	at  time.Time
	err error
}

type busyID struct {
	mu sync.Mutex
	n  int // holders and waiters
}

// lock serializes the work on one submission id in this process: its
// Submit, its recovery, and the filing a later copy asks for.
func (p *Pipeline) lock(id string) (unlock func()) {
	p.mu.Lock()
	b := p.busy[id]
	if b == nil {
		b = &busyID{}
		p.busy[id] = b
	}
	b.n++
	p.mu.Unlock()
	b.mu.Lock()
	return func() {
		b.mu.Unlock()
		p.mu.Lock()
		if b.n--; b.n == 0 {
			delete(p.busy, id)
		}
		p.mu.Unlock()
	}
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
	if cfg.MinFreeBytes == 0 {
		cfg.MinFreeBytes = 100 << 20
	}
	if cfg.MinFreeInodes == 0 {
		cfg.MinFreeInodes = 10_000
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = time.Minute
	}
	if cfg.Instance == "" {
		cfg.Instance, _ = os.Hostname()
		if cfg.Instance == "" {
			cfg.Instance = "eingang"
		}
	}
	run, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("ingest: run id: %w", err)
	}
	p := &Pipeline{cfg: cfg, run: run.String(), busy: map[string]*busyID{}}
	p.cfg.Store = outageStore{cfg.Store, func(err error) {
		p.refusal.Store(&refusal{p.cfg.Now(), err})
		p.cfg.Metrics.refused(err)
	}}
	return p, nil
}

// refusalMemory is how long a write the store refused for want of room or
// as read-only keeps the pipeline not ready, unless a submission is kept
// meanwhile.
const refusalMemory = time.Minute

// Ready reports whether the pipeline can take submissions, as uploads
// would meet it: a directory is loaded, the store takes a write, it has
// more room left than the floor (Config.MinFreeBytes, MinFreeInodes), and
// no write was refused for want of room or as read-only in the last
// minute.
func (p *Pipeline) Ready(ctx context.Context) (err error) {
	defer func() { p.cfg.Metrics.ready(err == nil) }()
	if p.cfg.Directory() == nil {
		return errors.New("ingest: no directory loaded")
	}
	if err := p.cfg.Store.Ping(ctx); err != nil {
		return fmt.Errorf("ingest: archive: %w", err)
	}
	room, ok, err := store.Room(ctx, p.cfg.Store)
	if err != nil {
		return fmt.Errorf("ingest: archive: %w", err)
	}
	if ok {
		p.cfg.Metrics.room(room)
		if min := p.cfg.MinFreeBytes; min > 0 && room.Bytes < uint64(min) {
			return fmt.Errorf("ingest: archive: %d bytes free, below the floor of %d: %w", room.Bytes, min, store.ErrNoSpace)
		}
		if min := p.cfg.MinFreeInodes; min > 0 && room.Inodes >= 0 && room.Inodes < min {
			return fmt.Errorf("ingest: archive: room for %d files, below the floor of %d: %w", room.Inodes, min, store.ErrNoSpace)
		}
	}
	if r := p.refusal.Load(); r != nil {
		if ago := p.cfg.Now().Sub(r.at); ago < refusalMemory {
			return fmt.Errorf("ingest: archive refused a write %s ago: %w", ago.Round(time.Second), r.err)
		}
	}
	return nil
}

// Validate validates a document without keeping it, with the validator
// submissions meet.
func (p *Pipeline) Validate(ctx context.Context, data []byte, opts invoice.Options) (*invoice.Report, error) {
	return p.cfg.Validator.Validate(ctx, data, opts)
}

// Submit runs a submission through the pipeline. Its work does not stop
// when ctx is cancelled (a sender that went away after handing over the
// document), only after Config.Timeout.
//
// Every error matches ErrUnavailable: the sender should send again later.
// A *NotFiledError says the original was kept but filing failed (the
// pipeline finishes it); any other error, that nothing was accepted.
// Sending the same bytes again is always safe: a copy is a duplicate,
// answered with the first submission's outcome once that is filed.
func (p *Pipeline) Submit(ctx context.Context, sub Submission) (*Receipt, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.Timeout)
	defer cancel()
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
	defer p.lock(id)()
	if err := p.keep(ctx, meta, sub.Data, sub.Envelope); err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		if !errors.Is(err, ErrUnavailable) {
			err = unavailableError{err}
		}
		return nil, err
	}
	p.refusal.Store(nil) // the store takes writes again
	rec, err := p.file(ctx, meta, sub.Data, true)
	if err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		return nil, &NotFiledError{ID: id, ReceiptToken: token, Err: err}
	}
	rec.ReceiptToken = token
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

// keep makes the original durable: pending marker, envelope, original
// (write-once, retained), written together and then synced once. Until
// the sync returns nothing is acknowledged; Recover checks what a power
// loss may have left half-written. Where keeping fails, the marker is
// dropped, and the envelope too unless the original was written: no
// original is ever left without its envelope. A channel's own envelope
// (an SBD) is kept beside the original.
func (p *Pipeline) keep(ctx context.Context, meta Meta, data, envelope []byte) (err error) {
	s := p.cfg.Store
	dctx := store.Deferred(ctx)
	if err := p.mark(dctx, meta.ID); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	original := false
	defer func() {
		if err != nil {
			// Not acknowledged: the sender sends again. Drop the marker
			// if the store lets us; else Recover does.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if original {
				p.abandon(actx, meta.ID, err.Error())
				return
			}
			s.Delete(actx, metaKey(meta.ID))
			s.Delete(actx, pendingKey(meta.ID))
		}
	}()
	if err := createJSON(dctx, s, metaKey(meta.ID), meta); err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	err = s.Create(dctx, originalKey(meta.ID), bytes.NewReader(data), int64(len(data)), store.CreateOptions{RetainUntil: meta.RetainUntil})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	original = true
	if err := p.keepEnvelope(dctx, meta, envelope); err != nil {
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

// filed returns the receipt of a submission that was filed, nil if it was
// not (or its outcome was cut short by a power loss).
func (p *Pipeline) filed(ctx context.Context, id string) (*Receipt, error) {
	var done Outcome
	if err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &done); err != nil {
		if errors.Is(err, store.ErrNotFound) || corrupt(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	rec := &Receipt{ID: id, Status: done.Status, Accepted: done.Accepted, Outcome: done, Findings: []invoice.Finding{}}
	var rep invoice.Report
	if getJSON(ctx, p.cfg.Store, reportKey(id), &rep) == nil {
		rec.Report, rec.Findings = &rep, rep.Findings
	}
	return rec, nil
}

// file runs the steps after keep; each is idempotent. The caller holds
// the id's lock. fresh says the submission was kept just now by this
// call's Submit: then nothing of it can have been filed or acknowledged,
// and file does not look (two store requests fewer).
func (p *Pipeline) file(ctx context.Context, meta Meta, data []byte, fresh bool) (*Receipt, error) {
	s := p.cfg.Store
	// Filed before (a recovery of a submission that was finished)?
	if !fresh {
		if rec, err := p.filed(ctx, meta.ID); err != nil || rec != nil {
			if rec != nil {
				// The marker was still there: listeners may not have been told.
				p.filedHook(rec.Outcome)
				p.unmark(ctx, meta.ID)
			}
			return rec, err
		}
	}
	// The objects below are written together and synced once before the
	// pending marker goes.
	dctx := store.Deferred(ctx)
	// The same channel key or the same bytes before, under another id?
	first, err := p.firstOf(ctx, dctx, meta)
	if err != nil {
		return nil, err
	}
	if first != meta.ID {
		frec, err := p.settle(ctx, first)
		if err != nil {
			return nil, err
		}
		if frec != nil {
			return p.duplicate(ctx, meta, frec)
		}
		// The first was never completely kept (a crash cut it short
		// before anyone was answered): this submission takes its place.
		if err := p.takeOver(dctx, meta); err != nil {
			return nil, err
		}
	}

	out := Outcome{ID: meta.ID, Channel: meta.Channel, ReceivedAt: meta.ReceivedAt}
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
	// An invoice acknowledged before a crash must not reappear as new.
	if out.Status == StatusRouted && !fresh {
		if _, err := s.Stat(ctx, inboxKey(out.Municipality, "acknowledged", meta.ID)); err == nil {
			entryKey = ""
		}
	}
	if entryKey != "" {
		if err := putJSON(dctx, s, entryKey, out); err != nil {
			return nil, fmt.Errorf("ingest: %s: file: %w", meta.ID, err)
		}
	}
	if err := p.finish(ctx, out); err != nil {
		return nil, err
	}
	return &Receipt{ID: meta.ID, Status: out.Status, Accepted: out.Accepted, Outcome: out, Report: rep, Findings: rep.Findings}, nil
}

// settle returns the receipt of the first submission with some bytes,
// filing it first where it was kept but is not filed yet (its own Submit
// failed or was cut short after the dedup record). While another gateway
// may still be at work on it, settle waits for its outcome (lease.go). It
// returns nil when that submission was never completely kept.
func (p *Pipeline) settle(ctx context.Context, id string) (*Receipt, error) {
	defer p.lock(id)()
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		if rec, err := p.filed(ctx, id); err != nil || rec != nil {
			return rec, err
		}
		ok, err := p.take(ctx, id)
		switch {
		case errors.Is(err, errHeld):
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("ingest: %s: waiting for its filing: %w", id, ctx.Err())
			case <-time.After(wait):
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("ingest: %s: %w", id, err)
		case !ok:
			// No longer pending: filed just now, or abandoned.
			return p.filed(ctx, id)
		}
		p.cfg.Logger.Info("filing a submission a later copy found not filed", "id", id)
		return p.refile(ctx, id)
	}
}

// duplicate files a copy of a submission that was filed: its own outcome
// points to the first, and its receipt token is bound to the first id, so
// that its sender, whose first answer may have been lost, can follow the
// invoice. The copy is not validated again: its bytes are the first's.
func (p *Pipeline) duplicate(ctx context.Context, meta Meta, first *Receipt) (*Receipt, error) {
	dctx := store.Deferred(ctx)
	err := p.cfg.Store.Create(dctx, receiptKey(first.ID, meta.ReceiptTokenSHA256), strings.NewReader(meta.ID), int64(len(meta.ID)), store.CreateOptions{})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return nil, fmt.Errorf("ingest: %s: receipt: %w", meta.ID, err)
	}
	out := Outcome{
		ID: meta.ID, Status: StatusDuplicate, DuplicateOf: first.ID, Accepted: first.Accepted,
		Channel: meta.Channel, ReceivedAt: meta.ReceivedAt, FiledAt: p.cfg.Now().UTC(),
	}
	if err := p.finish(ctx, out); err != nil {
		return nil, err
	}
	rec := *first
	rec.Status, rec.ReceiptToken = StatusDuplicate, ""
	return &rec, nil
}

// finish writes the outcome, makes the submission's deferred writes
// durable and drops its pending marker.
func (p *Pipeline) finish(ctx context.Context, out Outcome) error {
	s := p.cfg.Store
	if err := putJSON(store.Deferred(ctx), s, outcomeKey(out.ID), out); err != nil {
		return fmt.Errorf("ingest: %s: outcome: %w", out.ID, err)
	}
	if err := store.Sync(ctx, s); err != nil {
		return fmt.Errorf("ingest: %s: file: %w", out.ID, err)
	}
	p.unmark(ctx, out.ID)
	p.cfg.Metrics.filed(out)
	p.filedHook(out)
	p.cfg.Logger.Info("filed", "id", out.ID, "status", out.Status, "channel", out.Channel,
		"municipality", out.Municipality, "leitweg_id", out.LeitwegID, "accepted", out.Accepted, "duplicate_of", out.DuplicateOf)
	return nil
}

// unmark drops the pending marker of a filed submission. The submission
// is filed whether or not that works: should the deletion fail or be
// lost, Recover finds the outcome and deletes the marker again.
func (p *Pipeline) unmark(ctx context.Context, id string) {
	if err := p.cfg.Store.Delete(store.Deferred(ctx), pendingKey(id)); err != nil {
		p.cfg.Logger.Warn("pending mark of a filed submission stays", "id", id, "err", err)
	}
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
			done, err := p.recover(ctx, id)
			if err != nil {
				return n, err
			}
			if done {
				n++
			}
		}
	}
}

// recover finishes one pending submission, or abandons it where it was
// never completely kept, if the ownership rule lets this process take it
// (lease.go). It waits for the id's Submit if that is still at work in
// this process.
func (p *Pipeline) recover(ctx context.Context, id string) (filed bool, err error) {
	defer p.lock(id)()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	ok, err := p.take(ctx, id)
	if errors.Is(err, errHeld) || err == nil && !ok {
		return false, nil // at work elsewhere, or finished meanwhile
	} else if err != nil {
		return false, fmt.Errorf("ingest: recover %s: %w", id, err)
	}
	rec, err := p.refile(ctx, id)
	if err != nil || rec == nil {
		return false, err
	}
	p.cfg.Logger.Info("recovered", "id", id)
	return true, nil
}

// refile files a pending submission this process has taken (lease.go)
// from what was kept of it, or abandons it where that is incomplete (its
// sender got no 2xx and sends again): nil then.
func (p *Pipeline) refile(ctx context.Context, id string) (*Receipt, error) {
	s := p.cfg.Store
	var meta Meta
	if err := getJSON(ctx, s, metaKey(id), &meta); err != nil {
		if !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
			return nil, fmt.Errorf("ingest: %s: %w", id, err)
		}
		return nil, p.abandon(ctx, id, "no envelope")
	}
	data, err := p.original(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, p.abandon(ctx, id, "no original")
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != meta.SHA256 {
		return nil, p.abandon(ctx, id, "original incomplete")
	}
	if bad, err := p.envelopeIncomplete(ctx, meta); err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	} else if bad {
		return nil, p.abandon(ctx, id, "envelope incomplete")
	}
	rec, err := p.file(ctx, meta, data, false)
	if err != nil {
		return nil, err
	}
	p.release(ctx, id)
	return rec, nil
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
