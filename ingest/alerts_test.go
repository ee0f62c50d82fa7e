package ingest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/eingang/eingang/internal/testenv"
)

// alertRule is one rule of alerts.yaml.
type alertRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func alertRules(t *testing.T) []alertRule {
	t.Helper()
	data, err := os.ReadFile("alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []alertRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatalf("alerts.yaml: %v", err)
	}
	var rules []alertRule
	for _, g := range f.Groups {
		rules = append(rules, g.Rules...)
	}
	if len(rules) == 0 {
		t.Fatal("alerts.yaml has no rules")
	}
	return rules
}

// namesRegisterer records the names of the metrics registered with it.
type namesRegisterer map[string]bool

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r namesRegisterer) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			r[m[1]] = true
		}
	}
	return nil
}

func (r namesRegisterer) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		r.Register(c)
	}
}

func (r namesRegisterer) Unregister(prometheus.Collector) bool { return false }

// TestAlertsNameRegisteredMetrics checks that every metric an alert's
// expression names is one the code registers: the pipeline's, the
// channels' (NewMetrics) and the fixity check's (NewFixityMetrics),
// with the _bucket, _sum and _count series of histograms.
func TestAlertsNameRegisteredMetrics(t *testing.T) {
	names := namesRegisterer{}
	NewMetrics(names)
	NewFixityMetrics(names)
	if len(names) < 10 {
		t.Fatalf("only %d metric names registered: %v", len(names), names)
	}
	used := regexp.MustCompile(`\beingang_[a-z0-9_]+`)
	for _, r := range alertRules(t) {
		ms := used.FindAllString(r.Expr, -1)
		if len(ms) == 0 {
			t.Errorf("%s: the expression names no eingang metric", r.Alert)
		}
		for _, m := range ms {
			base := m
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(m, suf); ok && names[b] {
					base = b
				}
			}
			if !names[base] {
				t.Errorf("%s: %s is no registered metric", r.Alert, m)
			}
		}
		if r.Labels["severity"] != "page" && r.Labels["severity"] != "ticket" {
			t.Errorf("%s: severity %q (page or ticket)", r.Alert, r.Labels["severity"])
		}
		for k, v := range r.Annotations {
			if strings.Contains(v, "{{") {
				t.Errorf("%s: annotation %s is a template; the test compares annotations as written", r.Alert, k)
			}
		}
	}
}

// alertCase is one test of a rule: the series Prometheus would have
// scraped (promtool's expanding notation, one sample a minute), when to
// evaluate, and the label sets of the alerts that must be firing then
// (none: it must not fire).
type alertCase struct {
	alert  string
	series map[string]string
	at     string
	fire   []map[string]string
}

func histogram(name, labels string, buckets map[string]string) map[string]string {
	m := map[string]string{}
	for le, v := range buckets {
		m[fmt.Sprintf("%s_bucket{%s,le=%q}", name, labels, le)] = v
	}
	return m
}

var alertCases = []alertCase{
	{"EingangNotReady", map[string]string{`eingang_ready{instance="a"}`: "1 1 0x10"}, "9m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangNotReady", map[string]string{`eingang_ready{instance="a"}`: "1 1 0x10"}, "5m", nil}, // not yet for 5m
	{"EingangNotReady", map[string]string{`eingang_ready{instance="a"}`: "1x12"}, "9m", nil},

	{"EingangStoreWritesRefused", map[string]string{`eingang_store_write_refusals_total{instance="a",reason="no-space"}`: "0 0 0 1 1 1"}, "4m",
		[]map[string]string{{"instance": "a", "reason": "no-space"}}},
	{"EingangStoreWritesRefused", map[string]string{`eingang_store_write_refusals_total{instance="a",reason="no-space"}`: "0x6"}, "4m", nil},

	{"EingangStoreSpaceLow", map[string]string{`eingang_store_free{instance="a",resource="bytes"}`: "1e9x30"}, "20m",
		[]map[string]string{{"instance": "a", "resource": "bytes"}}},
	{"EingangStoreSpaceLow", map[string]string{`eingang_store_free{instance="a",resource="inodes"}`: "5e4x30"}, "20m",
		[]map[string]string{{"instance": "a", "resource": "inodes"}}},
	{"EingangStoreSpaceLow", map[string]string{`eingang_store_free{instance="a",resource="bytes"}`: "1e10x30"}, "20m", nil},

	{"EingangSubmissionErrors", map[string]string{`eingang_submissions_total{instance="a",channel="upload",outcome="error"}`: "0+1x30"}, "25m",
		[]map[string]string{{"instance": "a", "channel": "upload"}}},
	{"EingangSubmissionErrors", map[string]string{
		`eingang_submissions_total{instance="a",channel="upload",outcome="error"}`:  "0x30",
		`eingang_submissions_total{instance="a",channel="upload",outcome="routed"}`: "0+5x30"}, "25m", nil},

	{"EingangStoreSlow", histogram("eingang_store_operation_seconds", `instance="a",op="create",backend="s3"`,
		map[string]string{"1": "0x40", "5": "0+10x40", "+Inf": "0+10x40"}), "30m",
		[]map[string]string{{"instance": "a", "op": "create"}}},
	{"EingangStoreSlow", histogram("eingang_store_operation_seconds", `instance="a",op="create",backend="s3"`,
		map[string]string{"1": "0+10x40", "5": "0+10x40", "+Inf": "0+10x40"}), "30m", nil},

	{"EingangClearingGrowing", map[string]string{`eingang_clearing_pending{instance="a"}`: "0+1x300"}, "250m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangClearingGrowing", map[string]string{`eingang_clearing_pending{instance="a"}`: "5x300"}, "250m", nil},

	// A day of 10 routed and 1 rejected a minute, then 10 rejected a minute.
	{"EingangRejectedShareJumped", map[string]string{
		`eingang_submissions_total{instance="a",channel="upload",outcome="routed"}`:   "0+10x1500",
		`eingang_submissions_total{instance="a",channel="upload",outcome="rejected"}`: "0+1x1400 1410+10x99"}, "1480m",
		[]map[string]string{{}}},
	{"EingangRejectedShareJumped", map[string]string{
		`eingang_submissions_total{instance="a",channel="upload",outcome="routed"}`:   "0+10x1500",
		`eingang_submissions_total{instance="a",channel="upload",outcome="rejected"}`: "0+1x1500"}, "1480m", nil},
	// Always half rejected: high, but no jump.
	{"EingangRejectedShareJumped", map[string]string{
		`eingang_submissions_total{instance="a",channel="upload",outcome="routed"}`:   "0+10x1500",
		`eingang_submissions_total{instance="a",channel="upload",outcome="rejected"}`: "0+10x1500"}, "1480m", nil},

	{"EingangMailboxErrors", map[string]string{`eingang_mailbox_errors_total{instance="a",kind="login"}`: "0+1x60"}, "40m",
		[]map[string]string{{"instance": "a", "kind": "login"}}},
	{"EingangMailboxErrors", map[string]string{`eingang_mailbox_errors_total{instance="a",kind="login"}`: "0x60"}, "40m", nil},

	{"EingangMailSendFailing", map[string]string{
		`eingang_mail_sent_total{instance="a",kind="deliver",result="failed"}`: "0+1x90",
		`eingang_mail_sent_total{instance="a",kind="deliver",result="sent"}`:   "0x90"}, "70m",
		[]map[string]string{{"instance": "a", "kind": "deliver"}}},
	{"EingangMailSendFailing", map[string]string{ // some fail, others go out
		`eingang_mail_sent_total{instance="a",kind="deliver",result="failed"}`: "0+1x90",
		`eingang_mail_sent_total{instance="a",kind="deliver",result="sent"}`:   "0+1x90"}, "70m", nil},

	{"EingangPeppolHandshakeFailures", map[string]string{`eingang_channel_errors_total{instance="a",channel="peppol",kind="tls-handshake"}`: "0+1x60"}, "40m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangPeppolHandshakeFailures", map[string]string{`eingang_channel_errors_total{instance="a",channel="peppol",kind="not-sbd"}`: "0+1x60"}, "40m", nil},

	{"EingangPeppolUnavailable", map[string]string{`eingang_channel_errors_total{instance="a",channel="peppol",kind="unavailable"}`: "0+1x40"}, "30m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangPeppolUnavailable", map[string]string{`eingang_channel_errors_total{instance="a",channel="upload",kind="unavailable"}`: "0+1x40"}, "30m", nil},

	{"EingangMalwareScannerFailing", map[string]string{`eingang_malware_scans_total{instance="a",result="error"}`: "0+1x40"}, "30m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangMalwareScannerFailing", map[string]string{`eingang_malware_scans_total{instance="a",result="error"}`: "0+1x40",
		`eingang_malware_scans_total{instance="a",result="clean"}`: "0+5x40"}, "30m", nil}, // some scans still pass

	{"EingangDeliveryBacklog", map[string]string{`eingang_inbox_pending{instance="a",municipality="erfurt"}`: "0+1x2000"}, "1900m",
		[]map[string]string{{"municipality": "erfurt"}}},
	{"EingangDeliveryBacklog", map[string]string{`eingang_inbox_pending{instance="a",municipality="erfurt"}`: "150x2000"}, "1900m", nil},

	{"EingangValidationSlow", histogram("eingang_validation_seconds", `instance="a"`,
		map[string]string{"0.1": "0x40", "1": "0+10x40", "+Inf": "0+10x40"}), "30m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangValidationSlow", histogram("eingang_validation_seconds", `instance="a"`,
		map[string]string{"0.1": "0+10x40", "1": "0+10x40", "+Inf": "0+10x40"}), "30m", nil},

	{"EingangFixityFindings", map[string]string{`eingang_verify_findings{instance="a"}`: "3x10"}, "5m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangFixityFindings", map[string]string{`eingang_verify_findings{instance="a"}`: "0x10"}, "5m", nil},

	// promtool's clock starts at 0: a last run at -700000 s is 8.1 days ago.
	{"EingangFixityStale", map[string]string{`eingang_verify_last_run_timestamp_seconds{instance="a"}`: "-700000x20"}, "10m",
		[]map[string]string{{"instance": "a"}}},
	{"EingangFixityStale", map[string]string{`eingang_verify_last_run_timestamp_seconds{instance="a"}`: "0x20"}, "10m", nil},
}

// TestAlertRules runs every rule of alerts.yaml through Debian's
// `promtool test rules` against the series of alertCases: each rule must
// fire where it should, with its labels and annotations, and stay quiet
// where it should not. Every rule needs both kinds of case.
func TestAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		testenv.Require(t, "no promtool (Debian's prometheus package; make packages installs it)")
	}
	rules := alertRules(t)
	byName := map[string]alertRule{}
	for _, r := range rules {
		byName[r.Alert] = r
	}
	abs, err := filepath.Abs("alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type expAlert struct {
		Labels      map[string]string `yaml:"exp_labels"`
		Annotations map[string]string `yaml:"exp_annotations"`
	}
	type alertTest struct {
		EvalTime  string     `yaml:"eval_time"`
		Alertname string     `yaml:"alertname"`
		ExpAlerts []expAlert `yaml:"exp_alerts"`
	}
	type series struct {
		Series string `yaml:"series"`
		Values string `yaml:"values"`
	}
	type test struct {
		Interval    string      `yaml:"interval"`
		InputSeries []series    `yaml:"input_series"`
		AlertTests  []alertTest `yaml:"alert_rule_test"`
	}
	var tests []test
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, c := range alertCases {
		r, ok := byName[c.alert]
		if !ok {
			t.Errorf("a case for %s, which alerts.yaml does not have", c.alert)
			continue
		}
		at := alertTest{EvalTime: c.at, Alertname: c.alert, ExpAlerts: []expAlert{}}
		for _, ls := range c.fire {
			l := map[string]string{"severity": r.Labels["severity"]}
			for k, v := range ls {
				l[k] = v
			}
			at.ExpAlerts = append(at.ExpAlerts, expAlert{l, r.Annotations})
		}
		fires[c.alert] = fires[c.alert] || len(c.fire) > 0
		quiet[c.alert] = quiet[c.alert] || len(c.fire) == 0
		var in []series
		for s, v := range c.series {
			in = append(in, series{s, v})
		}
		slices.SortFunc(in, func(a, b series) int { return strings.Compare(a.Series, b.Series) })
		tests = append(tests, test{Interval: "1m", InputSeries: in, AlertTests: []alertTest{at}})
	}
	for _, r := range rules {
		if !fires[r.Alert] || !quiet[r.Alert] {
			t.Errorf("%s: needs a case where it fires and one where it does not (fires %v, quiet %v)", r.Alert, fires[r.Alert], quiet[r.Alert])
		}
	}
	doc, err := yaml.Marshal(map[string]any{"rule_files": []string{abs}, "evaluation_interval": "1m", "tests": tests})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "alerts_test.yaml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(promtool, "test", "rules", file)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "SUCCESS") {
		t.Fatalf("promtool test rules said no SUCCESS:\n%s", out.String())
	}
}
