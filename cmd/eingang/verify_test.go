package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"golang.org/x/sys/unix"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/ingest"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// archiveStore is a store for the verify and export tests and the means
// to tamper with it behind the store's back, as an intruder or a failing
// disk would.
type archiveStore struct {
	url string
	// compliance, where set, is the store's URL with COMPLIANCE as the
	// mode wanted: its GOVERNANCE locks are findings.
	compliance string
	// flip changes a byte of an object, drop removes it, unlock takes
	// its retention away.
	flip, drop, unlock func(t *testing.T, key string)
}

func fsArchive(t *testing.T) archiveStore {
	root := t.TempDir()
	path := func(key string) string { return filepath.Join(root, filepath.FromSlash(key)) }
	return archiveStore{
		url: root,
		flip: func(t *testing.T, key string) {
			b, err := os.ReadFile(path(key))
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			os.Chmod(path(key), 0o640)
			if err := os.WriteFile(path(key), b, 0o640); err != nil {
				t.Fatal(err)
			}
		},
		drop: func(t *testing.T, key string) {
			if err := os.Remove(path(key)); err != nil {
				t.Fatal(err)
			}
		},
		unlock: func(t *testing.T, key string) {
			// The retention is in root/.retention or the file's attribute.
			err := os.Remove(filepath.Join(root, ".retention", filepath.FromSlash(key)))
			if errors.Is(err, fs.ErrNotExist) {
				err = unix.Removexattr(path(key), "user.eingang.retain-until")
			}
			if err != nil {
				t.Fatal(err)
			}
		},
	}
}

// s3Archive is a bucket in GOVERNANCE mode on a MinIO of its own, so
// that the test, bypassing governance, can do what COMPLIANCE forbids.
func s3Archive(t *testing.T) archiveStore {
	m, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	t.Setenv("EINGANG_S3_ACCESS_KEY", m.AccessKey)
	t.Setenv("EINGANG_S3_SECRET_KEY", m.SecretKey)
	ctx := context.Background()
	s, err := store.OpenS3(ctx, store.S3Config{Bucket: "eingang-archive", Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Governance: true})
	if err != nil {
		t.Fatal(err)
	}
	c, bucket := s.Client(), s.Bucket()
	return archiveStore{
		url:        "s3://eingang-archive?endpoint=" + m.Endpoint + "&secure=false&mode=governance",
		compliance: "s3://eingang-archive?endpoint=" + m.Endpoint + "&secure=false",
		// A new version over the locked one, locked alike: the bytes
		// every reader now gets differ.
		flip: func(t *testing.T, key string) {
			oi, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(obj)
			obj.Close()
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x20
			until, _ := time.Parse(time.RFC3339, oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"))
			_, err = c.PutObject(ctx, bucket, key, bytes.NewReader(b), int64(len(b)),
				minio.PutObjectOptions{Mode: minio.Governance, RetainUntilDate: until})
			if err != nil {
				t.Fatal(err)
			}
		},
		// A delete marker: the object is gone for every reader.
		drop: func(t *testing.T, key string) {
			if err := c.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{}); err != nil {
				t.Fatal(err)
			}
		},
		// Governance lifted by a privileged user.
		unlock: func(t *testing.T, key string) {
			oi, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = c.PutObjectRetention(ctx, bucket, key, minio.PutObjectRetentionOptions{GovernanceBypass: true, VersionID: oi.VersionID})
			if err != nil {
				t.Fatal(err)
			}
			if oi, err = c.StatObject(ctx, bucket, key, minio.StatObjectOptions{}); err != nil || oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date") != "" {
				t.Fatalf("the lock of %s stays: %v %v", key, oi.Metadata, err)
			}
		},
	}
}

// fillArchive files n invoices of lk-weimarer-land through a pipeline on
// the store and returns their ids.
func fillArchive(t *testing.T, url string, n int) []string {
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.Sample()
	p, err := ingest.New(ingest.Config{Store: st, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Wait) // the removals of pending markers Submit leaves running
	var ids []string
	for i := range n {
		rec, err := p.Submit(ctx, ingest.Submission{Data: invoiceNumbered(t, 9000+i), Channel: "upload"})
		if err != nil || rec.Status != ingest.StatusRouted {
			t.Fatalf("submit %d: %v %+v", i, err, rec)
		}
		ids = append(ids, rec.ID)
	}
	p.Wait() // the pending markers go after the answers
	return ids
}

// eingang runs a command in-process and returns its exit code, stdout and
// stderr.
func eingang(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func original(id string) string {
	return fmt.Sprintf("archive/%s/%s/original", idDate(id), id)
}

// TestVerifyStores runs `eingang verify` on both stores: a clean archive
// passes (exit 0, a JSON report, the metrics file); then a flipped byte, a
// missing original and a lifted lock are found, exactly those (exit 1).
func TestVerifyStores(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) archiveStore
	}{
		{"fs", fsArchive},
		{"s3", s3Archive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.open(t)
			ids := fillArchive(t, a.url, 4)
			dir := t.TempDir()
			report, metrics := filepath.Join(dir, "report.json"), filepath.Join(dir, "verify.prom")

			code, out, errs := eingang("verify", "--store", a.url, "--json", report, "--metrics", metrics)
			if code != 0 {
				t.Fatalf("verify of an untouched archive: exit %d\n%s\n%s", code, out, errs)
			}
			if !strings.Contains(out, "verified 4 submissions") || !strings.Contains(out, "0 findings") {
				t.Errorf("summary: %s", out)
			}
			prom, err := os.ReadFile(metrics)
			if err != nil || !strings.Contains(string(prom), "\neingang_verify_findings 0\n") || !strings.Contains(string(prom), "eingang_verify_submissions 4") {
				t.Errorf("metrics file: %v\n%s", err, prom)
			}

			if a.compliance != "" {
				code, out, errs := eingang("verify", "--store", a.compliance)
				if code != 1 || strings.Count(out, "FINDING "+ingest.ProblemLockMode+" ") != 4 {
					t.Errorf("verify wanting COMPLIANCE of GOVERNANCE locks: exit %d, want 1 and 4 %s findings\n%s\n%s", code, ingest.ProblemLockMode, out, errs)
				}
			}

			// The export reads either store alike.
			zipFile := filepath.Join(dir, "export.zip")
			today := time.Now().UTC().Format(time.DateOnly)
			if code, out, errs := eingang("export", "--store", a.url, "--municipality", "lk-weimarer-land", "--from", today, "--to", today, "-o", zipFile); code != 0 || !strings.Contains(out, "exported 4 invoices") {
				t.Fatalf("export: exit %d\n%s\n%s", code, out, errs)
			}
			if code, out, errs := eingang("verify", "--export", zipFile); code != 0 {
				t.Fatalf("verify --export: exit %d\n%s\n%s", code, out, errs)
			}

			a.flip(t, original(ids[0]))
			a.drop(t, original(ids[1]))
			a.unlock(t, original(ids[2]))
			code, out, errs = eingang("verify", "--store", a.url, "--json", report, "--metrics", metrics)
			if code != 1 {
				t.Fatalf("verify of a tampered archive: exit %d, want 1\n%s\n%s", code, out, errs)
			}
			var rep ingest.FixityReport
			if b, err := os.ReadFile(report); err != nil {
				t.Fatal(err)
			} else if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Problem+" "+f.Key)
			}
			slices.Sort(got)
			want := []string{
				ingest.ProblemHash + " " + original(ids[0]),
				ingest.ProblemMissing + " " + original(ids[1]),
				ingest.ProblemNoRetention + " " + original(ids[2]),
			}
			slices.Sort(want)
			if !slices.Equal(got, want) || rep.FindingCount != 3 {
				t.Errorf("findings\n%q\nwant\n%q\n%s", got, want, out)
			}
			for _, w := range want {
				if !strings.Contains(out, "FINDING "+w) {
					t.Errorf("stdout lacks FINDING %s:\n%s", w, out)
				}
			}
			if prom, _ := os.ReadFile(metrics); !strings.Contains(string(prom), "\neingang_verify_findings 3\n") {
				t.Errorf("metrics file after the findings:\n%s", prom)
			}
		})
	}
}

// TestVerifyNoArchive checks that a mistyped directory is an error, not
// an empty archive that passes (and is not made).
func TestVerifyNoArchive(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-archive")
	for _, url := range []string{missing, "file://" + missing} {
		if code, out, errs := eingang("verify", "--store", url); code != 2 || !strings.Contains(errs, "no such directory") {
			t.Errorf("verify --store %s: exit %d (want 2)\n%s\n%s", url, code, out, errs)
		}
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("verify made the directory: %v", err)
	}
}

// TestVerifyResumeFile runs `eingang verify --resume` from a checkpoint
// that says the archive's folders are done: only the entries are checked
// again, the counts carried over, and the checkpoint is removed at the end.
func TestVerifyResumeFile(t *testing.T) {
	a := fsArchive(t)
	ids := fillArchive(t, a.url, 2)
	cp := filepath.Join(t.TempDir(), "verify.checkpoint")
	b, _ := json.Marshal(ingest.FixityReport{Started: time.Now().Add(-time.Hour), Last: ids[1], ArchiveDone: true, Submissions: 2,
		FindingCount: 1, ByProblem: map[string]int{ingest.ProblemHash: 1},
		Findings: []ingest.Finding{{ID: ids[0], Key: original(ids[0]), Problem: ingest.ProblemHash}}})
	if err := os.WriteFile(cp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := eingang("verify", "--store", a.url, "--resume", cp)
	if code != 1 || !strings.Contains(errs, "resuming after "+ids[1]) || !strings.Contains(out, "verified 2 submissions") ||
		!strings.Contains(out, "FINDING hash-mismatch "+original(ids[0])) {
		t.Errorf("resumed verify: exit %d (want 1, the finding before)\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(cp); !os.IsNotExist(err) {
		t.Errorf("the checkpoint stays after a complete check: %v", err)
	}
}

func readZipped(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rewriteZip copies an export ZIP, changing it with edit (name, content:
// return nil to leave the file out), and adding extra.
func rewriteZip(t *testing.T, src, dst string, edit func(name string, b []byte) []byte, extra map[string]string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, zf := range zr.File {
		b := readZipped(t, zf)
		if b = edit(zf.Name, b); b == nil {
			continue
		}
		w, _ := zw.Create(zf.Name)
		w.Write(b)
	}
	for name, content := range extra {
		w, _ := zw.Create(name)
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestExportRoundTrip exports a municipality's invoices of a period,
// checks the ZIP with `eingang verify --export` and by its contents, and
// then has it catch tampered copies.
func TestExportRoundTrip(t *testing.T) {
	a := fsArchive(t)
	ids := fillArchive(t, a.url, 3)
	dir := t.TempDir()
	zipFile := filepath.Join(dir, "export.zip")
	today := time.Now().UTC().Format(time.DateOnly)
	code, out, errs := eingang("export", "--store", a.url, "--municipality", "lk-weimarer-land", "--from", today, "--to", today, "-o", zipFile)
	if code != 0 || !strings.Contains(out, "exported 3 invoices") {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = eingang("verify", "--export", zipFile)
	if code != 0 || !strings.Contains(out, "3 invoices") || !strings.Contains(out, "0 findings") {
		t.Fatalf("verify --export of the export: exit %d\n%s\n%s", code, out, errs)
	}
	// What it holds: every invoice's files, the original byte for byte.
	zr, err := zip.OpenReader(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]*zip.File{}
	for _, f := range zr.File {
		names[f.Name] = f
	}
	for i, id := range ids {
		for _, n := range []string{"original", "meta.json", "report.json", "outcome.json", "entry.json", "view.html", "attachments/1-leistungsnachweis.csv"} {
			if names[id+"/"+n] == nil {
				t.Errorf("the export lacks %s/%s", id, n)
			}
		}
		if f := names[id+"/original"]; f != nil {
			if !bytes.Equal(readZipped(t, f), invoiceNumbered(t, 9000+i)) {
				t.Errorf("%s/original differs from what was sent", id)
			}
		}
		if f := names[id+"/view.html"]; f != nil {
			if !bytes.Contains(readZipped(t, f), []byte(fmt.Sprintf("RE-CRASH-%05d", 9000+i))) {
				t.Errorf("%s/view.html does not show the invoice number", id)
			}
		}
	}
	for _, n := range []string{"manifest.json", "SHA256SUMS"} {
		if names[n] == nil {
			t.Errorf("the export lacks %s", n)
		}
	}
	zr.Close()

	// Another period, another municipality: nothing.
	empty := filepath.Join(dir, "empty.zip")
	if code, out, errs := eingang("export", "--store", a.url, "--municipality", "lk-weimarer-land", "--from", "2020-01-01", "--to", "2020-12-31", "-o", empty); code != 0 || !strings.Contains(out, "exported 0 invoices") {
		t.Errorf("export of another year: exit %d\n%s\n%s", code, out, errs)
	}
	if code, out, errs := eingang("export", "--store", a.url, "--municipality", "erfurt", "--from", today, "--to", today, "-o", empty); code != 0 || !strings.Contains(out, "exported 0 invoices") {
		t.Errorf("export of another municipality: exit %d\n%s\n%s", code, out, errs)
	}

	for _, c := range []struct {
		name  string
		edit  func(name string, b []byte) []byte
		extra map[string]string
		want  string
	}{
		{"flipped byte in an original", func(name string, b []byte) []byte {
			if name == ids[1]+"/original" {
				b[len(b)/2] ^= 0x20
			}
			return b
		}, nil, "FINDING hash-mismatch " + ids[1] + "/original"},
		{"report left out", func(name string, b []byte) []byte {
			if name == ids[0]+"/report.json" {
				return nil
			}
			return b
		}, nil, "FINDING missing " + ids[0] + "/report.json"},
		{"a file slipped in", func(_ string, b []byte) []byte { return b },
			map[string]string{ids[2] + "/note.txt": "paid"}, "FINDING unlisted " + ids[2] + "/note.txt"},
		{"original and manifest both changed", func(name string, b []byte) []byte {
			if name == ids[2]+"/original" {
				return []byte("<Invoice/>")
			}
			if name == "manifest.json" {
				var m ingest.ExportManifest
				json.Unmarshal(b, &m)
				for i, f := range m.Files {
					if f.Name == ids[2]+"/original" {
						sum := sha256.Sum256([]byte("<Invoice/>"))
						m.Files[i].Size, m.Files[i].SHA256 = 10, hex.EncodeToString(sum[:])
					}
				}
				b, _ = json.Marshal(m)
			}
			return b
		}, nil, "FINDING hash-mismatch " + ids[2] + "/original: manifest.json says"},
	} {
		t.Run(c.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "tampered.zip")
			rewriteZip(t, zipFile, bad, c.edit, c.extra)
			code, out, errs := eingang("verify", "--export", bad)
			if code != 1 || !strings.Contains(out, c.want) {
				t.Errorf("verify --export: exit %d (want 1), want %q\n%s\n%s", code, c.want, out, errs)
			}
		})
	}
}

// TestVerifyExportUsage checks the commands' usage and their refusal of
// incomplete arguments.
func TestVerifyExportUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"verify", "--help"}, 0, "usage: eingang verify"},
		{[]string{"export", "--help"}, 0, "usage: eingang export"},
		{[]string{"export", "--municipality", "erfurt"}, 2, "are required"},
		{[]string{"export", "--municipality", "erfurt", "--from", "2026-13-01", "--to", "2026-12-31", "-o", "x.zip"}, 2, "are required"},
		{[]string{"verify", "extra"}, 2, "unexpected argument"},
		{[]string{"verify", "--export", filepath.Join(t.TempDir(), "none.zip")}, 2, "no such file"},
	} {
		code, _, errs := eingang(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("eingang %q: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if code, out, _ := eingang("help"); code != 0 || !strings.Contains(out, "verify [--store URL]") || !strings.Contains(out, "export [--store URL]") {
		t.Errorf("eingang help does not name verify and export:\n%s", out)
	}
}
