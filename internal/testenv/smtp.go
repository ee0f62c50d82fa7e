package testenv

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
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
	TLS      bool   // it came over TLS
	User     string // the user who authenticated, if any
}

// SMTPOptions make a sink speak TLS or want authentication.
type SMTPOptions struct {
	// TLS, if set, is offered by STARTTLS, or spoken from the first byte
	// with Implicit (SMTPS).
	TLS      *tls.Config
	Implicit bool
	// Username and Password, if set, are required (AUTH PLAIN) before a
	// mail is taken.
	Username, Password string
}

// StartSMTPSink starts a sink and stops it when the test ends.
func StartSMTPSink(tb testing.TB) *SMTPSink { return StartSMTPSinkWith(tb, SMTPOptions{}) }

// StartSMTPSinkWith starts a sink with TLS or authentication.
func StartSMTPSinkWith(tb testing.TB, opts SMTPOptions) *SMTPSink {
	k := &SMTPSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		s := &sinkSession{k: k, conn: c}
		if opts.Username != "" {
			return &authSession{sinkSession: s, user: opts.Username, pass: opts.Password}, nil
		}
		return s, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = opts.TLS == nil
	srv.TLSConfig = opts.TLS
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if opts.Implicit {
		l = tls.NewListener(l, opts.TLS)
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
	conn     *smtp.Conn
	from, to string
	user     string
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
	_, tls := s.conn.TLSConnectionState()
	s.k.mails = append(s.k.mails, Mail{s.from, s.to, b, tls, s.user})
	deliver := s.k.Deliver
	s.k.mu.Unlock()
	if deliver != nil {
		deliver(s.to, b)
	}
	return nil
}

// authSession wants AUTH PLAIN before MAIL.
type authSession struct {
	*sinkSession
	user, pass string
}

func (s *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *authSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.user || pass != s.pass {
			return errors.New("invalid credentials")
		}
		s.sinkSession.user = user
		return nil
	}), nil
}

func (s *authSession) Mail(from string, opts *smtp.MailOptions) error {
	if s.sinkSession.user == "" {
		return smtp.ErrAuthRequired
	}
	return s.sinkSession.Mail(from, opts)
}
