package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/eingang/eingang/store"
)

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
}

// lease is how long after its marker's time a holder may still be at
// work: its deadline, and the difference the clocks of gateways and store
// may have.
func (p *Pipeline) lease() time.Duration { return p.cfg.Timeout + p.cfg.ClockSkew }

// mark writes the pending marker of a submission this process owns.
func (p *Pipeline) mark(ctx context.Context, id string) error {
	b, err := json.Marshal(marker{Owner: p.cfg.Instance, Run: p.run, At: p.cfg.Now().UTC()})
	if err != nil {
		return err
	}
	return p.cfg.Store.Put(ctx, pendingKey(id), bytes.NewReader(b), int64(len(b)))
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
// nothing else: whatever of the submission was written stays archived.
func (p *Pipeline) abandon(ctx context.Context, id, why string) error {
	p.cfg.Logger.Warn("unacknowledged submission abandoned", "id", id, "reason", why)
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

// AbandonedList lists the abandoned submissions in id (arrival) order
// after the cursor, at most limit: originals or envelopes in the archive
// that are no invoice, for operators.
func (p *Pipeline) AbandonedList(ctx context.Context, after string, limit int) ([]Abandoned, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	infos, err := p.cfg.Store.List(ctx, abandonedPrefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("ingest: abandoned: %w", err)
	}
	out := make([]Abandoned, 0, len(infos))
	for _, in := range infos {
		var a Abandoned
		if err := getJSON(ctx, p.cfg.Store, in.Key, &a); err == nil {
			out = append(out, a)
		} else if !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
			return nil, fmt.Errorf("ingest: abandoned: %w", err)
		}
	}
	return out, nil
}
