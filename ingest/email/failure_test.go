package email

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/store"
)

// faultyStore fails the next writes it is told to with an outage, and
// panics when asked to keep an original that contains "PANIC".
type faultyStore struct {
	store.Store
	fail atomic.Int32 // writes still to fail
}

func (f *faultyStore) write(key string, r io.Reader) (io.Reader, error) {
	if f.fail.Add(-1) >= 0 {
		return nil, fmt.Errorf("faulty store: %s: %w", key, store.ErrUnavailable)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(key, "/original") && bytes.Contains(b, []byte("PANIC")) {
		panic("faulty store: an original that makes the gateway panic")
	}
	return bytes.NewReader(b), nil
}

func (f *faultyStore) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	r, err := f.write(key, r)
	if err != nil {
		return err
	}
	return f.Store.Create(ctx, key, r, size, opts)
}

func (f *faultyStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	r, err := f.write(key, r)
	if err != nil {
		return err
	}
	return f.Store.Put(ctx, key, r, size)
}

// keyFailer fails the first write of a key that matches with an outage.
type keyFailer struct {
	store.Store
	match  func(key string) bool
	failed atomic.Bool
}

func (f *keyFailer) fail(key string) error {
	if f.match(key) && f.failed.CompareAndSwap(false, true) {
		return fmt.Errorf("key failer: %s: %w", key, store.ErrUnavailable)
	}
	return nil
}

func (f *keyFailer) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	if err := f.fail(key); err != nil {
		return err
	}
	return f.Store.Create(ctx, key, r, size, opts)
}

func (f *keyFailer) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := f.fail(key); err != nil {
		return err
	}
	return f.Store.Put(ctx, key, r, size)
}

// TestOutageAfterKeep: the store fails after the mail's invoice was kept
// and before it was filed; the attempt does not count, and the next one
// finds the mail's own submission: the invoice is filed once, the sender
// told it was accepted, not that it came before.
func TestOutageAfterKeep(t *testing.T) {
	e := newEnvWith(t, t.TempDir(), envOptions{store: func(s store.Store) store.Store {
		return &keyFailer{Store: s, match: func(key string) bool { return strings.HasSuffix(key, "/outcome.json") }}
	}})
	addr := startMemIMAP(t, "rechnung", "secret")
	c := imapUser(t, addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{from: "kept@lieferant.example", messageID: "kept@x", subject: "r", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
	e.run(t, Mailbox{Addr: addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "the mail handled and answered", func() bool {
		return count(c, "Done")+count(c, "Rejected") == 1 && len(e.smtp.To("kept@lieferant.example")) == 1
	})
	if !strings.Contains(e.log.String(), "key failer") {
		t.Fatalf("the store never failed:\n%s", e.log.String())
	}
	if _, text, _ := parseReply(t, e.smtp.To("kept@lieferant.example")[0].Data); count(c, "Done") != 1 || !strings.Contains(text, "angenommen") {
		t.Errorf("Done %d, reply:\n%s", count(c, "Done"), text)
	}
	if fl := flags(t, c, "Done"); hasFlag(fl, kwTry+"2") {
		t.Errorf("flags %v: the outage counted as an attempt", fl)
	}
}

// flags returns the flags of the only mail in a folder.
func flags(t testing.TB, c *imapclient.Client, folder string) []imap.Flag {
	t.Helper()
	if _, err := c.Select(folder, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("fetch flags in %s: %v (%d mails)", folder, err, len(msgs))
	}
	return msgs[0].Flags
}

func hasFlag(fl []imap.Flag, f imap.Flag) bool {
	return slices.ContainsFunc(fl, func(g imap.Flag) bool { return strings.EqualFold(string(g), string(f)) })
}

// TestStoreOutage: the store fails while a mail is handled; the mail goes
// back for a retry with backoff, the metric counts it, and once the store
// is back the invoice is filed once and the sender gets one reply. The
// outage does not count as an attempt at the mail.
func TestStoreOutage(t *testing.T) {
	fs := &faultyStore{}
	e := newEnvWith(t, t.TempDir(), envOptions{store: func(s store.Store) store.Store { fs.Store = s; return fs }})
	fs.fail.Store(4)
	addr := startMemIMAP(t, "rechnung", "secret")
	c := imapUser(t, addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{from: "outage@lieferant.example", messageID: "outage@x", subject: "r", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
	e.run(t, Mailbox{Addr: addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "the mail filed and answered", func() bool {
		return count(c, "Done") == 1 && len(e.smtp.To("outage@lieferant.example")) == 1
	})
	if got := testutil.ToFloat64(e.metrics.MailRetries); got < 2 {
		t.Errorf("eingang_mail_retries_total %v, want at least 2", got)
	}
	if got := testutil.ToFloat64(e.metrics.Submissions.WithLabelValues("email", "routed")); got != 1 {
		t.Errorf("%v invoices routed, want 1", got)
	}
	if !strings.Contains(e.log.String(), "pipeline failed; the mail is tried again") || !strings.Contains(e.log.String(), "store unavailable") {
		t.Errorf("log lacks the retry:\n%s", e.log.String())
	}
	fl := flags(t, c, "Done")
	if !hasFlag(fl, kwTry+"1") || hasFlag(fl, kwTry+"2") {
		t.Errorf("flags %v: the outage counted as an attempt", fl)
	}
	time.Sleep(500 * time.Millisecond)
	if n := len(e.smtp.To("outage@lieferant.example")); n != 1 || count(c, "Rejected")+count(c, "Processing-a") != 0 {
		t.Errorf("%d replies, rejected %d, processing %d", n, count(c, "Rejected"), count(c, "Processing-a"))
	}
}

// TestPoisonMail: a mail that makes the gateway panic every time, and one
// it crashed on as often as it may, are rejected with a reply after
// MaxTries attempts; the mail after them is filed.
func TestPoisonMail(t *testing.T) {
	fs := &faultyStore{}
	e := newEnvWith(t, t.TempDir(), envOptions{store: func(s store.Store) store.Store { fs.Store = s; return fs }})
	addr := startMemIMAP(t, "rechnung", "secret")
	c := imapUser(t, addr, "rechnung", "secret")
	if err := c.Create("Processing-a", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	crashed := testMail{from: "crash@lieferant.example", messageID: "crash@x", subject: "crash", parts: []string{xmlPart("r.xml", numbered(t, "CRASH-1"))}}.bytes()
	a := c.Append("Processing-a", int64(len(crashed)), &imap.AppendOptions{Flags: []imap.Flag{kwTry + "1", kwTry + "2", kwTry + "3"}})
	a.Write(crashed)
	a.Close()
	if _, err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	appendMail(t, c, "INBOX", testMail{from: "panic@lieferant.example", messageID: "panic@x", subject: "panic", parts: []string{xmlPart("r.xml", numbered(t, "PANIC-1"))}}.bytes())
	appendMail(t, c, "INBOX", testMail{from: "fine@lieferant.example", messageID: "fine@x", subject: "fine", parts: []string{xmlPart("r.xml", numbered(t, "FINE-1"))}}.bytes())
	e.run(t, Mailbox{Addr: addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "both poison mails rejected, the other filed, all answered", func() bool {
		return count(c, "Rejected") == 2 && count(c, "Done") == 1 && e.smtp.Count()-len(e.smtp.To(kasse)) == 3
	})
	for _, from := range []string{"crash@lieferant.example", "panic@lieferant.example"} {
		got := e.smtp.To(from)
		if len(got) != 1 {
			t.Fatalf("%d replies to %s", len(got), from)
		}
		if _, text, _ := parseReply(t, got[0].Data); !strings.Contains(text, "wiederholt nicht verarbeitet") || !strings.Contains(text, "failed repeatedly") {
			t.Errorf("reply to %s:\n%s", from, text)
		}
	}
	if got := testutil.ToFloat64(e.metrics.MailsRejected.WithLabelValues(ReasonFailed)); got != 2 {
		t.Errorf("eingang_mail_rejected_total{reason=failed} %v, want 2", got)
	}
	if !strings.Contains(e.log.String(), "panic while handling a mail") || !strings.Contains(e.log.String(), "given up after repeated failures") {
		t.Errorf("log lacks the panic or the giving up:\n%s", e.log.String())
	}
	if got := strings.Count(e.log.String(), "panic while handling a mail"); got != 3 {
		t.Errorf("the panicking mail was tried %d times, want 3 (MaxTries)", got)
	}
}

// TestRestartSendsOnce: the gateway stops while the SMTP server is down, a
// reply and a delivery pending; after a restart each goes out once, and
// after another restart not again.
func TestRestartSendsOnce(t *testing.T) {
	e := newEnvWith(t, t.TempDir(), envOptions{smtp: &SMTP{Addr: testenv.FreeAddr(t)}, noDeliver: true})
	stopDelivery := e.startDelivery(t)
	addr := startMemIMAP(t, "rechnung", "secret")
	c := imapUser(t, addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{from: "restart@lieferant.example", messageID: "restart@x", subject: "r", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
	mb := Mailbox{Addr: addr, Username: "rechnung", Password: "secret", Instance: "a"}
	stop := e.run(t, mb)
	waitFor(t, 30*time.Second, "the mail filed, reply and delivery failed", func() bool {
		return count(c, "Done") == 1 && testutil.ToFloat64(e.metrics.MailsSent.WithLabelValues("reply", "failed")) >= 1 &&
			testutil.ToFloat64(e.metrics.MailsSent.WithLabelValues("deliver", "failed")) >= 1
	})
	stop()
	stopDelivery()
	if hasFlag(flags(t, c, "Done"), kwReplied) {
		t.Fatal("marked replied although no reply was sent")
	}
	for round := range 2 {
		e.sender = NewSender(SMTP{Addr: e.smtp.Addr, From: e.sender.From()}, e.logger, e.metrics)
		e.setDelivery(0)
		stopDelivery = e.startDelivery(t)
		stop = e.run(t, mb)
		waitFor(t, 30*time.Second, "the reply and the delivery", func() bool {
			return len(e.smtp.To("restart@lieferant.example")) == 1 && len(e.smtp.To(kasse)) == 1
		})
		time.Sleep(time.Second) // several polls
		stop()
		stopDelivery()
		if r, d := len(e.smtp.To("restart@lieferant.example")), len(e.smtp.To(kasse)); r != 1 || d != 1 {
			t.Fatalf("round %d: %d replies, %d deliveries; want one each", round, r, d)
		}
		if !hasFlag(flags(t, c, "Done"), kwReplied) {
			t.Errorf("round %d: the mail is not marked replied", round)
		}
	}
	if got := original(t, e.smtp.To(kasse)[0].Data); !bytes.Equal(got, fixture(t)) {
		t.Error("the delivery lacks the original")
	}
	// The failed attempts never reached the mail's end: the one sent is no repeat.
	if n := e.counter(t, "eingang_mail_repeats_total", map[string]string{"kind": "deliver"}); n != 0 {
		t.Errorf("eingang_mail_repeats_total{kind=deliver} %v, want 0", n)
	}
	if marked, err := e.pipe.Marked(t.Context(), mustOnlyInbox(t, e), MarkDelivered); err != nil || !marked {
		t.Errorf("delivery mark: %v %v", marked, err)
	}
}

// mustOnlyInbox returns the id of the one new invoice in the test
// municipality's inbox.
func mustOnlyInbox(t testing.TB, e *env) string {
	t.Helper()
	list, err := e.pipe.Inbox(t.Context(), "lk-weimarer-land", "new", "", 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("inbox: %v (%d entries)", err, len(list))
	}
	return list[0].ID
}
