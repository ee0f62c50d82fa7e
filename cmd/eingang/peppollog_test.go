package main

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
)

// TestAlertPeppolHandshakeCounted checks that a TLS handshake the PEPPOL
// endpoint refuses (a client without certificate) is counted as
// eingang_channel_errors_total{channel="peppol",kind="tls-handshake"},
// which EingangPeppolHandshakeFailures alerts on, and that a good one is
// not.
func TestAlertPeppolHandshakeCounted(t *testing.T) {
	ca := testenv.NewTestCA(t)
	_, _, foreign := testenv.NewCA(t, "another CA").Issue(t, "ap2", false, time.Now().Add(time.Hour))
	srvCfg := ca.Server.Clone()
	srvCfg.ClientAuth = tls.RequireAndVerifyClientCert
	pool := x509.NewCertPool()
	clientCA := testenv.NewCA(t, "access points")
	pool.AddCert(clientCA.Cert)
	srvCfg.ClientCAs = pool
	_, _, good := clientCA.Issue(t, "ap1", false, time.Now().Add(time.Hour))

	m := ingest.NewMetrics(prometheus.NewRegistry())
	var logs syncBuffer // the server logs from its goroutines
	srv := &http.Server{
		Handler:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}),
		ErrorLog: peppolErrorLog(slog.New(slog.NewTextHandler(&logs, nil)), m),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(tls.NewListener(ln, srvCfg))
	defer srv.Close()

	counted := func() float64 {
		return testutil.ToFloat64(m.ChannelErrors.WithLabelValues("peppol", handshakeKind))
	}
	get := func(certs []tls.Certificate) {
		cfg := ca.Client.Clone()
		cfg.Certificates = certs
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 5 * time.Second}
		if resp, err := c.Get("https://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
		c.CloseIdleConnections()
	}
	tests := []struct {
		name  string
		certs []tls.Certificate
		want  float64
	}{
		{"certified client", []tls.Certificate{good}, 0},
		{"no client certificate", nil, 1},
		{"certified client again", []tls.Certificate{good}, 1},
		{"a certificate of another CA", []tls.Certificate{foreign}, 2},
	}
	for _, tc := range tests {
		get(tc.certs)
		deadline := time.Now().Add(5 * time.Second)
		for counted() < tc.want && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := counted(); got != tc.want {
			t.Errorf("after %s: %v handshake failures counted, want %v\nlog:\n%s", tc.name, got, tc.want, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "TLS handshake error") {
		t.Errorf("the refused handshake was not logged:\n%s", logs.String())
	}
}
