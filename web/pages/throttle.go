package pages

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// The login throttle's rules: an address or an account may fail
// throttleFree times; each further failure closes it for a back-off that
// starts at throttleMin and doubles up to throttleMax. A key whose last
// failure is throttleForget ago starts afresh.
const (
	throttleFree   = 5
	throttleMin    = time.Second
	throttleMax    = 5 * time.Minute
	throttleForget = time.Hour
	// throttleKeys bounds the keys kept: at the cap the forgotten go
	// first, then the longest quiet.
	throttleKeys = 10000
)

// A throttle slows failed logins per key ("addr " + address, "account "
// + account) with exponential back-off, and counts the failures of the
// last hour for /ops. Its state is bounded: at most throttleKeys keys and
// one count per minute of the last hour.
type throttle struct {
	mu      sync.Mutex
	keys    map[string]*strikes
	minutes [60]minuteCount // failures by minute, a ring
}

type strikes struct {
	fails   int
	last    time.Time // the last failure
	until   time.Time // closed until then
	pending int       // logins being checked
}

// current returns the failures that count at now: none once the last is
// throttleForget ago.
func (s *strikes) current(now time.Time) int {
	if now.Sub(s.last) >= throttleForget {
		return 0
	}
	return s.fails
}

type minuteCount struct {
	minute int64 // Unix minute
	n      int
}

func newThrottle() *throttle { return &throttle{keys: map[string]*strikes{}} }

// begin asks to check a login for the keys at now and returns how long
// they are still closed; 0: go ahead. A login let through holds a slot of
// each key until end. A key lets as many logins be checked at once as it
// has failures to spare, and one at a time after that, so that guesses
// sent in parallel cannot outrun the count: a login over that waits
// throttleMin.
func (t *throttle) begin(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d time.Duration
	for _, k := range keys {
		s := t.keys[k]
		switch {
		case s == nil:
		case s.until.After(now):
			d = max(d, s.until.Sub(now))
		case s.pending >= max(1, throttleFree-s.current(now)):
			d = max(d, throttleMin)
		}
	}
	if d > 0 {
		return d
	}
	for _, k := range keys {
		s := t.strikesOf(now, k)
		s.pending++
	}
	return 0
}

// end releases the slots begin took for the keys. A failed login is
// recorded (fail); after a right one the keys without failures are
// dropped.
func (t *throttle) end(now time.Time, failed bool, keys ...string) (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if s := t.keys[k]; s != nil && s.pending > 0 {
			s.pending--
		}
	}
	if failed {
		return t.failLocked(now, keys...)
	}
	for _, k := range keys {
		if s := t.keys[k]; s != nil && s.current(now) == 0 && s.pending == 0 {
			delete(t.keys, k)
		}
	}
	return 0, 0
}

// fail records a failed login for the keys and returns the back-off it
// sets (0 while the keys have failures to spare) and the most failures
// of one key.
func (t *throttle) fail(now time.Time, keys ...string) (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failLocked(now, keys...)
}

// failLocked is fail with t.mu held.
func (t *throttle) failLocked(now time.Time, keys ...string) (time.Duration, int) {
	m := now.Unix() / 60
	if c := &t.minutes[m%60]; c.minute == m {
		c.n++
	} else {
		*c = minuteCount{minute: m, n: 1}
	}
	var wait time.Duration
	most := 0
	for _, k := range keys {
		s := t.strikesOf(now, k)
		s.fails = s.current(now) + 1
		s.last = now
		most = max(most, s.fails)
		if s.fails < throttleFree {
			continue
		}
		d := throttleMax
		if n := s.fails - throttleFree; n < 20 {
			d = min(throttleMin<<n, throttleMax)
		}
		s.until = now.Add(d)
		wait = max(wait, d)
	}
	return wait, most
}

// succeed forgets the failures of key (an account that logged in).
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// strikesOf returns the key's strikes, new ones where it has none; t.mu
// is held.
func (t *throttle) strikesOf(now time.Time, k string) *strikes {
	s := t.keys[k]
	if s == nil {
		t.makeRoom(now)
		s = &strikes{}
		t.keys[k] = s
	}
	return s
}

// makeRoom keeps the keys under the cap, sparing those with logins being
// checked; t.mu is held.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.keys) < throttleKeys {
		return
	}
	var quiet string
	for k, s := range t.keys {
		if s.pending > 0 {
			continue
		}
		if s.current(now) == 0 && !s.until.After(now) {
			delete(t.keys, k)
			continue
		}
		if quiet == "" || s.last.Before(t.keys[quiet].last) {
			quiet = k
		}
	}
	if len(t.keys) >= throttleKeys && quiet != "" {
		delete(t.keys, quiet)
	}
}

// lastHour returns the failed logins of the hour before now.
func (t *throttle) lastHour(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, n := now.Unix()/60, 0
	for _, c := range t.minutes {
		if c.minute > m-60 && c.minute <= m {
			n += c.n
		}
	}
	return n
}

// A throttled address, for /ops.
type throttled struct {
	Addr  string
	Fails int
	Until time.Time
}

// throttledAddrs returns the addresses closed at now, the latest-closing
// first, at most limit.
func (t *throttle) throttledAddrs(now time.Time, limit int) []throttled {
	t.mu.Lock()
	var out []throttled
	for k, s := range t.keys {
		if a, ok := strings.CutPrefix(k, "addr "); ok && s.until.After(now) {
			out = append(out, throttled{Addr: a, Fails: s.fails, Until: s.until})
		}
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Until.Equal(out[j].Until) {
			return out[i].Until.After(out[j].Until)
		}
		return out[i].Addr < out[j].Addr
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Bearer checks a bearer token of the API for a request with the throttle
// of the pages' logins, per client address: while the address is closed
// it answers false and how long it stays closed without calling check
// (counted as a login turned away); a failed check counts as a failed
// login (reason api-token) of the address, and shows on /ops like
// the pages' failures. A right token opens nothing early: the address's
// failures run out as a page login's do. Unlike a page login no slot is
// held while the token is checked, so that a machine's parallel requests
// are never slowed; a token is 256 random bits and not guessed in the few
// requests sent at once.
func (p *Pages) Bearer(r *http.Request, check func() bool) (ok bool, retryAfter time.Duration) {
	addr := p.cfg.ClientAddr(r)
	now := p.cfg.Now()
	if d := p.throttle.closed(now, "addr "+addr); d > 0 {
		p.cfg.Metrics.LoginThrottledAway()
		return false, d
	}
	if check() {
		return true, 0
	}
	backoff, fails := p.throttle.fail(now, "addr "+addr)
	p.cfg.Metrics.LoginFailed("api-token")
	p.cfg.Logger.Warn("API token refused", "addr", addr, "failures", fails, "backoff", backoff)
	return false, 0
}

// closed returns how long key is still closed at now; 0: open.
func (t *throttle) closed(now time.Time, key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.keys[key]; s != nil && s.until.After(now) {
		return s.until.Sub(now)
	}
	return 0
}
