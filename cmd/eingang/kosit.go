package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/kosit"
)

// startKosit listens on addr and serves the KoSIT-compatible daemon there
// until ctx ends (see package kosit); the returned channel gives Serve's
// result once it has shut down. With ownProcess (validate --daemon) the
// daemon is alone in the process: unless GOMEMLIMIT says otherwise, the
// garbage collector is then held to what its requests may hold
// (Handler.MemoryBound) plus 64 MiB, so that the heap does not grow to
// twice the documents in flight; and unless GOGC says otherwise, it
// collects at GOGC=400, as validate does: the live heap of typical
// invoices is small, and collecting it at the default pace cost a quarter
// of the throughput (2,260-2,790 against 2,940-3,880 documents/s in five
// alternating runs, peak RSS 35-37 against 58-59 MB).
func startKosit(ctx context.Context, addr string, v *invoice.Validator, log *slog.Logger, readTimeout time.Duration, ownProcess bool) (<-chan error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("kosit daemon: %w", err)
	}
	h := kosit.NewHandler(kosit.Config{Validator: v, Logger: log, Engine: engine()})
	if ownProcess && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(h.MemoryBound() + 64<<20)
	}
	if ownProcess && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	log.Info("KoSIT-compatible daemon serving", "addr", ln.Addr().String())
	done := make(chan error, 1)
	go func() { done <- kosit.Serve(ctx, kosit.NewServer(addr, h, readTimeout), ln) }()
	return done, nil
}

// engine names this program in KoSIT reports.
func engine() kosit.Engine {
	return kosit.Engine{Name: "eingang", Version: strings.TrimPrefix(version(), "eingang ")}
}

// reportNames gives each input file the name of its KoSIT report in dir,
// <name>-report.xml as the reference's -o writes it, with -2, -3, ...
// added where files in different folders share a name.
func reportNames(dir string, files []string) []string {
	out := make([]string, len(files))
	seen := map[string]int{}
	for i, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		n := seen[base] + 1
		seen[base] = n
		if n > 1 {
			base += "-" + strconv.Itoa(n)
		}
		out[i] = filepath.Join(dir, base+"-report.xml")
	}
	return out
}

// writeKosit writes the KoSIT report of one document to path, as the
// daemon answers it, and with html its HTML page beside it (.html for
// .xml).
func writeKosit(reports *kosit.ReportWriter, eng kosit.Engine, path string, doc kosit.Document, rep *invoice.Report, html bool) error {
	write := func(p string, w func(*os.File) error) error {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := w(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(path, func(f *os.File) error { return reports.Write(f, doc, rep) }); err != nil {
		return err
	}
	if !html {
		return nil
	}
	return write(strings.TrimSuffix(path, ".xml")+".html", func(f *os.File) error { return kosit.WriteHTML(f, doc, rep, eng) })
}
