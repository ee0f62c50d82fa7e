package ingest

// The malware scan: with a Scanner configured, Submit scans every
// original (XML or PDF), the invoice XML of a hybrid PDF and every file
// embedded in the invoice (BG-24) before anything is kept. An infected
// submission is kept for the operators and rejected (RejectMalware): it
// goes to no inbox and is listed in quarantine/. A scanner that cannot be
// asked refuses the submission like a store outage: nothing is kept, the
// sender sends again later; nothing passes unscanned.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/clamav"
	"github.com/eingang/eingang/store"
)

// RejectMalware is the reject reason of a submission the scan found
// malware in; Outcome.Malware names the signature.
const RejectMalware = "malware"

// A Scanner scans bytes for malware. An error is never a pass.
// *clamav.Client is one.
type Scanner interface {
	Scan(ctx context.Context, data []byte) (clamav.Verdict, error)
}

// A pinger is a Scanner that can tell whether it answers (Ready asks).
// *clamav.Client is one.
type pinger interface {
	Ping(ctx context.Context) error
}

// scannerReady checks that the scanner answers, where it can tell.
func (p *Pipeline) scannerReady(ctx context.Context) error {
	pg, ok := p.cfg.Scanner.(pinger)
	if !ok {
		return nil
	}
	if err := pg.Ping(ctx); err != nil {
		return scanError{fmt.Errorf("ingest: malware scanner: %w", err)}
	}
	return nil
}

// ErrScanUnavailable says that the malware scanner could not be asked (not
// reachable, timed out, refused the stream): nothing was kept. It matches
// ErrUnavailable too.
var ErrScanUnavailable = errors.New("malware scanner unavailable")

type scanError struct{ err error }

func (e scanError) Error() string   { return e.err.Error() }
func (e scanError) Unwrap() []error { return []error{e.err, ErrScanUnavailable, ErrUnavailable} }

// scan scans the original, a hybrid's invoice XML and the files embedded
// in the invoice (BG-24) and returns the first signature found, "" when
// all are clean.
func (p *Pipeline) scan(ctx context.Context, original, xml []byte, hybrid bool) (string, error) {
	parts := [][]byte{original}
	names := []string{"original"}
	if hybrid {
		parts, names = append(parts, xml), append(names, "invoice XML")
	}
	if inv, err := p.cfg.Validator.Model(xml); err == nil {
		for i, a := range inv.Attachments {
			if !a.Embedded() {
				continue
			}
			b, err := a.Content()
			if err != nil {
				continue // not base64: no file, and validation says so
			}
			parts, names = append(parts, b), append(names, fmt.Sprintf("attachment %d", i+1))
		}
	}
	for i, b := range parts {
		start := time.Now()
		v, err := p.cfg.Scanner.Scan(ctx, b)
		p.cfg.Metrics.scanTime(time.Since(start))
		if err != nil {
			p.cfg.Metrics.scanned("error")
			return "", scanError{fmt.Errorf("ingest: malware scan of the %s: %w", names[i], err)}
		}
		if v.Infected {
			p.cfg.Logger.Warn("malware found", "signature", v.Signature, "part", names[i])
			return v.Signature, nil
		}
	}
	p.cfg.Metrics.scanned("clean")
	return "", nil
}

// quarantinePrefix lists the submissions the scan found malware in.
const quarantinePrefix = "quarantine/"

func quarantineKey(id string) string { return quarantinePrefix + id }

// quarantine lists a rejected submission the scan found malware in for
// the operators.
func (p *Pipeline) quarantine(ctx context.Context, out Outcome) error {
	if out.Malware == "" {
		return nil
	}
	if err := putJSON(ctx, p.cfg.Store, quarantineKey(out.ID), out); err != nil {
		return fmt.Errorf("ingest: %s: quarantine: %w", out.ID, err)
	}
	return nil
}

// Quarantine lists the submissions the malware scan found malware in, in
// arrival order after the id after, at most limit: rejected, in no inbox,
// their originals kept for the operators.
func (p *Pipeline) Quarantine(ctx context.Context, after string, limit int) ([]Outcome, error) {
	infos, err := store.ListBodies(ctx, p.cfg.Store, quarantinePrefix, after, limit)
	if err != nil {
		return nil, fmt.Errorf("ingest: quarantine: %w", err)
	}
	list, err := readRecords[Outcome](ctx, p.cfg.Store, infos, gone)
	if err != nil {
		return nil, fmt.Errorf("ingest: quarantine: %w", err)
	}
	return list, nil
}

// intakeMetrics are the metrics of hybrid PDFs and the malware scan.
type intakeMetrics struct {
	Formats    *prometheus.CounterVec // eingang_filed_format_total{format,profile}
	PDFRefused *prometheus.CounterVec // eingang_pdf_refused_total{code}
	Scans      *prometheus.CounterVec // eingang_malware_scans_total{result}
	ScanTime   prometheus.Histogram   // eingang_malware_scan_seconds
}

func newIntakeMetrics(reg prometheus.Registerer) intakeMetrics {
	m := intakeMetrics{
		Formats: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_filed_format_total", Help: "Submissions filed (not duplicates) by the form of their original (xml, pdf) and ZUGFeRD / Factur-X profile (\"\" for none).",
		}, []string{"format", "profile"}),
		PDFRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_pdf_refused_total", Help: "PDFs refused before anything was kept, by code (not-pdf, encrypted, no-xml, two-xml, xml-not-well-formed, too-large, unreadable, pdf-bomb, xml-only).",
		}, []string{"code"}),
		Scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "eingang_malware_scans_total", Help: "Malware scans of submissions by result (clean, infected, error).",
		}, []string{"result"}),
		ScanTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "eingang_malware_scan_seconds", Help: "Time of one clamd scan (one original, invoice XML or embedded file).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
	}
	reg.MustRegister(m.Formats, m.PDFRefused, m.Scans, m.ScanTime)
	return m
}

func (m *Metrics) pdfRefused(code string) {
	if m != nil {
		m.PDFRefused.WithLabelValues(code).Inc()
	}
}

func (m *Metrics) scanned(result string) {
	if m != nil {
		m.Scans.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) scanTime(d time.Duration) {
	if m != nil {
		m.ScanTime.Observe(d.Seconds())
	}
}

func (m *Metrics) filedFormat(o Outcome) {
	if m != nil && o.Status != StatusDuplicate {
		m.Formats.WithLabelValues(o.Format, o.Profile).Inc()
	}
}
