package directory

import (
	"strings"
	"testing"
)

func TestSample(t *testing.T) {
	d := Sample()
	if n := len(d.Municipalities); n < 20 {
		t.Fatalf("sample has %d municipalities, want at least 20", n)
	}
	cases := map[string]string{
		"16051000-0001-79": "erfurt",
		"16071103-0001-17": "lk-weimarer-land", // a town of the district without its own entry
		"16055000-ABC-12":  "weimar",
		"1605100-0001-00":  "",
		"09162000-0001-XX": "",
	}
	for id, want := range cases {
		m := d.Route(id)
		got := ""
		if m != nil {
			got = m.ID
		}
		if got != want {
			t.Errorf("Route(%s) = %q, want %q", id, got, want)
		}
	}
	for _, m := range d.Municipalities {
		if len(m.TokensSHA256) != 0 {
			t.Errorf("%s has tokens in the sample", m.ID)
		}
	}
}

func TestLongestPrefixAndTokens(t *testing.T) {
	tok1, h1, _ := NewToken()
	tok2, h2, _ := NewToken()
	op, hop, _ := NewToken()
	d, err := Parse([]byte(`
municipalities:
  - {id: kreis, name: Kreis, leitweg_ids: ["16071"], tokens_sha256: ["` + h1 + `"]}
  - {id: stadt, name: Stadt, leitweg_ids: ["16071103"], tokens_sha256: ["` + h2 + `"]}
operators:
  tokens_sha256: ["` + hop + `"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if m := d.Route("16071103-0001-17"); m == nil || m.ID != "stadt" {
		t.Errorf("longest prefix: %v", m)
	}
	if m := d.Route("16071999-0001-17"); m == nil || m.ID != "kreis" {
		t.Errorf("shorter prefix: %v", m)
	}
	for tok, want := range map[string]string{tok1: "kreis", tok2: "stadt"} {
		if r, m := d.Authenticate(tok); r != Accounting || m.ID != want {
			t.Errorf("token of %s: %v %v", want, r, m)
		}
	}
	if r, m := d.Authenticate(op); r != Operator || m != nil {
		t.Errorf("operator token: %v %v", r, m)
	}
	for _, bad := range []string{"", "egt_nope", h1} {
		if r, _ := d.Authenticate(bad); r != None {
			t.Errorf("token %q authenticated as %v", bad, r)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		`municipalities: [{id: "A B", name: x}]`:                                       "lower-case",
		`municipalities: [{id: a, name: x}, {id: a, name: y}]`:                         "twice",
		`municipalities: [{id: a, leitweg_ids: ["16"]}, {id: b, leitweg_ids: ["16"]}]`: "both",
		`municipalities: [{id: a, tokens_sha256: ["xyz"]}]`:                            "SHA-256",
		`municipalities: [{id: a, leitweg_ids: ["16 07"]}]`:                            "prefix",
		`bogus: 1`: "not found",
		`municipalities: [{id: a, email: k@a.example}]`:                     "needs delivery",
		`municipalities: [{id: a, email: k@a.example, delivery: fax}]`:      "want notify or deliver",
		`municipalities: [{id: a, delivery: deliver}]`:                      "needs email",
		`municipalities: [{id: a, email: "Kasse <k@a>", delivery: notify}]`: "plain address",
	}
	if d, err := Parse([]byte(`municipalities: [{id: a, email: k@a.example, delivery: deliver}]`)); err != nil || d.Municipality("a").Delivery != DeliveryDeliver {
		t.Errorf("a municipality with delivery: %v", err)
	}
	for src, want := range cases {
		if _, err := Parse([]byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want an error with %q", src, err, want)
		}
	}
}
