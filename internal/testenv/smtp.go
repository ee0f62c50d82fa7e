package testenv

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// An SMTPSink is an in-process SMTP server (go-smtp) on a free loopback
// port that keeps every mail it receives.
type SMTPSink struct {
	Addr string
	// Deliver, if set before mail arrives, is also called with each mail
	// (to hand it on, e.g. into an IMAP mailbox).
	Deliver func(to string, data []byte)

	mu    sync.Mutex
	mails []Mail
}

// A Mail is one received mail.
type Mail struct {
	From, To string
	Data     []byte
}

// StartSMTPSink starts a sink and stops it when the test ends.
func StartSMTPSink(tb testing.TB) *SMTPSink {
	k := &SMTPSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	k.Addr = l.Addr().String()
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return k
}

// To returns the mails received for an address.
func (k *SMTPSink) To(addr string) []Mail {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []Mail
	for _, m := range k.mails {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// Count returns how many mails arrived.
func (k *SMTPSink) Count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.mails)
}

type sinkSession struct {
	k        *SMTPSink
	from, to string
}

func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.k.mu.Lock()
	s.k.mails = append(s.k.mails, Mail{s.from, s.to, b})
	deliver := s.k.Deliver
	s.k.mu.Unlock()
	if deliver != nil {
		deliver(s.to, b)
	}
	return nil
}
