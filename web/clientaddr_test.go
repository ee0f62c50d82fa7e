package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// TestClientAddr checks the address rule: X-Forwarded-For counts only from
// a trusted proxy, and then its right-most untrusted address; a header
// from anyone else is ignored, however it is spoofed.
func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.168.1.7", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		peer    string
		xff     []string // one header line each
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies configured", "203.0.113.5:4711", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"untrusted peer, no header", "203.0.113.5:4711", nil, trusted, "203.0.113.5"},
		{"untrusted peer spoofs", "203.0.113.5:4711", []string{"198.51.100.1"}, trusted, "203.0.113.5"},
		{"untrusted peer spoofs a trusted address", "203.0.113.5:4711", []string{"10.1.2.3"}, trusted, "203.0.113.5"},
		{"trusted peer, client", "10.0.0.2:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"trusted peer, single-address range", "192.168.1.7:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
		{"trusted peer next to the single address", "192.168.1.8:80", []string{"198.51.100.1"}, trusted, "192.168.1.8"},
		{"client prepends a spoofed address", "10.0.0.2:80", []string{"1.2.3.4, 198.51.100.1"}, trusted, "198.51.100.1"},
		{"two proxies", "10.0.0.2:80", []string{"198.51.100.1, 10.9.9.9"}, trusted, "198.51.100.1"},
		{"two header lines", "10.0.0.2:80", []string{"6.6.6.6, 198.51.100.1", "10.9.9.9"}, trusted, "198.51.100.1"},
		{"all trusted: the left-most", "10.0.0.2:80", []string{"10.3.3.3, 10.9.9.9"}, trusted, "10.3.3.3"},
		{"trusted peer, no header", "10.0.0.2:80", nil, trusted, "10.0.0.2"},
		{"garbage: the trusted hop right of it", "10.0.0.2:80", []string{"198.51.100.1, nonsense, 10.9.9.9"}, trusted, "10.9.9.9"},
		{"garbage right-most: the peer", "10.0.0.2:80", []string{"198.51.100.1, nonsense"}, trusted, "10.0.0.2"},
		{"IPv6 through an IPv6 proxy", "[fd00::1]:80", []string{"2001:db8::7"}, trusted, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.2]:80", []string{"198.51.100.1"}, trusted, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, h := range tc.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := clientAddr(r, tc.trusted); got != tc.want {
				t.Errorf("clientAddr = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseTrustedProxies checks that a range that is none is refused.
func TestParseTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		in []string
		ok bool
	}{
		{[]string{"10.0.0.0/8", "::1", "fd00::/8"}, true},
		{[]string{"10.0.0.0/33"}, false},
		{[]string{"proxy.example"}, false},
	} {
		if _, err := ParseTrustedProxies(tc.in); (err == nil) != tc.ok {
			t.Errorf("%v: err %v", tc.in, err)
		}
	}
}

// TestRateLimitBehindProxy checks that the upload rate limit counts per
// client as clientAddr names it: behind a trusted proxy per forwarded
// address, else per peer, whatever the header says.
func TestRateLimitBehindProxy(t *testing.T) {
	loopback, err := ParseTrustedProxies([]string{"127.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		trusted []netip.Prefix
		want    []int // per upload from 198.51.100.1, .1, .2: 429 or not (0)
	}{
		{"trusted proxy: a budget per forwarded client", loopback, []int{0, 429, 0}},
		{"no trusted proxy: one budget for the peer", nil, []int{0, 429, 429}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1<<20, 0)
			srv := httptest.NewServer(New(Config{Pipeline: e.pipe, UploadRate: 0.001, UploadBurst: 1, TrustedProxies: tc.trusted}))
			defer srv.Close()
			for i, client := range []string{"198.51.100.1", "198.51.100.1", "198.51.100.2"} {
				req, _ := http.NewRequest("POST", srv.URL+"/api/v1/invoices", strings.NewReader("<x/>"))
				req.Header.Set("Content-Type", "application/xml")
				req.Header.Set("X-Forwarded-For", client)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.StatusCode; (got == http.StatusTooManyRequests) != (tc.want[i] == 429) {
					t.Errorf("upload %d from %s: %d, want 429: %v", i+1, client, got, tc.want[i] == 429)
				}
			}
		})
	}
}
