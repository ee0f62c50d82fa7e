package email

import (
	"strings"
	"testing"
	"time"

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
