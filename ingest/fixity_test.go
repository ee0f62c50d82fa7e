package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
	"golang.org/x/sys/unix"
)

// fixityArchive is an archive with one submission of each kind, on the
// filesystem store whose root the tests tamper with.
type fixityArchive struct {
	p    *Pipeline
	s    store.Store
	root string
	ids  map[string]string // routed, acknowledged, clearing, rejected, duplicate, old
}

// idAt returns a UUIDv7 of time t (n tells ids of the same millisecond apart).
func idAt(t time.Time, n int) string {
	ms := uint64(t.UnixMilli())
	return fmt.Sprintf("%08x-%04x-7000-8000-%012x", ms>>16, ms&0xffff, n)
}

// plant writes a complete, rejected filing of data under id the way the
// pipeline does: for a submission received on another day than today.
func plant(t *testing.T, s store.Store, id string, data []byte) {
	t.Helper()
	ctx := context.Background()
	at := idTime(id)
	sum := sha256.Sum256(data)
	meta := Meta{ID: id, Channel: "upload", ReceivedAt: at, Size: len(data), SHA256: hex.EncodeToString(sum[:]), RetainUntil: store.RetainUntil(at, 10)}
	out := Outcome{ID: id, Status: StatusRejected, Channel: "upload", ReceivedAt: at, FiledAt: at}
	if err := createJSON(ctx, s, metaKey(id), meta); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, originalKey(id), bytes.NewReader(data), int64(len(data)), store.CreateOptions{RetainUntil: meta.RetainUntil}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{reportKey(id), outcomeKey(id), rejectedKey(id)} {
		if err := putJSON(ctx, s, k, out); err != nil {
			t.Fatal(err)
		}
	}
}

func newFixityArchive(t *testing.T) *fixityArchive {
	t.Helper()
	ctx := context.Background()
	root := t.TempDir()
	s, err := store.OpenFS(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	a := &fixityArchive{p: p, s: s, root: root, ids: map[string]string{}}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"routed", fixture(t)},
		{"duplicate", fixture(t)},
		{"acknowledged", withLeitweg(t, "16071103-0001-17", "F-2")},
		{"clearing", withLeitweg(t, "16071103-0001-18", "F-3")},
		{"rejected", []byte("<Invoice>broken")},
	} {
		rec, err := p.Submit(ctx, Submission{Data: c.data, Channel: "upload"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		a.ids[c.name] = rec.ID
		if c.name == "duplicate" {
			// The receipt names the first; the copy has its own folder.
			a.ids[c.name] = a.duplicateID(t, rec.ID)
		}
	}
	if _, err := p.Acknowledge(ctx, "lk-weimarer-land", a.ids["acknowledged"]); err != nil {
		t.Fatal(err)
	}
	a.ids["old"] = idAt(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), 1)
	plant(t, s, a.ids["old"], []byte("an old one"))
	return a
}

// duplicateID finds the folder of the copy of first (its outcome says
// duplicate).
func (a *fixityArchive) duplicateID(t *testing.T, first string) string {
	t.Helper()
	day := strings.TrimSuffix(archivePrefix(first), first+"/")
	ids, err := store.ListFolders(context.Background(), a.s, day, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		var o Outcome
		if getJSON(context.Background(), a.s, outcomeKey(id), &o) == nil && o.DuplicateOf == first {
			return id
		}
	}
	t.Fatalf("no duplicate of %s", first)
	return ""
}

func (a *fixityArchive) path(key string) string {
	return filepath.Join(a.root, filepath.FromSlash(key))
}

func (a *fixityArchive) verify(t *testing.T) *FixityReport {
	t.Helper()
	r, err := a.p.Verify(context.Background(), FixityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func problems(r *FixityReport) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Problem+" "+f.Key)
	}
	slices.Sort(out)
	return out
}

// TestFixityClean checks an untouched archive: no findings, every kind of
// filing counted, every original re-hashed.
func TestFixityClean(t *testing.T) {
	a := newFixityArchive(t)
	r := a.verify(t)
	if r.FindingCount != 0 {
		t.Fatalf("findings in an untouched archive: %v", problems(r))
	}
	want := map[string]int{"routed": 2, "clearing": 1, "rejected": 2, "duplicate": 1}
	for k, n := range want {
		if r.ByStatus[k] != n {
			t.Errorf("%s: %d, want %d (%v)", k, r.ByStatus[k], n, r.ByStatus)
		}
	}
	if r.Submissions != 6 || r.Originals != 6 || r.Bytes == 0 || r.Finished.IsZero() {
		t.Errorf("submissions %d, originals %d, bytes %d, finished %v; want 6, 6, >0, set", r.Submissions, r.Originals, r.Bytes, r.Finished)
	}
	// Entries: new, acknowledged, clearing, two rejected.
	if r.Entries != 5 {
		t.Errorf("%d entries checked, want 5", r.Entries)
	}
}

// setRetention changes the retention the filesystem store at root keeps
// for key to until, or removes it where until is "": in root/.retention
// where the store kept it there, else in the file's attribute.
func setRetention(t *testing.T, root, key, until string) {
	t.Helper()
	legacy := filepath.Join(root, ".retention", filepath.FromSlash(key))
	path := filepath.Join(root, filepath.FromSlash(key))
	var err error
	switch _, lerr := os.Stat(legacy); {
	case lerr == nil && until == "":
		err = os.Remove(legacy)
	case lerr == nil:
		os.Chmod(legacy, 0o640)
		err = os.WriteFile(legacy, []byte(until), 0o640)
	case until == "":
		err = unix.Removexattr(path, "user.eingang.retain-until")
	default:
		err = unix.Setxattr(path, "user.eingang.retain-until", []byte(until), 0)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestFixityFindings tampers with the archive on the filesystem, one way
// per case, and checks that the fixity check finds exactly that.
func TestFixityFindings(t *testing.T) {
	writable := func(t *testing.T, path string, fn func([]byte) []byte) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, 0o640)
		if err := os.WriteFile(path, fn(b), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(t *testing.T, path string) {
		t.Helper()
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, a *fixityArchive)
		want   func(a *fixityArchive) []string
		notes  []string // states of the notes
	}{
		{"flipped byte", func(t *testing.T, a *fixityArchive) {
			writable(t, a.path(originalKey(a.ids["routed"])), func(b []byte) []byte { b[100] ^= 1; return b })
		}, func(a *fixityArchive) []string { return []string{ProblemHash + " " + originalKey(a.ids["routed"])} }, nil},
		{"original of an old filing deleted", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(originalKey(a.ids["old"])))
		}, func(a *fixityArchive) []string { return []string{ProblemMissing + " " + originalKey(a.ids["old"])} }, nil},
		{"retention removed", func(t *testing.T, a *fixityArchive) {
			setRetention(t, a.root, originalKey(a.ids["clearing"]), "")
		}, func(a *fixityArchive) []string {
			return []string{ProblemNoRetention + " " + originalKey(a.ids["clearing"])}
		}, nil},
		{"retention shortened", func(t *testing.T, a *fixityArchive) {
			setRetention(t, a.root, originalKey(a.ids["rejected"]), "2027-01-01T00:00:00Z")
		}, func(a *fixityArchive) []string {
			return []string{ProblemRetention + " " + originalKey(a.ids["rejected"])}
		}, nil},
		{"report dropped from the filing", func(t *testing.T, a *fixityArchive) {
			writable(t, a.path(outcomeKey(a.ids["acknowledged"])), func(b []byte) []byte {
				var f map[string]any // the filing without its report
				if err := json.Unmarshal(b, &f); err != nil {
					t.Fatal(err)
				}
				delete(f, "report")
				b, _ = json.Marshal(f)
				return b
			})
		}, func(a *fixityArchive) []string {
			return []string{ProblemMissing + " " + reportKey(a.ids["acknowledged"])}
		}, nil},
		{"report deleted (kept apart, as before 2026-12-07)", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(reportKey(a.ids["old"])))
		}, func(a *fixityArchive) []string {
			return []string{ProblemMissing + " " + reportKey(a.ids["old"])}
		}, nil},
		{"inbox entry deleted", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(inboxKey("lk-weimarer-land", "new", a.ids["routed"])))
		}, func(a *fixityArchive) []string {
			return []string{ProblemMissing + " " + inboxKey("lk-weimarer-land", "new", a.ids["routed"])}
		}, nil},
		{"meta garbled", func(t *testing.T, a *fixityArchive) {
			writable(t, a.path(metaKey(a.ids["old"])), func(b []byte) []byte { return b[:10] })
		}, func(a *fixityArchive) []string { return []string{ProblemUnreadable + " " + metaKey(a.ids["old"])} }, nil},
		{"filing garbled", func(t *testing.T, a *fixityArchive) {
			writable(t, a.path(outcomeKey(a.ids["clearing"])), func(b []byte) []byte { return b[:10] })
		}, func(a *fixityArchive) []string {
			return []string{ProblemUnreadable + " " + outcomeKey(a.ids["clearing"])}
		}, nil},
		{"archive folder gone, entry left", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(strings.TrimSuffix(archivePrefix(a.ids["old"]), "/")))
		}, func(a *fixityArchive) []string { return []string{ProblemOrphan + " " + rejectedKey(a.ids["old"])} }, nil},
		{"outcome deleted", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(outcomeKey(a.ids["old"])))
		}, func(a *fixityArchive) []string { return []string{ProblemMissing + " " + outcomeKey(a.ids["old"])} }, nil},
		{"pending: no finding", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(outcomeKey(a.ids["old"])))
			remove(t, a.path(reportKey(a.ids["old"])))
			if err := a.s.Put(context.Background(), pendingKey(a.ids["old"]), strings.NewReader("{}"), 2); err != nil {
				t.Fatal(err)
			}
		}, func(*fixityArchive) []string { return nil }, []string{"pending"}},
		{"abandoned: no finding", func(t *testing.T, a *fixityArchive) {
			remove(t, a.path(outcomeKey(a.ids["old"])))
			remove(t, a.path(reportKey(a.ids["old"])))
			b, _ := json.Marshal(Abandoned{ID: a.ids["old"], Reason: "disk full"})
			if err := a.s.Put(context.Background(), abandonedKey(a.ids["old"]), bytes.NewReader(b), int64(len(b))); err != nil {
				t.Fatal(err)
			}
		}, func(*fixityArchive) []string { return nil }, []string{"abandoned"}},
		{"pending, nothing archived", func(t *testing.T, a *fixityArchive) {
			if err := a.s.Put(context.Background(), pendingKey(idAt(time.Now(), 99)), strings.NewReader("{}"), 2); err != nil {
				t.Fatal(err)
			}
		}, func(*fixityArchive) []string { return nil }, []string{"pending"}},
		{"folder under another date", func(t *testing.T, a *fixityArchive) {
			if err := os.MkdirAll(a.path("archive/2024/01/01/"+a.ids["old"]), 0o750); err != nil {
				t.Fatal(err)
			}
		}, func(a *fixityArchive) []string {
			return []string{ProblemMisplaced + " archive/2024/01/01/" + a.ids["old"] + "/"}
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newFixityArchive(t)
			c.tamper(t, a)
			r := a.verify(t)
			want := c.want(a)
			if got := problems(r); !slices.Equal(got, want) {
				t.Errorf("findings\n%q\nwant\n%q", got, want)
			}
			if r.FindingCount != len(want) {
				t.Errorf("%d findings counted, want %d", r.FindingCount, len(want))
			}
			var notes []string
			for _, n := range r.Notes {
				notes = append(notes, n.State)
			}
			if !slices.Equal(notes, c.notes) {
				t.Errorf("notes %q, want %q (%+v)", notes, c.notes, r.Notes)
			}
		})
	}
}

// TestFixityResume interrupts a check after its first submission and
// resumes it from the checkpoint: the second run checks only the rest,
// and the report adds up to the whole archive with the finding of either
// part.
func TestFixityResume(t *testing.T) {
	a := newFixityArchive(t)
	for i := range 3 { // three more days
		id := idAt(time.Date(2025, 6, 1+i, 9, 0, 0, 0, time.UTC), 2)
		plant(t, a.s, id, []byte(fmt.Sprintf("another one %d", i)))
	}
	// A finding in the first part (the oldest submission).
	os.Remove(a.path(reportKey(a.ids["old"])))
	whole := a.verify(t)
	if whole.Submissions != 9 || whole.FindingCount != 1 {
		t.Fatalf("whole run: %d submissions, %d findings; want 9, 1", whole.Submissions, whole.FindingCount)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var saved []byte
	opts := FixityOptions{
		Checkpoint: func(r *FixityReport) error {
			var err error
			saved, err = json.Marshal(r)
			return err
		},
		Progress: func(r *FixityReport) {
			if r.Submissions == 2 {
				cancel()
			}
		},
	}
	if _, err := a.p.Verify(ctx, opts); err == nil {
		t.Fatal("an interrupted check returned no error")
	}
	var cp FixityReport
	if err := json.Unmarshal(saved, &cp); err != nil {
		t.Fatal(err)
	}
	// The checkpoint after the first day's folder.
	if cp.Submissions != 1 || cp.Last != a.ids["old"] || cp.FindingCount != 1 {
		t.Fatalf("checkpoint: %d submissions, last %s, %d findings; want 1, %s, 1", cp.Submissions, cp.Last, cp.FindingCount, a.ids["old"])
	}
	checked := 0
	r, err := a.p.Verify(context.Background(), FixityOptions{Resume: &cp, Progress: func(*FixityReport) { checked++ }})
	if err != nil {
		t.Fatal(err)
	}
	if checked != 8 || r.Submissions != 9 || r.FindingCount != 1 || r.Findings[0].Key != reportKey(a.ids["old"]) || r.Finished.IsZero() {
		t.Errorf("resumed: checked %d (want 8), %d submissions (want 9), findings %v", checked, r.Submissions, problems(r))
	}
}

// filingStore files a submission (puts its outcome back) when the check
// looks for its pending marker: a gateway finishing it in between.
type filingStore struct {
	store.Store
	id      string
	outcome []byte
}

func (f *filingStore) file(ctx context.Context, key string) error {
	if key != pendingKey(f.id) || f.outcome == nil {
		return nil
	}
	if err := f.Store.Put(ctx, outcomeKey(f.id), bytes.NewReader(f.outcome), int64(len(f.outcome))); err != nil {
		return err
	}
	f.outcome = nil
	return nil
}

func (f *filingStore) Stat(ctx context.Context, key string) (store.Info, error) {
	if err := f.file(ctx, key); err != nil {
		return store.Info{}, err
	}
	return f.Store.Stat(ctx, key)
}

func (f *filingStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := f.file(ctx, key); err != nil {
		return nil, err
	}
	return f.Store.Get(ctx, key)
}

func (f *filingStore) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	return store.ListFolders(ctx, f.Store, prefix, after, limit)
}

// TestFixityFiledMeanwhile checks that a submission filed between the
// listing of its folder and the look for its pending marker (the gateways
// run on while the check runs) is no finding.
func TestFixityFiledMeanwhile(t *testing.T) {
	a := newFixityArchive(t)
	id := a.ids["old"]
	out, err := os.ReadFile(a.path(outcomeKey(id)))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(a.path(outcomeKey(id))); err != nil {
		t.Fatal(err)
	}
	fs := &filingStore{Store: a.s, id: id, outcome: out}
	p := testPipeline(t, Config{Store: fs, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return nil }})
	r, err := p.Verify(context.Background(), FixityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if fs.outcome != nil {
		t.Fatal("the check did not look for the pending marker")
	}
	if r.FindingCount != 0 || len(r.Notes) != 0 || r.ByStatus["rejected"] != 2 {
		t.Errorf("findings %v, notes %v, by status %v; want none, none, 2 rejected", problems(r), r.Notes, r.ByStatus)
	}
}
