package xmltree

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestLineColumn checks each element's Line and Col against a count made
// the slow way: the line and character column of its start tag's '<'.
func TestLineColumn(t *testing.T) {
	long := strings.Repeat("x", 70_000)
	for _, doc := range []string{
		"<a><b/><c>1</c></a>",
		"<a>\n  <b/>\n  <c>1</c>\n</a>",
		"<a>\r\n\t<b>ä</b><c/>\r\n\t\t<d/></a>",
		"<a>\n        <b>some text</b>\n        <c x='1'\n   y='2'/></a>",
		"<a><!-- one\ntwo\nthree\nfour\nfive\nsix --><b/>\n\n\n\n\n\n<c/></a>",
		"<a>\n<b>Grüße, 東京</b> <c/>\n 東京 <d/></a>",
		"<a>äöü äöü äöü äöü<b/>\n" + strings.Repeat("\n", 9) + "        <c>€</c></a>",
		"<a>\n\t  \t        <b/>\n x<c/>ä\n12345678901234567<d/></a>",
		"<a>" + long + "<b/></a>",
		"<a>" + long + "\n<b/></a>",
		"<a>" + strings.Repeat("<b>ä</b>\n <c/>\n", 2000) + "</a>",
	} {
		p := NewParser()
		root, err := p.Parse([]byte(doc), DefaultLimits)
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		var elems []*Node
		var walk func(n *Node)
		walk = func(n *Node) {
			elems = append(elems, n)
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(root)
		var tags []int // offsets of the start tags, in document order
		for i := 0; i < len(doc)-1; i++ {
			if doc[i] == '<' && doc[i+1] != '/' && doc[i+1] != '!' {
				tags = append(tags, i)
			}
		}
		if len(tags) != len(elems) {
			t.Fatalf("%q: %d start tags, %d elements", doc, len(tags), len(elems))
		}
		for j := range 2 * len(elems) { // forward, then backward
			i := j
			if j >= len(elems) {
				i = 2*len(elems) - 1 - j
			}
			e := elems[i]
			before := doc[:tags[i]]
			line := 1 + strings.Count(before, "\n")
			col := 1 + utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
			if col > 0xFFFF {
				col = 0
			}
			if e.Line() != line || e.Col() != col {
				t.Errorf("%.40q: <%s> at line %d, column %d; want %d, %d", doc, e.Local, e.Line(), e.Col(), line, col)
			}
		}
		p.Release()
	}
}

// TestTextNodesMany covers a document with more divided values than the
// scan serves (they are indexed then), parsed by a parser that read
// another document before.
func TestTextNodesMany(t *testing.T) {
	p := NewParser()
	for _, n := range []int{3, 40, 2} {
		var b strings.Builder
		b.WriteString("<r>")
		for i := range n {
			if i%2 == 0 {
				fmt.Fprintf(&b, "<v>a%d<!-- c -->b</v>", i)
			} else {
				fmt.Fprintf(&b, "<v>a%db</v>", i)
			}
		}
		b.WriteString("</r>")
		root, err := p.Parse([]byte(b.String()), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range root.Children {
			want := []string{fmt.Sprintf("a%db", i)}
			if i%2 == 0 {
				want = []string{fmt.Sprintf("a%d", i), "b"}
			}
			if got := v.TextNodes(); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("%d values, value %d: text nodes %q, want %q", n, i, got, want)
			}
			if v.oneText() != (i%2 == 1) {
				t.Errorf("%d values, value %d: oneText %v", n, i, v.oneText())
			}
		}
		p.Release()
	}
}

// TestBlankText checks that white space between tags, which the parser
// reads apart from other text, comes back as written.
func TestBlankText(t *testing.T) {
	p := NewParser()
	for _, ws := range []string{
		" ", "\n", "\n ", "\n\t", "\n  \t", "\n\t ", "\t\n", "\n\n  ", " \n ",
		"\n" + strings.Repeat(" ", 62), "\n" + strings.Repeat(" ", 63), "\n" + strings.Repeat(" ", 64), "\n" + strings.Repeat(" ", 200),
		"\n" + strings.Repeat("\t", 63), "\n" + strings.Repeat("\t", 64), "\n" + strings.Repeat("\t", 7) + " ",
		"\n" + strings.Repeat(" ", 9) + "x", "\n  x  ", "\n        &amp;",
	} {
		doc := "<a>" + ws + "<b/>" + ws + "</a>"
		root, err := p.Parse([]byte(doc), DefaultLimits)
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		want := strings.ReplaceAll(ws, "&amp;", "&")
		if root.Text != want || root.Children[0].follow != want {
			t.Errorf("%q: text %q and %q, want %q", doc, root.Text, root.Children[0].follow, want)
		}
		p.Release()
	}
}

// TestNameLen compares nameLen, which reads ASCII names by a table,
// with a rune-by-rune reading of the XML Name production.
func TestNameLen(t *testing.T) {
	slow := func(b []byte) int {
		i := 0
		for i < len(b) {
			r, size := utf8.DecodeRune(b[i:])
			ok := r != utf8.RuneError && (r < utf8.RuneSelf && (nameASCII[r] == nameStart || nameASCII[r] == nameChar && i > 0) ||
				r >= utf8.RuneSelf && isNameRune(r, i == 0))
			if !ok {
				break
			}
			i += size
		}
		return i
	}
	alphabet := []string{"a", "z", "A", "Z", "m", ":", "-", ".", "_", "0", "9", "@", "[", "`", "{", "/", ">", " ", "=", "\x7f", "é", "東", "\xff", "·"}
	rng := uint64(1)
	for range 20000 {
		var b []byte
		rng = rng*6364136223846793005 + 1442695040888963407
		n := int(rng>>58) % 40
		for range n {
			rng = rng*6364136223846793005 + 1442695040888963407
			if rng>>60 < 12 { // mostly letters
				b = append(b, byte('a'+(rng>>40)%26)&^byte((rng>>20)&0x20))
			} else {
				b = append(b, alphabet[(rng>>33)%uint64(len(alphabet))]...)
			}
		}
		p := &Parser{data: b}
		if got, want := p.nameLen(0), slow(b); got != want {
			t.Fatalf("nameLen(%q) = %d, want %d", b, got, want)
		}
	}
}

// TestNamespaceScopes checks the resolution of prefixes, which tags keep
// while the same bindings are in scope, across scopes and documents.
func TestNamespaceScopes(t *testing.T) {
	p := NewParser()
	for _, tc := range []struct{ doc, want string }{
		{`<a:r xmlns:a="u1"><a:x/><a:y xmlns:a="u2"><a:x/></a:y><a:x/></a:r>`, "u1 u1 u2 u2 u1"},
		{`<a:r xmlns:a="u2"><a:x/></a:r>`, "u2 u2"},
		{`<a:r xmlns:a="u1"><a:x/><a:y xmlns:a="u3"/><a:x/></a:r>`, "u1 u1 u3 u1"},
		{`<r xmlns="d1"><x/><x xmlns=""><x/></x><x/></r>`, "d1 d1   d1"},
		{`<r xmlns="d1" xmlns:a="u1"><a:x/></r>`, "d1 u1"},
		{`<r xmlns:a="u1" xmlns="d1"><a:x/></r>`, "d1 u1"},
		{`<a:r xmlns:a="u1"><a:x/></a:r>`, "u1 u1"},
	} {
		root, err := p.Parse([]byte(tc.doc), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		var got []string
		var walk func(n *Node)
		walk = func(n *Node) {
			got = append(got, n.Space)
			for _, c := range n.Children {
				walk(c)
			}
		}
		walk(root)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: namespaces %q, want %q", tc.doc, strings.Join(got, " "), tc.want)
		}
		p.Release()
	}
	if _, err := p.Parse([]byte(`<r><a:x xmlns:a="u1"/><a:x/></r>`), DefaultLimits); err == nil {
		t.Error("a prefix out of its scope was resolved")
	}
}

// TestNamed checks the parser's index of elements by local name against a
// walk of the tree, across documents read by one parser, and that of a
// tree built otherwise.
func TestNamed(t *testing.T) {
	p := NewParser()
	for _, tc := range []struct{ doc, names string }{
		{`<r><a/><b><a/><c/></b><a/></r>`, "r a b c d"},
		{`<r><d/><x:a xmlns:x="u"><d/></x:a></r>`, "r a b c d"},
		{`<r/>`, "r a d"},
	} {
		root, err := p.Parse([]byte(tc.doc), DefaultLimits)
		if err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		for _, local := range strings.Fields(tc.names) {
			var want []*Node
			var walk func(n *Node)
			walk = func(n *Node) {
				if n.Local == local {
					want = append(want, n)
				}
				for _, c := range n.Children {
					walk(c)
				}
			}
			walk(root)
			if got := root.Named(local); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: Named(%q) = %v, want %v", tc.doc, local, got, want)
			}
		}
		p.Release()
	}
	built := &Node{Local: "r"}
	built.Children = []*Node{{Local: "a", Parent: built}, {Local: "a", Parent: built}}
	if got := built.Children[1].Named("a"); len(got) != 2 || got[0] != built.Children[0] {
		t.Errorf("Named on a built tree = %v", got)
	}
}

// TestCheckChars puts each byte value, and a character that XML forbids,
// at each place of texts read sixteen, eight and one byte at a time.
func TestCheckChars(t *testing.T) {
	p := NewParser()
	const line = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for _, size := range []int{7, 8, 15, 16, 24, 40} {
		for at := range size {
			for c := range 256 {
				b := []byte(line[:size])
				b[at] = byte(c)
				ok := c >= 0x20 && c < 0x80 || c == '\n' || c == '\t' || c == '\r'
				if err := p.checkChars(b); (err == nil) != ok {
					t.Fatalf("checkChars(%q) = %v", b, err)
				}
			}
			b := []byte(line[:size] + "\uFFFE")
			copy(b[at:], "\uFFFE")
			if err := p.checkChars(b[:size]); err == nil { // U+FFFE, or cut short
				t.Fatalf("checkChars(%q) = %v", b[:size], err)
			}
			b = []byte(line[:at] + "é" + line[at:size])
			if err := p.checkChars(b); err != nil {
				t.Fatalf("checkChars(%q) = %v", b, err)
			}
		}
	}
}

// TestTextsOutliveTheirDocument checks that the texts of a tree share
// neither the parsed bytes, which a caller reuses, nor memory that the
// parser writes for its next document.
func TestTextsOutliveTheirDocument(t *testing.T) {
	p := NewParser()
	var texts []string
	for i := range 300 {
		doc := []byte(fmt.Sprintf("<r><a>v%d</a><b><![CDATA[c%d]]></b><c>%s</c></r>", i, i, strings.Repeat("x", i)))
		root, err := p.Parse(doc, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range root.Children {
			texts = append(texts, c.Text)
		}
		for j := range doc {
			doc[j] = '?'
		}
		p.Release()
	}
	for i := range 300 {
		want := []string{fmt.Sprint("v", i), fmt.Sprint("c", i), strings.Repeat("x", i)}
		if got := texts[3*i : 3*i+3]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("document %d: texts %q, want %q", i, got, want)
		}
	}
}
