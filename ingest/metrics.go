package ingest

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// Metrics are the pipeline's Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	Submissions   *prometheus.CounterVec   // eingang_submissions_total{channel,outcome}
	Validation    prometheus.Histogram     // eingang_validation_seconds
	RuleFailures  *prometheus.CounterVec   // eingang_rule_failures_total{rule}
	InboxPending  *prometheus.GaugeVec     // eingang_inbox_pending{municipality}
	Clearing      prometheus.Gauge         // eingang_clearing_pending
	StoreOps      *prometheus.HistogramVec // eingang_store_operation_seconds{op,backend}
	ChannelErrors *prometheus.CounterVec   // eingang_channel_errors_total{channel,kind}
	Ready         prometheus.Gauge         // eingang_ready
	StoreFree     *prometheus.GaugeVec     // eingang_store_free{resource}
	StoreRefusals *prometheus.CounterVec   // eingang_store_write_refusals_total{reason}
	// DirectoryReloads counts reloads of the directory file by result
	// (applied, refused, invalid); the binary's watcher counts them.
	DirectoryReloads *prometheus.CounterVec // eingang_directory_reloads_total{result}
	// LoginFailures counts failed logins by reason: on the pages
	// unknown-token, unknown-account (a wrong name or password), empty;
	// api-token for an unknown bearer token of the API. LoginThrottled
	// counts the logins and API requests turned away unchecked while
	// their address or account was throttled.
	LoginFailures  *prometheus.CounterVec // eingang_login_failures_total{reason}
	LoginThrottled prometheus.Counter     // eingang_login_throttled_total

	// The e-mail channel's (ingest/email).
	MailsSeen     prometheus.Counter     // eingang_mail_seen_total
	MailsRejected *prometheus.CounterVec // eingang_mail_rejected_total{reason}
	MailRetries   prometheus.Counter     // eingang_mail_retries_total
	MailsSent     *prometheus.CounterVec // eingang_mail_sent_total{kind,result}
	MailRepeats   *prometheus.CounterVec // eingang_mail_repeats_total{kind}
	MailFiling    prometheus.Histogram   // eingang_mail_filing_seconds
	MailboxErrors *prometheus.CounterVec // eingang_mailbox_errors_total{kind}

	// Hybrid PDFs and the malware scan (scan.go).
	intakeMetrics
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Submissions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_submissions_total", Help: "Submissions by channel and outcome (routed, clearing, rejected, duplicate, error).",
		}, []string{"channel", "outcome"}),
		Validation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "eingang_validation_seconds", Help: "Time to validate one document.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
		}),
		RuleFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_rule_failures_total", Help: "Counted error findings by rule id.",
		}, []string{"rule"}),
		InboxPending: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "eingang_inbox_pending", Help: "Invoices in a municipality's inbox not yet acknowledged.",
		}, []string{"municipality"}),
		Clearing: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "eingang_clearing_pending", Help: "Valid invoices waiting in clearing for an operator.",
		}),
		StoreOps: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "eingang_store_operation_seconds", Help: "Store operations by operation and backend.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
		}, []string{"op", "backend"}),
		ChannelErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_channel_errors_total", Help: "Errors of channels by kind.",
		}, []string{"channel", "kind"}),
		Ready: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "eingang_ready", Help: "1 when the last readiness check passed (uploads can be kept), else 0.",
		}),
		StoreFree: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "eingang_store_free", Help: "Room left on the store's filesystem at the last readiness check, by resource (bytes, inodes).",
		}, []string{"resource"}),
		StoreRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_store_write_refusals_total", Help: "Writes the store refused, by reason (no-space, read-only).",
		}, []string{"reason"}),
		DirectoryReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_directory_reloads_total", Help: "Reloads of the directory file by result (applied, refused as too large a change, invalid).",
		}, []string{"result"}),
	}
	m.LoginFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eingang_login_failures_total", Help: "Failed logins by reason: on the pages unknown-token, unknown-account, empty, oidc-no-role (a person the OpenID Connect provider vouched for but the directory gives no role); api-token for an unknown bearer token of the API.",
	}, []string{"reason"})
	m.LoginThrottled = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "eingang_login_throttled_total", Help: "Logins on the pages and API requests with a token turned away unchecked (429) while their address or account was throttled.",
	})
	m.MailsSeen = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "eingang_mail_seen_total", Help: "Mails claimed from intake mailboxes.",
	})
	m.MailsRejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eingang_mail_rejected_total", Help: "Mails that filed nothing, by reason (no-invoice, several-invoices, too-large, unreadable, duplicate, invalid).",
	}, []string{"reason"})
	m.MailRetries = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "eingang_mail_retries_total", Help: "Mails put back for a retry because the pipeline or the store failed.",
	})
	m.MailsSent = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eingang_mail_sent_total", Help: "Mails sent by SMTP by kind (reply, notify, deliver) and result (sent, failed).",
	}, []string{"kind", "result"})
	m.MailRepeats = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eingang_mail_repeats_total", Help: "Mails to municipalities sent although an earlier attempt may have been sent (a crash or a lost answer), by kind (notify, deliver).",
	}, []string{"kind"})
	m.MailFiling = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "eingang_mail_filing_seconds", Help: "Time from a mail's arrival in the mailbox to the filing of its invoice.",
		Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800},
	})
	m.MailboxErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "eingang_mailbox_errors_total", Help: "Errors of intake mailbox connections by kind (connect, login, command).",
	}, []string{"kind"})
	reg.MustRegister(m.Submissions, m.Validation, m.RuleFailures, m.InboxPending, m.Clearing, m.StoreOps, m.ChannelErrors,
		m.Ready, m.StoreFree, m.StoreRefusals, m.DirectoryReloads, m.LoginFailures, m.LoginThrottled,
		m.MailsSeen, m.MailsRejected, m.MailRetries, m.MailsSent, m.MailRepeats, m.MailFiling, m.MailboxErrors)
	m.intakeMetrics = newIntakeMetrics(reg)
	return m
}

// DirectoryReload counts a reload of the directory file: "applied",
// "refused" (too large a change) or "invalid".
func (m *Metrics) DirectoryReload(result string) {
	if m != nil {
		m.DirectoryReloads.WithLabelValues(result).Inc()
	}
}

// LoginFailed counts a failed login by reason.
func (m *Metrics) LoginFailed(reason string) {
	if m != nil {
		m.LoginFailures.WithLabelValues(reason).Inc()
	}
}

// LoginThrottledAway counts a login turned away while throttled.
func (m *Metrics) LoginThrottledAway() {
	if m != nil {
		m.LoginThrottled.Inc()
	}
}

func (m *Metrics) ready(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.Ready.Set(1)
	} else {
		m.Ready.Set(0)
	}
}

func (m *Metrics) room(r store.Space) {
	if m == nil {
		return
	}
	m.StoreFree.WithLabelValues("bytes").Set(float64(r.Bytes))
	if r.Inodes >= 0 {
		m.StoreFree.WithLabelValues("inodes").Set(float64(r.Inodes))
	}
}

func (m *Metrics) refused(err error) {
	if m == nil {
		return
	}
	reason := "no-space"
	if errors.Is(err, store.ErrReadOnly) {
		reason = "read-only"
	}
	m.StoreRefusals.WithLabelValues(reason).Inc()
}

func (m *Metrics) submission(channel, outcome string) {
	if m != nil {
		m.Submissions.WithLabelValues(channel, outcome).Inc()
	}
}

// ChannelError counts an error of a channel.
func (m *Metrics) ChannelError(channel, kind string) {
	if m != nil {
		m.ChannelErrors.WithLabelValues(channel, kind).Inc()
	}
}

func (m *Metrics) validated(rep *invoice.Report, d time.Duration) {
	if m == nil {
		return
	}
	m.Validation.Observe(d.Seconds())
	for _, f := range rep.Findings {
		if f.Counted && f.Level == invoice.LevelError {
			m.RuleFailures.WithLabelValues(f.Rule).Inc()
		}
	}
}

func (m *Metrics) filed(o Outcome) {
	if m == nil {
		return
	}
	m.filedFormat(o)
	switch o.Status {
	case StatusRouted:
		m.InboxPending.WithLabelValues(o.Municipality).Inc()
	case StatusClearing:
		m.Clearing.Inc()
	}
}

func (m *Metrics) acknowledged(municipality string) {
	if m != nil {
		m.InboxPending.WithLabelValues(municipality).Dec()
	}
}

func (m *Metrics) routedFromClearing(municipality string) {
	if m != nil {
		m.Clearing.Dec()
		m.InboxPending.WithLabelValues(municipality).Inc()
	}
}

// CountPending sets the pending gauges from the store's listings: run it
// at start and now and then (serve: every minute). Between two counts a
// gateway adds what it filed, acknowledged and routed itself; gateways on
// one store report the same counts after each, so read them with max()
// across gateways, never sum().
func (p *Pipeline) CountPending(ctx context.Context) error {
	m := p.cfg.Metrics
	if m == nil {
		return nil
	}
	count := func(prefix string) (int, error) {
		n, after := 0, ""
		for {
			page, err := p.cfg.Store.List(ctx, prefix, after, 1000)
			if err != nil || len(page) == 0 {
				return n, err
			}
			n += len(page)
			after = base(page[len(page)-1].Key)
		}
	}
	for _, mu := range p.cfg.Directory().Municipalities {
		n, err := count(inboxPrefix(mu.ID, "new"))
		if err != nil {
			return err
		}
		m.InboxPending.WithLabelValues(mu.ID).Set(float64(n))
	}
	n, err := count(clearingPrefix)
	if err != nil {
		return err
	}
	m.Clearing.Set(float64(n))
	return nil
}

// InstrumentStore wraps a store so that every operation is timed in
// eingang_store_operation_seconds{op,backend}.
func InstrumentStore(s store.Store, backend string, m *Metrics) store.Store {
	if m == nil {
		return s
	}
	return &timedStore{s, backend, m}
}

type timedStore struct {
	store.Store
	backend string
	m       *Metrics
}

func (t *timedStore) observe(op string, start time.Time) {
	t.m.StoreOps.WithLabelValues(op, t.backend).Observe(time.Since(start).Seconds())
}

func (t *timedStore) Create(ctx context.Context, key string, r io.Reader, size int64, o store.CreateOptions) error {
	defer t.observe("create", time.Now())
	return t.Store.Create(ctx, key, r, size, o)
}

func (t *timedStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	defer t.observe("put", time.Now())
	return t.Store.Put(ctx, key, r, size)
}

func (t *timedStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	defer t.observe("get", time.Now())
	return t.Store.Get(ctx, key)
}

func (t *timedStore) Stat(ctx context.Context, key string) (store.Info, error) {
	defer t.observe("stat", time.Now())
	return t.Store.Stat(ctx, key)
}

func (t *timedStore) Sync(ctx context.Context) error {
	defer t.observe("sync", time.Now())
	return store.Sync(ctx, t.Store)
}

func (t *timedStore) Space(ctx context.Context) (store.Space, error) { return space(ctx, t.Store) }

func (t *timedStore) Delete(ctx context.Context, key string) error {
	defer t.observe("delete", time.Now())
	return t.Store.Delete(ctx, key)
}

func (t *timedStore) Remove(ctx context.Context, key string) error {
	defer t.observe("remove", time.Now())
	return store.Remove(ctx, t.Store, key)
}

func (t *timedStore) List(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	defer t.observe("list", time.Now())
	return t.Store.List(ctx, prefix, after, limit)
}

func (t *timedStore) ListBodies(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	defer t.observe("list", time.Now())
	return store.ListBodies(ctx, t.Store, prefix, after, limit)
}
