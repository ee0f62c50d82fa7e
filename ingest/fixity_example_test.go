package ingest_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// Verify re-hashes every archived original against its envelope: a byte
// changed behind the store's back is a finding.
func ExamplePipeline_Verify() {
	dir, err := os.MkdirTemp("", "fixity-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := store.OpenFS(dir)
	if err != nil {
		log.Fatal(err)
	}
	sample := directory.Sample()
	p, err := ingest.New(ingest.Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return sample }})
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile("../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		log.Fatal(err)
	}
	rec, err := p.Submit(ctx, ingest.Submission{Data: data, Channel: "upload"})
	if err != nil {
		log.Fatal(err)
	}
	r, err := p.Verify(ctx, ingest.FixityOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("submissions:", r.Submissions, "findings:", r.FindingCount)

	// Change one byte of the original in the directory, as a failing disk
	// or someone with a shell could.
	// (archive/YYYY/MM/DD/<id>/original)
	paths, err := filepath.Glob(filepath.Join(dir, "archive", "*", "*", "*", rec.ID, "original"))
	if err != nil || len(paths) != 1 {
		log.Fatal(paths, err)
	}
	path := paths[0]
	os.Chmod(path, 0o640)
	data[100] ^= 1
	if err := os.WriteFile(path, data, 0o640); err != nil {
		log.Fatal(err)
	}
	r, err = p.Verify(ctx, ingest.FixityOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range r.Findings {
		fmt.Println(f.Problem, filepath.Base(f.Key), f.ID == rec.ID)
	}
	// Output:
	// submissions: 1 findings: 0
	// hash-mismatch original true
}
