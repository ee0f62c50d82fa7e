package pages

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eingang/eingang/ingest"
)

// figuresAge is how old the operators' figures may be: a gateway counts
// them every minute and keeps them in the store for all (ingest.Figures).
const figuresAge = 90 * time.Second

func (p *Pages) ops(w http.ResponseWriter, r *http.Request, _ ingest.Identity) {
	st, err := p.cfg.Backend.Figures(r.Context(), p.cfg.Now(), figuresAge)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	q, err := p.quarantine(r.Context()) // malware (hybrid.go)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	now := p.cfg.Now()
	p.render(w, r, http.StatusOK, "ops", "ops_title", struct {
		S             ingest.Stats
		At            time.Time
		LoginFailures int         // this gateway's, in the last hour
		Throttled     []throttled // addresses closed now
		Quarantine    quarantined
	}{st, st.At.In(now.Location()), p.throttle.lastHour(now), p.throttle.throttledAddrs(now, 50), q})
}

// clearingPage is the clearing page's data.
type clearingPage struct {
	Entries    []clearingEntry
	Recipients []ingest.Recipient
	Next       string
	Routed     string // name of the municipality the last one went to
	Problem    string
}

func (c clearingPage) problem() string { return c.Problem }

type clearingEntry struct {
	O      ingest.Outcome
	Reason string
}

func (p *Pages) clearing(w http.ResponseWriter, r *http.Request, _ ingest.Identity) {
	p.clearingWith(w, r, http.StatusOK, "")
}

func (p *Pages) clearingWith(w http.ResponseWriter, r *http.Request, code int, problem string) {
	const limit = 100
	list, err := p.cfg.Backend.Clearing(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		p.backendError(w, r, err)
		return
	}
	t := messages[language(w, r)]
	page := clearingPage{Recipients: p.cfg.Backend.Recipients(), Routed: r.URL.Query().Get("routed"), Problem: problem}
	for _, o := range list {
		page.Entries = append(page.Entries, clearingEntry{O: o, Reason: leitwegProblem(t, p.cfg.Backend.LookupLeitweg(o.LeitwegID))})
	}
	if len(list) == limit {
		page.Next = url.Values{"after": {list[len(list)-1].ID}}.Encode()
	}
	p.render(w, r, code, "clearing", "clearing_title", page)
}

func (p *Pages) clearingView(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	if _, err := p.cfg.Backend.ClearingEntry(r.Context(), r.PathValue("id")); err != nil {
		p.backendError(w, r, err)
		return
	}
	if !p.audit(w, r, who, ingest.AuditView, r.PathValue("id")) {
		return
	}
	p.serveView(w, r, r.PathValue("id"))
}

// route files a clearing entry in the chosen municipality's inbox. The
// field takes the municipality's id or its name (the list offers both).
func (p *Pages) route(w http.ResponseWriter, r *http.Request, who ingest.Identity) {
	choice := strings.TrimSpace(r.PostFormValue("municipality"))
	var to *ingest.Recipient
	for _, m := range p.cfg.Backend.Recipients() {
		if m.ID == choice || strings.EqualFold(m.Name, choice) {
			to = &m
			break
		}
	}
	if to == nil {
		p.clearingWith(w, r, http.StatusBadRequest, "err_municipality")
		return
	}
	if _, err := p.cfg.Backend.ClearingEntry(r.Context(), r.PathValue("id")); err != nil {
		p.backendError(w, r, err)
		return
	}
	rec := ingest.AuditFor(who, ingest.AuditRoute, p.cfg.ClientAddr(r), "pages", r.PathValue("id"))
	rec.Municipality = to.ID // the trail of the municipality it goes to
	if err := p.cfg.Backend.Audit(r.Context(), rec); err != nil {
		p.backendError(w, r, err)
		return
	}
	if _, err := p.cfg.Backend.RouteClearing(r.Context(), r.PathValue("id"), to.ID); err != nil {
		p.backendError(w, r, err)
		return
	}
	p.cfg.Logger.Info("routed from clearing", "id", r.PathValue("id"), "municipality", to.ID, "actor", who.Actor)
	http.Redirect(w, r, "/ops/clearing?routed="+url.QueryEscape(to.Name), http.StatusSeeOther)
}
