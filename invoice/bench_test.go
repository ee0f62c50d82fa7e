package invoice

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eingang/eingang/invoice/internal/xmltree"
)

// corpus loads the documents of one conformance folder (or all with "").
func corpus(b *testing.B, sub string) [][]byte {
	dir := filepath.Join(sharedDir(b), "conformance", sub)
	var docs [][]byte
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			if data, err := os.ReadFile(p); err == nil {
				docs = append(docs, data)
			}
		}
		return nil
	})
	if len(docs) == 0 {
		b.Skipf("no documents in %s", dir)
	}
	return docs
}

func benchDocs(b *testing.B, docs [][]byte, opts Options) {
	v := NewValidator()
	var total int64
	for _, d := range docs {
		total += int64(len(d))
	}
	b.SetBytes(total / int64(len(docs)))
	b.ReportAllocs()
	b.ResetTimer()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(ctx, docs[i%len(docs)], opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTestsuite validates the official XRechnung test suite invoices,
// one document per op, on one core.
func BenchmarkTestsuite(b *testing.B) { benchDocs(b, corpus(b, "xrechnung-testsuite"), Options{}) }

// BenchmarkTypical validates the test suite invoices without embedded
// attachments (under 64 KB; most are 8-20 KB), one per op, on one core: the
// typical invoice of the speed goal.
func BenchmarkTypical(b *testing.B) {
	var typical [][]byte
	for _, d := range corpus(b, "xrechnung-testsuite") {
		if len(d) < 64<<10 {
			typical = append(typical, d)
		}
	}
	benchDocs(b, typical, Options{})
}

// BenchmarkCorpus validates every document of the conformance corpus with
// all rules, one document per op.
func BenchmarkCorpus(b *testing.B) { benchDocs(b, corpus(b, ""), Options{AllRules: true}) }

// BenchmarkParseCorpus parses every document of the conformance corpus,
// one per op, with one parser released after each: the parser's share of
// BenchmarkCorpus.
func BenchmarkParseCorpus(b *testing.B) {
	docs := corpus(b, "")
	var total int64
	for _, d := range docs {
		total += int64(len(d))
	}
	b.SetBytes(total / int64(len(docs)))
	b.ReportAllocs()
	p := xmltree.NewParser()
	b.ResetTimer()
	for i := range b.N {
		p.Parse(docs[i%len(docs)], xmltree.DefaultLimits)
		p.Release()
	}
}

// BenchmarkCorpusParallel is BenchmarkCorpus on all cores.
func BenchmarkCorpusParallel(b *testing.B) {
	docs := corpus(b, "")
	v := NewValidator()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			v.Validate(context.Background(), docs[i%len(docs)], Options{AllRules: true})
			i++
		}
	})
}

// large builds a valid-looking invoice of about size bytes by repeating the
// fixture's line.
func large(tb testing.TB, size int) []byte {
	doc := readFixture(tb, "minimal-ubl.xml")
	i := bytes.Index(doc, []byte("<cac:InvoiceLine>"))
	j := bytes.Index(doc, []byte("</Invoice>"))
	line := doc[i:j]
	var b bytes.Buffer
	b.Write(doc[:i])
	for b.Len() < size {
		b.Write(line)
	}
	b.Write(doc[j:])
	return b.Bytes()
}

// BenchmarkLarge10MB validates one 10 MB invoice per op; B/op shows the
// memory it needs.
func BenchmarkLarge10MB(b *testing.B) {
	doc := large(b, 10<<20)
	v := NewValidator()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Validate(context.Background(), doc, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReleases validates the test suite and the whole corpus (all
// rules) under each release the validator carries, to compare the cost of
// a release with the others and with BenchmarkTestsuite and
// BenchmarkCorpus (the release in force).
func BenchmarkReleases(b *testing.B) {
	for _, r := range Releases() {
		b.Run(r.Name+"/testsuite", func(b *testing.B) {
			benchDocs(b, corpus(b, "xrechnung-testsuite"), Options{Release: r.Name})
		})
		b.Run(r.Name+"/corpus", func(b *testing.B) {
			benchDocs(b, corpus(b, ""), Options{AllRules: true, Release: r.Name})
		})
	}
}

// BenchmarkCorpusRules runs the rules alone (every pattern of the syntax,
// release in force) over the conformance corpus, parsed beforehand: one op
// is one pass over all documents. Run under callgrind with
// --toggle-collect='*runCorpusRules' it counts the instructions of rule
// evaluation without parsing and structure checks.
func BenchmarkCorpusRules(b *testing.B) {
	v := NewValidator()
	rs := v.rules[Releases()[len(Releases())-1].Name].get()
	var roots []*node
	for _, d := range corpus(b, "") {
		root, err := xmltree.Parse(d, xmltree.DefaultLimits)
		if err != nil || docTypeOf(root) == UnknownDoc {
			continue
		}
		roots = append(roots, root)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runCorpusRules(rs, roots)
	}
}

//go:noinline
func runCorpusRules(rs *ruleSet, roots []*node) int {
	hits := 0
	var buf [numPatterns]pattern
	for _, root := range roots {
		patterns, _ := patternsOf(buf[:0], docSyntax(docTypeOf(root)))
		hits += len(rs.run(root, patterns))
	}
	return hits
}
