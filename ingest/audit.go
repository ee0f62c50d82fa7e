package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eingang/eingang/store"
)

// The audit trail: who read, downloaded, acknowledged or routed which
// invoice, and who logged in or out or failed to, from where, through
// which gateway. A record is written before what it records is done, and
// where it cannot be written that is not done (the caller answers 503):
// nothing happens unrecorded. Records are written once and retained like
// originals (object lock on S3; the filesystem store refuses to replace
// or delete them), and no interface edits or deletes them.
//
// One record is one object, kept under two keys, so that a municipality's
// trail for a period and an invoice's history each cost what they return:
//
//	audit/<municipality>/<YYYY-MM-DD>/<HHMMSS.nnnnnnnnn>-<rand>.json
//	audit-by-invoice/<id>/<YYYYMMDDTHHMMSS.nnnnnnnnn>-<rand>.json   (for each invoice it concerns)
//
// A record concerning no municipality (an operator's login, a failed
// login under an unknown name) is kept under audit/_gateway/; the trail
// of a municipality's invoice routed from clearing is that
// municipality's.

// Audit actions.
const (
	AuditView               = "view"                // an entry's page, its rendering or its record (API)
	AuditDownloadOriginal   = "download-original"   // the original as received
	AuditDownloadXML        = "download-xml"        // a hybrid PDF's invoice XML
	AuditDownloadReport     = "download-report"     // the validation report
	AuditDownloadAttachment = "download-attachment" // an embedded file
	AuditDownloadZIP        = "download-zip"        // originals and reports as a ZIP
	AuditAcknowledge        = "acknowledge"
	AuditRoute              = "route" // from clearing to a municipality
	AuditLogin              = "login"
	AuditLoginFailed        = "login-failed"
	AuditLogout             = "logout"
	AuditLogoutEverywhere   = "logout-everywhere"
	AuditReadTrail          = "read-trail" // an export of the audit trail
)

// GatewayTrail is the municipality folder of records that concern no
// municipality.
const GatewayTrail = "_gateway"

// An AuditRecord is one entry of the audit trail.
type AuditRecord struct {
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	Role         string    `json:"role,omitempty"`
	Municipality string    `json:"municipality,omitempty"`
	Action       string    `json:"action"`
	IDs          []string  `json:"ids,omitempty"`     // the invoices concerned
	Address      string    `json:"address,omitempty"` // the client's address
	Gateway      string    `json:"gateway"`           // the instance that wrote it
	Via          string    `json:"via,omitempty"`     // pages or api
}

// ErrAudit marks an error of writing the audit trail: the action it was to
// record must not be done.
var ErrAudit = errors.New("audit trail not written")

// AuditFor returns the record of who doing action on the invoices ids,
// from address, via pages or api: At and Gateway are set by Audit.
func AuditFor(who Identity, action, address, via string, ids ...string) AuditRecord {
	return AuditRecord{Actor: who.Actor, Role: who.Role, Municipality: who.Municipality, Action: action, IDs: ids, Address: address, Via: via}
}

// auditWriters bounds the writes of one record's keys at once.
const auditWriters = 8

// Audit writes a record of the audit trail, write-once and retained like
// an original; its At and Gateway are set here. An error (matching
// ErrAudit) means the action must not be done.
func (p *Pipeline) Audit(ctx context.Context, rec AuditRecord) error {
	rec.At = p.cfg.Now().UTC()
	rec.Gateway = p.cfg.Instance
	for _, id := range rec.IDs {
		if !validID(id) {
			return fmt.Errorf("audit: %w: invoice id %q", ErrAudit, id)
		}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit: %w: %v", ErrAudit, err)
	}
	b = append(b, '\n')
	r := make([]byte, 4)
	rand.Read(r) // never fails (crypto/rand)
	suffix := "-" + hex.EncodeToString(r) + ".json"
	keys := make([]string, 0, 2+len(rec.IDs))
	keys = append(keys, trailPrefix(trailOf(rec.Municipality), rec.At)+rec.At.Format("150405.000000000")+suffix,
		dayPrefix(rec.At)+rec.At.Format("150405.000000000")+suffix)
	for _, id := range rec.IDs {
		keys = append(keys, historyPrefix(id)+rec.At.Format("20060102T150405.000000000Z")+suffix)
	}
	opts := store.CreateOptions{RetainUntil: store.RetainUntil(rec.At, p.cfg.RetentionYears)}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		slots = make(chan struct{}, auditWriters)
	)
	for _, key := range keys {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			if err := p.cfg.Store.Create(ctx, key, bytes.NewReader(b), int64(len(b)), opts); err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("audit: put %s: %w: %w", key, ErrAudit, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		p.cfg.Logger.Error("audit record not written: the action is refused", "action", rec.Action, "actor", rec.Actor, "err", first)
	}
	return first
}

func trailOf(municipality string) string {
	if municipality == "" {
		return GatewayTrail
	}
	return municipality
}

func trailPrefix(municipality string, day time.Time) string {
	return "audit/" + municipality + "/" + day.UTC().Format("2006-01-02") + "/"
}

func dayPrefix(day time.Time) string { return "audit-day/" + day.UTC().Format("2006-01-02") + "/" }

func historyPrefix(id string) string { return "audit-by-invoice/" + id + "/" }

// History returns the audit records of an invoice, oldest first.
func (p *Pipeline) History(ctx context.Context, id string) ([]AuditRecord, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	var out []AuditRecord
	err := p.walkRecords(ctx, historyPrefix(id), "", func(in store.Info) (bool, error) {
		var rec AuditRecord
		if err := record(ctx, p.cfg.Store, in, &rec); err != nil {
			return false, fmt.Errorf("audit: read %s: %w", in.Key, err)
		}
		out = append(out, rec)
		return true, nil
	})
	return out, err
}

// AuditTrail calls fn with every record of the municipalities' trails
// (GatewayTrail for records that concern none; nil for every record of
// the gateway, whichever municipality) from from to before to, in time
// order, until fn returns an error. The period is read day by day (UTC),
// and only its days.
func (p *Pipeline) AuditTrail(ctx context.Context, municipalities []string, from, to time.Time, fn func(AuditRecord) error) error {
	from, to = from.UTC(), to.UTC()
	if !from.Before(to) {
		return nil
	}
	if to.Sub(from) > 3700*24*time.Hour {
		return errors.New("audit: a period of more than ten years")
	}
	for day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC); day.Before(to); day = day.AddDate(0, 0, 1) {
		var recs []AuditRecord
		prefixes := []string{dayPrefix(day)}
		if municipalities != nil {
			prefixes = prefixes[:0]
			for _, m := range municipalities {
				prefixes = append(prefixes, trailPrefix(m, day))
			}
		}
		for _, prefix := range prefixes {
			err := p.walkRecords(ctx, prefix, "", func(in store.Info) (bool, error) {
				var rec AuditRecord
				if err := record(ctx, p.cfg.Store, in, &rec); err != nil {
					return false, fmt.Errorf("audit: read %s: %w", in.Key, err)
				}
				if !rec.At.Before(from) && rec.At.Before(to) {
					recs = append(recs, rec)
				}
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		sort.SliceStable(recs, func(i, j int) bool { return recs[i].At.Before(recs[j].At) })
		for _, rec := range recs {
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxAuditRecords bounds the records AuditRecords reads at once.
const MaxAuditRecords = 500000

// ErrTooManyRecords is the error of AuditRecords for a period with more
// than MaxAuditRecords records.
var ErrTooManyRecords = fmt.Errorf("more than %d audit records", MaxAuditRecords)

// AuditRecords returns the records AuditTrail reads, at most
// MaxAuditRecords (else ErrTooManyRecords): all of them before any is
// answered, so that a store failure is an error and not a cut export.
func (p *Pipeline) AuditRecords(ctx context.Context, municipalities []string, from, to time.Time) ([]AuditRecord, error) {
	var recs []AuditRecord
	err := p.AuditTrail(ctx, municipalities, from, to, func(rec AuditRecord) error {
		if len(recs) == MaxAuditRecords {
			return ErrTooManyRecords
		}
		recs = append(recs, rec)
		return nil
	})
	return recs, err
}

// WriteAuditCSV writes records as CSV under AuditCSVHeader.
func WriteAuditCSV(w io.Writer, recs []AuditRecord) error {
	cw := csv.NewWriter(w)
	cw.Write(AuditCSVHeader())
	for _, rec := range recs {
		cw.Write(AuditCSVRow(rec))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("audit: csv: %w", err)
	}
	return nil
}

// AuditCSVHeader returns the header of the audit trail as CSV; AuditCSVRow
// makes a row of a record under it.
func AuditCSVHeader() []string {
	return []string{"at", "actor", "role", "municipality", "action", "ids", "address", "gateway", "via"}
}

// AuditCSVRow returns a record's row under AuditCSVHeader; invoice ids are
// separated by spaces. A name that a spreadsheet would take for a formula
// (=, +, -, @ first) gets a ' in front.
func AuditCSVRow(rec AuditRecord) []string {
	row := []string{rec.At.UTC().Format(time.RFC3339Nano), rec.Actor, rec.Role, rec.Municipality, rec.Action,
		strings.Join(rec.IDs, " "), rec.Address, rec.Gateway, rec.Via}
	for i, c := range row {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			row[i] = "'" + c
		}
	}
	return row
}
