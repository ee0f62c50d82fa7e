package email

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
)

// A Delivery mails new invoices to municipalities whose directory entry
// has an email and a delivery mode: "notify" sends a short mail per
// invoice (or one digest per Digest interval), "deliver" sends the original
// attached with its readable rendering. The invoice stays in the inbox.
//
// Each invoice is mailed at least once: after the SMTP server has taken
// the mail, the pipeline marks it MarkDelivered, and what is marked is not
// sent again, even when the pipeline reports an invoice filed twice (after
// a crash). What was filed but not yet mailed when the gateway stopped is
// found at start, in the inboxes' new invoices without the mark. A crash
// between the server's taking a mail and the mark sends it again; such a
// repeat carries the Message-ID of the first (derived from the invoices,
// the kind of delivery and the recipient, so that the receiving system
// can drop the copy) and is counted in eingang_mail_repeats_total.
type Delivery struct {
	Pipeline  *ingest.Pipeline
	Directory func() *directory.Directory
	Sender    *Sender
	// Digest, if positive, gathers notify mails into one per municipality
	// and interval.
	Digest time.Duration
	// Backoff is the first wait after a failed mail (default 2s; doubled
	// up to an hour).
	Backoff time.Duration
	Logger  *slog.Logger

	mu      sync.Mutex
	pending map[string]ingest.Outcome // filed, not yet mailed, by id
	// unsent holds the invoices marked MarkAttempted whose every attempt
	// this process knows was not sent (the server refused it).
	unsent map[string]bool
	wake   chan struct{}
	once   sync.Once
}

// Pipeline marks of an invoice mailed to its municipality (delivered or
// notified).
const (
	// MarkAttempted: a mail about the invoice may have been sent. It is set
	// before the mail's end goes to the SMTP server.
	MarkAttempted = "attempted-email"
	// MarkDelivered: the SMTP server has taken a mail about the invoice.
	MarkDelivered = "delivered-email"
)

func (d *Delivery) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		d.pending = map[string]ingest.Outcome{}
		d.unsent = map[string]bool{}
		if d.Logger == nil {
			d.Logger = slog.New(slog.DiscardHandler)
		}
		if d.Backoff <= 0 {
			d.Backoff = 2 * time.Second
		}
	})
}

// Filed is the pipeline's OnFiled hook: it notes the invoice and returns
// at once.
func (d *Delivery) Filed(o ingest.Outcome) {
	d.init()
	d.mu.Lock()
	d.pending[o.ID] = o
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run mails the invoices until ctx is done: first those filed before and
// not yet mailed, then each as it is filed. A failed mail is tried again
// with backoff.
func (d *Delivery) Run(ctx context.Context) {
	d.init()
	var tick <-chan time.Time
	if d.Digest > 0 {
		t := time.NewTicker(d.Digest)
		defer t.Stop()
		tick = t.C
	}
	wait := d.Backoff
	retry := time.NewTimer(0) // the first round: what was filed before
	defer retry.Stop()
	scanned := false
	for {
		digest := false
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-retry.C:
		case <-tick:
			digest = true
		}
		if !scanned {
			scanned = d.scan(ctx) == nil
		}
		if d.send(ctx, digest) && scanned {
			wait = d.Backoff
			continue
		}
		retry.Reset(wait)
		wait = min(2*wait, time.Hour)
	}
}

// scan notes the new invoices of every municipality that wants mail and
// has not had it.
func (d *Delivery) scan(ctx context.Context) error {
	dir := d.Directory()
	if dir == nil {
		return errors.New("email: no directory")
	}
	for _, mu := range dir.Municipalities {
		if mu.Email == "" || (mu.Delivery != directory.DeliveryDeliver && mu.Delivery != directory.DeliveryNotify) {
			continue
		}
		for after := ""; ; {
			page, err := d.Pipeline.Inbox(ctx, mu.ID, "new", after, 500)
			if err != nil {
				d.Logger.Warn("email: delivery: inbox not read; trying again", "municipality", mu.ID, "err", err)
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, o := range page {
				after = o.ID
				d.mu.Lock()
				d.pending[o.ID] = o
				d.mu.Unlock()
			}
		}
	}
	return nil
}

// send mails what is pending (notices for a digest only when digest is
// set) and reports whether nothing failed.
func (d *Delivery) send(ctx context.Context, digest bool) bool {
	d.mu.Lock()
	list := make([]ingest.Outcome, 0, len(d.pending))
	for _, o := range d.pending {
		list = append(list, o)
	}
	d.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	ok := true
	gathered := map[string][]ingest.Outcome{} // municipality → for the digest
	for _, o := range list {
		if ctx.Err() != nil {
			return false
		}
		mu := d.Directory().Municipality(o.Municipality)
		if mu == nil || mu.Email == "" || (mu.Delivery != directory.DeliveryDeliver && mu.Delivery != directory.DeliveryNotify) {
			d.done(o)
			continue
		}
		if marked, err := d.Pipeline.Marked(ctx, o.ID, MarkDelivered); err != nil {
			d.Logger.Warn("email: delivery: mark not read", "id", o.ID, "err", err)
			ok = false
			continue
		} else if marked {
			d.done(o)
			continue
		}
		if mu.Delivery == directory.DeliveryNotify && d.Digest > 0 {
			if digest {
				gathered[mu.ID] = append(gathered[mu.ID], o)
			}
			continue
		}
		var data []byte
		var err error
		if mu.Delivery == directory.DeliveryDeliver {
			data, err = d.original(ctx, mu, o)
		} else {
			data, err = d.notice(mu, []ingest.Outcome{o})
		}
		ok = d.mail(ctx, mu, []ingest.Outcome{o}, data, err) && ok
	}
	ids := make([]string, 0, len(gathered))
	for id := range gathered {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		mu := d.Directory().Municipality(id)
		data, err := d.notice(mu, gathered[id])
		ok = d.mail(ctx, mu, gathered[id], data, err) && ok
	}
	return ok
}

// mail sends a composed mail about the invoices and marks them; it
// reports whether it succeeded. Before the mail's end goes to the server
// each invoice is marked MarkAttempted: a mail sent when an earlier
// attempt may have been sent is a repeat, logged and counted.
func (d *Delivery) mail(ctx context.Context, mu *directory.Municipality, list []ingest.Outcome, data []byte, err error) bool {
	prior := map[string]bool{} // by invoice: an earlier attempt may have been sent
	committed := false
	if err == nil {
		err = d.Sender.sendCommit(ctx, mu.Delivery, mu.Email, data, func() error {
			for _, o := range list {
				fresh, err := d.Pipeline.Mark(ctx, o.ID, MarkAttempted)
				if err != nil {
					return err
				}
				d.mu.Lock()
				prior[o.ID] = !fresh && !d.unsent[o.ID]
				d.mu.Unlock()
			}
			committed = true
			return nil
		})
	} else {
		d.Sender.count(mu.Delivery, "failed")
	}
	unsent := err != nil && (!committed || refused(err))
	repeat := false
	d.mu.Lock()
	for id, p := range prior {
		repeat = repeat || p
		if unsent && !p {
			d.unsent[id] = true
		} else {
			delete(d.unsent, id)
		}
	}
	d.mu.Unlock()
	if err != nil {
		d.Logger.Warn("email: delivery failed; trying again", "municipality", mu.ID, "to", mu.Email, "invoices", len(list), "err", err)
		return false
	}
	if repeat {
		d.Logger.Warn("email: delivery sent again; an earlier attempt may have been sent", "municipality", mu.ID, "to", mu.Email, "invoices", len(list))
		if m := d.Sender.metrics; m != nil {
			m.MailRepeats.WithLabelValues(mu.Delivery).Inc()
		}
	}
	for _, o := range list {
		if _, err := d.Pipeline.Mark(ctx, o.ID, MarkDelivered); err != nil {
			// Sent but not marked: it may be sent once more after a restart.
			d.Logger.Error("email: delivery sent but not marked", "id", o.ID, "err", err)
		}
		d.done(o)
	}
	return true
}

// done forgets a pending invoice.
func (d *Delivery) done(o ingest.Outcome) {
	d.mu.Lock()
	delete(d.pending, o.ID)
	d.mu.Unlock()
}

// line describes an invoice in one line.
func line(o ingest.Outcome) string {
	return fmt.Sprintf("%s  Rechnung/invoice %s vom/of %s, %s, %s %s (Leitweg-ID %s)",
		o.ID, o.InvoiceNumber, o.IssueDate, o.Seller, o.Total, o.Currency, o.LeitwegID)
}

func (d *Delivery) notice(mu *directory.Municipality, list []ingest.Outcome) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Guten Tag,\n\nim Posteingang von %s %s neu eingegangen:\n\n", mu.Name,
		map[bool]string{true: "ist eine E-Rechnung", false: fmt.Sprintf("sind %d E-Rechnungen", len(list))}[len(list) == 1])
	for _, o := range list {
		b.WriteString(line(o) + "\n")
	}
	fmt.Fprintf(&b, "\nAbruf über die API: /api/v1/inbox?status=new\n\n--- English ---\n\n%d new e-invoice(s) in the inbox of %s; fetch them through the API (/api/v1/inbox?status=new).\n\nDiese Nachricht wurde automatisch erstellt. / This message was sent automatically.\n", len(list), mu.Name)
	subject := fmt.Sprintf("Neue E-Rechnung / new e-invoice: %s", list[0].InvoiceNumber)
	if len(list) > 1 {
		subject = fmt.Sprintf("%d neue E-Rechnungen / new e-invoices", len(list))
	}
	return compose(d.Sender.From(), mu.Email, subject, autoGenerated, d.messageID(mu, list), "", nil, b.String(), nil)
}

// original composes the mail that delivers an invoice: its invoice XML,
// byte for byte, and its readable rendering; for a hybrid invoice the PDF
// it came in too, marked as not the legally binding part.
func (d *Delivery) original(ctx context.Context, mu *directory.Municipality, o ingest.Outcome) ([]byte, error) {
	rc, _, _, err := d.Pipeline.InvoiceXML(ctx, o.ID)
	orig, err := readAll(rc, err)
	if err != nil {
		return nil, err
	}
	meta, err := d.Pipeline.Meta(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	atts := []attachment{{name: "rechnung-" + o.ID + ".xml", contentType: "application/xml", data: orig}}
	if page, err := d.Pipeline.View(ctx, o.ID, "de"); err == nil {
		atts = append(atts, attachment{name: "rechnung-" + o.ID + ".html", contentType: "text/html; charset=utf-8", data: page})
	} else {
		d.Logger.Warn("email: no readable rendering", "id", o.ID, "err", err)
	}
	hybridDE, hybridEN := "", ""
	if meta.Format == ingest.FormatPDF {
		pdf, err := readAll(d.Pipeline.Original(ctx, o.ID))
		if err != nil {
			return nil, err
		}
		atts = append(atts, attachment{name: "rechnung-" + o.ID + ".pdf", contentType: "application/pdf", data: pdf})
		hybridDE = fmt.Sprintf("Die Rechnung kam als hybride Rechnung (ZUGFeRD / Factur-X, Profil %s): maßgeblich ist die XML; das PDF, in dem sie kam, liegt ebenfalls bei, seine Seiten sind nicht der rechtlich maßgebliche Teil.\n", meta.Profile)
		hybridEN = fmt.Sprintf(" It came as a hybrid invoice (ZUGFeRD / Factur-X, profile %s): the XML is the legally binding part; the PDF it came in is attached too, its pages are not.", meta.Profile)
	}
	text := fmt.Sprintf("Guten Tag,\n\nanbei eine neue E-Rechnung für %s:\n\n%s\n\nEingang über/received by: %s, %s\nDie Rechnung (XML) liegt unverändert bei, dazu eine lesbare Ansicht (HTML). Die Rechnung steht weiterhin im Posteingang der API.\n%s\n--- English ---\n\nAttached: a new e-invoice for %s, the invoice XML unaltered and a readable view (HTML). It also stays in the API inbox.%s\n\nDiese Nachricht wurde automatisch erstellt. / This message was sent automatically.\n",
		mu.Name, line(o), meta.Channel, meta.Sender, hybridDE, mu.Name, hybridEN)
	subject := fmt.Sprintf("E-Rechnung / e-invoice %s (%s)", o.InvoiceNumber, o.Seller)
	return compose(d.Sender.From(), mu.Email, subject, autoGenerated, d.messageID(mu, []ingest.Outcome{o}), "", nil, text, atts)
}

// messageID returns the Message-ID of the mail about the invoices to a
// municipality: derived from their ids, the kind of delivery and the
// recipient, it is the same each time that mail is sent, so that the
// receiving system recognises a repeat.
func (d *Delivery) messageID(mu *directory.Municipality, list []ingest.Outcome) string {
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	sort.Strings(ids)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s", mu.Delivery, strings.ToLower(mu.Email), strings.Join(ids, "\n"))
	return fmt.Sprintf("%s.%x@%s", mu.Delivery, h.Sum(nil)[:16], hostOf(d.Sender.From()))
}

// readAll reads and closes what the pipeline opened, or passes on its
// error.
func readAll(rc io.ReadCloser, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
