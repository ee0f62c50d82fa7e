package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/eingang/eingang/ingest"
)

// SMTP says where outgoing mail goes.
type SMTP struct {
	Addr      string // host:port
	TLS       bool   // implicit TLS (smtps://)
	StartTLS  bool
	Username  string // empty: no authentication
	Password  string
	From      *mail.Address
	TLSConfig *tls.Config // nil: the system's roots, ServerName from Addr
}

// ParseSMTP reads smtp://[user@]host:port, smtps://... or
// smtp://...?starttls=true, and the From header's value.
func ParseSMTP(rawURL, from, password string) (SMTP, error) {
	var s SMTP
	u, err := url.Parse(rawURL)
	if err != nil {
		return s, fmt.Errorf("email: smtp url: %w", err)
	}
	switch u.Scheme {
	case "smtp":
		s.StartTLS = u.Query().Get("starttls") == "true"
	case "smtps":
		s.TLS = true
	default:
		return s, fmt.Errorf("email: smtp url %q: scheme must be smtp or smtps", rawURL)
	}
	if u.Hostname() == "" || u.Port() == "" {
		return s, fmt.Errorf("email: smtp url %q: needs host:port", rawURL)
	}
	s.Addr = u.Host
	if u.User != nil {
		s.Username = u.User.Username()
		if p, ok := u.User.Password(); ok && password == "" {
			password = p
		}
	}
	s.Password = password
	s.From, err = mail.ParseAddress(from)
	if err != nil {
		return s, fmt.Errorf("email: smtp from %q: %w", from, err)
	}
	return s, nil
}

// A Sender sends mail by SMTP, one connection per mail. It keeps no
// queue: what waits to be sent is kept where it is durable (the mailbox
// for replies, the pipeline's marks for deliveries), and the caller tries
// again later.
type Sender struct {
	cfg     SMTP
	log     *slog.Logger
	metrics *ingest.Metrics
}

// NewSender returns a sender.
func NewSender(cfg SMTP, log *slog.Logger, metrics *ingest.Metrics) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, log: log, metrics: metrics}
}

// From returns the sender's address.
func (s *Sender) From() *mail.Address { return s.cfg.From }

// Send sends one mail of a kind (reply, notify, deliver) and counts it.
func (s *Sender) Send(ctx context.Context, kind, to string, data []byte) error {
	return s.sendCommit(ctx, kind, to, data, nil)
}

// sendCommit is Send that calls commit, if not nil, once the server has
// the mail but not its end: from then on the server may have taken the
// mail, even if an error follows, unless it is a reply of the server's
// (refused). An error of commit ends the connection, and the server drops
// the mail.
func (s *Sender) sendCommit(ctx context.Context, kind, to string, data []byte, commit func() error) error {
	err := s.send(ctx, to, data, commit)
	if err != nil {
		s.count(kind, "failed")
		return err
	}
	s.count(kind, "sent")
	return nil
}

// permanent reports whether the server refused a mail for good (a 5xx
// reply): sending it again would fail again.
func permanent(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code >= 500 && se.Code < 600
}

// refused reports whether the server answered a mail with a refusal (a
// 4xx or 5xx reply): then it did not take it.
func refused(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se)
}

func (s *Sender) count(kind, result string) {
	if s.metrics != nil {
		s.metrics.MailsSent.WithLabelValues(kind, result).Inc()
	}
}

// send delivers one mail over a new connection; commit, if not nil, is
// called before the mail's end is sent.
func (s *Sender) send(ctx context.Context, to string, data []byte, commit func() error) error {
	var c *smtp.Client
	var err error
	tc := s.cfg.TLSConfig
	switch {
	case s.cfg.TLS:
		c, err = smtp.DialTLS(s.cfg.Addr, tc)
	case s.cfg.StartTLS:
		c, err = smtp.DialStartTLS(s.cfg.Addr, tc)
	default:
		c, err = smtp.Dial(s.cfg.Addr)
	}
	if err != nil {
		return fmt.Errorf("email: smtp %s: %w", s.cfg.Addr, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.CommandTimeout = time.Until(dl)
	}
	if s.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fmt.Errorf("email: smtp %s: auth: %w", s.cfg.Addr, err)
		}
	}
	fail := func(err error) error { return fmt.Errorf("email: smtp %s: send to %s: %w", s.cfg.Addr, to, err) }
	var opts *smtp.MailOptions
	if !ascii(s.cfg.From.Address) || !ascii(to) {
		opts = &smtp.MailOptions{UTF8: true}
	}
	if err := c.Mail(s.cfg.From.Address, opts); err != nil {
		return fail(err)
	}
	if err := c.Rcpt(to, nil); err != nil {
		return fail(err)
	}
	w, err := c.Data()
	if err != nil {
		return fail(err)
	}
	if _, err := w.Write(data); err != nil {
		return fail(err)
	}
	if commit != nil {
		if err := commit(); err != nil {
			// Closing the connection before the mail's end drops it.
			return fail(fmt.Errorf("not sent: %w", err))
		}
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	// The server has taken the mail: a failed QUIT must not send it again.
	c.Quit()
	return nil
}

// ascii reports whether s is all ASCII (else SMTPUTF8 is asked for).
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
