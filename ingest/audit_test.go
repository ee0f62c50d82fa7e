package ingest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

func auditPipeline(t *testing.T, s store.Store, now *time.Time) *Pipeline {
	t.Helper()
	dir := directory.Sample()
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir },
		Instance: "gw-1", Now: func() time.Time { return *now }})
	return p
}

// TestAuditTrail writes records and reads them back by municipality and
// period and by invoice; every record is retained, and the filesystem
// store refuses to replace or delete it.
func TestAuditTrail(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 6, 23, 59, 0, 0, time.UTC)
	p := auditPipeline(t, s, &now)
	inv1, inv2 := uuid.Must(uuid.NewV7()).String(), uuid.Must(uuid.NewV7()).String()
	clerk := Identity{Role: RoleClerk, Municipality: "erfurt", Name: "Erfurt", Actor: "Erika Muster"}
	steps := []struct {
		at  time.Duration // after the start
		rec AuditRecord
	}{
		{0, AuditFor(clerk, AuditLogin, "192.0.2.1", "pages")},
		{time.Minute, AuditFor(clerk, AuditView, "192.0.2.1", "pages", inv1)},
		{2 * time.Minute, AuditFor(clerk, AuditAcknowledge, "192.0.2.1", "pages", inv1, inv2)}, // the next day (UTC)
		{3 * time.Minute, AuditFor(Identity{Role: RoleClerk, Municipality: "weimar", Actor: "W"}, AuditView, "192.0.2.9", "api", inv2)},
		{4 * time.Minute, AuditFor(Identity{Actor: "Mallory"}, AuditLoginFailed, "198.51.100.7", "pages")},
	}
	start := now
	var keys []string
	for _, st := range steps {
		now = start.Add(st.at)
		if err := p.Audit(ctx, st.rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Audit(ctx, AuditFor(clerk, AuditView, "", "pages", "../etc")); !errors.Is(err, ErrAudit) {
		t.Errorf("a bad invoice id: %v", err)
	}
	trail := func(ms []string, from, to time.Time) []string {
		var got []string
		if err := p.AuditTrail(ctx, ms, from, to, func(r AuditRecord) error {
			if r.Gateway != "gw-1" || r.At.IsZero() {
				t.Errorf("record %+v", r)
			}
			got = append(got, r.Actor+" "+r.Action+" "+strings.Join(r.IDs, ","))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range []struct {
		name     string
		ms       []string
		from, to time.Time
		want     string
	}{
		{"erfurt, both days", []string{"erfurt"}, start, start.Add(time.Hour), "Erika Muster login |Erika Muster view " + inv1 + "|Erika Muster acknowledge " + inv1 + "," + inv2},
		{"erfurt, first day", []string{"erfurt"}, start.Add(-time.Hour), start.Add(time.Minute + time.Second), "Erika Muster login |Erika Muster view " + inv1},
		{"erfurt, to excludes", []string{"erfurt"}, start, start.Add(time.Minute), "Erika Muster login "},
		{"weimar", []string{"weimar"}, start, start.Add(time.Hour), "W view " + inv2},
		{"gateway", []string{GatewayTrail}, start, start.Add(time.Hour), "Mallory login-failed "},
		{"nobody's", []string{"jena"}, start, start.Add(time.Hour), ""},
		{"every record", nil, start, start.Add(time.Hour), "Erika Muster login |Erika Muster view " + inv1 + "|Erika Muster acknowledge " + inv1 + "," + inv2 + "|W view " + inv2 + "|Mallory login-failed "},
		{"two trails", []string{GatewayTrail, "weimar"}, start, start.Add(time.Hour), "W view " + inv2 + "|Mallory login-failed "},
		{"empty period", []string{"erfurt"}, start, start, ""},
	} {
		if got := strings.Join(trail(c.ms, c.from, c.to), "|"); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		id   string
		want []string
	}{
		{inv1, []string{AuditView, AuditAcknowledge}},
		{inv2, []string{AuditAcknowledge, AuditView}},
		{uuid.Must(uuid.NewV7()).String(), nil},
	} {
		h, err := p.History(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range h {
			got = append(got, r.Action)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("history of %s: %v, want %v", c.id, got, c.want)
		}
	}
	// Written once, retained: no replacing, no deleting.
	list, err := s.List(ctx, historyPrefix(inv1), "", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("history keys: %v %v", list, err)
	}
	keys = append(keys, list[0].Key)
	for _, key := range keys {
		info, _ := s.Stat(ctx, key)
		if info.RetainUntil.Year() != 2037 {
			t.Errorf("%s retained until %v", key, info.RetainUntil)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, store.ErrLocked) {
			t.Errorf("delete %s: %v", key, err)
		}
		if err := s.Create(ctx, key, strings.NewReader("{}"), 2, store.CreateOptions{}); !errors.Is(err, store.ErrExists) {
			t.Errorf("create over %s: %v", key, err)
		}
	}
}

// TestAuditCSVRow keeps spreadsheet formulas out of the export.
func TestAuditCSVRow(t *testing.T) {
	for _, c := range []struct{ actor, want string }{
		{"Erika", "Erika"}, {"=HYPERLINK(1)", "'=HYPERLINK(1)"}, {"-1", "'-1"}, {"@x", "'@x"}, {"", ""},
	} {
		if got := AuditCSVRow(AuditRecord{Actor: c.actor})[1]; got != c.want {
			t.Errorf("%q: %q, want %q", c.actor, got, c.want)
		}
	}
	if n, m := len(AuditCSVHeader()), len(AuditCSVRow(AuditRecord{})); n != m {
		t.Errorf("header %d, row %d columns", n, m)
	}
}

// TestAuditLockedOnMinIO: on a real MinIO with object lock an audit
// record can be neither deleted nor overwritten, by the store nor by
// anyone with the bucket's keys.
func TestAuditLockedOnMinIO(t *testing.T) {
	srv, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx := context.Background()
	s, err := store.OpenS3(ctx, store.S3Config{Bucket: "audit", Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	p := auditPipeline(t, s, &now)
	inv := uuid.Must(uuid.NewV7()).String()
	if err := p.Audit(ctx, AuditFor(Identity{Role: RoleClerk, Municipality: "erfurt", Actor: "Erika"}, AuditDownloadOriginal, "192.0.2.1", "api", inv)); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, prefix := range []string{historyPrefix(inv), trailPrefix("erfurt", now)} {
		list, err := s.List(ctx, prefix, "", 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: %v %v", prefix, list, err)
		}
		keys = append(keys, list[0].Key)
	}
	c := s.Client()
	for _, key := range keys {
		mode, _, err := store.LockMode(ctx, s, key)
		if err != nil || mode != "COMPLIANCE" {
			t.Errorf("%s: lock mode %q %v", key, mode, err)
		}
		if err := s.Delete(ctx, key); !errors.Is(err, store.ErrLocked) {
			t.Errorf("store delete %s: %v", key, err)
		}
		if err := s.Create(ctx, key, strings.NewReader("{}"), 2, store.CreateOptions{}); !errors.Is(err, store.ErrExists) {
			t.Errorf("store create over %s: %v", key, err)
		}
		oi, err := c.StatObject(ctx, "audit", key, minio.StatObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// With the bucket's keys: removing the version, even bypassing
		// governance, is refused; a put makes a new version and leaves the
		// record as it was.
		if err := c.RemoveObject(ctx, "audit", key, minio.RemoveObjectOptions{VersionID: oi.VersionID, GovernanceBypass: true}); err == nil {
			t.Errorf("raw remove of %s's version succeeded", key)
		}
		if _, err := c.PutObject(ctx, "audit", key, strings.NewReader("{}"), 2, minio.PutObjectOptions{}); err != nil {
			t.Logf("raw put over %s: %v", key, err)
		}
		obj, err := c.GetObject(ctx, "audit", key, minio.GetObjectOptions{VersionID: oi.VersionID})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj)
		obj.Close()
		if err != nil || !strings.Contains(string(b), `"action":"download-original"`) || !strings.Contains(string(b), inv) {
			t.Errorf("%s's version after the attempts: %q %v", key, b, err)
		}
	}
}
