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
			if got := th.wait(t0.Add(tc.at), "addr 192.0.2.1"); got != tc.want {
				t.Errorf("wait = %v, want %v", got, tc.want)
			}
			if got := th.wait(t0.Add(tc.at), "addr 192.0.2.2"); got != 0 {
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
