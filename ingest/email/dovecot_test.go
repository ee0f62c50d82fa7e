package email

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/internal/testenv"
)

var dovecotUsers = map[string]string{"rechnung": "secret", "kasse": "kasse-secret"}

// TestDovecotIntake runs every intake case against a real Dovecot, and
// delivery mode deliver into the municipality's Dovecot mailbox.
func TestDovecotIntake(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	testIntakeCases(t, d.Addr, "rechnung", "secret")
}

// intoMailbox hands every mail the SMTP sink receives for the
// municipality on into its Dovecot mailbox; mails returns what came since.
func intoMailbox(t *testing.T, d *testenv.Dovecot, e *env) (kc *imapclient.Client, mails func() [][]byte) {
	kc = imapUser(t, d.Addr, "kasse", "kasse-secret")
	before := count(kc, "INBOX")
	var mu sync.Mutex
	e.smtp.Deliver = func(to string, data []byte) {
		if to == kasse {
			mu.Lock()
			defer mu.Unlock()
			appendMail(t, kc, "INBOX", data)
		}
	}
	return kc, func() [][]byte {
		mu.Lock()
		defer mu.Unlock()
		n := count(kc, "INBOX")
		if n == before {
			return nil
		}
		if _, err := kc.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := kc.Fetch(imap.SeqSetNum(seqRange(uint32(n))[before:]...), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			t.Fatalf("fetch: %v", err)
		}
		var out [][]byte
		for _, m := range msgs {
			out = append(out, m.FindBodySection(section))
		}
		return out
	}
}

// TestDovecotDeliver checks that the municipality's mailbox receives the
// original byte for byte.
func TestDovecotDeliver(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	e := newEnv(t, t.TempDir())
	_, mails := intoMailbox(t, d, e)
	c := imapUser(t, d.Addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{messageID: "deliver@x", subject: "r", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "the delivery in the municipality's mailbox", func() bool { return len(mails()) == 1 })
	raw := mails()[0]
	if got := original(t, raw); string(got) != string(fixture(t)) {
		t.Fatalf("the delivered original differs from the invoice sent (%d bytes, want %d)", len(got), len(fixture(t)))
	}
	if m, _ := Parse(raw); m.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted %q", m.Header.Get("Auto-Submitted"))
	}
}

// TestDovecotTwoGateways puts 200 mails into one mailbox read by two
// gateways: each invoice is filed exactly once.
func TestDovecotTwoGateways(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	e := newEnv(t, t.TempDir())
	c := imapUser(t, d.Addr, "rechnung", "secret")
	const n = 200
	for i := range n {
		appendMail(t, c, "INBOX", testMail{from: fmt.Sprintf("s%d@lieferant.example", i), messageID: fmt.Sprintf("m%d@x", i), subject: "r",
			parts: []string{xmlPart("r.xml", numbered(t, fmt.Sprintf("TWO-GW-%03d", i)))}}.bytes())
	}
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "one"})
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "two"})
	waitFor(t, 120*time.Second, "200 mails done", func() bool { return count(c, "Done") == n })
	if got := testutil.ToFloat64(e.metrics.Submissions.WithLabelValues("email", "routed")); got != n {
		t.Errorf("%v invoices routed, want %d", got, n)
	}
	if got := testutil.ToFloat64(e.metrics.Submissions.WithLabelValues("email", "duplicate")); got != 0 {
		t.Errorf("%v duplicates: a mail was taken twice", got)
	}
	if count(c, "Rejected") != 0 || count(c, "INBOX") != 0 {
		t.Errorf("rejected %d, left %d", count(c, "Rejected"), count(c, "INBOX"))
	}
	if !strings.Contains(e.log.String(), "Processing-one") && !strings.Contains(e.log.String(), "mail handled") {
		t.Log(e.log.String())
	}
}

// TestDovecotRestart stops Dovecot while mail is being read and starts it
// again: nothing is lost, intake resumes, nothing is filed twice.
func TestDovecotRestart(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	e := newEnv(t, t.TempDir())
	c := imapUser(t, d.Addr, "rechnung", "secret")
	const n = 60
	for i := range n / 2 {
		appendMail(t, c, "INBOX", testMail{messageID: fmt.Sprintf("r%d@x", i), subject: "r", parts: []string{xmlPart("r.xml", numbered(t, fmt.Sprintf("RESTART-%03d", i)))}}.bytes())
	}
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "intake under way", func() bool { return count(c, "Done") > 0 })
	d.Stop()
	time.Sleep(300 * time.Millisecond)
	if err := d.Start(); err != nil {
		t.Fatal(err)
	}
	c = imapUser(t, d.Addr, "rechnung", "secret")
	for i := n / 2; i < n; i++ {
		appendMail(t, c, "INBOX", testMail{messageID: fmt.Sprintf("r%d@x", i), subject: "r", parts: []string{xmlPart("r.xml", numbered(t, fmt.Sprintf("RESTART-%03d", i)))}}.bytes())
	}
	waitFor(t, 90*time.Second, "every mail done after the restart", func() bool { return count(c, "Done") == n })
	if got := testutil.ToFloat64(e.metrics.Submissions.WithLabelValues("email", "routed")); got != n {
		t.Errorf("%v invoices routed, want %d", got, n)
	}
	if count(c, "INBOX")+count(c, "Processing-a")+count(c, "Rejected") != 0 {
		t.Errorf("mail left over: inbox %d processing %d rejected %d", count(c, "INBOX"), count(c, "Processing-a"), count(c, "Rejected"))
	}
}

// TestDovecotWrongPassword: a clear error in the log, the metric, backoff
// and no crash loop; the mail stays where it is.
func TestDovecotWrongPassword(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	e := newEnv(t, t.TempDir())
	c := imapUser(t, d.Addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", testMail{messageID: "pw@x", subject: "r", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "wrong", Instance: "a"})
	logins := e.metrics.MailboxErrors.WithLabelValues("login")
	waitFor(t, 30*time.Second, "two failed logins", func() bool { return testutil.ToFloat64(logins) >= 2 })
	// Backoff: 50ms, 100ms, 200ms, ... so in two seconds at most a handful
	// of attempts (Dovecot also delays failed logins), never a tight loop.
	time.Sleep(2 * time.Second)
	if got := testutil.ToFloat64(logins); got > 8 {
		t.Errorf("%v login attempts in about 2 s: no backoff", got)
	}
	if !strings.Contains(e.log.String(), "email: login rechnung@") || !strings.Contains(e.log.String(), "retry_in") {
		t.Errorf("log lacks a clear login error:\n%s", e.log.String())
	}
	if count(c, "INBOX") != 1 {
		t.Errorf("the mail moved although nobody logged in")
	}
}
