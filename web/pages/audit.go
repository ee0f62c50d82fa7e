package pages

import (
	"net/http"
	"sync"
	"time"

	"github.com/eingang/eingang/ingest"
)

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
