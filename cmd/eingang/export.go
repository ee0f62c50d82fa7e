package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

const exportUsage = `usage: eingang export [--store URL] --municipality ID --from DATE --to DATE -o FILE.zip

Writes a municipality's invoices received from DATE through DATE
(YYYY-MM-DD, UTC, both included) as a ZIP: per invoice (a folder named by
its id) the original as received, the channel's envelope where there is
one, meta.json, the validation report, the outcome, the inbox entry, a
view as HTML and the files the invoice embeds (attachments/); and
manifest.json and SHA256SUMS with the SHA-256 of every
file. "eingang verify --export FILE.zip" checks it; so does
"sha256sum -c SHA256SUMS" in the unpacked folder.
`

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := newFlags("export", exportUsage, stderr)
	storeURL := storeFlag(fl)
	muni := fl.String("municipality", "", "the municipality's id in the directory")
	from := fl.String("from", "", "first day (YYYY-MM-DD)")
	to := fl.String("to", "", "last day (YYYY-MM-DD)")
	out := fl.String("o", "", "the ZIP file to write")
	lang := fl.String("lang", "de", "language of the views (de, en)")
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	fromDay, err1 := time.Parse(time.DateOnly, *from)
	toDay, err2 := time.Parse(time.DateOnly, *to)
	if *muni == "" || *out == "" || err1 != nil || err2 != nil {
		fmt.Fprintln(stderr, "eingang export: --municipality, --from, --to (YYYY-MM-DD) and -o are required")
		fl.Usage()
		return 2
	}
	pipe, err := openArchive(ctx, *storeURL)
	if err != nil {
		fmt.Fprintf(stderr, "eingang export: %v\n", err)
		return 2
	}
	// Written beside the target and renamed once complete: no half ZIP
	// under the name asked for.
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+"-*")
	if err != nil {
		fmt.Fprintf(stderr, "eingang export: %v\n", err)
		return 2
	}
	defer os.Remove(f.Name())
	m, err := pipe.Export(ctx, f, ingest.ExportQuery{Municipality: *muni, From: fromDay, To: toDay, Lang: *lang})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), *out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "eingang export: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "exported %d invoices (%d files) of %s received %s to %s into %s\n",
		len(m.Invoices), len(m.Files), m.Municipality, m.From, m.To, *out)
	return 0
}

// storeFlag declares the --store flag of the commands that read the
// archive, as serve has it.
func storeFlag(fl *flag.FlagSet) *string {
	return fl.String("store", env("EINGANG_STORE", "./data"), "store: a directory, file:///path or s3://bucket?endpoint=host:port ($EINGANG_STORE)")
}

// openArchive opens the store for reading the archive through a
// pipeline that routes nothing: for verify and export, which may run
// beside the gateways on the same store.
// A directory store must exist: opening one makes it, and a check of an
// empty directory made for a mistyped path would pass.
func openArchive(ctx context.Context, storeURL string) (*ingest.Pipeline, error) {
	if dir, ok := strings.CutPrefix(storeURL, "file://"); ok || !strings.Contains(storeURL, "://") {
		if !ok {
			dir = storeURL
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("store %s: no such directory", storeURL)
		}
	}
	st, err := store.Open(ctx, storeURL)
	if err != nil {
		return nil, err
	}
	return ingest.New(ingest.Config{
		Store: st, Validator: invoice.NewValidator(),
		Directory: func() *directory.Directory { return nil },
	})
}

// verifyExportFile checks an export ZIP; see cmdVerify.
func verifyExportFile(path, jsonFile string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "eingang verify: %v\n", err)
		return 2
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		fmt.Fprintf(stderr, "eingang verify: %v\n", err)
		return 2
	}
	m, findings, err := ingest.VerifyExport(f, fi.Size())
	if err != nil {
		fmt.Fprintf(stderr, "eingang verify: %s: %v\n", path, err)
		return 2
	}
	if jsonFile != "" {
		rep := struct {
			Export   string                 `json:"export"`
			Manifest *ingest.ExportManifest `json:"manifest"`
			Findings []ingest.Finding       `json:"findings"`
		}{path, m, findings}
		if rep.Findings == nil {
			rep.Findings = []ingest.Finding{}
		}
		if err := writeJSONFile(jsonFile, rep); err != nil {
			fmt.Fprintf(stderr, "eingang verify: %v\n", err)
			return 2
		}
	}
	for _, fd := range findings {
		fmt.Fprintf(stdout, "FINDING %s %s: %s\n", fd.Problem, fd.Key, fd.Detail)
	}
	if m != nil {
		fmt.Fprintf(stdout, "verified export %s: %d invoices, %d files of %s (%s to %s); %d findings\n",
			path, len(m.Invoices), len(m.Files), m.Municipality, m.From, m.To, len(findings))
	} else {
		fmt.Fprintf(stdout, "verified export %s: no readable manifest; %d findings\n", path, len(findings))
	}
	if len(findings) > 0 {
		return 1
	}
	return 0
}
