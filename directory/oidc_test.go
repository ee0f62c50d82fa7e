package directory

import (
	"errors"
	"strings"
	"testing"
)

// oidcDirectory has clerks' groups for two municipalities (one named by
// its own claim value), a group shared by both, a municipality's own
// auditors, operators and the auditors named by the municipality claim.
const oidcDirectory = `
municipalities:
  - {id: erfurt, name: Erfurt, oidc_groups: [rechnung-erfurt, rechnung]}
  - {id: weimar, name: Weimar, oidc_groups: [rechnung-weimar, rechnung], oidc_municipality: "16055000"}
  - {id: jena, name: Jena, oidc_auditor_groups: [pruefung-jena]}
operators:
  oidc_groups: [betrieb]
auditors:
  oidc_groups: [pruefung]
`

func TestOIDCIdentifyPerson(t *testing.T) {
	d, err := Parse([]byte(oidcDirectory))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		person Person
		role   Role
		muni   string // the clerk's or auditor's municipality
		err    string // part of the error, for no role
	}{
		{"clerk by group", Person{Groups: []string{"rechnung-erfurt"}}, Accounting, "erfurt", ""},
		{"clerk among other groups", Person{Groups: []string{"kantine", "rechnung-weimar"}}, Accounting, "weimar", ""},
		{"clerk by claim and group", Person{MunicipalityClaim: true, Municipality: "erfurt", Groups: []string{"rechnung-erfurt"}}, Accounting, "erfurt", ""},
		{"shared group, claim decides", Person{MunicipalityClaim: true, Municipality: "16055000", Groups: []string{"rechnung"}}, Accounting, "weimar", ""},
		{"claim of another municipality", Person{MunicipalityClaim: true, Municipality: "weimar", Groups: []string{"rechnung-erfurt"}}, None, "", "no role"},
		{"id where oidc_municipality is set", Person{MunicipalityClaim: true, Municipality: "weimar", Groups: []string{"rechnung-weimar"}}, None, "", "no role"},
		{"claim read but missing", Person{MunicipalityClaim: true, Groups: []string{"rechnung-erfurt"}}, None, "", "no role"},
		{"shared group without claim", Person{Groups: []string{"rechnung"}}, None, "", "clerk of erfurt, clerk of weimar"},
		{"operator", Person{Groups: []string{"betrieb"}}, Operator, "", ""},
		{"operator with a municipality claim", Person{MunicipalityClaim: true, Municipality: "erfurt", Groups: []string{"betrieb"}}, Operator, "", ""},
		{"auditor by claim", Person{MunicipalityClaim: true, Municipality: "16055000", Groups: []string{"pruefung"}}, Auditor, "weimar", ""},
		{"auditor without the claim", Person{Groups: []string{"pruefung"}}, None, "", "no role"},
		{"auditor of a claim no municipality has", Person{MunicipalityClaim: true, Municipality: "gotha", Groups: []string{"pruefung"}}, None, "", "no role"},
		{"municipality's auditor", Person{Groups: []string{"pruefung-jena"}}, Auditor, "jena", ""},
		{"municipality's auditor, claim of another", Person{MunicipalityClaim: true, Municipality: "erfurt", Groups: []string{"pruefung-jena"}}, None, "", "no role"},
		{"clerk and auditor", Person{MunicipalityClaim: true, Municipality: "erfurt", Groups: []string{"rechnung-erfurt", "pruefung"}}, None, "", "clerk of erfurt, auditor of erfurt"},
		{"clerk and operator", Person{Groups: []string{"rechnung-erfurt", "betrieb"}}, None, "", "clerk of erfurt, operator"},
		{"operator and auditor", Person{Groups: []string{"betrieb", "pruefung-jena"}}, None, "", "auditor of jena, operator"},
		{"no groups", Person{}, None, "", "no role"},
		{"unknown group", Person{Groups: []string{"Rechnung-Erfurt"}}, None, "", "no role"},
		{"municipality without groups", Person{MunicipalityClaim: true, Municipality: "jena", Groups: []string{""}}, None, "", "no role"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			role, m, err := d.IdentifyPerson(c.person)
			muni := ""
			if m != nil {
				muni = m.ID
			}
			if role != c.role || muni != c.muni {
				t.Errorf("role %v of %q, want %v of %q", role, muni, c.role, c.muni)
			}
			switch {
			case c.err == "" && err != nil:
				t.Errorf("error %v", err)
			case c.err != "" && (!errors.Is(err, ErrNoRole) || !strings.Contains(err.Error(), c.err)):
				t.Errorf("error %v, want ErrNoRole with %q", err, c.err)
			}
		})
	}
}

func TestOIDCParseErrors(t *testing.T) {
	cases := map[string]string{
		`municipalities: [{id: a, oidc_groups: [""]}]`:                                                "oidc_groups",
		`municipalities: [{id: a, oidc_groups: [" x"]}]`:                                              "surrounding blanks",
		`municipalities: [{id: a, oidc_auditor_groups: [""]}]`:                                        "auditors' oidc_groups",
		`municipalities: [{id: a, oidc_municipality: b}, {id: b}]`:                                    `names "a" too`,
		`municipalities: [{id: a, oidc_municipality: x}, {id: b, oidc_municipality: x}]`:              `names "a" too`,
		"municipalities: [{id: a}]\noperators: {oidc_groups: [\"x\\ty\"]}":                            "operators: oidc_groups",
		"municipalities: [{id: a}]\nauditors: {oidc_groups: [\"" + strings.Repeat("g", 201) + "\"]}":  "auditors: oidc_groups",
		"municipalities: [{id: a}]\nauditors: {tokens_sha256: [\"" + strings.Repeat("0", 64) + "\"]}": "not found",
	}
	for src, want := range cases {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", src, err, want)
		}
	}
	// A directory without any oidc_ key stays valid and lets nobody in.
	d, err := Parse([]byte(`municipalities: [{id: a, tokens_sha256: ["` + strings.Repeat("0", 64) + `"]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if role, _, err := d.IdentifyPerson(Person{Groups: []string{"a"}}); role != None || !errors.Is(err, ErrNoRole) {
		t.Errorf("a directory without oidc_groups: role %d, %v", role, err)
	}
}
