package email

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/store"
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

// dovecotIntake puts the mails into the intake mailbox of a fresh Dovecot,
// runs an intake on it and waits until every mail has left the intake
// and processing folders.
func dovecotIntake(t *testing.T, e *env, mails ...testMail) *imapclient.Client {
	t.Helper()
	d := testenv.StartDovecot(t, dovecotUsers)
	c := imapUser(t, d.Addr, "rechnung", "secret")
	for _, m := range mails {
		appendMail(t, c, "INBOX", m.bytes())
	}
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "every mail handled", func() bool { return count(c, "Done")+count(c, "Rejected") == len(mails) })
	return c
}

// onlyReply waits for the one reply to addr and returns its text and the
// receipt id of its report.json ("" without one).
func onlyReply(t *testing.T, e *env, addr string) (text, id string) {
	t.Helper()
	waitFor(t, 30*time.Second, "the reply to "+addr, func() bool { return len(e.smtp.To(addr)) > 0 })
	got := e.smtp.To(addr)
	if len(got) != 1 {
		t.Fatalf("%d replies to %s, want 1", len(got), addr)
	}
	_, text, atts := parseReply(t, got[0].Data)
	if rep, ok := atts["report.json"]; ok {
		var r struct{ ID string }
		if err := json.Unmarshal(rep, &r); err != nil {
			t.Fatalf("report.json: %v", err)
		}
		id = r.ID
	}
	return text, id
}

// TestDovecotUndecodableSender: a From whose display name does not decode
// (an unknown charset, an encoded CR/LF, an encoded comma) still names the
// sender: the invoice is filed with the address as its sender, and the
// receipt goes to it.
func TestDovecotUndecodableSender(t *testing.T) {
	e := newEnv(t, t.TempDir())
	cases := []struct{ from, addr string }{
		{"=?x-bogus?Q?B=FCro?= <buchhaltung@muster-bau.example>", "buchhaltung@muster-bau.example"},
		{"=?UTF-8?Q?B=C3=BCro=0D=0ABcc:_evil@x.example?= <crlf@muster-bau.example>", "crlf@muster-bau.example"},
		{"=?UTF-8?Q?M=C3=BCller,_Bau?= <komma@muster-bau.example>", "komma@muster-bau.example"},
		{"komment@muster-bau.example (=?x-bogus?Q?B=FCro?=)", "komment@muster-bau.example"},
	}
	var mails []testMail
	for i, k := range cases {
		mails = append(mails, testMail{from: k.from, messageID: fmt.Sprintf("undecodable%d@x", i), subject: "Rechnung",
			parts: []string{xmlPart("r.xml", numbered(t, fmt.Sprintf("UNDECODABLE-%d", i)))}})
	}
	c := dovecotIntake(t, e, mails...)
	if n := count(c, "Done"); n != len(cases) {
		t.Errorf("Done holds %d mails, want %d", n, len(cases))
	}
	for _, k := range cases {
		text, id := onlyReply(t, e, k.addr)
		if !strings.Contains(text, "angenommen") || id == "" {
			t.Errorf("reply to %s:\n%s", k.addr, text)
			continue
		}
		if meta, err := e.pipe.Meta(t.Context(), id); err != nil || meta.Sender != k.addr {
			t.Errorf("From %s: filed with sender %q (%v), want %s", k.from, meta.Sender, err, k.addr)
		}
	}
}

// TestDovecotReusedMessageID: a mail is a duplicate when its invoice is,
// not when its Message-ID is. Another invoice under a Message-ID seen
// before is filed; the same invoice under a new Message-ID, and the same
// mail sent again, are duplicates, and their reply names the receipt the
// invoice was filed under. No reply says an invoice was filed that was
// not.
func TestDovecotReusedMessageID(t *testing.T) {
	e := newEnv(t, t.TempDir())
	first := testMail{from: "erst@lieferant.example", messageID: "reused@x", subject: "eins", parts: []string{xmlPart("r.xml", numbered(t, "REUSED-1"))}}
	d := testenv.StartDovecot(t, dovecotUsers)
	c := imapUser(t, d.Addr, "rechnung", "secret")
	appendMail(t, c, "INBOX", first.bytes())
	e.run(t, Mailbox{Addr: d.Addr, Username: "rechnung", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "the first mail filed", func() bool { return count(c, "Done") == 1 })
	_, firstID := onlyReply(t, e, "erst@lieferant.example")
	for _, m := range []testMail{
		{from: "andere@lieferant.example", messageID: "reused@x", subject: "zwei", parts: []string{xmlPart("r.xml", numbered(t, "REUSED-2"))}},
		{from: "gleich@lieferant.example", messageID: "new@x", subject: "drei", parts: []string{xmlPart("r.xml", numbered(t, "REUSED-1"))}},
		first, // the same mail again
	} {
		appendMail(t, c, "INBOX", m.bytes())
	}
	waitFor(t, 30*time.Second, "the later mails handled and answered", func() bool {
		return count(c, "Done")+count(c, "Rejected") == 4 && len(e.smtp.To("erst@lieferant.example")) == 2
	})
	if count(c, "Done") != 2 || count(c, "Rejected") != 2 {
		t.Errorf("Done %d, Rejected %d; want 2 and 2", count(c, "Done"), count(c, "Rejected"))
	}
	text, id := onlyReply(t, e, "andere@lieferant.example")
	if !strings.Contains(text, "angenommen") || id == "" || id == firstID {
		t.Errorf("another invoice under a Message-ID seen before: receipt %q (first %s):\n%s", id, firstID, text)
	}
	if meta, err := e.pipe.Meta(t.Context(), id); err != nil || meta.Reference != "reused@x" {
		t.Errorf("meta of the second invoice: %+v %v", meta, err)
	}
	if n := len(inboxOf(t, e)); n != 2 {
		t.Errorf("%d invoices in the inbox, want 2", n)
	}
	text, _ = onlyReply(t, e, "gleich@lieferant.example")
	_, again, _ := parseReply(t, e.smtp.To("erst@lieferant.example")[1].Data)
	for _, text := range []string{text, again} {
		if !strings.Contains(text, "bereits unter der Eingangsnummer "+firstID) || !strings.Contains(text, "received before under receipt id "+firstID) {
			t.Errorf("a duplicate's reply does not name the first receipt %s:\n%s", firstID, text)
		}
	}
	for _, addr := range []string{"erst@lieferant.example", "andere@lieferant.example", "gleich@lieferant.example"} {
		for _, m := range e.smtp.To(addr) {
			if _, text, _ := parseReply(t, m.Data); strings.Contains(text, "processed before") {
				t.Errorf("a reply to %s says the mail was processed before:\n%s", addr, text)
			}
		}
	}
}

// inboxOf returns the new invoices of the test municipality.
func inboxOf(t testing.TB, e *env) []ingest.Outcome {
	t.Helper()
	list, err := e.pipe.Inbox(t.Context(), "lk-weimarer-land", "new", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDovecotSubjectEcho: a reply repeats the subject on one line, without
// control characters, and at most about 200 characters of it: an encoded
// CR/LF puts no line of the sender's into the reply, NUL comes not back,
// and a 1 MB subject makes no large reply.
func TestDovecotSubjectEcho(t *testing.T) {
	e := newEnv(t, t.TempDir())
	var huge strings.Builder
	for huge.Len() < 1<<20 {
		huge.WriteString(strings.Repeat("Rechnung ", 100) + "\r\n ")
	}
	dovecotIntake(t, e,
		testMail{from: "zeilen@lieferant.example", messageID: "lines@x", subject: "=?UTF-8?Q?Rechnung=0D=0AX-Evil:_1=0D=0A=0D=0AHallo=00Welt?=",
			parts: []string{xmlPart("r.xml", numbered(t, "ECHO-1"))}},
		testMail{from: "riesig@lieferant.example", messageID: "huge@x", subject: huge.String(),
			parts: []string{xmlPart("r.xml", numbered(t, "ECHO-2"))}})
	for _, k := range []struct{ from, echoed string }{
		{"zeilen@lieferant.example", "Rechnung X-Evil: 1 Hallo Welt"},
		{"riesig@lieferant.example", strings.Repeat("Rechnung ", 30)[:199] + "…"},
	} {
		text, _ := onlyReply(t, e, k.from)
		raw := e.smtp.To(k.from)[0].Data
		rm, _, _ := parseReply(t, raw)
		if !strings.Contains(text, "„"+k.echoed+"“") || !strings.Contains(text, `"`+k.echoed+`"`) {
			t.Errorf("reply to %s does not echo %q:\n%.2000s", k.from, k.echoed, text)
		}
		if rm.Subject != "Eingangsbestätigung / receipt: Re: "+k.echoed && rm.Subject != "Nicht angenommen / not accepted: Re: "+k.echoed {
			t.Errorf("reply subject %.300q", rm.Subject)
		}
		if text := strings.ReplaceAll(text, "\r\n", "\n"); strings.ContainsAny(text, "\x00\r") || strings.Contains(text, "\nX-Evil") || strings.Contains(text, "\nHallo") {
			t.Errorf("control characters or the sender's lines in the reply to %s:\n%.2000q", k.from, text)
		}
		if len(raw) > 32<<10 {
			t.Errorf("reply to %s: %d bytes", k.from, len(raw))
		}
	}
}

// TestDovecotOwnAddress: the gateway does not answer mail from its own
// addresses: the intake mailbox (its login is an address, or the address
// the mail was delivered to) and the replies' sender, in any case. Their
// invoices are filed all the same.
func TestDovecotOwnAddress(t *testing.T) {
	e := newEnv(t, t.TempDir())
	d := testenv.StartDovecot(t, map[string]string{"eingang@intake.example": "secret"})
	c := imapUser(t, d.Addr, "eingang@intake.example", "secret")
	own := []string{"Eingang <eingang@intake.example>", "E-Rechnung <rechnung@portal.example>", "RECHNUNG@Portal.Example", "Post <post@intake.example>"}
	for i, from := range append(own, "kontrolle@lieferant.example") {
		appendMail(t, c, "INBOX", testMail{from: from, messageID: fmt.Sprintf("own%d@x", i), subject: "r",
			headers: []string{"Delivered-To: post@intake.example"},
			parts:   []string{xmlPart("r.xml", numbered(t, fmt.Sprintf("OWN-%d", i)))}}.bytes())
	}
	e.run(t, Mailbox{Addr: d.Addr, Username: "eingang@intake.example", Password: "secret", Instance: "a"})
	waitFor(t, 30*time.Second, "every mail filed and done with", func() bool {
		if count(c, "Done") != len(own)+1 {
			return false
		}
		if _, err := c.Select("Done", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		replied, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{kwReplied}}, nil).Wait()
		return err == nil && len(replied.AllUIDs()) == len(own)+1
	})
	if n := len(e.smtp.To("kontrolle@lieferant.example")); n != 1 {
		t.Errorf("%d replies to a supplier, want 1", n)
	}
	for _, from := range own {
		m, _ := Parse(testMail{from: from}.bytes())
		if n := len(e.smtp.To(m.From)); n != 0 {
			t.Errorf("%d replies to the gateway's own address %s", n, m.From)
		}
	}
	if n := strings.Count(e.log.String(), "own address"); n != len(own) {
		t.Errorf("the log names %d mails from an own address, want %d:\n%s", n, len(own), e.log.String())
	}
}

// TestDovecotDeliveryRepeat: a delivery sent but not marked (a crash) is
// sent again after a restart, at least once, with the Message-ID of the
// first, so that the municipality's mail system can drop the copy; the
// repeat is counted. Every other delivery has a Message-ID of its own and
// is no repeat.
func TestDovecotDeliveryRepeat(t *testing.T) {
	d := testenv.StartDovecot(t, dovecotUsers)
	e := newEnvWith(t, t.TempDir(), envOptions{noDeliver: true, store: func(s store.Store) store.Store {
		// The gateway crashes after the SMTP server took the mail and before the mark.
		return &keyFailer{Store: s, match: func(key string) bool { return strings.HasPrefix(key, "mark/delivered-email/") }}
	}})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(e.log.String())
		}
	})
	_, mails := intoMailbox(t, d, e)
	ids := submitN(t, e, "REPEAT-", 2)
	stop := e.startDelivery(t)
	waitFor(t, 30*time.Second, "both deliveries sent, one marked", func() bool {
		marked := 0
		for _, id := range ids {
			if ok, err := e.pipe.Marked(t.Context(), id, "delivered-email"); err == nil && ok {
				marked++
			}
		}
		return len(mails()) == 2 && marked == 1
	})
	stop()
	e.setDelivery(0)
	e.startDelivery(t)
	waitFor(t, 30*time.Second, "the unmarked delivery sent again", func() bool { return len(mails()) >= 3 })
	time.Sleep(500 * time.Millisecond)
	got := mails()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3", len(got))
	}
	byInvoice := map[string][]string{} // invoice id → the Message-IDs of its deliveries
	for _, raw := range got {
		m, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if strings.Contains(string(raw), "rechnung-"+id+".xml") {
				byInvoice[id] = append(byInvoice[id], m.MessageID)
			}
		}
	}
	var repeated, once []string
	for _, id := range ids {
		switch n := len(byInvoice[id]); n {
		case 1:
			once = byInvoice[id]
		case 2:
			repeated = byInvoice[id]
		default:
			t.Fatalf("invoice %s delivered %d times", id, n)
		}
	}
	if repeated == nil || once == nil {
		t.Fatalf("deliveries by invoice: %v", byInvoice)
	}
	if repeated[0] != repeated[1] || !strings.HasSuffix(repeated[0], "@portal.example") {
		t.Errorf("the repeat's Message-ID %q differs from the first's %q", repeated[1], repeated[0])
	}
	if once[0] == repeated[0] {
		t.Errorf("two invoices' deliveries share the Message-ID %s", once[0])
	}
	if n := e.counter(t, "eingang_mail_repeats_total", map[string]string{"kind": "deliver"}); n != 1 {
		t.Errorf("eingang_mail_repeats_total{kind=deliver} %v, want 1", n)
	}
	for _, id := range ids {
		if marked, err := e.pipe.Marked(t.Context(), id, "delivered-email"); err != nil || !marked {
			t.Errorf("%s: delivered mark %v %v", id, marked, err)
		}
	}
}
