// Package email is the gateway's e-mail channel: it reads invoices from
// IMAP mailboxes and hands each to the pipeline as an ingest.Submission
// (channel "email", the From address as sender, the Message-ID as
// reference), replies to the sender by SMTP, and mails new invoices to
// municipalities that want them by e-mail.
//
// A mail is claimed by an atomic UID MOVE from the intake folder into a
// processing folder of this gateway's own, so that gateways sharing a
// mailbox never take the same mail; once handled it is moved on to a done
// folder (an invoice was taken) or a rejected one (nothing was filed).
// Mail is never deleted. Whatever sits in the processing folder at start
// (a crash) is handled again; the pipeline's duplicate check keeps an
// invoice from being filed twice.
package email

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
)

// A Mailbox is one intake mailbox.
type Mailbox struct {
	Addr     string // host:port
	TLS      bool   // implicit TLS (imaps://)
	StartTLS bool
	Username string
	Password string
	Folder   string        // the intake folder, INBOX by default
	Poll     time.Duration // how often to look when IDLE is unavailable or quiet; default 30s
	// Instance names this gateway among those sharing the mailbox: its
	// processing folder is Processing-<Instance>. Default: the host name.
	Instance                 string
	Processing, Done, Reject string // folder names; defaults Processing-<Instance>, Done, Rejected
	TLSConfig                *tls.Config
}

// ParseMailbox reads imap://user@host:port/FOLDER, imaps://... or
// imap://...?starttls=true.
func ParseMailbox(rawURL, password string) (Mailbox, error) {
	var m Mailbox
	u, err := url.Parse(rawURL)
	if err != nil {
		return m, fmt.Errorf("email: mailbox url: %w", err)
	}
	switch u.Scheme {
	case "imap":
		m.StartTLS = u.Query().Get("starttls") == "true"
	case "imaps":
		m.TLS = true
	default:
		return m, fmt.Errorf("email: mailbox url %q: scheme must be imap or imaps", rawURL)
	}
	if u.User == nil || u.User.Username() == "" || u.Hostname() == "" || u.Port() == "" {
		return m, fmt.Errorf("email: mailbox url %q: want imap://user@host:port/FOLDER", rawURL)
	}
	m.Addr, m.Username, m.Password = u.Host, u.User.Username(), password
	m.Folder = strings.TrimPrefix(u.Path, "/")
	return m, nil
}

func (m *Mailbox) defaults() {
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.Poll <= 0 {
		m.Poll = 30 * time.Second
	}
	if m.Instance == "" {
		m.Instance, _ = os.Hostname()
		if m.Instance == "" {
			m.Instance = "eingang"
		}
	}
	if m.Processing == "" {
		m.Processing = "Processing-" + m.Instance
	}
	if m.Done == "" {
		m.Done = "Done"
	}
	if m.Reject == "" {
		m.Reject = "Rejected"
	}
}

// Config configures an Intake.
type Config struct {
	Mailbox   Mailbox
	Pipeline  *ingest.Pipeline
	Directory func() *directory.Directory // names the municipality in replies
	Replies   *Sender                     // nil: no replies
	// MaxMailBytes refuses larger mails (default 20 MB).
	MaxMailBytes int64
	// Batch is how many mails one claim takes (default 20): gateways
	// sharing a mailbox share its work.
	Batch   int
	Backoff time.Duration // first wait after a failure (default 1s; doubled up to 5 min)
	// MaxTries is how many attempts at handling one mail may come to
	// nothing (the gateway crashed, or the pipeline failed other than by
	// an outage) before it is rejected with a reply (default 5).
	MaxTries int
	// OwnAddresses are further addresses of the gateway, such as those of
	// its other mailboxes: a mail from any of them gets no reply either.
	OwnAddresses []string
	Logger       *slog.Logger
	Metrics      *ingest.Metrics // may be nil
}

// An Intake reads one mailbox.
type Intake struct {
	cfg   Config
	log   *slog.Logger
	moved chan struct{}   // a mail went to done or rejected: wakes the replies
	own   map[string]bool // the gateway's own addresses, lower case: no reply goes to them
}

// NewIntake returns an intake; Run reads.
func NewIntake(cfg Config) (*Intake, error) {
	if cfg.Pipeline == nil || cfg.Directory == nil {
		return nil, errors.New("email: pipeline and directory are required")
	}
	cfg.Mailbox.defaults()
	if cfg.MaxMailBytes <= 0 {
		cfg.MaxMailBytes = 20 << 20
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxTries <= 0 {
		cfg.MaxTries = 5
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	log := cfg.Logger.With("channel", "email", "mailbox", cfg.Mailbox.Username+"@"+cfg.Mailbox.Addr+"/"+cfg.Mailbox.Folder)
	return &Intake{cfg: cfg, log: log, moved: make(chan struct{}, 1), own: ownAddresses(cfg)}, nil
}

// ownAddresses returns the gateway's own addresses as far as the intake
// knows them, in lower case: the replies' sender, the SMTP and IMAP
// login names that are addresses and Config.OwnAddresses. A mail from one
// of them gets no reply: the gateway does not answer itself.
func ownAddresses(cfg Config) map[string]bool {
	own := map[string]bool{}
	names := append([]string{cfg.Mailbox.Username}, cfg.OwnAddresses...)
	if s := cfg.Replies; s != nil {
		names = append(names, s.cfg.Username)
		if s.cfg.From != nil {
			names = append(names, s.cfg.From.Address)
		}
	}
	for _, n := range names {
		if strings.Contains(n, "@") {
			own[strings.ToLower(n)] = true
		}
	}
	return own
}

// errPipeline marks a failure of the pipeline or the store: the mail stays
// in the processing folder and is tried again after a backoff.
type errPipeline struct{ err error }

func (e errPipeline) Error() string { return e.err.Error() }
func (e errPipeline) Unwrap() error { return e.err }

// Run reads the mailbox until ctx is done: it connects, handles what waits,
// then waits with IDLE (or polls) for more; beside it, over a connection
// of its own, it answers the senders. Connection, pipeline and SMTP
// failures are logged, counted and retried with backoff; Run returns only
// when ctx is done.
func (in *Intake) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if in.cfg.Replies != nil {
		wg.Go(func() { in.retry(ctx, "replies", in.replies) })
	}
	in.retry(ctx, "intake", in.session)
	wg.Wait()
	return ctx.Err()
}

// retry runs session again and again until ctx is done, waiting after a
// failure: the backoff doubles up to 5 minutes and starts again after a
// session that got under way.
func (in *Intake) retry(ctx context.Context, what string, session func(context.Context) (bool, error)) {
	wait := in.cfg.Backoff
	for ctx.Err() == nil {
		ok, err := session(ctx)
		if ctx.Err() != nil {
			break
		}
		if ok {
			wait = in.cfg.Backoff
		}
		var pe errPipeline
		if errors.As(err, &pe) {
			in.log.Warn("email: pipeline failed; the mail is tried again", "part", what, "err", err, "retry_in", wait)
		} else {
			in.log.Error("email: "+what+" failed", "err", err, "retry_in", wait)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

func (in *Intake) mailboxError(kind string) {
	if m := in.cfg.Metrics; m != nil {
		m.MailboxErrors.WithLabelValues(kind).Inc()
	}
}

// dial connects and logs in; arrived, if not nil, hears of new mail.
func (in *Intake) dial(ctx context.Context, arrived chan struct{}) (*imapclient.Client, error) {
	mb := in.cfg.Mailbox
	opts := &imapclient.Options{
		TLSConfig: mb.TLSConfig,
		Dialer:    &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil && arrived != nil {
					select {
					case arrived <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch {
	case mb.TLS:
		c, err = imapclient.DialTLS(mb.Addr, opts)
	case mb.StartTLS:
		c, err = imapclient.DialStartTLS(mb.Addr, opts)
	default:
		c, err = imapclient.DialInsecure(mb.Addr, opts)
	}
	if err != nil {
		in.mailboxError("connect")
		return nil, fmt.Errorf("email: connect %s: %w", mb.Addr, err)
	}
	if err := c.Login(mb.Username, mb.Password).Wait(); err != nil {
		c.Close()
		in.mailboxError("login")
		return nil, fmt.Errorf("email: login %s@%s: %w", mb.Username, mb.Addr, err)
	}
	return c, nil
}

// session runs one connection. ok says whether it got as far as handling
// mail (so the backoff starts again).
func (in *Intake) session(ctx context.Context) (ok bool, err error) {
	mb := in.cfg.Mailbox
	arrived := make(chan struct{}, 1)
	c, err := in.dial(ctx, arrived)
	if err != nil {
		return false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	for _, f := range []string{mb.Processing, mb.Done, mb.Reject} {
		if err := in.ensure(c, f); err != nil {
			in.mailboxError("command")
			return false, err
		}
	}
	in.log.Info("email: mailbox open", "idle", c.Caps().Has(imap.CapIdle))
	for {
		if err := in.drain(ctx, c); err != nil {
			var pe errPipeline
			if !errors.As(err, &pe) {
				in.mailboxError("command")
			}
			return ok, err
		}
		ok = true
		if err := in.wait(ctx, c, arrived); err != nil {
			in.mailboxError("command")
			return ok, err
		}
	}
}

// ensure creates a folder where it is missing.
func (in *Intake) ensure(c *imapclient.Client, folder string) error {
	list, err := c.List("", folder, nil).Collect()
	if err != nil {
		return fmt.Errorf("email: list %s: %w", folder, err)
	}
	if len(list) > 0 {
		return nil
	}
	if err := c.Create(folder, nil).Wait(); err != nil {
		// Another gateway may have created it just now.
		if list, lerr := c.List("", folder, nil).Collect(); lerr == nil && len(list) > 0 {
			return nil
		}
		return fmt.Errorf("email: create %s: %w", folder, err)
	}
	return nil
}

// wait selects the intake folder and waits for new mail: with IDLE where
// the server has it, for at most the poll interval.
func (in *Intake) wait(ctx context.Context, c *imapclient.Client, arrived chan struct{}) error {
	sel, err := c.Select(in.cfg.Mailbox.Folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("email: select %s: %w", in.cfg.Mailbox.Folder, err)
	}
	if sel.NumMessages > 0 {
		return nil
	}
	select {
	case <-arrived: // from before the select
	default:
	}
	timer := time.NewTimer(in.cfg.Mailbox.Poll)
	defer timer.Stop()
	if !c.Caps().Has(imap.CapIdle) {
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		return ctx.Err()
	}
	idle, err := c.Idle()
	if err != nil {
		return fmt.Errorf("email: idle: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-arrived:
	case <-c.Closed():
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("email: idle: %w", err)
	}
	if err := idle.Wait(); err != nil {
		return fmt.Errorf("email: idle: %w", err)
	}
	return ctx.Err()
}

// drain handles what is in the processing folder (left by a crash or a
// failure), then claims mail from the intake folder batch by batch until
// it is empty.
func (in *Intake) drain(ctx context.Context, c *imapclient.Client) error {
	mb := in.cfg.Mailbox
	for ctx.Err() == nil {
		if err := in.handleProcessing(ctx, c); err != nil {
			return err
		}
		uids, err := in.claim(c)
		if err != nil {
			return err
		}
		if len(uids) == 0 {
			return nil
		}
		if _, err := c.Move(imap.UIDSetNum(uids...), mb.Processing).Wait(); err != nil {
			return fmt.Errorf("email: claim from %s: %w", mb.Folder, err)
		}
	}
	return ctx.Err()
}

// The claim keywords: every claimed mail carries claimed, and the
// claiming gateway's own keyword.
const claimed = imap.Flag("$eingang")

func (in *Intake) ours() imap.Flag {
	return imap.Flag("$eingang-" + strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f && !strings.ContainsRune(`(){%*"\]`, r) {
			return r
		}
		return '_'
	}, in.cfg.Mailbox.Instance))
}

// claim selects the intake folder and returns the UIDs of up to a batch of
// mails this gateway has claimed. On a server with CONDSTORE a claim is a
// conditional STORE of the claim keywords (UNCHANGEDSINCE the mail's
// modification sequence): of gateways claiming one mail at once exactly one
// succeeds, which a MOVE alone does not ensure (Dovecot copies a mail that
// two sessions move at once). Mails this gateway claimed before a crash
// are taken again. Without CONDSTORE every unclaimed mail is taken and the
// UID MOVE is the claim.
func (in *Intake) claim(c *imapclient.Client) ([]imap.UID, error) {
	mb := in.cfg.Mailbox
	condstore := c.Caps().Has(imap.CapCondStore)
	if _, err := c.Select(mb.Folder, &imap.SelectOptions{CondStore: condstore}).Wait(); err != nil {
		return nil, fmt.Errorf("email: select %s: %w", mb.Folder, err)
	}
	mine, err := c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{in.ours()}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("email: search %s: %w", mb.Folder, err)
	}
	if uids := mine.AllUIDs(); len(uids) > 0 {
		return uids[:min(len(uids), in.cfg.Batch)], nil
	}
	free, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{claimed}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("email: search %s: %w", mb.Folder, err)
	}
	uids := free.AllUIDs()
	uids = uids[:min(len(uids), in.cfg.Batch)]
	if !condstore || len(uids) == 0 {
		return uids, nil
	}
	// Flags and modification sequence are read together: a mail another
	// gateway claimed since the search shows its keyword here, or else has
	// a newer modification sequence by the time this STORE arrives.
	seqs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, ModSeq: true, Flags: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("email: fetch %s: %w", mb.Folder, err)
	}
	var stores []*imapclient.FetchCommand
	for _, m := range seqs {
		if slices.Contains(m.Flags, claimed) {
			continue
		}
		stores = append(stores, c.Store(imap.UIDSetNum(m.UID), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{claimed, in.ours()}},
			&imap.StoreOptions{UnchangedSince: m.ModSeq}))
	}
	for _, st := range stores {
		if err := st.Close(); err != nil {
			return nil, fmt.Errorf("email: claim in %s: %w", mb.Folder, err)
		}
	}
	won, err := c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{imap.UIDSetNum(uids...)}, Flag: []imap.Flag{in.ours()}}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("email: search %s: %w", mb.Folder, err)
	}
	if len(won.AllUIDs()) == 0 {
		// Lost every race: look again (the batch is gone to others).
		return in.claim(c)
	}
	return won.AllUIDs(), nil
}

// handleProcessing handles every mail in this gateway's processing folder.
func (in *Intake) handleProcessing(ctx context.Context, c *imapclient.Client) error {
	mb := in.cfg.Mailbox
	sel, err := c.Select(mb.Processing, nil).Wait()
	if err != nil {
		return fmt.Errorf("email: select %s: %w", mb.Processing, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{
		UID: true, RFC822Size: true, InternalDate: true, Envelope: true, Flags: true,
	}).Collect()
	if err != nil {
		return fmt.Errorf("email: fetch %s: %w", mb.Processing, err)
	}
	for _, msg := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := in.handle(ctx, c, msg); err != nil {
			return err
		}
	}
	return nil
}

func seqRange(n uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = uint32(i + 1)
	}
	return s
}

// Keywords the gateway sets on a mail: the mailbox holds the state of each
// mail, so nothing of it lives only in the gateway's memory.
const (
	kwReplied = imap.Flag("$eingang-replied") // the reply was sent, or none is due
	kwResult  = "$eingang-result-"            // + "filed" or the reason nothing was: set before the mail leaves processing
	kwTry     = "$eingang-try-"               // + n: the nth attempt at handling the mail began
	kwBegun   = imap.Flag("$eingang-begun")   // an attempt began, counted or not: the mail may have been handed to the pipeline
	filed     = "filed"
)

// keyword returns what follows prefix in the first of flags that starts
// with it (IMAP keywords are case-insensitive), and whether one did.
func keyword(flags []imap.Flag, prefix string) (string, bool) {
	for _, f := range flags {
		if len(f) >= len(prefix) && strings.EqualFold(string(f[:len(prefix)]), prefix) {
			return strings.ToLower(string(f[len(prefix):])), true
		}
	}
	return "", false
}

// tries counts the attempts at handling a mail that began.
func tries(flags []imap.Flag) int {
	n := 0
	for _, f := range flags {
		if len(f) > len(kwTry) && strings.EqualFold(string(f[:len(kwTry)]), kwTry) {
			if k, err := strconv.Atoi(string(f[len(kwTry):])); err == nil && k > n {
				n = k
			}
		}
	}
	return n
}

func (in *Intake) store(c *imapclient.Client, uid imap.UID, op imap.StoreFlagsOp, flags ...imap.Flag) error {
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: op, Silent: true, Flags: flags}, nil).Close(); err != nil {
		return fmt.Errorf("email: store flags on uid %d: %w", uid, err)
	}
	return nil
}

// handle handles one claimed mail: it hands its invoice to the pipeline,
// records the result on the mail as a keyword and moves it on to the done
// or the rejected folder, where the replies find it. A mail whose result
// is recorded (a crash before the move) is only moved. Each attempt is
// counted on the mail: after MaxTries attempts that came to nothing (the
// gateway crashed or the pipeline failed on it each time) it is rejected.
// A pipeline failure leaves the mail where it is and returns errPipeline.
func (in *Intake) handle(ctx context.Context, c *imapclient.Client, msg *imapclient.FetchMessageBuffer) (err error) {
	reason, recorded := keyword(msg.Flags, kwResult)
	var messageID string
	if !recorded {
		n := tries(msg.Flags)
		if n == 0 {
			if m := in.cfg.Metrics; m != nil {
				m.MailsSeen.Inc()
			}
		}
		if n >= in.cfg.MaxTries {
			reason = ReasonFailed
			in.log.Error("email: mail given up after repeated failures", "uid", msg.UID, "attempts", n)
		} else {
			try := imap.Flag(kwTry + strconv.Itoa(n+1))
			if err := in.store(c, msg.UID, imap.StoreFlagsAdd, try, kwBegun); err != nil {
				return err
			}
			_, begun := keyword(msg.Flags, string(kwBegun))
			reason, messageID, err = in.examine(ctx, c, msg, n == 0 && !begun)
			if err != nil {
				if errors.Is(err, ingest.ErrUnavailable) {
					// An outage is not the mail's fault: the attempt does not count.
					in.store(c, msg.UID, imap.StoreFlagsDel, try)
				}
				return err
			}
		}
		if err := in.store(c, msg.UID, imap.StoreFlagsAdd, in.ours(), imap.Flag(kwResult+reason)); err != nil {
			return err
		}
	}
	folder := in.cfg.Mailbox.Done
	if reason != filed {
		folder = in.cfg.Mailbox.Reject
		if mt := in.cfg.Metrics; mt != nil && !recorded {
			mt.MailsRejected.WithLabelValues(reason).Inc()
		}
	}
	in.log.Info("email: mail handled", "uid", msg.UID, "message_id", messageID, "result", reason, "folder", folder)
	if _, err := c.Move(imap.UIDSetNum(msg.UID), folder).Wait(); err != nil {
		return fmt.Errorf("email: move uid %d to %s: %w", msg.UID, folder, err)
	}
	select {
	case in.moved <- struct{}{}:
	default:
	}
	return nil
}

// examine reads a claimed mail and hands its invoice to the pipeline. It
// returns the result (filed or the reason nothing was) and the mail's
// Message-ID. A mail is a duplicate when its invoice is (the pipeline's
// check of the invoice's bytes), whatever its Message-ID; on the first
// attempt at a mail (firstTry) the same mail byte for byte handed over
// before, a copy or the mail sent again, is one too. A panic is returned
// as an error.
func (in *Intake) examine(ctx context.Context, c *imapclient.Client, msg *imapclient.FetchMessageBuffer, firstTry bool) (reason, messageID string, err error) {
	defer func() {
		if p := recover(); p != nil {
			in.log.Error("email: panic while handling a mail", "uid", msg.UID, "panic", p, "stack", string(debug.Stack()))
			err = errPipeline{fmt.Errorf("email: uid %d: panic: %v", msg.UID, p)}
		}
	}()
	raw, err := in.fetch(c, msg)
	if err != nil {
		return "", "", err
	}
	m, perr := Parse(raw)
	if m != nil {
		messageID = m.MessageID
	}
	switch {
	case m == nil:
		return ReasonUnreadable, messageID, nil
	case msg.RFC822Size > in.cfg.MaxMailBytes:
		return ReasonTooLarge, messageID, nil
	case perr != nil:
		return ReasonUnreadable, messageID, nil
	}
	inv, res := classify(m)
	if res.reason != "" {
		return res.reason, messageID, nil
	}
	sub := ingest.Submission{
		Data: inv.Data, Channel: "email", Sender: m.From, Reference: m.MessageID,
		Filename: inv.Filename, ContentType: inv.ContentType, ReceivedAt: msg.InternalDate,
		ChannelData: ingest.ChannelData{Key: mailKey(raw)},
	}
	if inv.Kind() == KindPDF {
		// A hybrid invoice; an XML beside it is compared by the pipeline.
		sub.ContentType = "application/pdf"
		if b := res.beside; b != nil {
			sub.Beside = &ingest.Beside{Data: b.Data, Filename: b.Filename, ContentType: b.ContentType}
		}
	}
	if firstTry {
		// Later attempts may find the mail's own filing under its key.
		id, err := in.cfg.Pipeline.Lookup(ctx, "email", mailKey(raw))
		if err != nil {
			return "", messageID, errPipeline{fmt.Errorf("email: %s: %w", m.MessageID, err)}
		}
		if id != "" {
			return ReasonDuplicate, messageID, nil
		}
	}
	_, err = in.cfg.Pipeline.Submit(ctx, sub)
	var refused *ingest.PDFError
	if errors.As(err, &refused) {
		// Nothing was kept: the reply says why (reasonPDF).
		return reasonPDF + refused.Code, messageID, nil
	}
	if err != nil {
		if mt := in.cfg.Metrics; mt != nil {
			mt.MailRetries.Inc()
		}
		return "", messageID, errPipeline{fmt.Errorf("email: submit %s: %w", m.MessageID, err)}
	}
	_, res, err = in.result(ctx, raw, msg.RFC822Size, filed)
	if err != nil {
		return "", messageID, errPipeline{err}
	}
	if mt := in.cfg.Metrics; mt != nil && res.reason == "" && !msg.InternalDate.IsZero() {
		mt.MailFiling.Observe(time.Since(msg.InternalDate).Seconds())
	}
	if res.reason == "" {
		return filed, messageID, nil
	}
	return res.reason, messageID, nil
}

// fetch reads a mail: its header only when it is over the limit.
func (in *Intake) fetch(c *imapclient.Client, msg *imapclient.FetchMessageBuffer) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	if msg.RFC822Size > in.cfg.MaxMailBytes {
		section.Specifier = imap.PartSpecifierHeader
	}
	full, err := c.Fetch(imap.UIDSetNum(msg.UID), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("email: fetch uid %d: %w", msg.UID, err)
	}
	if len(full) != 1 || full[0].FindBodySection(section) == nil {
		return nil, fmt.Errorf("email: fetch uid %d: no body", msg.UID)
	}
	return full[0].FindBodySection(section), nil
}

// mailKey names a mail for the pipeline (Submission.Key): the same mail
// handed over again is a duplicate of the first, and its receipt is found
// by the key.
func mailKey(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "mail:" + hex.EncodeToString(sum[:])
}

// classify applies the one-invoice rule: it returns the invoice, and the
// result with the attachments counted, and a reason if there is none or
// more than one. An invoice is one XML, or one PDF (a hybrid invoice:
// ZUGFeRD / Factur-X), or one PDF with one XML beside it (res.beside):
// the pipeline files that as one invoice, the PDF as the original, where
// the PDF embeds this very XML, files the XML where the PDF embeds no
// XML, and refuses the mail where the PDF embeds another
// (ingest.Beside).
func classify(m *Mail) (*Part, *result) {
	res := &result{}
	var xml, pdf *Part
	nx, np := 0, 0
	for _, p := range m.Parts {
		switch p.Kind() {
		case KindInvoice:
			nx++
			xml = p
		case KindPDF:
			np++
			pdf = p
			res.pdf = true
		case KindOther:
			res.ignored = append(res.ignored, name(p))
		}
	}
	res.invoices = max(nx, np)
	var inv *Part
	switch {
	case nx == 0 && np == 0:
		res.reason = ReasonNoInvoice
	case nx > 1 || np > 1:
		res.reason = ReasonSeveralInvoices
	case np == 1:
		inv, res.beside = pdf, xml
	default:
		inv = xml
	}
	return inv, res
}

// result rebuilds what became of a mail from its bytes (its header only
// when it was too large or failed) and the recorded reason: the pipeline's
// receipt is found by the mail's key. It returns the mail as parsed (empty
// when it is unreadable).
func (in *Intake) result(ctx context.Context, raw []byte, size int64, reason string) (*Mail, *result, error) {
	m, perr := Parse(raw)
	if m == nil {
		m = &Mail{}
	}
	_, res := classify(m)
	res.reason = reason
	if reason == filed {
		res.reason = ""
	}
	switch reason {
	case ReasonTooLarge:
		res.ignored, res.pdf = nil, false
		res.detail = fmt.Sprintf("%d bytes; at most %d", size, in.cfg.MaxMailBytes)
		return m, res, nil
	case ReasonUnreadable:
		res.detail = strings.TrimPrefix(fmt.Sprint(perr), ErrUnreadable.Error()+": ")
		return m, res, nil
	case ReasonFailed, ReasonNoInvoice, ReasonSeveralInvoices:
		return m, res, nil
	}
	if code, ok := strings.CutPrefix(reason, reasonPDF); ok {
		res.refusal = ingest.PDFRefusal(code)
		if res.refusal == nil {
			res.refusal = &ingest.PDFError{Code: code, Message: code, MessageDE: code}
		}
		return m, res, nil
	}
	id, err := in.cfg.Pipeline.Lookup(ctx, "email", mailKey(raw))
	if err != nil {
		return nil, nil, err
	}
	var rec *ingest.Receipt
	if id != "" {
		if rec, err = in.cfg.Pipeline.Receipt(ctx, id); err != nil {
			return nil, nil, err
		}
	}
	if reason == ReasonDuplicate && rec == nil {
		// Recorded by a gateway that took a Message-ID seen before for a
		// duplicate: nothing of the mail was filed.
		res.detail = m.MessageID
		return m, res, nil
	}
	if rec == nil || rec.Status == ingest.StatusPending {
		// Kept but not yet filed: Recover finishes it.
		return nil, nil, fmt.Errorf("email: %s: not yet filed: %w", m.MessageID, ingest.ErrUnavailable)
	}
	res.receipt = rec
	o := rec.Outcome
	if res.beside != nil && o.Format == ingest.FormatXML {
		// The PDF beside the XML carried no invoice XML: the XML was filed.
		for _, p := range m.Parts {
			if p.Kind() == KindPDF {
				res.ignored = append(res.ignored, name(p))
			}
		}
		res.picture = true
	}
	switch {
	case rec.Status == ingest.StatusDuplicate:
		first, err := in.cfg.Pipeline.Outcome(ctx, o.DuplicateOf)
		if err != nil {
			return nil, nil, fmt.Errorf("email: %s: first of a duplicate: %w", m.MessageID, err)
		}
		res.reason, res.first, o = ReasonDuplicate, &first, first
		rec.ID = first.ID
	case reason == ReasonDuplicate:
		// The same mail came before: its filing is the first.
		first := o
		res.first = &first
	case rec.Status == ingest.StatusRejected:
		res.reason = ReasonInvalid
	}
	if o.Municipality != "" {
		res.muniName = o.Municipality
		if mu := in.cfg.Directory().Municipality(o.Municipality); mu != nil {
			res.muniName = mu.Name
		}
	}
	return m, res, nil
}

func name(p *Part) string {
	if p.Filename != "" {
		return p.Filename
	}
	return "(" + p.ContentType + ")"
}
