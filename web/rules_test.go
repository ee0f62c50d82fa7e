package web

import (
	"encoding/json"
	"testing"
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
