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
//  2. keep: pending marker naming the owner and holding the envelope
//     (Meta), original (write-once, retained), the channel's envelope;
//     one sync. Nothing is acknowledged before this returns;
//  3. file: dedup by create-if-absent on the channel key and the bytes
//     (firstOf; a copy waits for or finishes the first: settle,
//     duplicate), validation, routing by Leitweg-ID, the entry in an
//     inbox, clearing or rejected, the filing (outcome.json: envelope,
//     outcome, report); one sync (finish). The sender is answered, and
//     then the marker goes (Submit, unmark);
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
	unlock := p.lock(id)
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	if err := p.keep(ctx, meta, sub.Data, sub.Envelope); err != nil {
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
	var rec *Receipt
	if err == nil {
		rec, err = p.file(ctx, meta, in.xml, true)
	}
	if err != nil {
		p.cfg.Metrics.submission(sub.Channel, "error")
		return nil, &NotFiledError{ID: id, ReceiptToken: token, Err: err}
	}
	rec.ReceiptToken = token
	p.cfg.Metrics.submission(sub.Channel, string(rec.Status))
	// Filed and durable: the sender is answered now, and the pending
	// marker goes after, the id's lock with it (a recovery in this
	// process waits for it, then finds nothing pending), within this
	// submission's deadline (the ownership rule). Waiting for it cost the
	// slowest uploads a round of removals or two (docs/performance.md).
	deadline, _ := ctx.Deadline()
	release := unlock
	unlock = nil
	p.unmarking.Add(1)
	go func() {
		defer p.unmarking.Done()
		defer release()
		ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		defer cancel()
		p.unmark(ctx, id)
	}()
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

// keep makes the original durable: pending marker (holding the envelope,
// Meta), original (write-once, retained), written together and then
// synced once. Until the sync returns nothing is acknowledged; Recover
// checks what a power loss may have left half-written. The envelope is
// archived with the filing (finish), or by abandon: where keeping fails
// after the original may have been written, the submission is abandoned,
// which archives its envelope; before, the marker is dropped. No original
// is ever left without its envelope. A channel's own envelope (an SBD) is
// kept beside the original.
func (p *Pipeline) keep(ctx context.Context, meta Meta, data, envelope []byte) (err error) {
	s := p.cfg.Store
	dctx := store.Deferred(ctx)
	if err := p.mark(dctx, meta.ID, &meta); err != nil {
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
				p.abandon(actx, meta.ID, &meta, err.Error())
				return
			}
			s.Delete(actx, pendingKey(meta.ID))
		}
	}()
	original = true // from here on it may be written, whatever Create says
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
// the id's lock. fresh says the submission was kept just now by this
// call's Submit: then nothing of it can have been filed or acknowledged,
// and file does not look (two store requests fewer).
func (p *Pipeline) file(ctx context.Context, meta Meta, data []byte, fresh bool) (*Receipt, error) {
	s := p.cfg.Store
	// Filed before (a recovery of a submission that was finished)?
	if !fresh {
		if rec, err := p.filed(ctx, meta.ID); err != nil || rec != nil {
			if rec != nil {
				// The marker was still there: listeners may not have been
				// told. The caller drops the marker.
				p.filedHook(rec.Outcome)
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
	for first != meta.ID {
		frec, err := p.settle(ctx, first)
		if err != nil {
			return nil, err
		}
		if frec != nil {
			return p.duplicate(ctx, meta, frec)
		}
		// The first was never completely kept (a crash cut it short
		// before anyone was answered): one later copy takes its place,
		// and the others are its duplicates.
		if first, err = p.takeOver(ctx, dctx, meta, first); err != nil {
			return nil, err
		}
	}

	out := Outcome{ID: meta.ID, Channel: meta.Channel, ReceivedAt: meta.ReceivedAt}
	describe(&out, meta) // format, profile, malware (hybrid.go)
	if out.LikelyDuplicateOf, err = p.likelyDuplicate(ctx, dctx, meta); err != nil {
		return nil, err
	}
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

// settle returns the receipt of the first submission with some bytes,
// filing it first where it was kept but is not filed yet (its own Submit
// failed or was cut short after the dedup record). While another gateway
// may still be at work on it, settle waits for its outcome (the ownership rule in write.go). It
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

// takeOver records the submission under its channel key and its bytes
// in place of a first submission that was never completely kept (a crash
// cut it short before anyone was answered), and returns its id. Of
// several copies doing so at once, on any gateways, one wins (a
// create-if-absent of superseded/<first>): takeOver returns the winner's
// id to the others.
func (p *Pipeline) takeOver(ctx, dctx context.Context, meta Meta, first string) (string, error) {
	winner, err := p.claim(ctx, dctx, supersededKey(first), meta.ID)
	if err != nil || winner != meta.ID {
		return winner, err
	}
	keys := []string{dedupKey(meta.SHA256)}
	if meta.Key != "" {
		keys = append(keys, refKey(meta.Channel, meta.Key))
	}
	for _, key := range keys {
		if err := p.cfg.Store.Put(dctx, key, bytes.NewReader([]byte(meta.ID)), int64(len(meta.ID))); err != nil {
			return "", fmt.Errorf("ingest: %s: dedup: %w", meta.ID, err)
		}
	}
	return meta.ID, nil
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
// caller drops the pending marker (unmark): Submit after answering,
// a recovery before it drops its claims.
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

// unmark drops the pending marker of a filed submission. The submission
// is filed whether or not that works: should the deletion fail or be
// lost, Recover finds the outcome and deletes the marker again.
func (p *Pipeline) unmark(ctx context.Context, id string) {
	if err := store.Remove(store.Deferred(ctx), p.cfg.Store, pendingKey(id)); err != nil {
		p.cfg.Logger.Warn("pending mark of a filed submission stays", "id", id, "err", err)
	}
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
//   - Submit writes the pending marker (pending/<id>) before anything else
//     of the submission, naming its owner: the gateway's instance name and
//     this process's run id. Every store call of that Submit runs under a
//     context whose deadline is Config.Timeout after a moment before the
//     marker was written, so the owner writes nothing of the submission
//     later than the marker's time plus Timeout.
//   - Anyone else (recovery, a later copy of the same bytes) may touch a
//     pending submission only when its owner cannot be working on it any
//     more: its lease, Timeout plus Config.ClockSkew after the marker's
//     time in the store, has run out; or its owner is a former run of this
//     very instance (a gateway restarted after a crash: instance names are
//     unique among the gateways sharing a store, as the e-mail channel's
//     processing folders already require).
//   - Before touching it, the taker claims the next generation of the
//     submission's lease with a create-if-absent (claim/<id>/<n>): of all
//     gateways recovering at once exactly one wins, and it works under the
//     same deadline, so its own lease runs out in turn should it die.
//   - Abandoning (never acknowledged: its keeping was cut short) deletes
//     nothing but the marker; what was written stays archived and an
//     abandoned/<id> record lists it for operators.
//
// A 2xx is given only after the submission is filed, before the owner's
// deadline; so no one abandons or re-files what a sender was told is
// accepted.

// marker is the content of a pending marker and of a claim.
type marker struct {
	Owner string    `json:"owner"` // the gateway's instance name
	Run   string    `json:"run"`   // the process's run id
	At    time.Time `json:"at"`    // when the owner took it (its clock)
	// Meta is the submission's envelope, in the pending marker only: it
	// is archived with the filing, or when the submission is abandoned.
	Meta *Meta `json:"meta,omitempty"`
}

// lease is how long after its marker's time a holder may still be at
// work: its deadline, and the difference the clocks of gateways and store
// may have.
func (p *Pipeline) lease() time.Duration { return p.cfg.Timeout + p.cfg.ClockSkew }

// mark writes the pending marker of a submission this process owns.
func (p *Pipeline) mark(ctx context.Context, id string, meta *Meta) error {
	b, err := json.Marshal(marker{Owner: p.cfg.Instance, Run: p.run, At: p.cfg.Now().UTC(), Meta: meta})
	if err != nil {
		return err
	}
	// Created, not put: the id is new, and a store that keeps versions
	// (S3) then removes exactly the one version written (store.Remover).
	// ErrExists can only be this very write, answered late and tried again.
	err = p.cfg.Store.Create(ctx, pendingKey(id), bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// holder returns who holds a pending submission's lease and since when
// (the store's time of the marker or of the latest claim), and the number
// of the latest claim (0: none). ok is false when the submission is not
// pending.
func (p *Pipeline) holder(ctx context.Context, id string) (m marker, since time.Time, gen int, ok bool, err error) {
	s := p.cfg.Store
	info, err := s.Stat(ctx, pendingKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return m, since, 0, false, nil
	} else if err != nil {
		return m, since, 0, false, err
	}
	since = info.Modified
	key := pendingKey(id)
	claims, err := s.List(ctx, claimPrefix(id), "", 1000)
	if err != nil {
		return m, since, 0, false, err
	}
	for _, c := range claims {
		if n, err := strconv.Atoi(base(c.Key)); err == nil && n > gen {
			gen, since, key = n, c.Modified, c.Key
		}
	}
	// A marker that cannot be read (written before owners were named, or
	// cut short by a power loss) names no owner: its lease alone counts.
	if getJSON(ctx, s, key, &m) != nil {
		m = marker{}
	}
	return m, since, gen, true, nil
}

// errHeld says that a pending submission's holder may still be at work.
var errHeld = errors.New("ingest: held by a gateway that may still be at work")

// take claims a pending submission for this process, as the ownership
// rule allows: it returns errHeld while another may still be at work on
// it, and ok false when it is not pending (any more). The caller holds
// the id's lock in this process and works within Config.Timeout of the
// call.
func (p *Pipeline) take(ctx context.Context, id string) (ok bool, err error) {
	m, since, gen, pending, err := p.holder(ctx, id)
	if err != nil || !pending {
		return false, err
	}
	switch {
	case m.Owner == p.cfg.Instance && m.Run == p.run:
		// This process's own, and the caller holds its lock: its Submit
		// or its last recovery has returned.
		return true, nil
	case m.Owner == p.cfg.Instance && m.Run != "":
		// A former run of this instance: dead.
	case p.cfg.Now().Sub(since) < p.lease():
		return false, errHeld
	}
	b, err := json.Marshal(marker{Owner: p.cfg.Instance, Run: p.run, At: p.cfg.Now().UTC()})
	if err != nil {
		return false, err
	}
	err = p.cfg.Store.Create(ctx, claimKey(id, gen+1), bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
	if errors.Is(err, store.ErrExists) {
		return false, errHeld // another gateway was quicker
	} else if err != nil {
		return false, fmt.Errorf("ingest: claim %s: %w", id, err)
	}
	// Finished between the look and the claim? Whoever finishes drops the
	// marker before the claims, so a claim won after that sees no marker.
	if _, err := p.cfg.Store.Stat(ctx, pendingKey(id)); errors.Is(err, store.ErrNotFound) {
		p.release(ctx, id)
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("ingest: claim %s: %w", id, err)
	}
	p.cfg.Logger.Info("took over a pending submission", "id", id, "from", m.Owner, "run", m.Run, "claim", gen+1)
	return true, nil
}

// release drops a finished submission's claims, if any.
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
// (the ownership rule in write.go). It waits for the id's Submit if that is still at work in
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

// refile files a pending submission this process has taken (the ownership rule in write.go)
// from what was kept of it, or abandons it where that is incomplete (its
// sender got no 2xx and sends again): nil then.
func (p *Pipeline) refile(ctx context.Context, id string) (*Receipt, error) {
	m, err := p.pendingMeta(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	} else if m == nil {
		return nil, p.abandon(ctx, id, nil, "no envelope")
	}
	meta := *m
	data, err := p.original(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, p.abandon(ctx, id, m, "no original")
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != meta.SHA256 {
		return nil, p.abandon(ctx, id, m, "original incomplete")
	}
	if bad, err := p.envelopeIncomplete(ctx, meta); err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	} else if bad {
		return nil, p.abandon(ctx, id, m, "envelope incomplete")
	}
	// A hybrid PDF's invoice XML, archived beside it (hybrid.go).
	if data, err = p.keptXML(ctx, meta, data); errors.Is(err, errXMLIncomplete) {
		return nil, p.abandon(ctx, id, m, "invoice XML incomplete")
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", id, err)
	}
	rec, err := p.file(ctx, meta, data, false)
	if err != nil {
		return nil, err
	}
	// The marker before the claims: a claim won after that finds no
	// marker (take).
	p.unmark(ctx, id)
	p.release(ctx, id)
	return rec, nil
}

// pendingMeta returns the envelope of a pending submission: from its
// marker, or from meta.json where an earlier version kept it there. nil
// when neither holds it (a power loss cut keeping short).
func (p *Pipeline) pendingMeta(ctx context.Context, id string) (*Meta, error) {
	var m marker
	switch err := getJSON(ctx, p.cfg.Store, pendingKey(id), &m); {
	case err == nil && m.Meta != nil && m.Meta.ID == id:
		return m.Meta, nil
	case err != nil && !errors.Is(err, store.ErrNotFound) && !corrupt(err):
		return nil, err
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

// abandon drops the pending marker of a submission that was never
// acknowledged and lists it among the abandoned for operators. It deletes
// nothing else: whatever of the submission was written stays archived,
// with its envelope (meta, where known) as meta.json.
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
	if err := p.cfg.Store.Delete(ctx, pendingKey(id)); err != nil {
		return fmt.Errorf("ingest: abandon %s: %w", id, err)
	}
	p.release(ctx, id)
	return nil
}
