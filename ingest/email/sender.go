package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
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

// A Sender sends mail by SMTP from a queue: a failed mail is tried again
// with backoff (up to MaxAttempts), and queuing never blocks.
type Sender struct {
	cfg     SMTP
	log     *slog.Logger
	metrics *ingest.Metrics

	mu      sync.Mutex
	queue   []*outgoing
	wake    chan struct{}
	backoff time.Duration
}

// MaxAttempts is how often a mail is tried before it is given up (and
// logged as an error).
const MaxAttempts = 12

// NewSender returns a sender; Run sends.
func NewSender(cfg SMTP, log *slog.Logger, metrics *ingest.Metrics) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{cfg: cfg, log: log, metrics: metrics, wake: make(chan struct{}, 1), backoff: 2 * time.Second}
}

// From returns the sender's address.
func (s *Sender) From() *mail.Address { return s.cfg.From }

func (s *Sender) enqueue(o *outgoing) {
	s.mu.Lock()
	s.queue = append(s.queue, o)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many mails wait to be sent.
func (s *Sender) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Run sends queued mail until ctx is done.
func (s *Sender) Run(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if n := s.Pending(); n > 0 {
				s.log.Warn("email: unsent mail dropped at shutdown", "count", n)
			}
			return
		case <-s.wake:
		case <-tick.C:
		}
		s.mu.Lock()
		now := time.Now()
		var due, later []*outgoing
		for _, o := range s.queue {
			if o.next.After(now) {
				later = append(later, o)
			} else {
				due = append(due, o)
			}
		}
		s.queue = later
		s.mu.Unlock()
		for _, o := range due {
			s.try(ctx, o)
		}
	}
}

func (s *Sender) try(ctx context.Context, o *outgoing) {
	err := s.send(ctx, o.to, o.data)
	if err == nil {
		s.count(o.kind, "sent")
		return
	}
	s.count(o.kind, "failed")
	o.attempts++
	if o.attempts >= MaxAttempts || ctx.Err() != nil {
		s.log.Error("email: mail given up", "kind", o.kind, "to", o.to, "attempts", o.attempts, "err", err)
		return
	}
	o.next = time.Now().Add(min(s.backoff<<(o.attempts-1), time.Hour))
	s.log.Warn("email: send failed; retrying", "kind", o.kind, "to", o.to, "attempt", o.attempts, "retry_at", o.next, "err", err)
	s.enqueue(o)
}

func (s *Sender) count(kind, result string) {
	if s.metrics != nil {
		s.metrics.MailsSent.WithLabelValues(kind, result).Inc()
	}
}

// send delivers one mail over a new connection.
func (s *Sender) send(ctx context.Context, to string, data []byte) error {
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
	if err := c.SendMail(s.cfg.From.Address, []string{to}, bytes.NewReader(data)); err != nil {
		return fmt.Errorf("email: smtp %s: send to %s: %w", s.cfg.Addr, to, err)
	}
	return c.Quit()
}
