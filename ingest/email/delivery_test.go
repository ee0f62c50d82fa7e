package email

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
)

var notifyDirectory = strings.Replace(testDirectory, "delivery: deliver", "delivery: notify", 1)

// submitN files n invoices by upload and returns their ids.
func submitN(t testing.TB, e *env, prefix string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		rec, err := e.pipe.Submit(t.Context(), ingest.Submission{Data: numbered(t, prefix+string(rune('A'+i))), Channel: "upload"})
		if err != nil || rec.Status != ingest.StatusRouted {
			t.Fatalf("submit: %v %+v", err, rec)
		}
		ids = append(ids, rec.ID)
	}
	return ids
}

// checkNotice checks a notice mail: automatic, no attachment, naming
// each invoice.
func checkNotice(t testing.TB, raw []byte, subject string, ids []string) {
	t.Helper()
	m, text, atts := parseReply(t, raw)
	if !strings.Contains(m.Subject, subject) || len(atts) != 0 || m.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("notice: subject %q, %d attachments, Auto-Submitted %q", m.Subject, len(atts), m.Header.Get("Auto-Submitted"))
	}
	for _, id := range ids {
		if !strings.Contains(text, id) {
			t.Errorf("the notice does not name %s:\n%s", id, text)
		}
	}
}

// TestNotify: delivery mode notify sends a short mail per new invoice.
func TestNotify(t *testing.T) {
	e := newEnvWith(t, t.TempDir(), envOptions{directory: notifyDirectory})
	ids := submitN(t, e, "NOTIFY-", 2)
	waitFor(t, 30*time.Second, "two notices", func() bool { return len(e.smtp.To(kasse)) == 2 })
	got := e.smtp.To(kasse)
	for i, id := range ids {
		n := "NOTIFY-" + string(rune('A'+i))
		for _, m := range got {
			if strings.Contains(string(m.Data), id) {
				checkNotice(t, m.Data, "Neue E-Rechnung / new e-invoice: "+n, []string{id})
			}
		}
	}
	time.Sleep(300 * time.Millisecond)
	if n := len(e.smtp.To(kasse)); n != 2 {
		t.Errorf("%d notices, want 2", n)
	}
}

// TestDigest: with a digest interval, the invoices filed in it are named
// in one mail; nothing is sent again at later intervals or after a
// restart.
func TestDigest(t *testing.T) {
	e := newEnvWith(t, t.TempDir(), envOptions{directory: notifyDirectory, digest: 400 * time.Millisecond, noDeliver: true})
	ids := submitN(t, e, "DIGEST-", 3)
	stop := e.startDelivery(t)
	waitFor(t, 30*time.Second, "the digest", func() bool { return len(e.smtp.To(kasse)) == 1 })
	checkNotice(t, e.smtp.To(kasse)[0].Data, "3 neue E-Rechnungen / new e-invoices", ids)
	time.Sleep(time.Second) // two more intervals
	stop()
	e.setDelivery(200 * time.Millisecond)
	e.startDelivery(t)
	time.Sleep(time.Second)
	if n := len(e.smtp.To(kasse)); n != 1 {
		t.Errorf("%d digests, want 1", n)
	}
	// An invoice filed now comes in the next digest, alone.
	more := submitN(t, e, "DIGEST-LATER-", 1)
	waitFor(t, 30*time.Second, "the second digest", func() bool { return len(e.smtp.To(kasse)) == 2 })
	checkNotice(t, e.smtp.To(kasse)[1].Data, "Neue E-Rechnung / new e-invoice: DIGEST-LATER-A", more)
}

// TestDovecotNotify: the municipality's Dovecot mailbox receives one notice
// per invoice, and with a digest one for all.
func TestDovecotNotify(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	for _, k := range []struct {
		name   string
		digest time.Duration
		want   int // mails in the municipality's mailbox
	}{{"per invoice", 0, 2}, {"digest", 500 * time.Millisecond, 1}} {
		t.Run(k.name, func(t *testing.T) {
			e := newEnvWith(t, t.TempDir(), envOptions{directory: notifyDirectory, digest: k.digest, noDeliver: true})
			_, mails := intoMailbox(t, d, e)
			c := imapUser(t, d.Addr, "rechnung", "secret")
			for i := range 2 {
				appendMail(t, c, "INBOX", testMail{messageID: k.name + string(rune('a'+i)) + "@x", subject: "r",
					parts: []string{xmlPart("r.xml", numbered(t, "DOVECOT-NOTIFY-"+k.name+string(rune('A'+i))))}}.bytes())
			}
			e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
			waitFor(t, 30*time.Second, "both mails done", func() bool { return count(c, "Done") == 2 })
			e.startDelivery(t)
			waitFor(t, 30*time.Second, "the notices in the municipality's mailbox", func() bool { return len(mails()) == k.want })
			list, err := e.pipe.Inbox(t.Context(), "lk-weimarer-land", "new", "", 10)
			if err != nil || len(list) != 2 {
				t.Fatalf("inbox: %v %d", err, len(list))
			}
			var all strings.Builder
			for _, raw := range mails() {
				_, text, atts := parseReply(t, raw)
				if len(atts) != 0 {
					t.Errorf("a notice with %d attachments", len(atts))
				}
				all.WriteString(text)
			}
			for _, o := range list {
				if !strings.Contains(all.String(), o.ID) {
					t.Errorf("no notice names %s", o.ID)
				}
			}
		})
	}
}

// TestDeliveryMessageID: a delivery's Message-ID is the same each time the
// same mail is sent, and another for other invoices, another kind of
// delivery or another recipient.
func TestDeliveryMessageID(t *testing.T) {
	from, _ := mail.ParseAddress("E-Rechnung <rechnung@portal.example>")
	d := &Delivery{Sender: NewSender(SMTP{From: from}, nil, nil)}
	mu := func(kind, addr string) *directory.Municipality {
		return &directory.Municipality{ID: "m", Email: addr, Delivery: kind}
	}
	list := func(ids ...string) []ingest.Outcome {
		var l []ingest.Outcome
		for _, id := range ids {
			l = append(l, ingest.Outcome{ID: id})
		}
		return l
	}
	base := d.messageID(mu("deliver", kasse), list("a", "b"))
	if !strings.HasPrefix(base, "deliver.") || !strings.HasSuffix(base, "@portal.example") {
		t.Errorf("Message-ID %q", base)
	}
	for _, k := range []struct {
		name string
		id   string
		same bool
	}{
		{"again", d.messageID(mu("deliver", kasse), list("a", "b")), true},
		{"invoices in another order", d.messageID(mu("deliver", kasse), list("b", "a")), true},
		{"recipient in capitals", d.messageID(mu("deliver", strings.ToUpper(kasse)), list("a", "b")), true},
		{"another invoice", d.messageID(mu("deliver", kasse), list("a", "c")), false},
		{"fewer invoices", d.messageID(mu("deliver", kasse), list("a")), false},
		{"another kind", d.messageID(mu("notify", kasse), list("a", "b")), false},
		{"another recipient", d.messageID(mu("deliver", "post@weimarer-land.example"), list("a", "b")), false},
	} {
		if (k.id == base) != k.same {
			t.Errorf("%s: %q, first %q; want the same: %v", k.name, k.id, base, k.same)
		}
	}
}

// balkySession takes every mail's body and then, the first time, refuses
// it (451) or drops the connection without an answer.
type balkySession struct {
	conn  *smtp.Conn
	drop  bool
	tries *atomic.Int32
	got   *atomic.Int32
}

func (s *balkySession) Reset()                               {}
func (s *balkySession) Logout() error                        { return nil }
func (s *balkySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *balkySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *balkySession) Data(r io.Reader) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	if s.tries.Add(1) > 1 {
		s.got.Add(1)
		return nil
	}
	if s.drop {
		s.conn.Conn().Close()
		return errors.New("dropped")
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
}

// TestDeliveryRepeatCount: a delivery sent again after the server refused
// the first attempt's mail is no repeat; one sent again after the server
// took the whole mail and gave no answer may be, and is counted.
func TestDeliveryRepeatCount(t *testing.T) {
	for _, k := range []struct {
		name    string
		drop    bool
		repeats float64
	}{{"refused", false, 0}, {"no answer", true, 1}} {
		t.Run(k.name, func(t *testing.T) {
			var tries, got atomic.Int32
			srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
				return &balkySession{conn: c, drop: k.drop, tries: &tries, got: &got}, nil
			}))
			srv.Domain = "localhost"
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go srv.Serve(l)
			t.Cleanup(func() { srv.Close() })
			e := newEnvWith(t, t.TempDir(), envOptions{smtp: &SMTP{Addr: l.Addr().String()}})
			id := submitN(t, e, "BALKY-", 1)[0]
			waitFor(t, 30*time.Second, "the delivery taken and marked", func() bool {
				marked, err := e.pipe.Marked(t.Context(), id, MarkDelivered)
				return got.Load() == 1 && err == nil && marked
			})
			if n := tries.Load(); n != 2 {
				t.Errorf("%d attempts, want 2", n)
			}
			if n := e.counter(t, "eingang_mail_repeats_total", map[string]string{"kind": "deliver"}); n != k.repeats {
				t.Errorf("eingang_mail_repeats_total{kind=deliver} %v, want %v", n, k.repeats)
			}
		})
	}
}
