package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// Mark records, durably and once, that something happened to a filed
// submission, such as "delivered-email": a listener of OnFiled, which may
// be told twice, marks what it did and asks Marked before doing it again.
// It reports whether the mark is new (false: it was there already).
func (p *Pipeline) Mark(ctx context.Context, id, name string) (bool, error) {
	if !validID(id) || !validMark(name) {
		return false, fmt.Errorf("ingest: mark %q %q: %w", id, name, ErrNotFound)
	}
	err := p.cfg.Store.Create(ctx, markKey(name, id), bytes.NewReader(nil), 0, store.CreateOptions{})
	if errors.Is(err, store.ErrExists) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("ingest: mark %s %s: %w", id, name, err)
	}
	return true, nil
}

// Marked reports whether a submission carries the mark.
func (p *Pipeline) Marked(ctx context.Context, id, name string) (bool, error) {
	if !validID(id) || !validMark(name) {
		return false, fmt.Errorf("ingest: mark %q %q: %w", id, name, ErrNotFound)
	}
	_, err := p.cfg.Store.Stat(ctx, markKey(name, id))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("ingest: mark %s %s: %w", id, name, err)
	}
	return true, nil
}

// validMark reports whether name can name a mark: lower-case letters,
// digits and dashes.
func validMark(name string) bool {
	return name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}

// Receipt returns the receipt of a filed submission as Submit returned it,
// less the receipt token: its outcome and its report. A channel that
// answers its sender later (e-mail) reads it back by id.
func (p *Pipeline) Receipt(ctx context.Context, id string) (*Receipt, error) {
	o, f, err := p.outcome(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("ingest: receipt %s: %w", id, err)
	}
	rec := &Receipt{ID: id, Status: o.Status, Accepted: o.Accepted, Outcome: o}
	var rep *invoice.Report
	switch {
	case o.Status == StatusDuplicate && o.DuplicateOf != "":
		rep, err = p.decodedReport(ctx, o.DuplicateOf) // a copy is not validated again: its report is the first's
	case f != nil:
		rep, err = p.decodedReportOf(ctx, id, f)
	default:
		err = store.ErrNotFound // pending
	}
	if err == nil {
		rec.Report, rec.Findings = rep, rep.Findings
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("ingest: receipt %s: %w", id, err)
	}
	return rec, nil
}

// Lookup returns the id of the submission that first brought a channel
// key (Submission.Key), or "" if none did.
func (p *Pipeline) Lookup(ctx context.Context, channel, key string) (string, error) {
	id, err := p.lookup(ctx, refKey(channel, key))
	if err != nil {
		return "", fmt.Errorf("ingest: lookup %s key: %w", channel, err)
	}
	return id, nil
}
