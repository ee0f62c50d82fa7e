package invoice

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRender renders the fixture and a hostile copy of it: the values
// appear, and markup in the invoice's text is escaped, never executed.
func TestRender(t *testing.T) {
	cases := []struct {
		name      string
		doc       []byte
		want      []string
		forbidden []string
	}{
		{"fixture", readFixture(t, "minimal-ubl.xml"),
			[]string{`<span id="number">RE-2026-0042</span>`, `16071103-0001-17`, `id="payable">`, "Rechnung", "BT-115"}, nil},
		{"hostile", bytes.Replace(readFixture(t, "minimal-ubl.xml"), []byte("<cbc:ID>RE-2026-0042</cbc:ID>"),
			[]byte("<cbc:ID>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&apos;</cbc:ID>"), 1),
			[]string{"&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>"}},
	}
	for _, c := range cases {
		rep, err := Validate(context.Background(), c.doc)
		if err != nil || rep.Invoice == nil {
			t.Fatalf("%s: no model: %v", c.name, err)
		}
		var b strings.Builder
		if err := Render(&b, rep.Invoice); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		for _, f := range c.forbidden {
			if strings.Contains(page, f) {
				t.Errorf("%s: page contains %q", c.name, f)
			}
		}
	}
}
