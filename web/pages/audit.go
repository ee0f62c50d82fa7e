package pages

import (
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/eingang/eingang/ingest"
)

// trailPage is the audit trail page's data.
type trailPage struct {
	From, To     string // the period's days, YYYY-MM-DD (UTC), to included
	Municipality string // an operator's choice; "" every one
	Operator     bool
	Recipients   []ingest.Recipient
	Records      []ingest.AuditRecord // newest first, at most maxTrailRows
	More         int                  // records not shown (in the CSV)
	CSV          string               // the query of the CSV download
	Problem      string
}

func (t trailPage) problem() string { return t.Problem }

// maxTrailRows bounds the records the page shows; the CSV has them all
// (up to ingest.MaxAuditRecords).
const maxTrailRows = 500

// trail shows the audit trail of a period (default: today, UTC) and
// answers it as CSV with format=csv: an auditor's municipality's, or,
// for an operator, every municipality's or the one chosen. Reading it is
// recorded first.
func (p *Pages) trail(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	q := r.URL.Query()
	today := p.cfg.Now().UTC().Format(time.DateOnly)
	page := trailPage{From: q.Get("from"), To: q.Get("to"), Operator: who.Role == ingest.RoleOperator}
	if page.From == "" {
		page.From = today
	}
	if page.To == "" {
		page.To = page.From
	}
	from, err1 := time.Parse(time.DateOnly, page.From)
	to, err2 := time.Parse(time.DateOnly, page.To)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		page.Problem = "err_period"
		p.render(w, r, http.StatusBadRequest, "trail", "trail_title", page)
		return
	}
	trails := []string{who.Municipality}
	if page.Operator {
		page.Recipients = p.cfg.Backend.Recipients()
		trails = nil // every record
		if m := q.Get("municipality"); m != "" {
			known := m == ingest.GatewayTrail
			for _, rc := range page.Recipients {
				known = known || rc.ID == m
			}
			if !known {
				page.Problem = "err_municipality"
				p.render(w, r, http.StatusBadRequest, "trail", "trail_title", page)
				return
			}
			page.Municipality, trails = m, []string{m}
		}
	}
	recs, err := p.cfg.Backend.AuditRecords(r.Context(), trails, from, to.AddDate(0, 0, 1))
	switch {
	case errors.Is(err, ingest.ErrTooManyRecords):
		page.Problem = "err_toomany"
		p.render(w, r, http.StatusBadRequest, "trail", "trail_title", page)
		return
	case err != nil:
		p.backendError(w, r, err)
		return
	}
	if !p.audit(w, r, who, ingest.AuditReadTrail) {
		return
	}
	if q.Get("format") == "csv" {
		secureHeaders(w)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="audit-`+page.From+"-"+page.To+`.csv"`)
		if err := ingest.WriteAuditCSV(w, recs); err != nil {
			p.cfg.Logger.Warn("audit trail not sent whole", "err", err)
		}
		return
	}
	for i := len(recs) - 1; i >= 0 && len(page.Records) < maxTrailRows; i-- {
		page.Records = append(page.Records, recs[i])
	}
	page.More = len(recs) - len(page.Records)
	cq := url.Values{"from": {page.From}, "to": {page.To}, "format": {"csv"}}
	if page.Municipality != "" {
		cq.Set("municipality", page.Municipality)
	}
	page.CSV = cq.Encode()
	p.render(w, r, http.StatusOK, "trail", "trail_title", page)
}

// audit records who doing action on the invoices ids in the audit trail,
// before it is done. Where the record cannot be written it answers the
// request (503) and ok is false: the action must not be done.
func (p *Pages) audit(w http.ResponseWriter, r *http.Request, who ingest.Identity, action string, ids ...string) (ok bool) {
	if err := p.cfg.Backend.Audit(r.Context(), ingest.AuditFor(who, action, p.cfg.ClientAddr(r), "pages", ids...)); err != nil {
		p.backendError(w, r, err)
		return false
	}
	return true
}

// viewMemory is how long the record of an entry's page also covers the
// rendering its frame loads.
const viewMemory = 2 * time.Minute

// recentViews remembers, for a while, which browser session viewed which
// entry's page on this gateway, so that the frame of the page, which
// loads the invoice's rendering, needs no record of its own: the page's
// record covers it. A rendering opened on its own, later or elsewhere, is
// recorded. At most maxViews are kept.
type recentViews struct {
	mu sync.Mutex
	m  map[string]time.Time
}

const maxViews = 10000

func newRecentViews() *recentViews { return &recentViews{m: map[string]time.Time{}} }

// saw notes that the session viewed the entry at now.
func (v *recentViews) saw(session, id string, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.m) >= maxViews {
		for k, at := range v.m {
			if now.Sub(at) > viewMemory {
				delete(v.m, k)
			}
		}
		if len(v.m) >= maxViews {
			clear(v.m) // a burst: at worst some frames get records of their own
		}
	}
	v.m[session+" "+id] = now
}

// covered reports whether the session viewed the entry's page within
// viewMemory before now.
func (v *recentViews) covered(session, id string, now time.Time) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	at, ok := v.m[session+" "+id]
	return ok && now.Sub(at) <= viewMemory
}
