package pages

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/ingest"
)

// TestThrottleBackoff checks the back-off: free failures, then 1 s
// doubling to at most 5 min, forgotten an hour after the last failure.
func TestThrottleBackoff(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		fails []time.Duration // failures at t0 plus these
		at    time.Duration   // asked at t0 plus this
		want  time.Duration   // still closed for
	}{
		{"four failures are free", []time.Duration{0, 0, 0, 0}, 0, 0},
		{"the fifth closes for 1 s", []time.Duration{0, 0, 0, 0, 0}, 0, time.Second},
		{"open again after 1 s", []time.Duration{0, 0, 0, 0, 0}, time.Second, 0},
		{"the sixth closes for 2 s", []time.Duration{0, 0, 0, 0, 0, time.Second}, time.Second, 2 * time.Second},
		{"the seventh for 4 s", []time.Duration{0, 0, 0, 0, 0, time.Second, 3 * time.Second}, 3 * time.Second, 4 * time.Second},
		{"at most 5 min", repeat(40, 0), 0, 5 * time.Minute},
		{"forgotten after an hour", append(repeat(40, 0), time.Hour+10*time.Minute), time.Hour + 10*time.Minute, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := newThrottle()
			for _, d := range tc.fails {
				th.fail(t0.Add(d), "addr 192.0.2.1")
			}
			if got := th.begin(t0.Add(tc.at), "addr 192.0.2.1"); got != tc.want {
				t.Errorf("wait = %v, want %v", got, tc.want)
			}
			if got := th.begin(t0.Add(tc.at), "addr 192.0.2.2"); got != 0 {
				t.Errorf("another address waits %v", got)
			}
		})
	}
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// TestThrottleParallel checks that logins checked at once cannot outrun
// the count: a key lets as many through as it has failures to spare.
func TestThrottleParallel(t *testing.T) {
	th := newThrottle()
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	th.fail(t0, "addr 192.0.2.1")
	th.fail(t0, "addr 192.0.2.1")
	let := 0
	for range 10 {
		if th.begin(t0, "addr 192.0.2.1") == 0 {
			let++
		}
	}
	if let != throttleFree-2 {
		t.Fatalf("%d logins let through at once after 2 failures, want %d", let, throttleFree-2)
	}
	for range let {
		th.end(t0, true, "addr 192.0.2.1")
	}
	if d := th.begin(t0, "addr 192.0.2.1"); d != time.Second {
		t.Errorf("after %d failures closed for %v, want 1s", throttleFree, d)
	}
	// Past the back-off, one at a time.
	t1 := t0.Add(time.Second)
	if d := th.begin(t1, "addr 192.0.2.1"); d != 0 {
		t.Fatalf("after the back-off: closed for %v", d)
	}
	if d := th.begin(t1, "addr 192.0.2.1"); d != throttleMin {
		t.Errorf("a second login at once: closed for %v, want %v", d, throttleMin)
	}
	// A right login drops a key without failures, not one with.
	th.begin(t1, "addr 192.0.2.9")
	th.end(t1, false, "addr 192.0.2.9", "addr 192.0.2.1")
	if _, ok := th.keys["addr 192.0.2.9"]; ok {
		t.Error("a key without failures is kept after a right login")
	}
	if _, ok := th.keys["addr 192.0.2.1"]; !ok {
		t.Error("a key with failures is dropped after a right login")
	}
}

// TestThrottleBounded checks that the throttle keeps at most throttleKeys
// keys, and counts an hour's failures.
func TestThrottleBounded(t *testing.T) {
	th := newThrottle()
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for i := range throttleKeys + 500 {
		th.fail(t0.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("addr 10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	if n := len(th.keys); n > throttleKeys {
		t.Errorf("%d keys kept, want at most %d", n, throttleKeys)
	}
	if _, ok := th.keys["addr 10.0.0.0"]; ok {
		t.Error("the longest quiet key was kept at the cap")
	}
	if n := th.lastHour(t0.Add(time.Minute)); n != throttleKeys+500 {
		t.Errorf("last hour: %d failures, want %d", n, throttleKeys+500)
	}
	if n := th.lastHour(t0.Add(2 * time.Hour)); n != 0 {
		t.Errorf("two hours later: %d failures, want 0", n)
	}
}

// TestLoginThrottle sends 100 wrong tokens from one address: after five
// failures they are answered 429 with Retry-After without being checked,
// counted and shown on /ops; a right token from another address still
// logs in, and the address is let try again once its back-off passed.
func TestLoginThrottle(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	reg := prometheus.NewRegistry()
	metrics := ingest.NewMetrics(reg)
	e := newEnvWith(t, false, func(c *Config) {
		c.Metrics = metrics
		c.Now = clock
		c.ClientAddr = func(r *http.Request) string { return r.Header.Get("X-Test-Client") }
	})
	loginFrom := func(c *client, addr, token string) *http.Response {
		form := url.Values{"csrf": {c.csrf()}, "token": {token}}
		req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Test-Client", addr)
		resp, _ := c.do(req)
		return resp
	}
	attacker := e.client(t)
	codes := map[int]int{}
	for i := range 100 {
		resp := loginFrom(attacker, "198.51.100.9", fmt.Sprintf("egt_wrong%03d", i))
		codes[resp.StatusCode]++
		switch {
		case i < throttleFree && resp.StatusCode != http.StatusUnauthorized:
			t.Fatalf("wrong login %d: %d, want 401", i+1, resp.StatusCode)
		case i >= throttleFree && (resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1"):
			t.Fatalf("wrong login %d: %d Retry-After %q, want 429 after 1 s", i+1, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if got := testutil.ToFloat64(metrics.LoginFailures.WithLabelValues("unknown-token")); got != throttleFree {
		t.Errorf("eingang_login_failures_total{reason=unknown-token} = %v, want %d", got, throttleFree)
	}
	if got := testutil.ToFloat64(metrics.LoginThrottled); got != 100-throttleFree {
		t.Errorf("eingang_login_throttled_total = %v, want %d", got, 100-throttleFree)
	}
	// The right token from the throttled address is not checked either.
	if resp := loginFrom(attacker, "198.51.100.9", e.tokA); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right token from the throttled address: %d, want 429", resp.StatusCode)
	}
	// Another address logs in.
	ops := e.client(t)
	if resp := loginFrom(ops, "198.51.100.10", e.tokOps); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("right token from another address: %d, want 303", resp.StatusCode)
	}
	_, body := ops.get("/ops")
	if !strings.Contains(body, `<p id="login-failures">5 fehlgeschlagene`) || !strings.Contains(body, "<code>198.51.100.9</code>") ||
		strings.Contains(body, "198.51.100.10") {
		t.Errorf("/ops does not show the failures and the throttled address:\n%s", body)
	}
	// Once the back-off passed, the address's next login is checked
	// again; another failure closes it for twice as long.
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if resp := loginFrom(attacker, "198.51.100.9", "egt_wrongagain"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token after the back-off: %d, want 401", resp.StatusCode)
	}
	if resp := loginFrom(attacker, "198.51.100.9", "egt_wrongagain"); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("then: %d Retry-After %q, want 429 after 2 s", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	if resp := loginFrom(attacker, "198.51.100.9", e.tokA); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("right token after the back-off: %d, want 303", resp.StatusCode)
	}
}

// slowAuth takes its time to check a token, as a guesser sending in
// parallel would like.
type slowAuth struct{ Backend }

func (b slowAuth) Authenticate(token string) (ingest.Identity, bool) {
	time.Sleep(50 * time.Millisecond)
	return b.Backend.Authenticate(token)
}

// TestLoginThrottleParallel sends 50 wrong tokens from one address at
// once: no more than the free failures are checked, the rest is 429.
func TestLoginThrottleParallel(t *testing.T) {
	metrics := ingest.NewMetrics(prometheus.NewRegistry())
	e := newEnvWith(t, false, func(c *Config) {
		c.Backend = slowAuth{c.Backend}
		c.Metrics = metrics
		c.ClientAddr = func(*http.Request) string { return "198.51.100.9" }
	})
	c := e.client(t)
	csrf := c.csrf()
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"csrf": {csrf}, "token": {fmt.Sprintf("egt_wrong%03d", i)}}
			req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	n := map[int]int{}
	for _, code := range codes {
		n[code]++
	}
	if n[http.StatusUnauthorized] > throttleFree || n[http.StatusUnauthorized]+n[http.StatusTooManyRequests] != len(codes) {
		t.Errorf("answers %v: want at most %d checked (401), the rest 429", n, throttleFree)
	}
	if got := testutil.ToFloat64(metrics.LoginFailures.WithLabelValues("unknown-token")); got != float64(n[http.StatusUnauthorized]) {
		t.Errorf("eingang_login_failures_total = %v, want %d", got, n[http.StatusUnauthorized])
	}
}
