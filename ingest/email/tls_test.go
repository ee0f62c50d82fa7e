package email

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/internal/testenv"
)

// TestTLS reads a mailbox over IMAPS and IMAP STARTTLS and replies over
// SMTPS and SMTP STARTTLS with AUTH, each with a certificate of a CA the
// test made, over real TLS on loopback; a client that does not trust the
// CA gets nowhere.
func TestTLS(t *testing.T) {
	ca := testenv.NewTestCA(t)
	for _, k := range []struct {
		name           string
		imapImplicit   bool
		smtpImplicit   bool
		user, password string
	}{
		{name: "IMAPS and SMTPS", imapImplicit: true, smtpImplicit: true},
		{name: "STARTTLS with SMTP AUTH", user: "gateway", password: "smtp-secret"},
		{name: "SMTPS with AUTH", smtpImplicit: true, user: "gateway", password: "smtp-secret"},
	} {
		t.Run(k.name, func(t *testing.T) {
			addr := startMemIMAPTLS(t, "rechnung", "secret", ca.Server, k.imapImplicit)
			sink := testenv.StartSMTPSinkWith(t, testenv.SMTPOptions{TLS: ca.Server, Implicit: k.smtpImplicit, Username: k.user, Password: k.password})
			e := newEnvWith(t, t.TempDir(), envOptions{smtp: &SMTP{Addr: sink.Addr, TLS: k.smtpImplicit, StartTLS: !k.smtpImplicit,
				Username: k.user, Password: k.password, TLSConfig: ca.Client.Clone()}})
			c := imapTLSUser(t, addr, k.imapImplicit, ca.Client)
			appendMail(t, c, "INBOX", testMail{from: "tls@lieferant.example", messageID: "tls@x", subject: "tls", parts: []string{xmlPart("r.xml", fixture(t))}}.bytes())
			e.run(t, Mailbox{Addr: addr, TLS: k.imapImplicit, StartTLS: !k.imapImplicit, Username: "rechnung", Password: "secret", Instance: "a", TLSConfig: ca.Client.Clone()})
			waitFor(t, 30*time.Second, "the reply and the delivery over TLS", func() bool {
				return len(sink.To("tls@lieferant.example")) == 1 && len(sink.To(kasse)) == 1
			})
			for _, m := range append(sink.To("tls@lieferant.example"), sink.To(kasse)...) {
				if !m.TLS || m.User != k.user {
					t.Errorf("mail to %s: TLS %v, user %q; want TLS, user %q", m.To, m.TLS, m.User, k.user)
				}
			}
			if count(c, "Done") != 1 {
				t.Errorf("Done holds %d mails", count(c, "Done"))
			}
		})
	}
	t.Run("untrusted certificate", func(t *testing.T) {
		addr := startMemIMAPTLS(t, "rechnung", "secret", ca.Server, true)
		sink := testenv.StartSMTPSinkWith(t, testenv.SMTPOptions{TLS: ca.Server})
		e := newEnvWith(t, t.TempDir(), envOptions{smtp: &SMTP{Addr: sink.Addr, StartTLS: true}})
		if err := e.sender.Send(t.Context(), "reply", "x@lieferant.example", []byte("Subject: x\r\n\r\nx\r\n")); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("SMTP with an untrusted certificate: %v", err)
		}
		e.run(t, Mailbox{Addr: addr, TLS: true, Username: "rechnung", Password: "secret", Instance: "a"})
		connects := e.metrics.MailboxErrors.WithLabelValues("connect")
		waitFor(t, 10*time.Second, "a refused connection", func() bool { return testutil.ToFloat64(connects) >= 1 })
		if !strings.Contains(e.log.String(), "certificate") {
			t.Errorf("log lacks the certificate error:\n%s", e.log.String())
		}
		if sink.Count() != 0 {
			t.Errorf("%d mails sent over an untrusted connection", sink.Count())
		}
	})
}

// imapTLSUser logs in over TLS.
func imapTLSUser(t testing.TB, addr string, implicit bool, tc *tls.Config) *imapclient.Client {
	t.Helper()
	opts := &imapclient.Options{TLSConfig: tc.Clone()}
	dial := imapclient.DialStartTLS
	if implicit {
		dial = imapclient.DialTLS
	}
	c, err := dial(addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("rechnung", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
