package pages

import (
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
	fails int
	last  time.Time // the last failure
	until time.Time // closed until then
}

type minuteCount struct {
	minute int64 // Unix minute
	n      int
}

func newThrottle() *throttle { return &throttle{keys: map[string]*strikes{}} }

// wait returns how long the keys are still closed at now: the longest of
// their back-offs, 0 when all are open.
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d time.Duration
	for _, k := range keys {
		if s := t.keys[k]; s != nil && s.until.After(now) && s.until.Sub(now) > d {
			d = s.until.Sub(now)
		}
	}
	return d
}

// fail records a failed login for the keys and returns the back-off it
// sets (0 while the keys have failures to spare) and the most failures
// of one key.
func (t *throttle) fail(now time.Time, keys ...string) (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := now.Unix() / 60
	if c := &t.minutes[m%60]; c.minute == m {
		c.n++
	} else {
		*c = minuteCount{minute: m, n: 1}
	}
	var wait time.Duration
	most := 0
	for _, k := range keys {
		s := t.keys[k]
		if s == nil || now.Sub(s.last) >= throttleForget {
			if s == nil {
				t.makeRoom(now)
			}
			s = &strikes{}
			t.keys[k] = s
		}
		s.fails++
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

// makeRoom keeps the keys under the cap; t.mu is held.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.keys) < throttleKeys {
		return
	}
	var quiet string
	for k, s := range t.keys {
		if now.Sub(s.last) >= throttleForget && !s.until.After(now) {
			delete(t.keys, k)
			continue
		}
		if quiet == "" || s.last.Before(t.keys[quiet].last) {
			quiet = k
		}
	}
	if len(t.keys) >= throttleKeys {
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
