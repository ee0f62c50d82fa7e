package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/kosit"
)

// cmdValidate implements "eingang validate". Exit status: 0 all accepted,
// 1 any rejected, 2 usage or I/O error.
func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := newFlags("validate", `usage: eingang validate [--format text|json|kosit] [--all-rules] [--rules NAME] [--output DIR] [--html] PATH...
       eingang validate --daemon [--addr ADDR] [--rules NAME]

Validates XRechnung invoices (UBL 2.1 Invoice and CreditNote, UN/CEFACT CII)
as the KoSIT reference validator does. A PATH is a file or a directory;
directories are searched recursively for *.xml files, which are validated in
name order on all cores. The text report lists each document's verdict and
findings, errors first, and ends a run of several documents with a summary;
--format json writes one JSON object per document and line. --rules names
the rule release that judges (eingang rules lists them); by default the
release in force today does. Every report names its release.

--format kosit writes the KoSIT validator's report (VARL, as the XRechnung
configuration has it) of each document to DIR/<name>-report.xml, as the
reference's -o does, and with --html its page for people (German and
English) to DIR/<name>-report.html; it prints one line per document.

--daemon serves the KoSIT validator's daemon protocol on ADDR until SIGINT or
SIGTERM: POST a document to any path (200 acceptable, 406 not, 422
processing error, 400 empty or multipart, 405 other methods; the body is the
report), GET /server/health and /server/config; beside it the 2.x REST shape
(POST /api/validate, /api/validate/minimal, GET /q/health, /q/openapi) and
at / a page to paste or upload a document.

exit status:
  0  every document accepted
  1  at least one document rejected
  2  usage error, or a file that could not be read
`, stderr)
	format := fl.String("format", "text", "output format: text, json or kosit")
	allRules := fl.Bool("all-rules", false, "evaluate every rule of the syntax even where the reference stops (findings listed, verdict unchanged)")
	output := fl.String("output", ".", "with --format kosit: the folder the reports are written to")
	html := fl.Bool("html", false, "with --format kosit: write each report's HTML page beside it too")
	rules := fl.String("rules", "", "the rule release that judges (default: the one in force today; eingang rules lists them)")
	daemon := fl.Bool("daemon", false, "serve the KoSIT daemon protocol instead of validating files")
	addr := fl.String("addr", "127.0.0.1:8081", "with --daemon: listen address")
	if code := parseFlags(fl, args, true); code >= 0 {
		return code
	}
	if *daemon {
		if fl.NArg() > 0 {
			fmt.Fprintln(stderr, "eingang validate: --daemon takes no PATH")
			return 2
		}
		log := slog.New(slog.NewTextHandler(stderr, nil))
		dv := invoice.NewValidator()
		if *rules != "" {
			// The daemon runs one configuration, as the reference's does.
			var err error
			if dv, err = dv.WithRelease(*rules); err != nil {
				fmt.Fprintf(stderr, "eingang validate: --rules: %v\n", err)
				return 2
			}
		}
		dv.Prepare("") // its rules compiled before it listens, not on the first request
		done, err := startKosit(ctx, *addr, dv, log, 0, true)
		if err != nil {
			fmt.Fprintf(stderr, "eingang validate: %v\n", err)
			return 2
		}
		if err := <-done; err != nil {
			fmt.Fprintf(stderr, "eingang validate: %v\n", err)
			return 1
		}
		return 0
	}
	if *rules != "" {
		if _, err := invoice.LookupRelease(*rules); err != nil {
			fmt.Fprintf(stderr, "eingang validate: --rules: %v\n", err)
			return 2
		}
	}
	if *format != "text" && *format != "json" && *format != "kosit" {
		fmt.Fprintf(stderr, "eingang validate: unknown format %q (text, json or kosit)\n", *format)
		return 2
	}
	if *html && *format != "kosit" {
		fmt.Fprintln(stderr, "eingang validate: --html needs --format kosit")
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	// A batch run's live heap is small and short-lived: collecting it at
	// the default pace costs a third of the run, so collect less often,
	// but more often again when the heap nears 128 MiB (a large
	// document). A limit of 64 MiB had the runtime hand pages back to the
	// system and fault them in again all run long: a tenth of its time.
	// GOGC and GOMEMLIMIT override. The heap's first 64 MiB (a corpus
	// run needs about 45) are asked for in 2 MB pages (hugepages_linux.go);
	// below the limit, so that it starts no collection.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(128 << 20)
	}
	adviseHugePages(64 << 20)
	v := invoice.NewValidator()
	go v.Prepare(*rules) // the rules compile while the files are found
	files, special, err := collect(fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "eingang validate: %v\n", err)
		return 2
	}

	var reports []string
	var (
		writer *kosit.ReportWriter
		eng    kosit.Engine
	)
	if *format == "kosit" {
		eng = engine()
		writer = kosit.NewReportWriter(eng)
		if err := os.MkdirAll(*output, 0o755); err != nil {
			fmt.Fprintf(stderr, "eingang validate: %v\n", err)
			return 2
		}
		reports = reportNames(*output, files)
	}
	opts := invoice.Options{AllRules: *allRules, Release: *rules}
	// Workers validate and format. The reports are written in file order:
	// the worker whose report is the next writes it, and those after it
	// that are ready; a report that is early waits in results, copied. So
	// memory holds only what is in flight.
	type result struct {
		out      []byte
		err      error
		accepted bool
		ready    bool
	}
	results := make([]result, len(files))
	out := bufio.NewWriterSize(stdout, 64<<10)
	var (
		mu                       sync.Mutex // guards results, written, out and the counts
		written                  int        // reports written
		code, accepted, rejected int
	)
	emit := func(r *result) {
		switch {
		case r.err != nil:
			out.Flush()
			fmt.Fprintf(stderr, "eingang validate: %s: %v\n", files[written], r.err)
			code = 2
		case r.accepted:
			accepted++
		default:
			rejected++
			code = max(code, 1)
		}
		if r.err == nil {
			out.Write(r.out)
		}
		r.out = nil
		written++
	}
	// done hands result i over: written at once where it is the next.
	done := func(i int, report []byte, accepted bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		r := &results[i]
		r.err, r.accepted, r.ready = err, accepted, true
		r.out = report
		if i != written {
			r.out = bytes.Clone(report) // early: its worker reuses report
		}
		for written < len(results) && results[written].ready {
			emit(&results[written])
		}
	}
	// The queue holds every index from the start: a worker takes the
	// next without waiting for a feeder to be scheduled.
	next := make(chan int, len(files))
	for i := range files {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker reads its documents into one buffer (the
			// validator keeps nothing of them once it has answered) and
			// writes their reports into another.
			var doc, buf []byte
			for i := range next {
				received := time.Now()
				data, err := readFile(files[i], doc, !special[files[i]])
				if err == nil {
					doc = data
				}
				var rep *invoice.Report
				if err == nil {
					rep, err = v.Validate(ctx, data, opts)
				}
				if err == nil && reports != nil {
					err = writeKosit(writer, eng, reports[i], kosit.Document{Name: filepath.Base(files[i]), Data: data, Received: received}, rep, *html)
				}
				if err != nil {
					done(i, nil, false, err)
					continue
				}
				switch *format {
				case "json":
					buf = appendReport(buf[:0], files[i], rep)
				case "kosit":
					verdict := "ACCEPTED"
					if !rep.Accepted {
						verdict = "REJECTED (" + rep.RejectReason + ")"
					}
					buf = fmt.Appendf(buf[:0], "%s: %s -> %s\n", files[i], verdict, reports[i])
				default:
					b := bytes.NewBuffer(buf[:0])
					rep.WriteText(b, files[i])
					buf = b.Bytes()
				}
				done(i, buf, rep.Accepted, nil)
			}
		}()
	}
	wg.Wait()
	defer out.Flush()
	if *format != "json" && len(files) > 1 {
		fmt.Fprintf(out, "%d documents: %d accepted, %d rejected", len(files), accepted, rejected)
		if n := len(files) - accepted - rejected; n > 0 {
			fmt.Fprintf(out, ", %d unreadable", n)
		}
		fmt.Fprintln(out)
	}
	return code
}

// collect expands directories to the *.xml files below them, sorted, and
// names those of them that are not regular files (a pipe, a device, a
// link): special.
func collect(paths []string) (files []string, special map[string]bool, err error) {
	mark := func(path string, mode fs.FileMode) {
		if !mode.IsRegular() {
			if special == nil {
				special = map[string]bool{}
			}
			special[path] = true
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			mark(p, st.Mode())
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".xml") {
				found = append(found, path)
				mark(path, d.Type())
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, nil, errors.New("no *.xml files found")
	}
	return files, special, nil
}
