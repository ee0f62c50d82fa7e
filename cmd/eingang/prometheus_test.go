package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrometheusScrapes runs a real Prometheus server against a running
// gateway and reads the gateway's metrics back through Prometheus' query
// API. `make test` installs Prometheus (Debian package); EINGANG_PROMETHEUS
// names another binary.
func TestPrometheusScrapes(t *testing.T) {
	promBin := os.Getenv("EINGANG_PROMETHEUS")
	if promBin == "" {
		promBin = "prometheus"
	}
	if _, err := exec.LookPath(promBin); err != nil {
		msg := "no prometheus binary (make test installs Debian's package; or set EINGANG_PROMETHEUS)"
		if os.Getenv("CI") != "" || os.Getenv("EINGANG_REQUIRE_SERVICES") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	bin := buildBinary(t)
	addr := freeAddr(t)
	g := startGateway(t, bin, addr, "--store", t.TempDir())
	defer g.kill()
	// Two routed, one duplicate, one rejected.
	for _, doc := range [][]byte{invoiceNumbered(t, 1), invoiceNumbered(t, 2), invoiceNumbered(t, 2), []byte("<Invoice>broken")} {
		resp, err := http.Post("http://"+addr+"/api/v1/invoices", "application/xml", bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	dir := t.TempDir()
	promAddr := freeAddr(t)
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: eingang\n    static_configs:\n      - targets: [%q]\n", addr)
	if err := os.WriteFile(filepath.Join(dir, "prom.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	prom := exec.Command(promBin, "--config.file="+filepath.Join(dir, "prom.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)
	prom.Stdout, prom.Stderr = &logs, &logs
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { prom.Process.Kill(); prom.Wait() }()

	query := func(q string) (float64, bool) {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Data.Result) == 0 {
			return 0, false
		}
		var v float64
		fmt.Sscan(fmt.Sprint(r.Data.Result[0].Value[1]), &v)
		return v, true
	}
	want := map[string]float64{
		`eingang_submissions_total{outcome="routed"}`:                  2,
		`eingang_submissions_total{outcome="duplicate"}`:               1,
		`eingang_submissions_total{outcome="rejected"}`:                1,
		`eingang_inbox_pending{municipality="lk-weimarer-land"}`:       2,
		`eingang_clearing_pending`:                                     0,
		`eingang_validation_seconds_count`:                             3, // a duplicate is not validated again
		`sum(eingang_store_operation_seconds_count{backend="fs"}) > 0`: 1,
		`sum(eingang_rule_failures_total) > 0`:                         1,
	}
	deadline := time.Now().Add(40 * time.Second)
	for q, v := range want {
		for {
			got, ok := query(q)
			if ok && (got == v || q[len(q)-3:] == "> 0") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("prometheus: %s = %v (found %v), want %v\n%s", q, got, ok, v, logs.String())
			}
			time.Sleep(500 * time.Millisecond)
		}
	}

	// Every query of the Grafana dashboard is PromQL that Prometheus
	// evaluates (ingest's TestDashboard checks the metric names).
	data, err := os.ReadFile(filepath.Join("..", "..", "ingest", "dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			q := strings.ReplaceAll(tg.Expr, "$__rate_interval", "1m")
			resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
			if err != nil {
				t.Fatal(err)
			}
			var r struct{ Status, Error string }
			err = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if err != nil || r.Status != "success" {
				t.Errorf("dashboard query %s: status %q, error %q (%v)", q, r.Status, r.Error, err)
			}
			n++
		}
	}
	if n < 10 {
		t.Errorf("the dashboard has %d queries, want one per panel at least (10)", n)
	}
}
