package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/ingest/email"
)

// emailConfig is the email: block of the --config file.
type emailConfig struct {
	Mailboxes []struct {
		URL          string `yaml:"url"` // imap://user@host:port/FOLDER, imaps://, ?starttls=true
		PasswordFile string `yaml:"password_file"`
		PasswordEnv  string `yaml:"password_env"`
		Poll         string `yaml:"poll"`     // default 30s
		Instance     string `yaml:"instance"` // names this gateway's processing folder; default the gateway's instance
		// Address is the mailbox's own e-mail address where its login name
		// is none: no reply goes to any mailbox's address.
		Address string `yaml:"address"`
	} `yaml:"mailboxes"`
	SMTP struct {
		URL          string `yaml:"url"`
		From         string `yaml:"from"`
		Username     string `yaml:"username"`
		PasswordFile string `yaml:"password_file"`
		PasswordEnv  string `yaml:"password_env"`
	} `yaml:"smtp"`
	MaxMailBytes string `yaml:"max_mail_bytes"` // 20MB
	Digest       string `yaml:"digest"`         // notify: one mail per interval (e.g. 1h) instead of one per invoice
}

// mailer runs the e-mail channel; its filed method is the pipeline's
// OnFiled hook. A nil *mailer does nothing.
type mailer struct {
	cfgs     []email.Config
	sender   *email.Sender
	delivery *email.Delivery
}

// secret reads a password from a file or an environment variable.
func secret(file, env string) (string, error) {
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		return strings.TrimRight(string(b), "\r\n"), err
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", env)
		}
		return v, nil
	}
	return "", nil
}

// parseBytes reads 20MB, 512KB, 1GB or a plain number of bytes.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want e.g. 20MB", s)
	}
	return n * mult, nil
}

// newMailer checks the email: block; nil config means no e-mail channel.
func newMailer(cfg *emailConfig, log *slog.Logger, metrics *ingest.Metrics) (*mailer, error) {
	if cfg == nil {
		return nil, nil
	}
	m := &mailer{}
	maxBytes := int64(20 << 20)
	if cfg.MaxMailBytes != "" {
		n, err := parseBytes(cfg.MaxMailBytes)
		if err != nil {
			return nil, fmt.Errorf("email: max_mail_bytes: %w", err)
		}
		maxBytes = n
	}
	if cfg.SMTP.URL != "" {
		pw, err := secret(cfg.SMTP.PasswordFile, cfg.SMTP.PasswordEnv)
		if err != nil {
			return nil, fmt.Errorf("email: smtp password: %w", err)
		}
		s, err := email.ParseSMTP(cfg.SMTP.URL, cfg.SMTP.From, pw)
		if err != nil {
			return nil, err
		}
		if cfg.SMTP.Username != "" {
			s.Username = cfg.SMTP.Username
		}
		m.sender = email.NewSender(s, log, metrics)
		m.delivery = &email.Delivery{Sender: m.sender, Logger: log}
		if cfg.Digest != "" {
			if m.delivery.Digest, err = time.ParseDuration(cfg.Digest); err != nil {
				return nil, fmt.Errorf("email: digest: %w", err)
			}
		}
	}
	var own []string
	for i, mb := range cfg.Mailboxes {
		pw, err := secret(mb.PasswordFile, mb.PasswordEnv)
		if err != nil {
			return nil, fmt.Errorf("email: mailbox %d: password: %w", i+1, err)
		}
		box, err := email.ParseMailbox(mb.URL, pw)
		if err != nil {
			return nil, err
		}
		if mb.Poll != "" {
			if box.Poll, err = time.ParseDuration(mb.Poll); err != nil {
				return nil, fmt.Errorf("email: mailbox %s: poll: %w", mb.URL, err)
			}
		}
		box.Instance = mb.Instance
		m.cfgs = append(m.cfgs, email.Config{Mailbox: box, Replies: m.sender, MaxMailBytes: maxBytes, Logger: log, Metrics: metrics})
		own = append(own, box.Username, mb.Address)
	}
	// Every intake knows every mailbox's address: the gateway answers none
	// of its own mailboxes.
	for i := range m.cfgs {
		m.cfgs[i].OwnAddresses = own
	}
	if len(m.cfgs) == 0 && m.sender == nil {
		return nil, errors.New("email: neither mailboxes nor smtp configured")
	}
	return m, nil
}

// filed is the pipeline's OnFiled hook.
func (m *mailer) filed(o ingest.Outcome) {
	if m != nil && m.delivery != nil {
		m.delivery.Filed(o)
	}
}

// start checks the channel's configuration, and runs the channel from
// when opened is closed (the store is open) until ctx is done: during an
// outage at start no mail is read, and none is claimed in vain.
func (m *mailer) start(ctx context.Context, pipe *ingest.Pipeline, dir func() *directory.Directory, opened <-chan struct{}) error {
	if m == nil {
		return nil
	}
	var run []func(context.Context)
	if m.sender != nil {
		m.delivery.Pipeline, m.delivery.Directory = pipe, dir
		run = append(run, m.delivery.Run)
	}
	for _, cfg := range m.cfgs {
		cfg.Pipeline, cfg.Directory = pipe, dir
		in, err := email.NewIntake(cfg)
		if err != nil {
			return err
		}
		run = append(run, func(ctx context.Context) { in.Run(ctx) })
	}
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-opened:
		}
		for _, r := range run {
			go r(ctx)
		}
	}()
	return nil
}
