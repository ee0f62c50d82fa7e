package ingest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

// Queries for the pages people use: a sender's status, inbox search,
// directory look-ups, token authentication and the operators' figures.
// Every one reads the store's listings and entries and is bounded.

// Check validates a document, an invoice XML or a hybrid PDF, and keeps
// nothing. A PDF without an acceptable invoice XML is a *PDFError.
func (p *Pipeline) Check(ctx context.Context, data []byte) (*invoice.Report, error) {
	rep, err := p.validateAny(ctx, data, false, invoice.Options{Model: true}) // XML or hybrid PDF (hybrid.go)
	if err != nil {
		return nil, fmt.Errorf("ingest: check: %w", err)
	}
	return rep, nil
}

// Status returns what became of a submission and its report, for the
// holder of its receipt token; ErrNotFound for an unknown id or a token
// that is not the submission's.
func (p *Pipeline) Status(ctx context.Context, id, receiptToken string) (Outcome, *invoice.Report, error) {
	o, f, err := p.outcome(ctx, id)
	if err != nil {
		return Outcome{}, nil, err
	}
	meta, err := p.metaOf(ctx, id, f)
	if err != nil {
		return Outcome{}, nil, err
	}
	sum := sha256.Sum256([]byte(receiptToken))
	want, _ := hex.DecodeString(meta.ReceiptTokenSHA256)
	if receiptToken == "" || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return Outcome{}, nil, ErrNotFound
	}
	if f == nil {
		return o, nil, nil // pending
	}
	rep, err := p.decodedReportOf(ctx, id, f)
	if errors.Is(err, store.ErrNotFound) {
		return o, nil, nil // a duplicate: no report of its own
	}
	return o, rep, err
}

// ClearingEntry returns an invoice waiting in clearing; ErrNotFound when it
// is not there.
func (p *Pipeline) ClearingEntry(ctx context.Context, id string) (Outcome, error) {
	var o Outcome
	if !validID(id) {
		return o, ErrNotFound
	}
	err := getJSON(ctx, p.cfg.Store, clearingKey(id), &o)
	if errors.Is(err, store.ErrNotFound) {
		return o, ErrNotFound
	}
	return o, err
}

// An InboxQuery selects entries of a municipality's inbox. Empty fields
// select everything.
type InboxQuery struct {
	State    string    // new (default), acknowledged, all
	Seller   string    // part of the seller's name, any case
	Number   string    // part of the invoice number, any case
	From, To time.Time // received on or after From, before To
	Min, Max string    // the amount payable, decimal, inclusive
	After    string    // cursor: the last id of the previous page
	Limit    int       // at most this many (default 50, at most 1000)
}

// maxScan bounds how many entries one search reads; a search that reaches
// it returns what it found with a cursor to go on from.
const maxScan = 5000

// SearchInbox returns the entries of a municipality's inbox that match q,
// in arrival order, and the cursor of the next page ("" at the end).
func (p *Pipeline) SearchInbox(ctx context.Context, municipality string, q InboxQuery) ([]Outcome, string, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 50
	}
	var min, max *big.Rat
	for _, b := range []struct {
		s string
		r **big.Rat
	}{{q.Min, &min}, {q.Max, &max}} {
		if s := strings.TrimSpace(strings.ReplaceAll(b.s, ",", ".")); s != "" {
			r, ok := new(big.Rat).SetString(s)
			if !ok {
				return nil, "", fmt.Errorf("ingest: search: %q is not an amount", b.s)
			}
			*b.r = r
		}
	}
	after := q.After
	if !q.From.IsZero() {
		if c := idPrefix(q.From); c > after {
			after = c
		}
	}
	seller, number := strings.ToLower(q.Seller), strings.ToLower(q.Number)
	var out []Outcome
	for scanned := 0; scanned < maxScan; {
		page, err := p.Inbox(ctx, municipality, q.State, after, 200)
		if err != nil {
			return nil, "", err
		}
		if len(page) == 0 {
			return out, "", nil
		}
		for _, o := range page {
			scanned++
			after = o.ID
			if !q.To.IsZero() && !idTime(o.ID).Before(q.To) {
				return out, "", nil
			}
			if !strings.Contains(strings.ToLower(o.Seller), seller) || !strings.Contains(strings.ToLower(o.InvoiceNumber), number) {
				continue
			}
			if min != nil || max != nil {
				total, ok := new(big.Rat).SetString(o.Total)
				if !ok || min != nil && total.Cmp(min) < 0 || max != nil && total.Cmp(max) > 0 {
					continue
				}
			}
			out = append(out, o)
			if len(out) == q.Limit {
				return out, o.ID, nil
			}
		}
	}
	return out, after, nil
}

// idPrefix returns the start of the UUIDv7 ids of time t: a listing cursor
// that sorts before every id from t on.
func idPrefix(t time.Time) string {
	ms := t.UnixMilli()
	return fmt.Sprintf("%08x-%04x", uint64(ms)>>16, uint64(ms)&0xffff)
}

// A Recipient is a municipality of the directory as people see it.
type Recipient struct {
	ID       string
	Name     string
	Prefixes []string // Leitweg-ID prefixes
}

// Recipients returns the municipalities of the directory in force, by name.
func (p *Pipeline) Recipients() []Recipient {
	d := p.cfg.Directory()
	out := make([]Recipient, 0, len(d.Municipalities))
	for _, m := range d.Municipalities {
		out = append(out, recipient(&m))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func recipient(m *directory.Municipality) Recipient {
	return Recipient{ID: m.ID, Name: m.Name, Prefixes: m.LeitwegIDs}
}

// A LeitwegAnswer says what the gateway makes of a Leitweg-ID.
type LeitwegAnswer struct {
	Input         string
	ID            string // canonical form, when well-formed with the right check digits
	WellFormed    bool
	CheckDigitsOK bool
	Expected      string     // the right check digits, when they are wrong
	Problem       string     // why it is not usable (English)
	Recipient     *Recipient // who receives invoices with it; nil: clearing
}

// LookupLeitweg checks a Leitweg-ID and finds the municipality it routes to,
// as routing would.
func (p *Pipeline) LookupLeitweg(s string) LeitwegAnswer {
	a := LeitwegAnswer{Input: strings.TrimSpace(s)}
	id, err := leitweg.Parse(s)
	switch {
	case errors.Is(err, leitweg.ErrCheckDigits):
		a.WellFormed = true
		body := strings.ToUpper(strings.ReplaceAll(a.Input, "-", ""))
		a.Expected = leitweg.CheckDigits(body[:len(body)-2])
		a.Problem = err.Error()
		return a
	case err != nil:
		a.Problem = err.Error()
		return a
	}
	a.ID, a.WellFormed, a.CheckDigitsOK = id.String(), true, true
	if m := p.cfg.Directory().Route(a.ID); m != nil {
		r := recipient(m)
		a.Recipient = &r
	}
	return a
}

// Roles of an Identity.
const (
	// RoleClerk reads, downloads and acknowledges its municipality's inbox.
	RoleClerk = "clerk"
	// RoleAuditor reads its municipality's inbox and audit trail and
	// changes nothing.
	RoleAuditor = "auditor"
	// RoleOperator works clearing, reads the figures and every
	// municipality's audit trail.
	RoleOperator = "operator"
	// RoleAccounting is the former name of RoleClerk.
	RoleAccounting = RoleClerk
)

// roleName is the Identity role of a directory role; "" for none.
func roleName(r directory.Role) string {
	switch r {
	case directory.Clerk:
		return RoleClerk
	case directory.Auditor:
		return RoleAuditor
	case directory.Operator:
		return RoleOperator
	}
	return ""
}

// An Identity is who acts at the gateway: a role and, for a clerk or an
// auditor, the municipality. A token, a local account or an identity
// provider yields it.
type Identity struct {
	Role         string
	Municipality string // the municipality's id, for a clerk or an auditor
	Name         string // the municipality's name, or "operator"
	// Actor names who acts: a person's name, or the token's name in the
	// directory (the first 8 characters of its hash where it has none).
	Actor string
}

// identity is the Identity of a directory role and municipality.
func identity(r directory.Role, m *directory.Municipality, actor string) (Identity, bool) {
	switch r {
	case directory.Clerk, directory.Auditor:
		return Identity{Role: roleName(r), Municipality: m.ID, Name: m.Name, Actor: actor}, true
	case directory.Operator:
		return Identity{Role: RoleOperator, Name: "operator", Actor: actor}, true
	}
	return Identity{}, false
}

// Authenticate returns the identity a bearer token stands for; false for
// an unknown token.
func (p *Pipeline) Authenticate(token string) (Identity, bool) {
	return identity(p.cfg.Directory().Identify(token))
}

// Login checks a local account's name and password against the directory
// in force and returns its identity, the name as Actor; false for an
// unknown name or a wrong password.
func (p *Pipeline) Login(name, password string) (Identity, bool) {
	role, m := p.cfg.Directory().Login(name, password)
	return identity(role, m, name)
}

// walk calls fn for every key directly below prefix after the cursor, in
// order, until fn returns false.
func (p *Pipeline) walk(ctx context.Context, prefix, after string, fn func(key string) (bool, error)) error {
	return p.walkListed(ctx, prefix, after, false, func(in store.Info) (bool, error) { return fn(in.Key) })
}

// walkRecords is walk for folders of JSON records: fn gets each listed
// object with its content where the listing carried it (store.ListBodies);
// record decodes it.
func (p *Pipeline) walkRecords(ctx context.Context, prefix, after string, fn func(in store.Info) (bool, error)) error {
	return p.walkListed(ctx, prefix, after, true, fn)
}

func (p *Pipeline) walkListed(ctx context.Context, prefix, after string, bodies bool, fn func(in store.Info) (bool, error)) error {
	list := p.cfg.Store.List
	if bodies {
		list = func(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
			return store.ListBodies(ctx, p.cfg.Store, prefix, after, limit)
		}
	}
	for {
		page, err := list(ctx, prefix, after, 1000)
		if err != nil {
			return fmt.Errorf("ingest: list %s: %w", prefix, err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, in := range page {
			after = base(in.Key)
			more, err := fn(in)
			if err != nil || !more {
				return err
			}
		}
	}
}
