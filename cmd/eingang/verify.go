package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/ingest"
)

const verifyUsage = `usage: eingang verify [--store URL] [--json FILE] [--resume FILE] [--metrics FILE]
       eingang verify --export FILE.zip

Checks the fixity of the archive: every original (and envelope) re-hashed
against the SHA-256 its meta.json records, its retention set and equal to
the recorded one (on S3 the object lock), every filed submission's objects
present (meta, original, report, outcome, its inbox, clearing or rejected
entry) and every entry's submission archived. Pending and abandoned
submissions are listed, not counted as findings.

Progress goes to stderr, the summary to stdout. The exit status is 0 when
nothing was found, 1 on any finding, 2 when the check could not run to
its end (the store failed: --resume goes on from where it stopped).

With --export it checks an export ZIP (eingang export) instead: every file
against the SHA-256 of its manifest, and every original against its meta.
`

func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := newFlags("verify", verifyUsage, stderr)
	storeURL := storeFlag(fl)
	jsonFile := fl.String("json", "", "write the report as JSON to this file")
	resume := fl.String("resume", "", "checkpoint file: go on from it if it exists, keep it up to date, remove it when the check is complete")
	metricsFile := fl.String("metrics", "", "write the last complete run's metrics (Prometheus text format) to this file, e.g. into node_exporter's textfile directory")
	export := fl.String("export", "", "check this export ZIP instead of the archive")
	if code := parseFlags(fl, args, false); code >= 0 {
		return code
	}
	if *export != "" {
		return verifyExportFile(*export, *jsonFile, stdout, stderr)
	}
	pipe, err := openArchive(ctx, *storeURL)
	if err != nil {
		fmt.Fprintf(stderr, "eingang verify: %v\n", err)
		return 2
	}
	opts := ingest.FixityOptions{}
	if *resume != "" {
		var r ingest.FixityReport
		data, err := os.ReadFile(*resume)
		switch {
		case err == nil:
			if err := json.Unmarshal(data, &r); err != nil {
				fmt.Fprintf(stderr, "eingang verify: resume %s: %v\n", *resume, err)
				return 2
			}
			opts.Resume = &r
			fmt.Fprintf(stderr, "eingang verify: resuming after %s (%d submissions checked before)\n", r.Last, r.Submissions)
		case !errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(stderr, "eingang verify: resume: %v\n", err)
			return 2
		}
		opts.Checkpoint = func(r *ingest.FixityReport) error { return writeJSONFile(*resume, r) }
	}
	last := time.Now()
	opts.Progress = func(r *ingest.FixityReport) {
		if time.Since(last) < 2*time.Second {
			return
		}
		last = time.Now()
		fmt.Fprintf(stderr, "eingang verify: %d submissions, %s re-hashed, %d findings; at %s\n",
			r.Submissions, bytesText(r.Bytes), r.FindingCount, r.Last)
	}
	rep, err := pipe.Verify(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "eingang verify: stopped after %s: %v\n", rep.Last, err)
		if *resume != "" {
			// Not rep: it may count the submission it stopped at in part.
			fmt.Fprintf(stderr, "eingang verify: run again with --resume %s to go on from the last checkpoint\n", *resume)
		}
		return 2
	}
	if *jsonFile != "" {
		if err := writeJSONFile(*jsonFile, rep); err != nil {
			fmt.Fprintf(stderr, "eingang verify: %v\n", err)
			return 2
		}
	}
	if *metricsFile != "" {
		reg := prometheus.NewRegistry()
		ingest.NewFixityMetrics(reg).Set(rep)
		if err := prometheus.WriteToTextfile(*metricsFile, reg); err != nil {
			fmt.Fprintf(stderr, "eingang verify: metrics: %v\n", err)
			return 2
		}
	}
	if *resume != "" {
		os.Remove(*resume)
	}
	printFixity(stdout, rep)
	if rep.FindingCount > 0 {
		return 1
	}
	return 0
}

// printFixity prints a report's summary and its findings.
func printFixity(w io.Writer, r *ingest.FixityReport) {
	for _, f := range r.Findings {
		fmt.Fprintf(w, "FINDING %s %s", f.Problem, f.Key)
		if f.Detail != "" {
			fmt.Fprintf(w, ": %s", f.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s %s", n.State, n.ID)
		if n.Detail != "" {
			fmt.Fprintf(w, ": %s", n.Detail)
		}
		fmt.Fprintln(w)
	}
	if r.Truncated {
		fmt.Fprintf(w, "(more findings or notes than listed; all are counted)\n")
	}
	fmt.Fprintf(w, "verified %d submissions (%s), %d originals and envelopes re-hashed (%s), %d entries; %d pending, %d abandoned; %d findings%s in %s\n",
		r.Submissions, counts(r.ByStatus), r.Originals, bytesText(r.Bytes), r.Entries, r.Pending, r.Abandoned,
		r.FindingCount, parenthesized(counts(r.ByProblem)), r.Finished.Sub(r.Started).Round(time.Millisecond))
}

// counts formats counts by name: "duplicate 1, routed 12".
func counts(m map[string]int) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func parenthesized(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// writeJSONFile writes v as indented JSON to a temporary file beside path
// and renames it over path, so that a reader never sees half a file.
func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
