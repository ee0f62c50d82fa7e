package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// Records: the JSON objects the pipeline keeps beside each original.

// A filing is a submission's outcome.json, written in one object when it
// is filed: where it was filed, its envelope and, for what was validated
// (not a duplicate), its validation report. Archives written before
// 2026-12-07 keep the envelope apart in meta.json and the report in
// report.json; the readers (Meta, report) read both.
type filing struct {
	Outcome
	Meta   *Meta           `json:"meta,omitempty"`
	Report json.RawMessage `json:"report,omitempty"`
}

// report returns the validation report of submission id: from its
// filing, or from report.json where it was kept apart. A submission not
// filed (yet), or a duplicate, has none: store.ErrNotFound.
func (p *Pipeline) report(ctx context.Context, id string) (json.RawMessage, error) {
	var f filing
	if err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &f); err != nil {
		return nil, err
	}
	return p.reportOf(ctx, id, &f)
}

// reportOf is report for a filing already read.
func (p *Pipeline) reportOf(ctx context.Context, id string, f *filing) (json.RawMessage, error) {
	if f.Report != nil {
		return f.Report, nil
	}
	r, err := p.cfg.Store.Get(ctx, reportKey(id))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", reportKey(id), err)
	}
	return b, nil
}

// decodedReport is report, decoded.
func (p *Pipeline) decodedReport(ctx context.Context, id string) (*invoice.Report, error) {
	var f filing
	if err := getJSON(ctx, p.cfg.Store, outcomeKey(id), &f); err != nil {
		return nil, err
	}
	return p.decodedReportOf(ctx, id, &f)
}

// decodedReportOf is reportOf, decoded.
func (p *Pipeline) decodedReportOf(ctx context.Context, id string, f *filing) (*invoice.Report, error) {
	b, err := p.reportOf(ctx, id, f)
	if err != nil {
		return nil, err
	}
	var rep invoice.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("ingest: report of %s: %w", id, err)
	}
	return &rep, nil
}

// corrupt reports whether err says a stored JSON object is incomplete or
// garbled: a deferred write that a power loss cut short.
func corrupt(err error) bool {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syn) || errors.As(err, &typ)
}

func createJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Create(ctx, key, bytes.NewReader(b), int64(len(b)), store.CreateOptions{})
}

func putJSON(ctx context.Context, s store.Store, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, bytes.NewReader(b), int64(len(b)))
}

func getJSON(ctx context.Context, s store.Store, key string, v any) error {
	r, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return fmt.Errorf("store: read %s: %w", key, err)
	}
	return json.Unmarshal(b, v)
}

// readRecords reads the JSON records of listed objects, in their order:
// from the listing where it carried an object's content (store.ListBodies;
// a page of an inbox on MinIO is then one request), else with a Get, up to
// 64 at a time: on S3 each is a request, and a page of 50 read one after
// another takes 50 round trips; 16 at a time, on a cold cache, four rounds
// of them (docs/performance.md). A record skip says so of (removed or moved
// since it was listed, or cut short by a power loss) is left out; any
// other error fails the whole.
func readRecords[T any](ctx context.Context, s store.Store, infos []store.Info, skip func(error) bool) ([]T, error) {
	recs := make([]T, len(infos))
	errs := make([]error, len(infos))
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i, in := range infos {
		if in.Body != nil {
			errs[i] = record(ctx, s, in, &recs[i])
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = getJSON(ctx, s, in.Key, &recs[i])
		}()
	}
	wg.Wait()
	out := recs[:0]
	for i := range infos {
		switch {
		case errs[i] == nil:
			out = append(out, recs[i])
		case !skip(errs[i]):
			return nil, errs[i]
		}
	}
	return out, nil
}

// record decodes the JSON record of a listed object into v: from the
// listing where it carried the object's content, else read.
func record(ctx context.Context, s store.Store, in store.Info, v any) error {
	if in.Body != nil {
		return json.Unmarshal(in.Body, v)
	}
	return getJSON(ctx, s, in.Key, v)
}

// gone says a listed record is no longer there or was cut short: it is
// left out of a listing.
func gone(err error) bool { return errors.Is(err, store.ErrNotFound) || corrupt(err) }
