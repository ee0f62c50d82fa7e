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
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/hybrid"
	"github.com/eingang/eingang/invoice"
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
	IntakeMeta // the form it came in (hybrid.go), the malware scan (scan.go)
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
	IntakeOutcome            // the form it came in (hybrid.go), malware (scan.go)
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
	// run left pending (the ownership rule in write.go).
	Instance string
	// ClockSkew is how far the clocks of the gateways and the store may
	// differ (default 1 minute): a pending submission of another gateway
	// is taken over only Timeout plus ClockSkew after its marker.
	ClockSkew time.Duration
	Logger    *slog.Logger
	Metrics   *Metrics // may be nil
	Now       func() time.Time
	// Scanner, if set, scans every original, a hybrid's invoice XML and
	// every embedded file before anything is kept (scan.go).
	Scanner Scanner
	// PDFLimits bound the reading of a hybrid PDF (package hybrid's
	// defaults for zero fields).
	PDFLimits hybrid.Limits
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

	run string // this process's run id: the owner of what it keeps (the ownership rule in write.go)

	mu   sync.Mutex
	busy map[string]*busyID // submissions being kept, filed or recovered

	// The pending markers this process writes (mark): the one open for
	// submissions to join, those its Submits are at work on or are
	// removing, and a slot for each of the markWrites written at a time.
	openBatch *markBatch
	batches   map[string]*markBatch
	markSlots chan struct{}
	unmarking sync.WaitGroup // removals of pending markers after answering (left)

	// passwordSlots bounds the passwords checked at once (each argon2id
	// check takes 19 MiB), so that logins from many addresses cannot
	// exhaust the memory (StartAccountSession).
	passwordSlots chan struct{}
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

// markWrites is how many pending markers a pipeline writes at a time:
// the submissions that come while they are written share the next. One
// at a time shared most (5.7 store requests per upload on one MinIO
// against 6.4 with a marker each) but made three gateways on a cluster,
// with fewer submissions each, wait for each other's markers; two kept
// most of the one and none of the other (docs/performance.md).
const markWrites = 2

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
	p := &Pipeline{cfg: cfg, run: run.String(), busy: map[string]*busyID{}, batches: map[string]*markBatch{}, markSlots: make(chan struct{}, markWrites), passwordSlots: make(chan struct{}, passwordChecks)}
	p.cfg.Store = outageStore{cfg.Store, func(err error) {
		p.refusal.Store(&refusal{p.cfg.Now(), err})
		p.cfg.Metrics.refused(err)
	}}
	return p, nil
}

// passwordChecks is how many passwords a gateway checks at once.
const passwordChecks = 4

// refusalMemory is how long a write the store refused for want of room or
// as read-only keeps the pipeline not ready, unless a submission is kept
// meanwhile.
const refusalMemory = time.Minute

// Ready reports whether the pipeline can take submissions, as uploads
// would meet it: a directory is loaded, the store takes a write, it has
// more room left than the floor (Config.MinFreeBytes, MinFreeInodes), no
// write was refused for want of room or as read-only in the last minute,
// and the malware scanner, if any, answers.
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
	if err := p.scannerReady(ctx); err != nil { // scan.go
		return err
	}
	if r := p.refusal.Load(); r != nil {
		if ago := p.cfg.Now().Sub(r.at); ago < refusalMemory {
			return fmt.Errorf("ingest: archive refused a write %s ago: %w", ago.Round(time.Second), r.err)
		}
	}
	return nil
}

// Validate validates a document without keeping it, with the validator
// submissions meet: an invoice XML, or the XML embedded in a hybrid PDF (a
// *PDFError where there is none acceptable).
func (p *Pipeline) Validate(ctx context.Context, data []byte, opts invoice.Options) (*invoice.Report, error) {
	return p.validateAny(ctx, data, false, opts)
}
