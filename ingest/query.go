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

// Check validates a document and keeps nothing.
func (p *Pipeline) Check(ctx context.Context, data []byte) (*invoice.Report, error) {
	rep, err := p.cfg.Validator.Validate(ctx, data, invoice.Options{Model: true})
	if err != nil {
		return nil, fmt.Errorf("ingest: check: %w", err)
	}
	return rep, nil
}

// Status returns what became of a submission and its report, for the
// holder of its receipt token; ErrNotFound for an unknown id or a token
// that is not the submission's.
func (p *Pipeline) Status(ctx context.Context, id, receiptToken string) (Outcome, *invoice.Report, error) {
	meta, err := p.Meta(ctx, id)
	if err != nil {
		return Outcome{}, nil, err
	}
	sum := sha256.Sum256([]byte(receiptToken))
	want, _ := hex.DecodeString(meta.ReceiptTokenSHA256)
	if receiptToken == "" || subtle.ConstantTimeCompare(sum[:], want) != 1 {
		return Outcome{}, nil, ErrNotFound
	}
	o, err := p.Outcome(ctx, id)
	if err != nil {
		return o, nil, err
	}
	rep, err := p.report(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return o, nil, nil // pending
	}
	return o, rep, err
}

func (p *Pipeline) report(ctx context.Context, id string) (*invoice.Report, error) {
	var rep invoice.Report
	if err := getJSON(ctx, p.cfg.Store, reportKey(id), &rep); err != nil {
		return nil, err
	}
	return &rep, nil
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
	RoleAccounting = "accounting"
	RoleOperator   = "operator"
)

// An Identity is who a person is to the gateway: a role and, for
// accounting, the municipality. A token or an identity provider yields it.
type Identity struct {
	Role         string
	Municipality string // the municipality's id, for accounting
	Name         string // the municipality's name, or "operator"
}

// Authenticate returns the identity a bearer token stands for; false for
// an unknown token.
func (p *Pipeline) Authenticate(token string) (Identity, bool) {
	role, m := p.cfg.Directory().Authenticate(token)
	switch role {
	case directory.Accounting:
		return Identity{Role: RoleAccounting, Municipality: m.ID, Name: m.Name}, true
	case directory.Operator:
		return Identity{Role: RoleOperator, Name: "operator"}, true
	}
	return Identity{}, false
}

// Stats are the operators' figures, read from the store's listings.
type Stats struct {
	Submissions []Count // filed today and this week, by channel and status
	Clearing    int     // invoices waiting in clearing
	// Abandoned counts the submissions kept in part and never
	// acknowledged (no invoices, not counted above); Recent lists the
	// latest of them.
	Abandoned       int
	RecentAbandoned []Abandoned
	Backlog         []Backlog   // invoices not acknowledged, per municipality, oldest first
	Rules           []RuleCount // the rules rejected invoices of this week failed most
	Truncated       bool        // a bound was reached: the figures are lower bounds
	Since           time.Time   // start of the week
}

// A Count is how many submissions of a channel ended with a status.
type Count struct {
	Channel     string
	Status      Status
	Today, Week int
}

// Backlog is a municipality's invoices not yet acknowledged.
type Backlog struct {
	Recipient
	Count  int
	Oldest time.Time
}

// A RuleCount is how many invoices failed a rule.
type RuleCount struct {
	Rule               string
	Message, MessageDE string // English and German
	Count              int
}

// Bounds of Stats: entries read, reports read, names listed per folder.
const (
	maxStatsEntries = 20000
	maxStatsReports = 2000
	maxStatsListed  = 100000
)

// Stats computes today's and this week's figures (the week starts on Monday
// in now's location). Duplicates are not filed and so not counted.
func (p *Pipeline) Stats(ctx context.Context, now time.Time) (Stats, error) {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	week := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	st := Stats{Since: week}
	counts := map[[2]string]*Count{}
	rules := map[string]*RuleCount{}
	read, reports := 0, 0
	folders := []string{"rejected/", "clearing/"}
	dir := p.cfg.Directory()
	for _, mu := range dir.Municipalities {
		folders = append(folders, "inbox/"+mu.ID+"/new/", "inbox/"+mu.ID+"/acknowledged/")
	}
	for _, f := range folders {
		err := p.walk(ctx, f, idPrefix(week), func(key string) (bool, error) {
			if read >= maxStatsEntries {
				st.Truncated = true
				return false, nil
			}
			read++
			var o Outcome
			if err := getJSON(ctx, p.cfg.Store, key, &o); errors.Is(err, store.ErrNotFound) {
				return true, nil // moved meanwhile
			} else if err != nil {
				return false, err
			}
			c := counts[[2]string{o.Channel, string(o.Status)}]
			if c == nil {
				c = &Count{Channel: o.Channel, Status: o.Status}
				counts[[2]string{o.Channel, string(o.Status)}] = c
			}
			c.Week++
			if !idTime(o.ID).Before(today) {
				c.Today++
			}
			if o.Status != StatusRejected {
				return true, nil
			}
			if reports >= maxStatsReports {
				st.Truncated = true
				return true, nil
			}
			reports++
			rep, err := p.report(ctx, o.ID)
			if err != nil {
				return true, nil // a report is missing: the count stays a lower bound
			}
			seen := map[string]bool{}
			for _, fd := range rep.Findings {
				if !fd.Counted || fd.Level != invoice.LevelError || seen[fd.Rule] {
					continue
				}
				seen[fd.Rule] = true
				r := rules[fd.Rule]
				if r == nil {
					r = &RuleCount{Rule: fd.Rule, Message: fd.Message, MessageDE: fd.MessageDE}
					rules[fd.Rule] = r
				}
				r.Count++
			}
			return true, nil
		})
		if err != nil {
			return st, err
		}
	}
	for _, c := range counts {
		st.Submissions = append(st.Submissions, *c)
	}
	sort.Slice(st.Submissions, func(i, j int) bool {
		a, b := st.Submissions[i], st.Submissions[j]
		return a.Channel < b.Channel || a.Channel == b.Channel && a.Status < b.Status
	})
	for _, r := range rules {
		st.Rules = append(st.Rules, *r)
	}
	sort.Slice(st.Rules, func(i, j int) bool {
		a, b := st.Rules[i], st.Rules[j]
		return a.Count > b.Count || a.Count == b.Count && a.Rule < b.Rule
	})
	if len(st.Rules) > 10 {
		st.Rules = st.Rules[:10]
	}

	count := func(prefix string) (n int, oldest time.Time, err error) {
		err = p.walk(ctx, prefix, "", func(key string) (bool, error) {
			if n == 0 {
				oldest = idTime(base(key))
			}
			n++
			if n >= maxStatsListed {
				st.Truncated = true
				return false, nil
			}
			return true, nil
		})
		return n, oldest, err
	}
	var err error
	if st.Clearing, _, err = count("clearing/"); err != nil {
		return st, err
	}
	if st.Abandoned, _, err = count(abandonedPrefix); err != nil {
		return st, err
	}
	if st.Abandoned > 0 {
		after := ""
		if st.Abandoned > 20 && !st.Truncated {
			// The latest 20: ids sort by time, so skip to them.
			n := 0
			err = p.walk(ctx, abandonedPrefix, "", func(key string) (bool, error) {
				if n++; n == st.Abandoned-20 {
					after = base(key)
					return false, nil
				}
				return true, nil
			})
			if err != nil {
				return st, err
			}
		}
		if st.RecentAbandoned, err = p.AbandonedList(ctx, after, 20); err != nil {
			return st, err
		}
	}
	for _, mu := range dir.Municipalities {
		n, oldest, err := count("inbox/" + mu.ID + "/new/")
		if err != nil {
			return st, err
		}
		if n > 0 {
			st.Backlog = append(st.Backlog, Backlog{Recipient: recipient(&mu), Count: n, Oldest: oldest})
		}
	}
	sort.Slice(st.Backlog, func(i, j int) bool { return st.Backlog[i].Oldest.Before(st.Backlog[j].Oldest) })
	return st, nil
}

// walk calls fn for every key directly below prefix after the cursor, in
// order, until fn returns false.
func (p *Pipeline) walk(ctx context.Context, prefix, after string, fn func(key string) (bool, error)) error {
	for {
		page, err := p.cfg.Store.List(ctx, prefix, after, 1000)
		if err != nil {
			return fmt.Errorf("ingest: list %s: %w", prefix, err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, in := range page {
			after = base(in.Key)
			more, err := fn(in.Key)
			if err != nil || !more {
				return err
			}
		}
	}
}
