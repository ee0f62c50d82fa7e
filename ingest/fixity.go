package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eingang/eingang/store"
)

// The fixity check reads the archive as the key layout (keys.go) lays it
// out: it walks archive/YYYY/MM/DD/<id>/ folder by folder in id order, so
// that it holds one page of ids at a time however large the archive, and
// can go on after its last id when interrupted.

// Problems a fixity check finds.
const (
	// ProblemHash: an original or envelope differs from the SHA-256 (or
	// the size) its meta.json records.
	ProblemHash = "hash-mismatch"
	// ProblemMissing: an object of a filing is absent (meta, original,
	// envelope, report, outcome, or the entry the outcome names).
	ProblemMissing = "missing"
	// ProblemNoRetention: a retained object (original, envelope) has no
	// retention: on S3 no object lock.
	ProblemNoRetention = "no-retention"
	// ProblemRetention: its retention is not the meta's retain_until.
	ProblemRetention = "retention-mismatch"
	// ProblemLockMode: on S3, its object lock is in another mode than the
	// store puts retained objects under (GOVERNANCE, which a privileged
	// user can lift, where COMPLIANCE is wanted).
	ProblemLockMode = "lock-mode"
	// ProblemUnreadable: a meta.json or outcome.json is not what the
	// pipeline writes.
	ProblemUnreadable = "unreadable"
	// ProblemMisplaced: a folder of the archive that is no submission id
	// or lies under another date than its id's.
	ProblemMisplaced = "misplaced"
	// ProblemOrphan: an inbox, clearing or rejected entry without its
	// submission in the archive.
	ProblemOrphan = "entry-without-archive"
)

// A Finding is something a fixity check found wrong.
type Finding struct {
	ID      string `json:"id,omitempty"` // the submission, where known
	Key     string `json:"key"`          // the object (or folder) concerned
	Problem string `json:"problem"`      // one of the Problem constants
	Detail  string `json:"detail,omitempty"`
}

// A Note tells of a submission that is no finding but no filed invoice
// either: "pending" (kept, not yet filed: Recover files it) or
// "abandoned" (kept in part, never acknowledged: no invoice).
type Note struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// A FixityReport is what a fixity check found, and where it is: a check
// given it back (FixityOptions.Resume) goes on after Last.
type FixityReport struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"` // zero until the check is complete
	// Last is the last submission checked, in id order: a resumed check
	// goes on after it. ArchiveDone says the archive's folders are all
	// checked and the entries' pass is next (it starts over when resumed).
	Last        string `json:"last,omitempty"`
	ArchiveDone bool   `json:"archive_done,omitempty"`

	Submissions int            `json:"submissions"` // folders of the archive checked
	ByStatus    map[string]int `json:"by_status"`   // filed ones by their outcome's status
	Originals   int            `json:"originals"`   // originals and envelopes re-hashed
	Bytes       int64          `json:"bytes"`       // their bytes
	Entries     int            `json:"entries"`     // inbox, clearing, rejected, pending and abandoned entries checked
	Pending     int            `json:"pending"`
	Abandoned   int            `json:"abandoned"`

	FindingCount int            `json:"finding_count"`
	ByProblem    map[string]int `json:"by_problem"`
	// Findings and Notes, up to FixityOptions.MaxListed each; Truncated
	// says that more were counted than listed.
	Findings  []Finding `json:"findings"`
	Notes     []Note    `json:"notes"`
	Truncated bool      `json:"truncated,omitempty"`
}

// FixityOptions tune Verify.
type FixityOptions struct {
	// Resume, if set, is the report of an interrupted check (as
	// Checkpoint saw it): the check goes on after its Last submission,
	// adding to its counts.
	Resume *FixityReport
	// Checkpoint, if set, is called with the report so far after every
	// folder of a day and every 1,000 submissions: save it to resume.
	Checkpoint func(*FixityReport) error
	// Progress, if set, is called after every submission checked.
	Progress func(*FixityReport)
	// MaxListed bounds the findings and the notes the report lists
	// (default 10,000 each); all are counted.
	MaxListed int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Verify checks the fixity of the pipeline's archive: every original
// (and envelope) re-hashed against the SHA-256 its meta.json records, its
// retention set and equal to the meta's retain_until (on S3 the object
// lock, in the mode the store puts), and every filed submission's objects
// present: meta, original, report, outcome, and the inbox, clearing or
// rejected entry its outcome names. Pending and abandoned submissions are
// noted, not found wrong. Then every entry must have its submission in the
// archive.
//
// It returns an error only when it cannot go on (the store fails, the
// context ends): the report then says how far it came, but may count the
// submission it stopped at in part; resume from the last checkpoint, not
// from it. Its memory is
// bounded by one page of ids and MaxListed, not by the archive's size.
// The store must be a store.FolderLister (the filesystem and S3 stores
// are, also wrapped by InstrumentStore or store.OpenRetrying).
func (p *Pipeline) Verify(ctx context.Context, opts FixityOptions) (*FixityReport, error) {
	if opts.MaxListed <= 0 {
		opts.MaxListed = 10_000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := opts.Resume
	if r == nil {
		r = &FixityReport{Started: opts.Now().UTC()}
	}
	if r.ByStatus == nil {
		r.ByStatus = map[string]int{}
	}
	if r.ByProblem == nil {
		r.ByProblem = map[string]int{}
	}
	r.Finished = time.Time{}
	v := &verifier{p: p, s: p.cfg.Store, opts: opts, r: r}
	if !r.ArchiveDone {
		var from []string // year, month, day, id to go on from
		if r.Last != "" {
			t := idTime(r.Last)
			from = []string{fmt.Sprintf("%04d", t.Year()), fmt.Sprintf("%02d", t.Month()), fmt.Sprintf("%02d", t.Day()), r.Last}
		}
		if err := v.walkDates(ctx, "archive/", from, 0); err != nil {
			return r, err
		}
		r.ArchiveDone = true
		if err := v.checkpoint(); err != nil {
			return r, err
		}
	}
	if err := v.entries(ctx); err != nil {
		return r, err
	}
	r.Finished = opts.Now().UTC()
	return r, nil
}

type verifier struct {
	p      *Pipeline
	s      store.Store
	opts   FixityOptions
	r      *FixityReport
	sinceC int // submissions since the last checkpoint
}

func (v *verifier) find(f Finding) {
	v.r.FindingCount++
	v.r.ByProblem[f.Problem]++
	if len(v.r.Findings) < v.opts.MaxListed {
		v.r.Findings = append(v.r.Findings, f)
	} else {
		v.r.Truncated = true
	}
}

func (v *verifier) note(n Note) {
	switch n.State {
	case "pending":
		v.r.Pending++
	case "abandoned":
		v.r.Abandoned++
	}
	if len(v.r.Notes) < v.opts.MaxListed {
		v.r.Notes = append(v.r.Notes, n)
	} else {
		v.r.Truncated = true
	}
}

func (v *verifier) checkpoint() error {
	v.sinceC = 0
	if v.opts.Checkpoint == nil {
		return nil
	}
	if err := v.opts.Checkpoint(v.r); err != nil {
		return fmt.Errorf("verify: checkpoint: %w", err)
	}
	return nil
}

// walkDates walks the year, month and day folders below prefix (depth 0,
// 1, 2), skipping those before from, then the ids of each day.
func (v *verifier) walkDates(ctx context.Context, prefix string, from []string, depth int) error {
	if depth == 3 {
		after := ""
		if len(from) > 3 {
			after = from[3]
		}
		if err := v.walkDay(ctx, prefix, after); err != nil {
			return err
		}
		return v.checkpoint()
	}
	names, err := store.ListFolders(ctx, v.s, prefix, "", 0)
	if err != nil {
		return fmt.Errorf("verify: %s: %w", prefix, err)
	}
	for _, name := range names {
		sub := from
		switch {
		case len(from) > depth && name < from[depth]:
			continue
		case len(from) > depth && name > from[depth]:
			sub = nil
		}
		if err := v.walkDates(ctx, prefix+name+"/", sub, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// walkDay checks the submissions of one day's folder after the id after,
// a page at a time.
func (v *verifier) walkDay(ctx context.Context, prefix, after string) error {
	for {
		ids, err := store.ListFolders(ctx, v.s, prefix, after, 1000)
		if err != nil {
			return fmt.Errorf("verify: %s: %w", prefix, err)
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			if err := v.submission(ctx, prefix, id); err != nil {
				return err
			}
			after = id
			v.r.Last = id
			v.r.Submissions++
			if v.opts.Progress != nil {
				v.opts.Progress(v.r)
			}
			if v.sinceC++; v.sinceC >= 1000 {
				if err := v.checkpoint(); err != nil {
					return err
				}
			}
		}
	}
}

// submission checks the folder of one submission.
func (v *verifier) submission(ctx context.Context, prefix, id string) error {
	folder := prefix + id + "/"
	if !validID(id) || archivePrefix(id) != folder {
		v.find(Finding{Key: folder, Problem: ProblemMisplaced, Detail: "not a submission id, or not under its id's date"})
		return nil
	}
	has, err := v.objects(ctx, folder)
	if err != nil {
		return err
	}
	// Not filed: pending or abandoned, which are no findings; else filed
	// since the listing (the gateways run on), or its outcome is missing.
	unfiled := false
	if !has["outcome.json"] {
		state, detail, err := v.unfiled(ctx, id)
		switch {
		case err != nil:
			return err
		case state != "":
			unfiled = true
			v.note(Note{ID: id, State: state, Detail: detail})
		default:
			if has, err = v.objects(ctx, folder); err != nil {
				return err
			}
			if !has["outcome.json"] {
				v.find(Finding{ID: id, Key: outcomeKey(id), Problem: ProblemMissing})
			}
		}
	}

	// The envelope and the report are in the filing, or apart in
	// meta.json and report.json (abandoned, or archived before 2026-12-07).
	var meta *Meta
	var out *Outcome
	reported := has["report.json"]
	garbled := false // the filing: found unreadable already
	if has["outcome.json"] {
		var f filing
		if ok, err := v.record(ctx, id, outcomeKey(id), &f); err != nil {
			return err
		} else if ok {
			out, meta = &f.Outcome, f.Meta
			reported = reported || f.Report != nil
		} else {
			garbled = true
		}
	}
	if meta == nil && has["meta.json"] {
		var m Meta
		if ok, err := v.record(ctx, id, metaKey(id), &m); err != nil {
			return err
		} else if ok {
			meta = &m
		}
	}
	missing := func(key string) {
		if !unfiled {
			v.find(Finding{ID: id, Key: key, Problem: ProblemMissing})
		}
	}

	if meta == nil && !has["meta.json"] && !garbled {
		missing(metaKey(id)) // the envelope: in outcome.json, or apart
	}
	var sum string
	var size int64 = -1
	var until time.Time
	if meta != nil {
		sum, size, until = meta.SHA256, int64(meta.Size), meta.RetainUntil
	}
	if has["original"] {
		if err := v.retained(ctx, id, originalKey(id), sum, size, until); err != nil {
			return err
		}
	} else {
		missing(originalKey(id))
	}
	if meta != nil && meta.EnvelopeSHA256 != "" {
		if has["envelope"] {
			if err := v.retained(ctx, id, envelopeKey(id), meta.EnvelopeSHA256, -1, until); err != nil {
				return err
			}
		} else {
			missing(envelopeKey(id))
		}
	}
	if err := v.invoiceXML(ctx, id, meta, has, until, missing); err != nil { // a hybrid's XML (hybrid.go)
		return err
	}
	if out == nil {
		return nil
	}
	v.r.ByStatus[string(out.Status)]++
	if out.Status != StatusDuplicate && !reported {
		missing(reportKey(id)) // the report: in outcome.json, or apart in older archives
	}
	return v.entry(ctx, id, *out)
}

// objects returns the names of the objects in a submission's folder.
func (v *verifier) objects(ctx context.Context, folder string) (map[string]bool, error) {
	infos, err := v.s.List(ctx, folder, "", 0)
	if err != nil {
		return nil, fmt.Errorf("verify: %s: %w", folder, err)
	}
	has := map[string]bool{}
	for _, in := range infos {
		has[base(in.Key)] = true
	}
	return has, nil
}

// unfiled says whether a submission without outcome is pending or
// abandoned.
func (v *verifier) unfiled(ctx context.Context, id string) (state, detail string, err error) {
	if batch, _, err := v.p.pendingOf(ctx, id); err != nil {
		return "", "", fmt.Errorf("verify: pending %s: %w", id, err)
	} else if batch != "" {
		return "pending", "kept, not yet filed", nil
	}
	var a Abandoned
	switch err := getJSON(ctx, v.s, abandonedKey(id), &a); {
	case err == nil:
		return "abandoned", a.Reason, nil
	case corrupt(err):
		return "abandoned", "", nil
	case !errors.Is(err, store.ErrNotFound):
		return "", "", fmt.Errorf("verify: %s: %w", abandonedKey(id), err)
	}
	return "", "", nil
}

// retained re-hashes a retained object against sum and size (where
// known: sum "" and size -1 are not) and checks its retention against
// until (where known).
func (v *verifier) retained(ctx context.Context, id, key, sum string, size int64, until time.Time) error {
	info, err := v.s.Stat(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		v.find(Finding{ID: id, Key: key, Problem: ProblemMissing})
		return nil
	} else if err != nil {
		return fmt.Errorf("verify: %s: %w", key, err)
	}
	switch {
	case info.RetainUntil.IsZero():
		v.find(Finding{ID: id, Key: key, Problem: ProblemNoRetention, Detail: "want retention until " + until.Format(time.RFC3339)})
	case !until.IsZero() && !info.RetainUntil.Equal(until.Truncate(time.Second)):
		v.find(Finding{ID: id, Key: key, Problem: ProblemRetention,
			Detail: fmt.Sprintf("retained until %s, meta says %s", info.RetainUntil.UTC().Format(time.RFC3339), until.Format(time.RFC3339))})
	}
	if !info.RetainUntil.IsZero() {
		mode, want, err := store.LockMode(ctx, v.s, key)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("verify: %s: %w", key, err)
		}
		if err == nil && mode != want {
			v.find(Finding{ID: id, Key: key, Problem: ProblemLockMode, Detail: fmt.Sprintf("locked in mode %q, the store puts %q", mode, want)})
		}
	}
	if sum == "" {
		return nil
	}
	rc, err := v.s.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		v.find(Finding{ID: id, Key: key, Problem: ProblemMissing})
		return nil
	} else if err != nil {
		return fmt.Errorf("verify: %s: %w", key, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("verify: %s: read: %w", key, err)
	}
	v.r.Originals++
	v.r.Bytes += n
	if got := hex.EncodeToString(h.Sum(nil)); got != sum || size >= 0 && n != size {
		v.find(Finding{ID: id, Key: key, Problem: ProblemHash,
			Detail: fmt.Sprintf("SHA-256 %s of %d bytes, meta.json says %s of %d", got, n, sum, size)})
	}
	return nil
}

// entryKeys returns the keys where the entry of a filed submission may
// be, by its outcome; none for a duplicate.
func entryKeys(o Outcome) []string {
	switch o.Status {
	case StatusRouted:
		return []string{inboxKey(o.Municipality, "new", o.ID), inboxKey(o.Municipality, "acknowledged", o.ID)}
	case StatusClearing:
		return []string{clearingKey(o.ID)}
	case StatusRejected:
		return []string{rejectedKey(o.ID)}
	}
	return nil
}

// entry checks that a filed submission's entry is where its outcome says
// (or, for a duplicate, that the first is archived). An entry that moves
// meanwhile (acknowledged, routed from clearing) is looked for again.
func (v *verifier) entry(ctx context.Context, id string, o Outcome) error {
	if o.Status == StatusDuplicate {
		if o.DuplicateOf == "" || !validID(o.DuplicateOf) {
			v.find(Finding{ID: id, Key: outcomeKey(id), Problem: ProblemUnreadable, Detail: "a duplicate without the id of its first"})
			return nil
		}
		return v.present(ctx, id, originalKey(o.DuplicateOf))
	}
	for try := 0; try < 2; try++ {
		keys := entryKeys(o)
		if len(keys) == 0 {
			v.find(Finding{ID: id, Key: outcomeKey(id), Problem: ProblemUnreadable, Detail: fmt.Sprintf("status %q", o.Status)})
			return nil
		}
		for _, k := range keys {
			if _, err := v.s.Stat(ctx, k); err == nil {
				return nil
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("verify: %s: %w", k, err)
			}
		}
		if try == 1 {
			v.find(Finding{ID: id, Key: keys[0], Problem: ProblemMissing, Detail: fmt.Sprintf("the outcome says %s", o.Status)})
			return nil
		}
		if ok, err := v.record(ctx, id, outcomeKey(id), &o); !ok {
			return err
		}
	}
	return nil
}

// record reads a JSON record of submission id into rec: false, with a
// finding, where it is unreadable or gone; an error where the store fails.
func (v *verifier) record(ctx context.Context, id, key string, rec any) (bool, error) {
	switch err := getJSON(ctx, v.s, key, rec); {
	case err == nil:
		return true, nil
	case corrupt(err) || errors.Is(err, store.ErrNotFound):
		v.find(Finding{ID: id, Key: key, Problem: ProblemUnreadable, Detail: err.Error()})
		return false, nil
	default:
		return false, fmt.Errorf("verify: %s: %w", key, err)
	}
}

// present finds key missing where it is absent.
func (v *verifier) present(ctx context.Context, id, key string) error {
	_, err := v.s.Stat(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		v.find(Finding{ID: id, Key: key, Problem: ProblemMissing})
		return nil
	} else if err != nil {
		return fmt.Errorf("verify: %s: %w", key, err)
	}
	return nil
}

// entries checks that every entry (inbox, clearing, rejected) has its
// submission in the archive, and notes pending and abandoned
// submissions of which nothing was archived.
func (v *verifier) entries(ctx context.Context) error {
	folders := []string{clearingPrefix, "rejected/"}
	munis, err := store.ListFolders(ctx, v.s, "inbox/", "", 0)
	if err != nil {
		return fmt.Errorf("verify: inbox/: %w", err)
	}
	for _, m := range munis {
		folders = append(folders, inboxPrefix(m, "new"), inboxPrefix(m, "acknowledged"))
	}
	check := func(key string) (bool, error) {
		v.r.Entries++
		id := base(key)
		if !validID(id) {
			v.find(Finding{Key: key, Problem: ProblemMisplaced, Detail: "not a submission id"})
			return true, nil
		}
		// What is missing of an archive folder is found where it is
		// checked; here, whether there is one.
		in, err := v.s.List(ctx, archivePrefix(id), "", 1)
		if err != nil {
			return false, fmt.Errorf("verify: %s: %w", archivePrefix(id), err)
		}
		if len(in) == 0 {
			v.find(Finding{ID: id, Key: key, Problem: ProblemOrphan, Detail: archivePrefix(id) + " is missing"})
		}
		return true, nil
	}
	for _, f := range folders {
		if err := v.p.walk(ctx, f, "", check); err != nil {
			return err
		}
	}
	// Pending and abandoned ones with an archive folder were noted there.
	for _, f := range []string{pendingPrefix, abandonedPrefix} {
		state := strings.TrimSuffix(f, "/")
		err := v.p.walk(ctx, f, "", func(key string) (bool, error) {
			v.r.Entries++
			id := base(key)
			if !validID(id) {
				return true, nil
			}
			ids := []string{id}
			if f == pendingPrefix { // a marker lists the submissions it marks
				var m marker
				if err := getJSON(ctx, v.s, key, &m); err != nil && !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
					return false, err
				}
				ids = m.members(id)
			}
			for _, id := range ids {
				_, err := v.s.Stat(ctx, originalKey(id))
				if errors.Is(err, store.ErrNotFound) {
					v.note(Note{ID: id, State: state, Detail: "no original in the archive"})
				} else if err != nil {
					return false, err
				}
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ListFolders implements store.FolderLister: the pipeline's view of a
// store that is one.
func (o outageStore) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	names, err := store.ListFolders(ctx, o.s, prefix, after, limit)
	return names, outage(err)
}

// LockMode implements store.LockReader: the pipeline's view of a store
// that is one.
func (o outageStore) LockMode(ctx context.Context, key string) (mode, want string, err error) {
	mode, want, err = store.LockMode(ctx, o.s, key)
	return mode, want, outage(err)
}

// LockMode implements store.LockReader, timed as op "stat".
func (t *timedStore) LockMode(ctx context.Context, key string) (mode, want string, err error) {
	defer t.observe("stat", time.Now())
	return store.LockMode(ctx, t.Store, key)
}

// ListFolders implements store.FolderLister, timed as op "list".
func (t *timedStore) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	defer t.observe("list", time.Now())
	return store.ListFolders(ctx, t.Store, prefix, after, limit)
}

// FixityMetrics are the metrics of the last fixity check, written as a
// textfile for node_exporter's textfile collector by `eingang verify
// --metrics` (the check runs as a command, not in the gateway).
type FixityMetrics struct {
	LastRun     prometheus.Gauge // eingang_verify_last_run_timestamp_seconds
	Duration    prometheus.Gauge // eingang_verify_duration_seconds
	Findings    prometheus.Gauge // eingang_verify_findings
	Submissions prometheus.Gauge // eingang_verify_submissions
	Bytes       prometheus.Gauge // eingang_verify_bytes
}

// NewFixityMetrics creates the fixity check's metrics and registers them
// with reg.
func NewFixityMetrics(reg prometheus.Registerer) *FixityMetrics {
	g := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	m := &FixityMetrics{
		LastRun:     g("eingang_verify_last_run_timestamp_seconds", "When the last complete fixity check of the archive finished (Unix time)."),
		Duration:    g("eingang_verify_duration_seconds", "How long the last fixity check ran."),
		Findings:    g("eingang_verify_findings", "Findings of the last fixity check (hash mismatches, missing objects, missing retention)."),
		Submissions: g("eingang_verify_submissions", "Submissions the last fixity check read from the archive."),
		Bytes:       g("eingang_verify_bytes", "Bytes of originals and envelopes the last fixity check re-hashed."),
	}
	reg.MustRegister(m.LastRun, m.Duration, m.Findings, m.Submissions, m.Bytes)
	return m
}

// Set records a complete check's report.
func (m *FixityMetrics) Set(r *FixityReport) {
	m.LastRun.Set(float64(r.Finished.UnixMilli()) / 1000)
	m.Duration.Set(r.Finished.Sub(r.Started).Seconds())
	m.Findings.Set(float64(r.FindingCount))
	m.Submissions.Set(float64(r.Submissions))
	m.Bytes.Set(float64(r.Bytes))
}
