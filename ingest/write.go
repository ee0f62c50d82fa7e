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
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

// The write path, top to bottom: what happens to a submission from the
// moment a channel hands it over until it is filed, and how whatever a
// crash interrupted is finished.
//
//  1. Submit: checks against the channel's envelope (before) and the
//     look-up of a channel key seen before;
//  2. keep: the pending marker naming the owner and holding the envelope
//     (Meta), shared by the submissions that come while the one before
//     is written (mark); original (write-once, retained), the channel's
//     envelope; one sync. Nothing is acknowledged before this returns;
//  3. file: dedup by create-if-absent on the channel key and the bytes,
//     naming the marker (firstOf; a copy waits for or finishes the
//     first: settle, duplicate), validation, routing by Leitweg-ID, the
//     entry in an inbox, clearing or rejected, the filing (outcome.json:
//     envelope, outcome, report); one sync (finish). The sender is
//     answered, and the marker goes once all it lists are (left);
//  4. the ownership rule: who may work on a pending submission when
//     several gateways share the store (take);
//  5. Recover: finishing what is pending, or abandoning what was never
//     completely kept.
//
// The read side (inbox, search, view, figures) is in inbox.go and
// query.go.

// Submit runs a submission through the pipeline. Its work does not stop
// when ctx is cancelled (a sender that went away after handing over the
// document), only after Config.Timeout.
//
// Every error matches ErrUnavailable (the sender should send again
// later) but a *RefusedError and a *PDFError (hybrid.go): nothing was
// kept, and the same document will be refused again.
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
	// A hybrid PDF's invoice XML, the malware scan (hybrid.go, scan.go).
	in, err := p.prepare(ctx, &sub)
	if err != nil {
		return nil, err
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
		IntakeMeta:         in.meta,
	}
	defer p.lock(id)()
	k, err := p.keep(ctx, meta, sub.Data, sub.Envelope)
	if err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		if !errors.Is(err, ErrUnavailable) {
			err = unavailableError{err}
		}
		return nil, err
	}
	p.refusal.Store(nil) // the store takes writes again
	// A hybrid PDF's invoice XML beside it, synced with the filing; where
	// it is lost, Recover extracts it again from the PDF (hybrid.go).
	err = p.keepXML(store.Deferred(ctx), meta, in.xml)
	if err == nil {
		err = k.lookErr
	}
	var rec *Receipt
	if err == nil {
		rec, err = p.file(ctx, meta, in.xml, k.batch.id, &k.looked)
	}
	// Filed and durable (the sender is answered now), or kept and left
	// pending for Recover: the marker goes once every submission it lists
	// is filed, after the answers.
	p.left(ctx, k.batch, err == nil)
	if err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		return nil, &NotFiledError{ID: id, ReceiptToken: token, Err: err}
	}
	rec.ReceiptToken = token
	p.cfg.Metrics.submission(sub.Channel, string(rec.Status))
	return rec, nil
}

// Wait returns when the pending markers of the submissions filed so far
// are removed (or their removal failed, which Recover mends): a gateway
// calls it before it exits, once no more submissions come.
func (p *Pipeline) Wait() { p.unmarking.Wait() }

func newReceiptToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "rct_" + hex.EncodeToString(b), nil
}

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

// keep makes the original durable: the pending marker (holding the
// envelope, Meta) first, then the original (write-once, retained) and the
// channel's envelope, synced once. Until the sync returns nothing is
// acknowledged; Recover checks what a power loss may have left
// half-written. The marker is shared: it lists every submission whose
// keeping began in this process while the one before was being written
// (mark). The envelope is archived with the filing (finish), or by
// abandon: where keeping fails after the original may have been written,
// the submission is abandoned, which archives its envelope. No original
// is ever left without its envelope. A channel's own envelope (an SBD) is
// kept beside the original. Beside it too, keep takes file's first steps,
// which need nothing but the marker before them (look): the dedup record
// of the submission's bytes and channel key, made durable with the
// filing, and the look-up of a likely duplicate.
func (p *Pipeline) keep(ctx context.Context, meta Meta, data, envelope []byte) (*kept, error) {
	dctx := store.Deferred(ctx)
	b, err := p.mark(dctx, meta)
	if err != nil {
		p.left(ctx, b, true) // nothing of it written but, perhaps, the marker
		return nil, fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	k := &kept{batch: b}
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.looked, k.lookErr = p.look(ctx, dctx, meta, b.id)
	}()
	err = p.keepOriginal(ctx, b, meta, data, envelope)
	<-done
	if err != nil {
		return nil, err
	}
	return k, nil
}

// kept is a submission keep made durable: the pending marker that lists
// it, which the caller leaves once the submission is filed or left for
// Recover (left), and file's first steps, or why they failed (then it is
// kept and not filed).
type kept struct {
	batch   *markBatch
	looked  looked
	lookErr error
}

// looked is what file looks up before it validates: the submission that
// came first with the channel key or the bytes (the submission itself if
// none did), and an earlier one likely the same invoice in another form.
type looked struct {
	first  claimed
	likely string
}

// look takes file's first steps for a submission its pending marker
// pending/<batch> lists: firstOf, then likelyDuplicate, at once.
func (p *Pipeline) look(ctx, dctx context.Context, meta Meta, batch string) (looked, error) {
	var l looked
	var likelyErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.likely, likelyErr = p.likelyDuplicate(ctx, dctx, meta, batch)
	}()
	first, err := p.firstOf(ctx, dctx, meta, batch)
	<-done
	l.first = first
	return l, errors.Join(err, likelyErr)
}

// keepOriginal writes the original and the channel's envelope of a
// submission its pending marker b lists, and syncs. Where that fails, it
// leaves b.
func (p *Pipeline) keepOriginal(ctx context.Context, b *markBatch, meta Meta, data, envelope []byte) (err error) {
	s := p.cfg.Store
	dctx := store.Deferred(ctx)
	defer func() {
		if err != nil {
			// Not acknowledged: the sender sends again. The original may
			// be written: archive its envelope and list it as abandoned
			// if the store lets us; else Recover does.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			p.left(actx, b, p.abandon(actx, meta.ID, &meta, err.Error()) == nil)
		}
	}()
	err = s.Create(dctx, originalKey(meta.ID), bytes.NewReader(data), int64(len(data)), store.CreateOptions{RetainUntil: meta.RetainUntil})
	if err != nil && !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	if err := p.keepEnvelope(dctx, meta, envelope); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	if err := store.Sync(ctx, s); err != nil {
		return fmt.Errorf("ingest: keep %s: %w", meta.ID, err)
	}
	return nil
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

// file runs the steps after keep on the invoice XML (the original, or a
// hybrid PDF's embedded XML); each is idempotent. The caller holds
// the id's lock; batch names the pending marker that lists the
// submission. l, where not nil, is what keep looked up (a submission kept
// just now by this call's Submit: then nothing of it can have been filed
// or acknowledged, and file does not look whether it was, two store
// requests fewer).
func (p *Pipeline) file(ctx context.Context, meta Meta, data []byte, batch string, l *looked) (*Receipt, error) {
	s := p.cfg.Store
	fresh := l != nil
	// Filed before (a recovery of a submission that was finished)?
	if !fresh {
		if rec, err := p.filed(ctx, meta.ID); err != nil || rec != nil {
			if rec != nil {
				// Filed after the look that found it pending: whoever
				// filed it may have died before telling the listeners,
				// who tolerate hearing it twice.
				p.filedHook(rec.Outcome)
			}
			return rec, err
		}
	}
	// The objects below are written together and synced once before the
	// pending marker goes.
	dctx := store.Deferred(ctx)
	// The same channel key or the same bytes before, under another id? A
	// likely duplicate in another form?
	if l == nil {
		found, err := p.look(ctx, dctx, meta, batch)
		if err != nil {
			return nil, err
		}
		l = &found
	}
	first := &l.first
	for first.id != meta.ID {
		frec, err := p.settle(ctx, *first)
		if err != nil {
			return nil, err
		}
		if frec != nil {
			return p.duplicate(ctx, meta, frec)
		}
		// The first was never completely kept (a crash cut it short
		// before anyone was answered): one later copy takes its place,
		// and the others are its duplicates.
		winner, err := p.takeOver(ctx, dctx, meta, batch, first.id)
		if err != nil {
			return nil, err
		}
		first = &winner
	}

	out := Outcome{ID: meta.ID, Channel: meta.Channel, ReceivedAt: meta.ReceivedAt}
	describe(&out, meta) // format, profile, malware (hybrid.go)
	out.LikelyDuplicateOf = l.likely
	// Validation, or the malware verdict; a profile's explanation (hybrid.go).
	rep, err := p.judge(ctx, meta, data)
	if err != nil {
		return nil, fmt.Errorf("ingest: %s: validate: %w", meta.ID, err)
	}
	report, err := json.Marshal(rep)
	if err != nil {
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
	if err := p.quarantine(dctx, out); err != nil { // malware (scan.go)
		return nil, err
	}
	if err := p.finish(ctx, meta, out, report); err != nil {
		return nil, err
	}
	return &Receipt{ID: meta.ID, Status: out.Status, Accepted: out.Accepted, Outcome: out, Report: rep, Findings: rep.Findings}, nil
}

// filed returns the receipt of a submission that was filed, nil if it was
// not (or its outcome was cut short by a power loss).
func (p *Pipeline) filed(ctx context.Context, id string) (*Receipt, error) {
	var f filing
	if err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &f); err != nil {
		if errors.Is(err, store.ErrNotFound) || corrupt(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	done := f.Outcome
	rec := &Receipt{ID: id, Status: done.Status, Accepted: done.Accepted, Outcome: done, Findings: []invoice.Finding{}}
	if rep, err := p.decodedReportOf(ctx, id, &f); err == nil {
		rec.Report, rec.Findings = rep, rep.Findings
	}
	return rec, nil
}

// A claimed is what a dedup or ref record holds: the id of the
// submission that came first, and the pending marker that lists it
// (pending/<batch>) until it is filed.
type claimed struct{ id, batch string }

// String is the record's content: the id, and the batch where it differs
// (a record of an earlier version holds the id alone; its marker was
// named by the id).
func (c claimed) String() string {
	if c.batch == "" || c.batch == c.id {
		return c.id
	}
	return c.id + " " + c.batch
}

// firstOf returns the submission that first brought the submission's
// channel key or, failing that, its bytes: meta.ID itself if none did.
func (p *Pipeline) firstOf(ctx, dctx context.Context, meta Meta, batch string) (claimed, error) {
	if meta.Key != "" {
		first, err := p.claim(ctx, dctx, refKey(meta.Channel, meta.Key), claimed{meta.ID, batch})
		if err != nil || first.id != meta.ID {
			return first, err
		}
	}
	return p.claim(ctx, dctx, dedupKey(meta.SHA256), claimed{meta.ID, batch})
}

// claim records c under key (create-if-absent) and returns what is there
// first.
func (p *Pipeline) claim(ctx, dctx context.Context, key string, c claimed) (claimed, error) {
	s := p.cfg.Store
	rec := c.String()
	err := s.Create(dctx, key, strings.NewReader(rec), int64(len(rec)), store.CreateOptions{})
	if err == nil {
		return c, nil
	} else if !errors.Is(err, store.ErrExists) {
		return claimed{}, fmt.Errorf("ingest: %s: dedup: %w", c.id, err)
	}
	first, err := p.firstAt(ctx, key)
	if err != nil {
		return claimed{}, fmt.Errorf("ingest: %s: dedup: %w", c.id, err)
	}
	if first.id == "" {
		// Cut short by a power loss before anyone was acknowledged: this
		// submission is the first.
		if err := s.Put(dctx, key, strings.NewReader(rec), int64(len(rec))); err != nil {
			return claimed{}, fmt.Errorf("ingest: %s: dedup: %w", c.id, err)
		}
		return c, nil
	}
	return first, nil
}

// lookup returns the id recorded under a dedup or ref key, or "" if none
// (or only a cut-short write) is there.
func (p *Pipeline) lookup(ctx context.Context, key string) (string, error) {
	c, err := p.firstAt(ctx, key)
	return c.id, err
}

// firstAt returns what a dedup or ref record holds; a zero claimed if
// there is none (or only a cut-short write).
func (p *Pipeline) firstAt(ctx context.Context, key string) (claimed, error) {
	r, err := p.cfg.Store.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return claimed{}, nil
	} else if err != nil {
		return claimed{}, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 100))
	if err != nil {
		return claimed{}, fmt.Errorf("store: read %s: %w", key, err)
	}
	id, batch, two := strings.Cut(string(b), " ")
	if uuid.Validate(id) != nil || two && uuid.Validate(batch) != nil {
		return claimed{}, nil
	}
	if !two {
		batch = id
	}
	return claimed{id, batch}, nil
}

// settle returns the receipt of the first submission with some bytes,
// filing it first where it was kept but is not filed yet (its own Submit
// failed or was cut short after the dedup record). While another gateway
// may still be at work on it, settle waits for its outcome (the ownership
// rule below). It returns nil when that submission was never completely
// kept.
func (p *Pipeline) settle(ctx context.Context, first claimed) (*Receipt, error) {
	id := first.id
	defer p.lock(id)()
	if rec, err := p.filed(ctx, id); err != nil || rec != nil {
		return rec, err
	}
	// Not filed yet: take looks again on every round (settled).
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		h, ok, err := p.take(ctx, id, first.batch)
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
		return p.refile(ctx, id, first.batch, h.meta)
	}
}

// takeOver records the submission under its channel key and its bytes
// in place of a first submission that was never completely kept (a crash
// cut it short before anyone was answered), and returns it. Of several
// copies doing so at once, on any gateways, one wins (a create-if-absent
// of superseded/<first>): takeOver returns the winner to the others.
func (p *Pipeline) takeOver(ctx, dctx context.Context, meta Meta, batch, first string) (claimed, error) {
	c := claimed{meta.ID, batch}
	winner, err := p.claim(ctx, dctx, supersededKey(first), c)
	if err != nil || winner.id != meta.ID {
		return winner, err
	}
	keys := []string{dedupKey(meta.SHA256)}
	if meta.Key != "" {
		keys = append(keys, refKey(meta.Channel, meta.Key))
	}
	rec := c.String()
	for _, key := range keys {
		if err := p.cfg.Store.Put(dctx, key, strings.NewReader(rec), int64(len(rec))); err != nil {
			return claimed{}, fmt.Errorf("ingest: %s: dedup: %w", meta.ID, err)
		}
	}
	return c, nil
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
	if err := p.finish(ctx, meta, out, nil); err != nil {
		return nil, err
	}
	rec := *first
	rec.Status, rec.ReceiptToken = StatusDuplicate, ""
	return &rec, nil
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

// finish writes the filing (the envelope, the outcome and the validation
// report, if any) and makes the submission's deferred writes durable. The
// pending marker goes once every submission it lists is settled (left,
// recoverBatch).
func (p *Pipeline) finish(ctx context.Context, meta Meta, out Outcome, report json.RawMessage) error {
	s := p.cfg.Store
	if err := putJSON(store.Deferred(ctx), s, outcomeKey(out.ID), filing{Outcome: out, Meta: &meta, Report: report}); err != nil {
		return fmt.Errorf("ingest: %s: outcome: %w", out.ID, err)
	}
	if err := store.Sync(ctx, s); err != nil {
		return fmt.Errorf("ingest: %s: file: %w", out.ID, err)
	}
	if out.Status != StatusDuplicate {
		p.dropDayFigures(ctx, out.ID)
	}
	p.cfg.Metrics.filed(out)
	p.filedHook(out)
	p.cfg.Logger.Info("filed", "id", out.ID, "status", out.Status, "channel", out.Channel,
		"municipality", out.Municipality, "leitweg_id", out.LeitwegID, "accepted", out.Accepted, "duplicate_of", out.DuplicateOf)
	return nil
}

// filedHook tells the OnFiled listener about an invoice filed in an inbox.
func (p *Pipeline) filedHook(o Outcome) {
	if p.cfg.OnFiled != nil && o.Status == StatusRouted {
		p.cfg.OnFiled(o)
	}
}

// The ownership rule: who may work on a pending submission.
//
// Several gateways share one store. A submission is worked on by exactly
// one of them at a time, and whatever works on it does so under a lease:
//
//   - Submit has the submission listed in a pending marker
//     (pending/<batch>, named by the first id it lists) before anything
//     else of it is written; the marker names its owner: the gateway's
//     instance name and this process's run id. A marker lists the
//     submissions whose keeping began while the marker before was being
//     written (mark), so each was begun before its marker was written.
//     Every store call of a Submit runs under a context whose deadline is
//     Config.Timeout after its beginning, so the owner writes nothing of
//     a submission later than its marker's time plus Timeout.
//   - Anyone else (recovery, a later copy of the same bytes, which finds
//     the marker named in the dedup record) may touch a pending
//     submission only when its owner cannot be working on it any more:
//     its lease, Timeout plus Config.ClockSkew after the marker's time in
//     the store, has run out; or its owner is a former run of this very
//     instance (a gateway restarted after a crash: instance names are
//     unique among the gateways sharing a store, as the e-mail channel's
//     processing folders already require).
//   - Before touching it, the taker claims the next generation of the
//     submission's lease with a create-if-absent (claim/<id>/<n>): of all
//     gateways recovering at once exactly one wins, and it works under the
//     same deadline, so its own lease runs out in turn should it die. The
//     winner then looks again whether the submission is settled (filed,
//     or abandoned) before it works on it.
//   - Abandoning (never acknowledged: its keeping was cut short) deletes
//     nothing; what was written stays archived and an abandoned/<id>
//     record lists it for operators.
//   - The marker goes once every submission it lists is settled: by the
//     owner after its last Submit of them returned (left), else by a
//     recovery (recoverBatch); then the claims. Until then a settled
//     submission stays listed, and a taker finds it settled.
//
// A 2xx is given only after the submission is filed, before the owner's
// deadline; so no one abandons or re-files what a sender was told is
// accepted.

// marker is the content of a pending marker and of a claim.
type marker struct {
	Owner string    `json:"owner"` // the gateway's instance name
	Run   string    `json:"run"`   // the process's run id
	At    time.Time `json:"at"`    // when the owner took it (its clock)
	// Batch lists the submissions a pending marker marks, with their
	// envelopes (each archived with its filing, or when it is
	// abandoned). A claim lists none.
	Batch []Meta `json:"batch,omitempty"`
	// Meta is the one submission's envelope in a marker of an earlier
	// version (pending/<id>).
	Meta *Meta `json:"meta,omitempty"`
}

// members returns the ids the pending marker pending/<batch> lists.
func (m *marker) members(batch string) []string {
	if len(m.Batch) == 0 {
		return []string{batch}
	}
	ids := make([]string, len(m.Batch))
	for i, meta := range m.Batch {
		ids[i] = meta.ID
	}
	return ids
}

// meta returns the envelope the marker holds for submission id, nil if
// none.
func (m *marker) meta(id string) *Meta {
	for i := range m.Batch {
		if m.Batch[i].ID == id {
			return &m.Batch[i]
		}
	}
	if m.Meta != nil && m.Meta.ID == id {
		return m.Meta
	}
	return nil
}

// A markBatch is a pending marker this process writes or wrote: the
// submissions it lists and how many of their Submits have not returned.
type markBatch struct {
	id      string // the first submission's: the marker is pending/<id>
	metas   []Meta
	written chan struct{} // closed when the marker is written (or failed)
	err     error         // the write's
	// Under Pipeline.mu:
	atWork int  // Submits that have not returned (left)
	stays  bool // a submission is kept and not settled: Recover's
}

// lease is how long after its marker's time a holder may still be at
// work: its deadline, and the difference the clocks of gateways and store
// may have.
func (p *Pipeline) lease() time.Duration { return p.cfg.Timeout + p.cfg.ClockSkew }

// mark lists a submission this process keeps in a pending marker and
// returns once the marker is written: group commit. A few markers are
// written at a time (markWrites); the submissions that come while no
// more may be wait and are listed together in the next, written by the
// first of them. The caller leaves
// the marker when its Submit returns (left), also where mark failed.
func (p *Pipeline) mark(ctx context.Context, meta Meta) (*markBatch, error) {
	p.mu.Lock()
	b := p.openBatch
	first := b == nil
	if first {
		b = &markBatch{id: meta.ID, written: make(chan struct{})}
		p.openBatch = b
		p.batches[b.id] = b
	}
	b.metas = append(b.metas, meta)
	b.atWork++
	p.mu.Unlock()
	if !first {
		<-b.written
		return b, b.err
	}
	p.markSlots <- struct{}{}
	p.mu.Lock()
	p.openBatch = nil // who comes now waits for the next
	metas := b.metas
	p.mu.Unlock()
	b.err = p.writeMarker(ctx, b.id, metas)
	<-p.markSlots
	close(b.written)
	return b, b.err
}

// writeMarker writes the pending marker pending/<id> listing metas.
func (p *Pipeline) writeMarker(ctx context.Context, id string, metas []Meta) error {
	b, err := json.Marshal(marker{Owner: p.cfg.Instance, Run: p.run, At: p.cfg.Now().UTC(), Batch: metas})
	if err != nil {
		return err
	}
	// Created, not put: the name is new, and a store that keeps versions
	// (S3) then removes exactly the one version written (store.Remover).
	// ErrExists can only be this very write, answered late and tried again.
	err = p.cfg.Store.Create(ctx, pendingKey(id), bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// left tells a pending marker that one of its submissions' Submit
// returned: settled (filed, abandoned, or nothing of it written but the
// marker), or not (kept and not filed: the marker stays for Recover). The
// last to leave removes the marker where all are settled, after its
// answer and within its deadline (ctx's): Wait waits for that. Until then
// this process's Recover leaves the marker alone.
func (p *Pipeline) left(ctx context.Context, b *markBatch, settled bool) {
	p.mu.Lock()
	b.atWork--
	b.stays = b.stays || !settled
	last := b.atWork == 0
	if last && b.stays {
		delete(p.batches, b.id)
	}
	p.mu.Unlock()
	if !last || b.stays {
		return
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = p.cfg.Now().Add(p.cfg.Timeout)
	}
	p.unmarking.Add(1)
	go func() {
		defer p.unmarking.Done()
		ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		if err := store.Remove(store.Deferred(ctx), p.cfg.Store, pendingKey(b.id)); err != nil {
			p.cfg.Logger.Warn("pending mark of filed submissions stays", "marker", b.id, "err", err)
		}
		p.mu.Lock()
		delete(p.batches, b.id)
		p.mu.Unlock()
	}()
}

// marking reports whether this process is still at work on the
// submissions the pending marker pending/<batch> lists.
func (p *Pipeline) marking(batch string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.batches[batch] != nil
}

// A holding is who holds a pending submission's lease.
type holding struct {
	marker           // the marker's owner, or the latest claim's
	since  time.Time // the store's time of the marker or of the latest claim
	gen    int       // the number of the latest claim (0: none)
	meta   *Meta     // the submission's envelope, from the marker
}

// holder returns who holds the lease of submission id, listed in the
// pending marker pending/<batch>. ok is false when that marker is gone.
func (p *Pipeline) holder(ctx context.Context, id, batch string) (h holding, ok bool, err error) {
	s := p.cfg.Store
	info, err := s.Stat(ctx, pendingKey(batch))
	if errors.Is(err, store.ErrNotFound) {
		return h, false, nil
	} else if err != nil {
		return h, false, err
	}
	h.since = info.Modified
	// A marker that cannot be read (cut short by a power loss) names no
	// owner: its lease alone counts.
	var m marker
	if getJSON(ctx, s, pendingKey(batch), &m) == nil {
		h.meta = m.meta(id)
		h.marker = marker{Owner: m.Owner, Run: m.Run, At: m.At}
	}
	claims, err := s.List(ctx, claimPrefix(id), "", 1000)
	if err != nil {
		return h, false, err
	}
	key := ""
	for _, c := range claims {
		if n, err := strconv.Atoi(base(c.Key)); err == nil && n > h.gen {
			h.gen, h.since, key = n, c.Modified, c.Key
		}
	}
	if key != "" {
		var c marker
		if getJSON(ctx, s, key, &c) != nil {
			c = marker{}
		}
		h.marker = c
	}
	return h, true, nil
}

// errHeld says that a pending submission's holder may still be at work.
var errHeld = errors.New("ingest: held by a gateway that may still be at work")

// take claims submission id, listed in the pending marker
// pending/<batch>, for this process as the ownership rule allows: it
// returns errHeld while another may still be at work on it, and ok false
// when it is settled or its marker gone. The caller holds the id's lock
// in this process and works within Config.Timeout of the call.
func (p *Pipeline) take(ctx context.Context, id, batch string) (h holding, ok bool, err error) {
	h, pending, err := p.holder(ctx, id, batch)
	if err != nil || !pending {
		return h, false, err
	}
	switch {
	case h.Owner == p.cfg.Instance && h.Run == p.run:
		// This process's own, and the caller holds its lock: its Submit
		// or its last recovery has returned, and told the listeners.
		done, err := p.settled(ctx, id, false)
		return h, !done && err == nil, err
	case h.Owner == p.cfg.Instance && h.Run != "":
		// A former run of this instance: dead.
	case p.cfg.Now().Sub(h.since) < p.lease():
		// Its holder may be at work, unless it is settled: a filing or an
		// abandoning is final, and whoever made it told the listeners.
		if done, err := p.settled(ctx, id, false); err != nil || done {
			return h, false, err
		}
		return h, false, errHeld
	}
	b, err := json.Marshal(marker{Owner: p.cfg.Instance, Run: p.run, At: p.cfg.Now().UTC()})
	if err != nil {
		return h, false, err
	}
	err = p.cfg.Store.Create(ctx, claimKey(id, h.gen+1), bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
	if errors.Is(err, store.ErrExists) {
		return h, false, errHeld // another gateway was quicker
	} else if err != nil {
		return h, false, fmt.Errorf("ingest: claim %s: %w", id, err)
	}
	// The marker removed between the look and the claim? Whoever removes
	// it removes it before the claims, so a claim won after that sees no
	// marker.
	if _, err := p.cfg.Store.Stat(ctx, pendingKey(batch)); errors.Is(err, store.ErrNotFound) {
		p.release(ctx, id)
		return h, false, nil
	} else if err != nil {
		return h, false, fmt.Errorf("ingest: claim %s: %w", id, err)
	}
	// Settled before the claim? The marker's owner may have died between
	// filing and telling the listeners; where no taker came before, this
	// one tells them.
	if done, err := p.settled(ctx, id, h.gen == 0); err != nil || done {
		return h, false, err
	}
	p.cfg.Logger.Info("took over a pending submission", "id", id, "from", h.Owner, "run", h.Run, "claim", h.gen+1)
	return h, true, nil
}

// settled reports whether a pending submission is filed or abandoned,
// telling the listeners of a filed one again where tell says so.
func (p *Pipeline) settled(ctx context.Context, id string, tell bool) (bool, error) {
	rec, err := p.filed(ctx, id)
	if err != nil {
		return false, err
	} else if rec != nil {
		if tell {
			p.filedHook(rec.Outcome)
		}
		return true, nil
	}
	switch _, err := p.cfg.Store.Stat(ctx, abandonedKey(id)); {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("ingest: %s: %w", id, err)
	}
}

// release drops a settled submission's claims, if any.
func (p *Pipeline) release(ctx context.Context, id string) {
	claims, err := p.cfg.Store.List(ctx, claimPrefix(id), "", 1000)
	if err != nil {
		return // left for later: claims of a submission no longer pending are never read
	}
	for _, c := range claims {
		p.cfg.Store.Delete(ctx, c.Key)
	}
}

// Recover finishes every submission whose original was kept but that was
// not filed (a crash or a store outage in between), as the ownership rule
// lets this process, and removes the pending markers whose submissions
// are all settled. It returns how many it filed.
func (p *Pipeline) Recover(ctx context.Context) (int, error) {
	n := 0
	after := ""
	for {
		page, err := p.cfg.Store.List(ctx, pendingPrefix, after, 500)
		if err != nil {
			return n, fmt.Errorf("ingest: recover: %w", err)
		}
		if len(page) == 0 {
			return n, nil
		}
		for _, info := range page {
			batch := info.Key[len(pendingPrefix):]
			after = batch
			if p.marking(batch) {
				continue // this process's Submits are at work on it
			}
			k, err := p.recoverBatch(ctx, batch)
			n += k
			if err != nil {
				return n, err
			}
		}
	}
}

// recoverBatch recovers the submissions the pending marker
// pending/<batch> lists, and removes it, then their claims, once all
// are settled.
func (p *Pipeline) recoverBatch(ctx context.Context, batch string) (int, error) {
	s := p.cfg.Store
	var m marker
	switch err := getJSON(ctx, s, pendingKey(batch), &m); {
	case errors.Is(err, store.ErrNotFound):
		return 0, nil // removed meanwhile
	case corrupt(err):
		m = marker{} // cut short: it lists the one it is named by
	case err != nil:
		return 0, fmt.Errorf("ingest: recover %s: %w", batch, err)
	}
	n, all := 0, true
	for _, id := range m.members(batch) {
		settled, filed, err := p.recover(ctx, id, batch)
		if err != nil {
			return n, err
		}
		if filed {
			n++
		}
		all = all && settled
	}
	if !all {
		return n, nil
	}
	if err := s.Delete(ctx, pendingKey(batch)); err != nil {
		return n, fmt.Errorf("ingest: recover %s: %w", batch, err)
	}
	for _, id := range m.members(batch) {
		p.release(ctx, id)
	}
	return n, nil
}

// recover finishes submission id, listed in the pending marker
// pending/<batch>, or abandons it where it was never completely kept, if
// the ownership rule lets this process take it. settled says it is filed
// or abandoned now; filed, that recover filed it. It waits for the id's
// Submit if that is still at work in this process.
func (p *Pipeline) recover(ctx context.Context, id, batch string) (settled, filed bool, err error) {
	defer p.lock(id)()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	h, ok, err := p.take(ctx, id, batch)
	if errors.Is(err, errHeld) {
		return false, false, nil // at work elsewhere
	} else if err != nil {
		return false, false, fmt.Errorf("ingest: recover %s: %w", id, err)
	} else if !ok {
		return true, false, nil // settled, or its marker gone
	}
	rec, err := p.refile(ctx, id, batch, h.meta)
	if err != nil {
		return false, false, err
	}
	if rec != nil {
		p.cfg.Logger.Info("recovered", "id", id)
	}
	return true, rec != nil, nil
}

// refile files a pending submission this process has taken (the ownership
// rule above) from what was kept of it, or abandons it where that is
// incomplete (its sender got no 2xx and sends again): nil then. meta is
// its envelope from its pending marker (nil: look for it elsewhere).
func (p *Pipeline) refile(ctx context.Context, id, batch string, meta *Meta) (*Receipt, error) {
	if meta == nil {
		m, err := p.pendingMeta(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("ingest: %s: %w", id, err)
		} else if m == nil {
			return nil, p.abandon(ctx, id, nil, "no envelope")
		}
		meta = m
	}
	data, err := p.original(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, p.abandon(ctx, id, meta, "no original")
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != meta.SHA256 {
		return nil, p.abandon(ctx, id, meta, "original incomplete")
	}
	if bad, err := p.envelopeIncomplete(ctx, *meta); err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	} else if bad {
		return nil, p.abandon(ctx, id, meta, "envelope incomplete")
	}
	// A hybrid PDF's invoice XML, archived beside it (hybrid.go).
	if data, err = p.keptXML(ctx, *meta, data); errors.Is(err, errXMLIncomplete) {
		return nil, p.abandon(ctx, id, meta, "invoice XML incomplete")
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	return p.file(ctx, *meta, data, batch, nil)
}

// pendingMeta returns the envelope of a pending submission: from the
// pending marker that lists it, or from meta.json where an earlier
// version kept it there. nil when neither holds it (a power loss cut
// keeping short).
func (p *Pipeline) pendingMeta(ctx context.Context, id string) (*Meta, error) {
	if _, m, err := p.pendingOf(ctx, id); err != nil || m != nil {
		return m, err
	}
	var meta Meta
	switch err := getJSON(ctx, p.cfg.Store, metaKey(id), &meta); {
	case err == nil:
		return &meta, nil
	case errors.Is(err, store.ErrNotFound) || corrupt(err):
		return nil, nil
	default:
		return nil, err
	}
}

// pendingOf finds the pending marker that lists submission id: the one
// named by it (the first it lists), else one named by a submission begun
// within a lease of it (mark lists those begun while the marker before
// was written). batch is "" where none lists it; meta, its envelope
// there.
func (p *Pipeline) pendingOf(ctx context.Context, id string) (batch string, meta *Meta, err error) {
	s := p.cfg.Store
	var m marker
	switch err := getJSON(ctx, s, pendingKey(id), &m); {
	case err == nil:
		return id, m.meta(id), nil
	case corrupt(err):
		return id, nil, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", nil, err
	}
	t := idTime(id)
	end := idFloor(t.Add(p.lease() + time.Millisecond))
	err = p.walkRecords(ctx, pendingPrefix, idFloor(t.Add(-p.lease())), func(in store.Info) (bool, error) {
		if base(in.Key) > end {
			return false, nil
		}
		var m marker
		if err := record(ctx, s, in, &m); err != nil && !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
			return false, err
		}
		if meta = m.meta(id); meta != nil {
			batch = base(in.Key)
			return false, nil
		}
		return true, nil
	})
	return batch, meta, err
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

func (p *Pipeline) original(ctx context.Context, id string) ([]byte, error) {
	r, err := p.cfg.Store.Get(ctx, originalKey(id))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	return data, outage(err)
}

// An Abandoned submission was kept in part but never acknowledged (its
// keeping failed or was cut short): its sender was told to send again.
// Whatever of it was written stays archived; it is no invoice.
type Abandoned struct {
	ID     string    `json:"id"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	By     string    `json:"by"` // the instance that abandoned it
}

// abandon lists a submission that was never acknowledged among the
// abandoned for operators. It deletes nothing: whatever of the submission
// was written stays archived, with its envelope (meta, where known) as
// meta.json. Its pending marker goes once all it lists are settled.
func (p *Pipeline) abandon(ctx context.Context, id string, meta *Meta, why string) error {
	p.cfg.Logger.Warn("unacknowledged submission abandoned", "id", id, "reason", why)
	if meta != nil {
		if err := createJSON(ctx, p.cfg.Store, metaKey(id), meta); err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("ingest: abandon %s: %w", id, err)
		}
	}
	a := Abandoned{ID: id, Reason: why, At: p.cfg.Now().UTC(), By: p.cfg.Instance}
	if err := putJSON(ctx, p.cfg.Store, abandonedKey(id), a); err != nil {
		return fmt.Errorf("ingest: abandon %s: %w", id, err)
	}
	return nil
}
