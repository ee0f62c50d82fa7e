package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/eingang/eingang/invoice"
)

// cmdValidate implements "eingang validate". Exit status: 0 all accepted,
// 1 any rejected, 2 usage or I/O error.
func cmdValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("validate", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "output format: text or json")
	allRules := fl.Bool("all-rules", false, "evaluate every rule of the syntax even where the reference stops (findings listed, verdict unchanged)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: eingang validate [--format text|json] [--all-rules] PATH...")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "eingang validate: unknown format %q (text or json)\n", *format)
		return 2
	}
	if fl.NArg() == 0 {
		fl.Usage()
		return 2
	}
	files, err := collect(fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "eingang validate: %v\n", err)
		return 2
	}

	// A batch run's live heap is small and short-lived: collecting it at
	// the default pace costs a third of the run, so collect less often,
	// but more often again when the heap nears 64 MiB (a large document).
	// GOGC and GOMEMLIMIT override.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
	v := invoice.NewValidator()
	opts := invoice.Options{AllRules: *allRules}
	// Workers validate and format; the reports are written in file order
	// as soon as each is ready, so memory holds only what is in flight.
	type result struct {
		out      []byte
		err      error
		accepted bool
		done     chan struct{}
	}
	results := make([]result, len(files))
	for i := range results {
		results[i].done = make(chan struct{})
	}
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		go func() {
			var buf bytes.Buffer
			for i := range next {
				r := &results[i]
				data, err := os.ReadFile(files[i])
				var rep *invoice.Report
				if err == nil {
					rep, err = v.Validate(ctx, data, opts)
				}
				if err != nil {
					r.err = err
					close(r.done)
					continue
				}
				buf.Reset()
				if *format == "json" {
					writeJSON(&buf, files[i], rep)
				} else {
					writeText(&buf, files[i], rep)
				}
				r.out, r.accepted = bytes.Clone(buf.Bytes()), rep.Accepted
				close(r.done)
			}
		}()
	}
	go func() {
		for i := range files {
			next <- i
		}
		close(next)
	}()

	out := bufio.NewWriter(stdout)
	defer out.Flush()
	code := 0
	for i := range results {
		r := &results[i]
		<-r.done
		if r.err != nil {
			fmt.Fprintf(stderr, "eingang validate: %s: %v\n", files[i], r.err)
			code = 2
			continue
		}
		if !r.accepted && code == 0 {
			code = 1
		}
		out.Write(r.out)
		r.out = nil
	}
	return code
}

// collect expands directories to the *.xml files below them, sorted.
func collect(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".xml") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, errors.New("no *.xml files found")
	}
	return files, nil
}

type jsonFinding struct {
	Rule      string `json:"rule"`
	Level     string `json:"level"`
	Location  string `json:"location"`
	Message   string `json:"message"`
	MessageDE string `json:"message_de,omitempty"`
	Counted   bool   `json:"counted"`
}

type jsonReport struct {
	File         string        `json:"file"`
	Accepted     bool          `json:"accepted"`
	RejectReason *string       `json:"reject_reason"`
	Scenario     *string       `json:"scenario"`
	DocType      string        `json:"doc_type"`
	Findings     []jsonFinding `json:"findings"`
}

func writeJSON(w io.Writer, file string, r *invoice.Report) {
	jr := jsonReport{File: file, Accepted: r.Accepted, DocType: r.DocType, Findings: []jsonFinding{}}
	if r.RejectReason != "" {
		jr.RejectReason = &r.RejectReason
	}
	if r.Scenario != "" {
		jr.Scenario = &r.Scenario
	}
	for _, f := range r.Findings {
		jr.Findings = append(jr.Findings, jsonFinding{f.Rule, string(f.Level), f.Location, f.Message, f.MessageDE, f.Counted})
	}
	b, _ := json.Marshal(jr)
	w.Write(b)
	w.Write([]byte{'\n'})
}

func writeText(w io.Writer, file string, r *invoice.Report) {
	verdict := "ACCEPTED"
	if !r.Accepted {
		verdict = "REJECTED (" + r.RejectReason + ")"
	}
	fmt.Fprintf(w, "%s: %s\n", file, verdict)
	if r.Scenario != "" {
		fmt.Fprintf(w, "  scenario: %s\n", r.Scenario)
	}
	for _, f := range r.Findings {
		mark := ""
		if !f.Counted {
			mark = " (not counted)"
		}
		fmt.Fprintf(w, "  %-7s %s%s at %s\n          %s\n", f.Level, f.Rule, mark, f.Location, f.Message)
		if f.MessageDE != "" {
			fmt.Fprintf(w, "          %s\n", f.MessageDE)
		}
	}
}
