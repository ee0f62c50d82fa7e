package ingest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/google/uuid"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// validID reports whether id is a submission id (a UUID in canonical form).
func validID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

// Inbox lists a municipality's entries with state "new", "acknowledged" or
// "all", in id (arrival) order, after the cursor id, at most limit.
func (p *Pipeline) Inbox(ctx context.Context, municipality, state, after string, limit int) ([]Outcome, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var states []string
	switch state {
	case "new", "":
		states = []string{"new"}
	case "acknowledged":
		states = []string{"acknowledged"}
	case "all":
		states = []string{"new", "acknowledged"}
	default:
		return nil, fmt.Errorf("ingest: inbox: unknown state %q (new, acknowledged, all)", state)
	}
	var listed []store.Info
	for _, st := range states {
		infos, err := store.ListBodies(ctx, p.cfg.Store, inboxPrefix(municipality, st), after, limit)
		if err != nil {
			return nil, fmt.Errorf("ingest: inbox %s: %w", municipality, err)
		}
		listed = append(listed, infos...)
	}
	sort.Slice(listed, func(i, j int) bool { return base(listed[i].Key) < base(listed[j].Key) })
	if len(listed) > limit {
		listed = listed[:limit]
	}
	out, err := readRecords[Outcome](ctx, p.cfg.Store, listed, func(err error) bool {
		return errors.Is(err, store.ErrNotFound) // acknowledged meanwhile
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: inbox %s: %w", municipality, err)
	}
	return out, nil
}

func base(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			return key[i+1:]
		}
	}
	return key
}

// Outcome returns what became of a submission.
func (p *Pipeline) Outcome(ctx context.Context, id string) (Outcome, error) {
	o, _, err := p.outcome(ctx, id)
	return o, err
}

// outcome is Outcome with the filing it was read from: nil while the
// submission is pending.
func (p *Pipeline) outcome(ctx context.Context, id string) (Outcome, *filing, error) {
	if !validID(id) {
		return Outcome{}, nil, ErrNotFound
	}
	var f filing
	err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &f)
	if errors.Is(err, store.ErrNotFound) {
		if batch, _, perr := p.pendingOf(ctx, id); perr != nil {
			return Outcome{}, nil, perr
		} else if batch != "" {
			return Outcome{ID: id, Status: StatusPending}, nil, nil
		}
		return Outcome{}, nil, ErrNotFound
	} else if err != nil {
		return f.Outcome, nil, err
	}
	return f.Outcome, &f, nil
}

// Follow returns what became of submission id for the holder of one of
// its receipt tokens: the one Submit returned for it, or one returned for
// a later copy of the same bytes (a duplicate). ErrNotFound when the token
// is neither, so that an id's existence is not revealed.
func (p *Pipeline) Follow(ctx context.Context, id, token string) (Outcome, error) {
	o, f, err := p.outcome(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	meta, err := p.metaOf(ctx, id, f)
	if err != nil {
		return Outcome{}, err
	}
	sum := directory.HashToken(token)
	if subtle.ConstantTimeCompare([]byte(sum), []byte(meta.ReceiptTokenSHA256)) != 1 {
		if _, err := p.cfg.Store.Stat(ctx, receiptKey(id, sum)); errors.Is(err, store.ErrNotFound) {
			return Outcome{}, ErrNotFound
		} else if err != nil {
			return Outcome{}, fmt.Errorf("ingest: follow %s: %w", id, err)
		}
	}
	return o, nil
}

// InboxEntry returns a municipality's entry; ErrNotFound when the invoice
// is not in its inbox (whether or not it exists elsewhere).
func (p *Pipeline) InboxEntry(ctx context.Context, municipality, id string) (Outcome, error) {
	var o Outcome
	if !validID(id) {
		return o, ErrNotFound
	}
	for _, st := range []string{"new", "acknowledged"} {
		err := getJSON(ctx, p.cfg.Store, inboxKey(municipality, st, id), &o)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return o, err
		}
	}
	return o, ErrNotFound
}

// Meta returns a submission's envelope: from its filing, from its
// pending marker while it is being filed, or from meta.json (abandoned, or
// archived before 2026-12-07).
func (p *Pipeline) Meta(ctx context.Context, id string) (Meta, error) {
	if !validID(id) {
		return Meta{}, ErrNotFound
	}
	var f filing
	switch err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &f); {
	case errors.Is(err, store.ErrNotFound):
		return p.metaOf(ctx, id, nil)
	case err != nil:
		return Meta{}, err
	}
	return p.metaOf(ctx, id, &f)
}

// metaOf is Meta with the submission's filing already read (nil: it has
// none).
func (p *Pipeline) metaOf(ctx context.Context, id string, f *filing) (Meta, error) {
	if f != nil && f.Meta != nil {
		return *f.Meta, nil
	}
	m, err := p.pendingMeta(ctx, id)
	if err != nil {
		return Meta{}, err
	} else if m == nil {
		return Meta{}, ErrNotFound
	}
	return *m, nil
}

// Original opens the bytes of a submission as received.
func (p *Pipeline) Original(ctx context.Context, id string) (io.ReadCloser, error) {
	return p.open(ctx, id, originalKey)
}

// Envelope returns the channel's whole message a submission came in (for
// PEPPOL the StandardBusinessDocument); ErrNotFound if it had none.
func (p *Pipeline) Envelope(ctx context.Context, id string) (io.ReadCloser, error) {
	return p.open(ctx, id, envelopeKey)
}

// open opens the object key(id) of a submission; a malformed id or a
// missing object is ErrNotFound.
func (p *Pipeline) open(ctx context.Context, id string, key func(string) string) (io.ReadCloser, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	r, err := p.cfg.Store.Get(ctx, key(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return r, err
}

// read returns the invoice XML of a submission (its original, or a hybrid
// PDF's embedded XML) for op (a word for errors);
// a malformed id or a missing original is ErrNotFound.
func (p *Pipeline) read(ctx context.Context, id, op string) ([]byte, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	data, err := p.original(ctx, id)
	if err == nil {
		data, err = p.invoiceXMLOf(ctx, id, data) // a hybrid PDF's XML (hybrid.go)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("ingest: %s %s: %w", op, id, err)
	}
	return data, nil
}

// View renders the invoice as a readable HTML page: a view of its
// original, read with the validator's limits, never the record. The page
// runs no script and loads nothing.
func (p *Pipeline) View(ctx context.Context, id, lang string) ([]byte, error) {
	data, err := p.read(ctx, id, "view")
	if err != nil {
		return nil, err
	}
	// The page needs the model only: the rules ran when the invoice came in.
	inv, err := p.cfg.Validator.Model(data)
	var page bytes.Buffer
	if err == nil {
		err = invoice.Render(&page, inv, lang)
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: view %s: %w: %v", id, ErrNoView, err)
	}
	return page.Bytes(), nil
}

// Report opens the stored validation report (JSON).
func (p *Pipeline) Report(ctx context.Context, id string) (io.ReadCloser, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	b, err := p.report(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// Acknowledge marks an invoice of the municipality's inbox as booked. Doing
// it twice is not an error.
func (p *Pipeline) Acknowledge(ctx context.Context, municipality, id string) (Outcome, error) {
	o, err := p.InboxEntry(ctx, municipality, id)
	if err != nil {
		return o, err
	}
	if !o.AcknowledgedAt.IsZero() {
		return o, nil
	}
	o.AcknowledgedAt = p.cfg.Now().UTC()
	s := p.cfg.Store
	if err := putJSON(ctx, s, inboxKey(municipality, "acknowledged", id), o); err != nil {
		return o, fmt.Errorf("ingest: acknowledge %s: %w", id, err)
	}
	if err := s.Delete(ctx, inboxKey(municipality, "new", id)); err != nil {
		return o, fmt.Errorf("ingest: acknowledge %s: %w", id, err)
	}
	p.cfg.Metrics.acknowledged(municipality)
	return o, nil
}

// Clearing lists the valid invoices no municipality could be found for.
func (p *Pipeline) Clearing(ctx context.Context, after string, limit int) ([]Outcome, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	infos, err := store.ListBodies(ctx, p.cfg.Store, clearingPrefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("ingest: clearing: %w", err)
	}
	out, err := readRecords[Outcome](ctx, p.cfg.Store, infos, gone)
	if err != nil {
		return nil, fmt.Errorf("ingest: clearing: %w", err)
	}
	return out, nil
}

// AbandonedList lists the abandoned submissions in id (arrival) order
// after the cursor, at most limit: originals or envelopes in the archive
// that are no invoice, for operators.
func (p *Pipeline) AbandonedList(ctx context.Context, after string, limit int) ([]Abandoned, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	infos, err := store.ListBodies(ctx, p.cfg.Store, abandonedPrefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("ingest: abandoned: %w", err)
	}
	out, err := readRecords[Abandoned](ctx, p.cfg.Store, infos, gone)
	if err != nil {
		return nil, fmt.Errorf("ingest: abandoned: %w", err)
	}
	return out, nil
}

// RouteClearing files an invoice from clearing in the municipality's inbox.
func (p *Pipeline) RouteClearing(ctx context.Context, id, municipality string) (Outcome, error) {
	var o Outcome
	if !validID(id) {
		return o, ErrNotFound
	}
	if p.cfg.Directory().Municipality(municipality) == nil {
		return o, fmt.Errorf("ingest: route %s: unknown municipality %q", id, municipality)
	}
	s := p.cfg.Store
	if err := getJSON(ctx, s, clearingKey(id), &o); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return o, ErrNotFound
		}
		return o, err
	}
	o.Status, o.Municipality = StatusRouted, municipality
	o.ClearingReason += " (routed by an operator)"
	if err := putJSON(ctx, s, inboxKey(municipality, "new", id), o); err != nil {
		return o, fmt.Errorf("ingest: route %s: %w", id, err)
	}
	// The filing keeps its report.
	var f filing
	if err := getJSON(ctx, s, outcomeKey(id), &f); err != nil && !errors.Is(err, store.ErrNotFound) {
		return o, fmt.Errorf("ingest: route %s: %w", id, err)
	}
	f.Outcome = o
	if err := putJSON(ctx, s, outcomeKey(id), f); err != nil {
		return o, fmt.Errorf("ingest: route %s: %w", id, err)
	}
	if err := s.Delete(ctx, clearingKey(id)); err != nil {
		return o, fmt.Errorf("ingest: route %s: %w", id, err)
	}
	p.dropDayFigures(ctx, id)
	p.cfg.Metrics.routedFromClearing(municipality)
	p.filedHook(o)
	return o, nil
}

// Attachment returns the n-th additional supporting document (BG-24,
// counted from 1) of the invoice id in the municipality's inbox, with the
// file it embeds. An invoice of another inbox, an n out of range or a
// document without an embedded file is ErrNotFound.
func (p *Pipeline) Attachment(ctx context.Context, municipality, id string, n int) (invoice.Attachment, []byte, error) {
	if _, err := p.InboxEntry(ctx, municipality, id); err != nil {
		return invoice.Attachment{}, nil, err
	}
	data, err := p.read(ctx, id, "attachment")
	if err != nil {
		return invoice.Attachment{}, nil, err
	}
	inv, err := p.cfg.Validator.Model(data)
	if err != nil {
		return invoice.Attachment{}, nil, fmt.Errorf("ingest: attachment %s: %w", id, err)
	}
	if n < 1 || n > len(inv.Attachments) || !inv.Attachments[n-1].Embedded() {
		return invoice.Attachment{}, nil, ErrNotFound
	}
	a := inv.Attachments[n-1]
	content, err := a.Content()
	if err != nil {
		return a, nil, fmt.Errorf("ingest: attachment %s/%d: %w", id, n, err)
	}
	return a, content, nil
}
