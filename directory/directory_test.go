package directory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
		`bogus: 1`:                       "not found",
		`municipalities: []`:             "no municipalities",
		`operators: {tokens_sha256: []}`: "no municipalities",
		``:                               "no municipalities",
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

func TestCheckReload(t *testing.T) {
	_, h, _ := NewToken()
	dir := func(ids string, token bool) *Directory {
		var b strings.Builder
		b.WriteString("municipalities:\n")
		for i, id := range strings.Fields(ids) {
			fmt.Fprintf(&b, "  - {id: %s, leitweg_ids: [\"1%d\"]}\n", id, i)
		}
		if token {
			fmt.Fprintf(&b, "operators: {tokens_sha256: [%q]}\n", h)
		}
		d, err := Parse([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cur := dir("a b c d e f g h", true)
	cases := []struct {
		next string
		tok  bool
		want string // "" when allowed
	}{
		{"a b c d e f g h i", true, ""},
		{"a b c d e f g", true, ""},        // one of eight dropped: 12.5%
		{"a b c d e f", true, ""},          // two: 25%
		{"a b c d e", true, "drop 3 of 8"}, // three: 37.5%
		{"x", true, "drop 8 of 8"},
		{"a b c d e f g h", false, "revoke every token"},
	}
	for _, c := range cases {
		err := CheckReload(cur, dir(c.next, c.tok), 0.25)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want it allowed", c.next, err)
		case c.want != "" && (!errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want ErrTooLarge saying %q", c.next, err, c.want)
		}
	}
}

// TestSourceReload replaces the file in the ways an operator might: a
// reload puts a good file in force whole, and keeps the directory in force
// for a file that does not load or changes too much.
func TestSourceReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "municipalities.yaml")
	write := func(s string) {
		t.Helper()
		tmp := path + ".new"
		if err := os.WriteFile(tmp, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write("municipalities: [{id: a, leitweg_ids: [\"1\"]}, {id: b, leitweg_ids: [\"2\"]}]\n")
	src, err := Open(path, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if r, e := src.Changed(); r || e {
		t.Errorf("unchanged file: replaced %v edited %v", r, e)
	}
	for _, bad := range []string{"municipalities: []\n", "municipalities: [{id: c}]\n", "municipalities: [{id: a, leitweg_ids: [\"1\"]}, {id: b"} {
		write(bad)
		if r, _ := src.Changed(); !r {
			t.Errorf("a renamed file is not seen as replaced")
		}
		if _, err := src.Reload(); err == nil {
			t.Errorf("reload of %q: no error", bad)
		}
		if r, e := src.Changed(); r || e {
			t.Errorf("the refused file %q is still seen as changed: replaced %v edited %v", bad, r, e)
		}
		if d := src.Directory(); len(d.Municipalities) != 2 {
			t.Errorf("after refusing %q the directory in force has %d municipalities", bad, len(d.Municipalities))
		}
	}
	write("municipalities: [{id: a, leitweg_ids: [\"1\"]}, {id: c, leitweg_ids: [\"3\"]}]\n")
	if d, err := src.Reload(); err != nil || d.Municipality("c") == nil || src.Directory() != d {
		t.Fatalf("reload of a good file: %v", err)
	}
	if r, e := src.Changed(); r || e {
		t.Errorf("after reload: replaced %v edited %v", r, e)
	}
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("# edited in place\n")
	f.Close()
	if r, e := src.Changed(); r || !e {
		t.Errorf("edited in place: replaced %v edited %v", r, e)
	}
}

// TestNamedTokens reads tokens in both forms, plain hashes and named
// ones, for municipalities and operators, and refuses duplicates and bad
// names.
func TestNamedTokens(t *testing.T) {
	tok1, h1, _ := NewToken()
	tok2, h2, _ := NewToken()
	tok3, h3, _ := NewToken()
	op1, hop1, _ := NewToken()
	op2, hop2, _ := NewToken()
	upper := strings.ToUpper(h1)
	for _, tc := range []struct {
		name string
		yaml string
		want map[string]string // token: "role municipality name"
		err  string            // a part of the error, "" for none
	}{
		{"plain hashes, named by their prefix", `
municipalities:
  - {id: erfurt, name: Erfurt, tokens_sha256: ["` + h1 + `"]}
operators: {tokens_sha256: ["` + hop1 + `"]}`,
			map[string]string{tok1: "1 erfurt " + h1[:8], op1: "2  " + hop1[:8]}, ""},
		{"an upper-case hash, named in lower case", `
municipalities: [{id: erfurt, name: Erfurt, tokens_sha256: ["` + upper + `"]}]`,
			map[string]string{tok1: "1 erfurt " + h1[:8]}, ""},
		{"named tokens", `
municipalities:
  - {id: erfurt, name: Erfurt, tokens: [{name: ERP Erfurt, sha256: "` + h1 + `"}, {name: Kasse, sha256: "` + h2 + `"}]}
operators: {tokens: [{name: Leitstelle, sha256: "` + hop1 + `"}]}`,
			map[string]string{tok1: "1 erfurt ERP Erfurt", tok2: "1 erfurt Kasse", op1: "2  Leitstelle"}, ""},
		{"both forms side by side", `
municipalities:
  - {id: erfurt, name: Erfurt, tokens_sha256: ["` + h1 + `"], tokens: [{name: ERP Erfurt, sha256: "` + h2 + `"}]}
  - {id: jena, name: Jena, tokens: [{name: ERP Erfurt, sha256: "` + h3 + `"}]}
operators: {tokens_sha256: ["` + hop1 + `"], tokens: [{name: " Leitstelle ", sha256: "` + hop2 + `"}]}`,
			map[string]string{tok1: "1 erfurt " + h1[:8], tok2: "1 erfurt ERP Erfurt", tok3: "1 jena ERP Erfurt",
				op1: "2  " + hop1[:8], op2: "2  Leitstelle"}, ""},
		{"a hash twice in one municipality", `
municipalities: [{id: erfurt, name: Erfurt, tokens_sha256: ["` + h1 + `"], tokens: [{name: ERP, sha256: "` + upper + `"}]}]`,
			nil, "listed twice"},
		{"a hash in two municipalities", `
municipalities:
  - {id: erfurt, name: Erfurt, tokens: [{name: ERP, sha256: "` + h1 + `"}]}
  - {id: jena, name: Jena, tokens: [{name: ERP, sha256: "` + h1 + `"}]}`,
			nil, "listed twice"},
		{"a municipality's hash among the operators'", `
municipalities: [{id: erfurt, name: Erfurt, tokens_sha256: ["` + h1 + `"]}]
operators: {tokens_sha256: ["` + h1 + `"]}`,
			nil, "operators: token hash"},
		{"a name twice", `
municipalities: [{id: erfurt, name: Erfurt, tokens: [{name: ERP, sha256: "` + h1 + `"}, {name: ERP, sha256: "` + h2 + `"}]}]`,
			nil, `token name "ERP" is given twice`},
		{"a name that is a plain token's", `
municipalities: [{id: erfurt, name: Erfurt, tokens_sha256: ["` + h1 + `"], tokens: [{name: "` + h1[:8] + `", sha256: "` + h2 + `"}]}]`,
			nil, "given twice"},
		{"no name", `
municipalities: [{id: erfurt, name: Erfurt, tokens: [{sha256: "` + h1 + `"}]}]`,
			nil, "a name of 1 to 100"},
		{"a control character in the name", `
municipalities: [{id: erfurt, name: Erfurt, tokens: [{name: "ER\nP", sha256: "` + h1 + `"}]}]`,
			nil, "control characters"},
		{"no hash", `
municipalities: [{id: erfurt, name: Erfurt, tokens: [{name: ERP}]}]`,
			nil, "not a hex SHA-256"},
		{"an unknown key", `
municipalities: [{id: erfurt, name: Erfurt, tokens: [{name: ERP, sha: "` + h1 + `"}]}]`,
			nil, "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse([]byte(tc.yaml))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for tok, want := range tc.want {
				role, m, name := d.Identify(tok)
				id := ""
				if m != nil {
					id = m.ID
				}
				if got := fmt.Sprintf("%d %s %s", role, id, name); got != want {
					t.Errorf("token: %q, want %q", got, want)
				}
				if r, m2 := d.Authenticate(tok); r != role || m2 != m {
					t.Errorf("Authenticate and Identify differ: %v %v", r, m2)
				}
			}
			if role, _, name := d.Identify("egt_nope"); role != None || name != "" {
				t.Errorf("unknown token: %v %q", role, name)
			}
		})
	}
}
