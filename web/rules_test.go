package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// TestValidateRules checks ?rules= on POST /api/v1/validate: the named
// release judges and the report names it, the default is the release in
// force now, and an unknown release is a 400 problem.
func TestValidateRules(t *testing.T) {
	e := newEnv(t, 1<<20, 0)
	doc := fixture(t)
	for _, c := range []struct {
		query, release string
		code           int
	}{
		{"?rules=2026-01-31", "2026-01-31", 200},
		{"?rules=2026-08-31", "2026-08-31", 200},
		{"", "2026-08-31", 200}, // in force since 2026-08-31
		{"?rules=2027-01-31", "", 400},
	} {
		resp, body := e.do(t, "POST", "/api/v1/validate"+c.query, "", "application/xml", doc)
		if resp.StatusCode != c.code {
			t.Errorf("%s: %d, want %d: %s", c.query, resp.StatusCode, c.code, body)
			continue
		}
		var rep struct {
			Release string `json:"release"`
			Type    string `json:"type"`
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatalf("%s: %v: %s", c.query, err, body)
		}
		if c.code == 200 && rep.Release != c.release {
			t.Errorf("%s: judged by release %q, want %q", c.query, rep.Release, c.release)
		}
		if c.code == 400 && rep.Type == "" {
			t.Errorf("%s: no problem type: %s", c.query, body)
		}
	}
}

// TestRulesSchedule checks the switch date and the transition window
// through the API: a gateway whose configuration holds release 2026-08-31
// back judges by 2026-01-31; within a transition window the report of a
// check and of an upload (as stored in the inbox) names the release that
// filed and carries the other's verdict, the newer filing unless the older
// is configured to.
func TestRulesSchedule(t *testing.T) {
	later := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	window := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // today is within it
	for _, c := range []struct {
		name           string
		s              invoice.Schedule
		release, other string
	}{
		{"held back", invoice.Schedule{Switch: map[string]time.Time{"2026-08-31": later}}, "2026-01-31", ""},
		{"window, newer files", invoice.Schedule{Switch: map[string]time.Time{"2026-08-31": later}, Transition: map[string]time.Time{"2026-08-31": window}}, "2026-08-31", "2026-01-31"},
		{"window, older files", invoice.Schedule{Switch: map[string]time.Time{"2026-08-31": later}, Transition: map[string]time.Time{"2026-08-31": window}, FollowOlder: true}, "2026-01-31", "2026-08-31"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := invoice.NewValidator().WithSchedule(c.s)
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.OpenFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			e := newEnvWith(t, st, 1<<20, 0, func(c *ingest.Config) { c.Validator = v })
			check := func(what string, body []byte) {
				t.Helper()
				var rep invoice.Report
				if err := json.Unmarshal(body, &rep); err != nil {
					t.Fatalf("%s: %v: %s", what, err, body)
				}
				if rep.Release != c.release {
					t.Errorf("%s: judged by %q, want %q", what, rep.Release, c.release)
				}
				switch {
				case c.other == "" && rep.Transition != nil:
					t.Errorf("%s: a transition verdict outside a window: %+v", what, rep.Transition)
				case c.other != "" && (rep.Transition == nil || rep.Transition.Release != c.other):
					t.Errorf("%s: transition %+v, want release %s", what, rep.Transition, c.other)
				}
			}
			_, body := e.do(t, "POST", "/api/v1/validate", "", "application/xml", fixture(t))
			check("check", body)
			_, body = e.do(t, "POST", "/api/v1/invoices", "", "application/xml", fixture(t))
			up := decode(t, body)
			resp, body := e.do(t, "GET", "/api/v1/inbox/"+up.ID+"/report", e.tokA, "", nil)
			if resp.StatusCode != 200 {
				t.Fatalf("stored report: %d %s", resp.StatusCode, body)
			}
			check("stored report", body)
		})
	}
}
