package ingest

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
	"sort"
	"strings"
	"time"

	"github.com/eingang/eingang/store"
)

// ExportFormat names the layout of an export ZIP; its manifest.json says
// which it follows.
const ExportFormat = "eingang-export/1"

// An ExportQuery selects a municipality's invoices for Export: those
// received (by their id's time, UTC) on the days From through To.
type ExportQuery struct {
	Municipality string
	From, To     time.Time // days; the time of day is ignored
	Lang         string    // language of the views ("de" or "en"; default "de")
}

// An ExportManifest is the manifest.json of an export ZIP: what it holds
// and the SHA-256 of every other file in it. SHA256SUMS holds the same
// sums in the format of sha256sum(1).
type ExportManifest struct {
	Format       string            `json:"format"` // ExportFormat
	Municipality string            `json:"municipality"`
	From         string            `json:"from"` // YYYY-MM-DD, inclusive
	To           string            `json:"to"`   // YYYY-MM-DD, inclusive
	Created      time.Time         `json:"created"`
	Invoices     []ExportedInvoice `json:"invoices"`
	Files        []ExportedFile    `json:"files"`
}

// An ExportedInvoice is one invoice of an export; its files are in the
// folder named by its id: original, meta.json, report.json, outcome.json,
// entry.json (the inbox entry: acknowledged or not, and when), envelope
// (where the channel had one), view.html (where it can be shown) and
// the embedded files under attachments/.
type ExportedInvoice struct {
	ID     string `json:"id"`
	State  string `json:"state"` // "new" or "acknowledged"
	SHA256 string `json:"sha256"`
	View   bool   `json:"view"` // view.html is there
	// Attachments is the number of files the invoice embeds, extracted
	// into attachments/ as <n>-<filename> (n: the position in BG-24).
	Attachments int `json:"attachments"`
}

// An ExportedFile is a file of an export with its size and SHA-256.
type ExportedFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Export writes the municipality's invoices of the period as a ZIP to w:
// per invoice its original, envelope, meta, report, outcome and inbox
// entry as archived, its view as HTML and the files it embeds; then manifest.json and
// SHA256SUMS with the SHA-256 of every file (VerifyExport checks them). It
// reads one invoice at a time: its memory grows with the manifest only.
func (p *Pipeline) Export(ctx context.Context, w io.Writer, q ExportQuery) (*ExportManifest, error) {
	if q.Municipality == "" || strings.Contains(q.Municipality, "/") {
		return nil, fmt.Errorf("ingest: export: municipality %q", q.Municipality)
	}
	from := time.Date(q.From.Year(), q.From.Month(), q.From.Day(), 0, 0, 0, 0, time.UTC)
	to := time.Date(q.To.Year(), q.To.Month(), q.To.Day(), 0, 0, 0, 0, time.UTC)
	if to.Before(from) {
		return nil, fmt.Errorf("ingest: export: the period ends (%s) before it starts (%s)", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if q.Lang == "" {
		q.Lang = "de"
	}
	m := &ExportManifest{
		Format: ExportFormat, Municipality: q.Municipality,
		From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Created: p.cfg.Now().UTC(),
		Invoices: []ExportedInvoice{}, Files: []ExportedFile{},
	}
	zw := zip.NewWriter(w)
	ex := exporter{p: p, zw: zw, m: m}
	end := idPrefix(to.AddDate(0, 0, 1))
	for _, state := range []string{"new", "acknowledged"} {
		err := p.walk(ctx, inboxPrefix(q.Municipality, state), idPrefix(from), func(key string) (bool, error) {
			id := base(key)
			if id >= end {
				return false, nil
			}
			if !validID(id) {
				return true, nil
			}
			return true, ex.invoice(ctx, key, id, state, q.Lang)
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: export %s: %w", q.Municipality, err)
		}
	}
	sort.Slice(m.Invoices, func(i, j int) bool { return m.Invoices[i].ID < m.Invoices[j].ID })
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("ingest: export: manifest: %w", err)
	}
	if err := ex.raw("manifest.json", manifest); err != nil {
		return nil, err
	}
	if err := ex.raw("SHA256SUMS", sha256sums(m.Files)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("ingest: export: %w", err)
	}
	return m, nil
}

type exporter struct {
	p  *Pipeline
	zw *zip.Writer
	m  *ExportManifest
}

// invoice adds one invoice's files.
func (e *exporter) invoice(ctx context.Context, entryKey, id, state, lang string) error {
	inv := ExportedInvoice{ID: id, State: state}
	s := e.p.cfg.Store
	// The filing, read once: exported as it stands, and the envelope and
	// report from it (or kept apart, in older archives).
	filed, f, err := e.filing(ctx, id)
	if err != nil {
		return err
	}
	meta, err := e.p.metaOf(ctx, id, f)
	if err != nil {
		return fmt.Errorf("ingest: export %s: %w", metaKey(id), err)
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("ingest: export %s: %w", metaKey(id), err)
	}
	report, err := e.p.reportOf(ctx, id, f)
	if err != nil {
		return fmt.Errorf("ingest: export %s: %w", reportKey(id), err)
	}
	for _, part := range []struct {
		name, key string
		data      []byte // instead of the key's object
	}{
		{name: "original", key: originalKey(id)}, {name: "envelope", key: envelopeKey(id)}, {name: "invoice.xml", key: xmlKey(id)},
		{name: "meta.json", data: metaJSON}, {name: "report.json", data: report}, {name: "outcome.json", data: filed},
		{name: "entry.json", key: entryKey},
	} {
		if part.data != nil {
			if err := e.raw(id+"/"+part.name, part.data); err != nil {
				return err
			}
			continue
		}
		rc, err := s.Get(ctx, part.key)
		if errors.Is(err, store.ErrNotFound) && (part.name == "envelope" || part.name == "invoice.xml") {
			continue // only some have them
		} else if err != nil {
			return fmt.Errorf("ingest: export %s: %w", part.key, err)
		}
		sum, err := e.copy(id+"/"+part.name, rc)
		rc.Close()
		if err != nil {
			return err
		}
		if part.name == "original" {
			inv.SHA256 = sum
		}
	}
	page, err := e.p.View(ctx, id, lang)
	switch {
	case err == nil:
		if err := e.raw(id+"/view.html", page); err != nil {
			return err
		}
		inv.View = true
	case !errors.Is(err, ErrNoView):
		return fmt.Errorf("ingest: export %s: %w", id, err)
	}
	if inv.Attachments, err = e.attachments(ctx, id); err != nil {
		return err
	}
	e.m.Invoices = append(e.m.Invoices, inv)
	return nil
}

// filing reads the filing of invoice id: as stored, and decoded.
func (e *exporter) filing(ctx context.Context, id string) ([]byte, *filing, error) {
	r, err := e.p.cfg.Store.Get(ctx, outcomeKey(id))
	if err != nil {
		return nil, nil, fmt.Errorf("ingest: export %s: %w", outcomeKey(id), err)
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("ingest: export %s: %w", outcomeKey(id), err)
	}
	var f filing
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, fmt.Errorf("ingest: export %s: %w", outcomeKey(id), err)
	}
	return b, &f, nil
}

// attachments adds the files the invoice embeds (BG-24), extracted, as
// attachments/<n>-<filename>, and returns how many. An invoice beyond
// the validator's limits has none extracted (its original is exported).
func (e *exporter) attachments(ctx context.Context, id string) (int, error) {
	data, err := e.p.read(ctx, id, "export")
	if err != nil {
		return 0, err
	}
	model, err := e.p.cfg.Validator.Model(data)
	if err != nil {
		return 0, nil
	}
	n := 0
	for i, a := range model.Attachments {
		if !a.Embedded() {
			continue
		}
		content, err := a.Content()
		if err != nil {
			continue // not base64: the original shows what was sent
		}
		if err := e.raw(fmt.Sprintf("%s/attachments/%d-%s", id, i+1, safeName(a.Filename)), content); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// safeName makes a sender's file name a plain name inside a ZIP: letters,
// digits, '.', '_' and '-', not starting with '.'.
func safeName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	if s := strings.TrimLeft(string(b), "."); s != "" {
		return s
	}
	return "attachment"
}

// copy writes a file to the ZIP and lists it in the manifest.
func (e *exporter) copy(name string, r io.Reader) (string, error) {
	w, err := e.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: e.m.Created})
	if err != nil {
		return "", fmt.Errorf("ingest: export %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return "", fmt.Errorf("ingest: export %s: %w", name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if name != "manifest.json" && name != "SHA256SUMS" {
		e.m.Files = append(e.m.Files, ExportedFile{Name: name, Size: n, SHA256: sum})
	}
	return sum, nil
}

func (e *exporter) raw(name string, data []byte) error {
	_, err := e.copy(name, bytes.NewReader(data))
	return err
}

// sha256sums formats the sums as sha256sum(1) prints them.
func sha256sums(files []ExportedFile) []byte {
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "%s  %s\n", f.SHA256, f.Name)
	}
	return []byte(b.String())
}

// ProblemUnlisted: a file of an export ZIP that its manifest does not
// list.
const ProblemUnlisted = "unlisted"

// VerifyExport checks an export ZIP (Export): every file against the size
// and SHA-256 its manifest.json lists, no file missing or unlisted,
// SHA256SUMS agreeing with the manifest, and every original against the
// SHA-256 its meta.json records. It returns the manifest (nil when it
// cannot be read) and the findings; an error only when r is no ZIP.
func VerifyExport(r io.ReaderAt, size int64) (*ExportManifest, []Finding, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("verify export: %w", err)
	}
	var findings []Finding
	find := func(key, problem, detail string) {
		findings = append(findings, Finding{Key: key, Problem: problem, Detail: detail})
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if files[f.Name] != nil {
			find(f.Name, ProblemUnlisted, "the ZIP holds this name twice")
		}
		files[f.Name] = f
	}
	read := func(name string, limit int64) ([]byte, error) {
		f := files[name]
		if f == nil {
			return nil, fmt.Errorf("%s: %w", name, store.ErrNotFound)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, limit))
	}
	var m ExportManifest
	data, err := read("manifest.json", 256<<20)
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err == nil && m.Format != ExportFormat {
		err = fmt.Errorf("format %q, want %q", m.Format, ExportFormat)
	}
	if err != nil {
		find("manifest.json", ProblemUnreadable, err.Error())
		return nil, findings, nil
	}
	listed := map[string]ExportedFile{}
	for _, f := range m.Files {
		listed[f.Name] = f
	}
	for _, f := range zr.File {
		if f.Name == "manifest.json" || f.Name == "SHA256SUMS" {
			continue
		}
		want, ok := listed[f.Name]
		if !ok {
			find(f.Name, ProblemUnlisted, "not in manifest.json")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			find(f.Name, ProblemUnreadable, err.Error())
			continue
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			find(f.Name, ProblemUnreadable, err.Error())
			continue
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 || n != want.Size {
			find(f.Name, ProblemHash, fmt.Sprintf("SHA-256 %s of %d bytes, manifest.json says %s of %d", got, n, want.SHA256, want.Size))
		}
	}
	for _, f := range m.Files {
		if files[f.Name] == nil {
			find(f.Name, ProblemMissing, "listed in manifest.json")
		}
	}
	if sums, err := read("SHA256SUMS", 256<<20); err != nil {
		find("SHA256SUMS", ProblemMissing, err.Error())
	} else if string(sums) != string(sha256sums(m.Files)) {
		find("SHA256SUMS", ProblemHash, "does not agree with manifest.json")
	}
	for _, inv := range m.Invoices {
		var meta Meta
		data, err := read(inv.ID+"/meta.json", 1<<20)
		if err == nil {
			err = json.Unmarshal(data, &meta)
		}
		if err != nil {
			find(inv.ID+"/meta.json", ProblemUnreadable, err.Error())
			continue
		}
		if orig := listed[inv.ID+"/original"]; meta.SHA256 != orig.SHA256 || inv.SHA256 != orig.SHA256 {
			find(inv.ID+"/original", ProblemHash, fmt.Sprintf("manifest.json says %s, meta.json %s", orig.SHA256, meta.SHA256))
		}
	}
	return &m, findings, nil
}
