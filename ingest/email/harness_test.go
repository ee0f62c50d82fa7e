package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-message/mail"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// fixture is a valid invoice routed to lk-weimarer-land.
func fixture(t testing.TB) []byte {
	b, err := os.ReadFile("../../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// numbered returns the fixture with another invoice number (other bytes).
func numbered(t testing.TB, n string) []byte {
	return bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(n), 1)
}

const testDirectory = `municipalities:
  - id: lk-weimarer-land
    name: Landkreis Weimarer Land
    leitweg_ids: ["16071"]
    email: kasse@weimarer-land.example
    delivery: deliver
`

// env is a pipeline on a filesystem store, an SMTP sink and the metrics.
type env struct {
	pipe    *ingest.Pipeline
	dir     *directory.Directory
	metrics *ingest.Metrics
	reg     *prometheus.Registry // where metrics is registered
	smtp    *testenv.SMTPSink
	sender  *Sender
	deliv   *Delivery
	log     *syncBuffer
	logger  *slog.Logger
	mu      sync.Mutex // guards deliv
}

func newEnv(t testing.TB, storeDir string) *env {
	return newEnvWith(t, storeDir, envOptions{})
}

// envOptions change the environment of a test.
type envOptions struct {
	directory string                        // the directory's YAML (default testDirectory)
	store     func(store.Store) store.Store // wraps the filesystem store
	smtp      *SMTP                         // where mail goes (default the sink, plain)
	digest    time.Duration
	noDeliver bool           // no Delivery runs
	scanner   ingest.Scanner // the pipeline's malware scanner, if any
}

func newEnvWith(t testing.TB, storeDir string, o envOptions) *env {
	t.Helper()
	var s store.Store
	s, err := store.OpenFS(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	if o.store != nil {
		s = o.store(s)
	}
	if o.directory == "" {
		o.directory = testDirectory
	}
	dir, err := directory.Parse([]byte(o.directory))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{dir: dir, reg: prometheus.NewRegistry(), smtp: testenv.StartSMTPSink(t), log: &syncBuffer{}}
	e.metrics = ingest.NewMetrics(e.reg)
	e.logger = slog.New(slog.NewTextHandler(e.log, nil))
	from, _ := mail.ParseAddress("E-Rechnung Thüringen <rechnung@portal.example>")
	cfg := SMTP{Addr: e.smtp.Addr}
	if o.smtp != nil {
		cfg = *o.smtp
	}
	cfg.From = from
	e.sender = NewSender(cfg, e.logger, e.metrics)
	e.deliv = &Delivery{Directory: e.directory, Sender: e.sender, Logger: e.logger, Backoff: 50 * time.Millisecond, Digest: o.digest}
	e.pipe, err = ingest.New(ingest.Config{Store: s, Validator: invoice.NewValidator(), Directory: e.directory,
		Metrics: e.metrics, Logger: e.logger, OnFiled: func(o ingest.Outcome) { e.delivery().Filed(o) }, Scanner: o.scanner})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.pipe.Wait) // the removals of pending markers Submit leaves running
	e.deliv.Pipeline = e.pipe
	if !o.noDeliver {
		e.startDelivery(t)
	}
	return e
}

// delivery returns the Delivery in force.
func (e *env) delivery() *Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.deliv
}

// setDelivery replaces the Delivery (a restart) with one of the same
// configuration.
func (e *env) setDelivery(digest time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.deliv = &Delivery{Pipeline: e.pipe, Directory: e.directory, Sender: e.sender, Logger: e.logger, Backoff: 50 * time.Millisecond, Digest: digest}
}

// startDelivery runs the delivery until the returned stop or the end of
// the test.
func (e *env) startDelivery(t testing.TB) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d := e.delivery()
	go func() { d.Run(ctx); close(done) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return stop
}

func (e *env) directory() *directory.Directory { return e.dir }

// run starts an intake on the mailbox and stops it when the test ends or
// stop is called.
func (e *env) run(t testing.TB, mb Mailbox) (stop func()) {
	t.Helper()
	mb.Poll = 200 * time.Millisecond
	in, err := NewIntake(Config{Mailbox: mb, Pipeline: e.pipe, Directory: e.directory, Replies: e.sender,
		MaxMailBytes: 64 << 10, Backoff: 50 * time.Millisecond, MaxTries: 3, Logger: e.logger, Metrics: e.metrics})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	t.Cleanup(stop)
	return stop
}

// counter returns the value of a counter with the labels, by its name as
// registered (0 when it was never counted or does not exist).
func (e *env) counter(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue metrics
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// syncBuffer is the log of a test gateway: written by its goroutines,
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor polls cond every 50 ms for at most d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out after %v waiting for %s", d, what)
}

// A testMail builds a mail.
type testMail struct {
	from, messageID, subject string
	headers                  []string // extra "Name: value" lines
	parts                    []string // MIME parts, each with its header
	body                     string   // a whole body instead of parts
}

func (m testMail) bytes() []byte {
	var b strings.Builder
	from := m.from
	if from == "" {
		from = "Lieferant GmbH <buchhaltung@lieferant.example>"
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: rechnung@portal.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n", from, m.subject, m.messageID)
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	if m.body != "" {
		b.WriteString(m.body)
		return []byte(b.String())
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAnbei die Rechnung.\r\n")
	for _, p := range m.parts {
		b.WriteString("--b1\r\n" + p + "\r\n")
	}
	b.WriteString("--b1--\r\n")
	return []byte(b.String())
}

// xmlPart is an attachment, base64 encoded.
func xmlPart(name string, data []byte) string {
	return "Content-Type: application/xml\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + wrap(base64.StdEncoding.EncodeToString(data))
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	return b.String() + s + "\r\n"
}

// imapUser logs in to an IMAP server.
func imapUser(t testing.TB, addr, user, pass string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func appendMail(t testing.TB, c *imapclient.Client, folder string, raw []byte) {
	t.Helper()
	a := c.Append(folder, int64(len(raw)), nil)
	a.Write(raw)
	a.Close()
	if _, err := a.Wait(); err != nil {
		t.Fatalf("append: %v", err)
	}
}

// count returns how many mails a folder holds (0 when it does not exist).
func count(c *imapclient.Client, folder string) int {
	st, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || st.NumMessages == nil {
		return 0
	}
	return int(*st.NumMessages)
}

// startMemIMAP starts go-imap's in-memory server with a user whose INBOX
// exists.
func startMemIMAP(t testing.TB, user, pass string) string {
	return startMemIMAPTLS(t, user, pass, nil, false)
}

// startMemIMAPTLS starts it with TLS: offered by STARTTLS, or from the
// first byte (implicit).
func startMemIMAPTLS(t testing.TB, user, pass string, tc *tls.Config, implicit bool) string {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, pass)
	u.Create("INBOX", nil)
	mem.AddUser(u)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: tc == nil,
		TLSConfig:    tc,
		Logger:       nopLogger{},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		l = tls.NewListener(l, tc)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// replyTo parses the reply a sender got and returns its text and
// attachments by name.
func parseReply(t testing.TB, raw []byte) (*Mail, string, map[string][]byte) {
	t.Helper()
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("reply does not parse: %v\n%s", err, raw)
	}
	var text string
	atts := map[string][]byte{}
	for _, p := range m.Parts {
		if p.Attachment {
			atts[p.Filename] = p.Data
		} else {
			text += string(p.Data)
		}
	}
	return m, text, atts
}
