package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// The operators' figures. Counting them means reading every entry of the
// week, which over an archive of millions takes seconds; so a gateway
// computes them in the background (RefreshFigures, every minute in
// serve) and keeps them in the store, where every gateway reads the same
// (Figures). The figures of a day that is over are kept too and read
// instead of counted again; filing or routing an invoice of a past day
// drops that day's. They are derived from the entries and never the only
// copy of anything: deleting figures/ only makes the next count slower.

// Stats are the operators' figures, read from the store's listings.
type Stats struct {
	Submissions []Count     // filed today and this week, by channel and status
	Clearing    int         // invoices waiting in clearing
	Backlog     []Backlog   // invoices not acknowledged, per municipality, oldest first
	Rules       []RuleCount // the rules rejected invoices of this week failed most
	Truncated   bool        // a bound was reached: the figures are lower bounds
	Since       time.Time   // start of the week
	// Abandoned counts the submissions kept in part and never
	// acknowledged (no invoices, not counted above); Recent lists the
	// latest of them.
	Abandoned       int
	RecentAbandoned []Abandoned
	// At is when the figures were counted.
	At time.Time
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

// Bounds of one day's count: entries read, reports read; and of the names
// listed per folder.
const (
	maxStatsEntries = 20000
	maxStatsReports = 2000
	maxStatsListed  = 100000
)

// dayFigures are one day's filings, by channel and status, and the rules
// its rejected invoices failed.
type dayFigures struct {
	Day       string                `json:"day"`
	Counts    map[string]int        `json:"counts"` // "channel status"
	Rules     map[string]*RuleCount `json:"rules"`
	Truncated bool                  `json:"truncated,omitempty"`
}

const figuresKey = "figures/ops.json"

func dayFiguresKey(day string) string { return "figures/day/" + day + ".json" }

// dayOf names the day of a submission id in loc, as figures are kept.
func dayOf(id string, loc *time.Location) string { return idTime(id).In(loc).Format(time.DateOnly) }

// Figures returns the operators' figures as a gateway last counted them,
// counting them now (RefreshFigures) where there are none younger than
// maxAge.
func (p *Pipeline) Figures(ctx context.Context, now time.Time, maxAge time.Duration) (Stats, error) {
	var st Stats
	err := getJSON(ctx, p.cfg.Store, figuresKey, &st)
	if err == nil && now.Sub(st.At) < maxAge && !now.Before(st.At) {
		return st, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
		return st, fmt.Errorf("ingest: figures: %w", err)
	}
	return p.RefreshFigures(ctx, now)
}

// RefreshFigures counts the operators' figures and keeps them for every
// gateway to read.
func (p *Pipeline) RefreshFigures(ctx context.Context, now time.Time) (Stats, error) {
	st, err := p.Stats(ctx, now)
	if err != nil {
		return st, err
	}
	if err := putJSON(ctx, p.cfg.Store, figuresKey, st); err != nil {
		return st, fmt.Errorf("ingest: figures: %w", err)
	}
	return st, nil
}

// dropDayFigures forgets the kept figures of a past day whose filings
// changed (an invoice of that day filed late, or routed from clearing).
func (p *Pipeline) dropDayFigures(ctx context.Context, id string) {
	now := p.cfg.Now()
	if day := dayOf(id, now.Location()); day < now.Format(time.DateOnly) {
		if err := p.cfg.Store.Delete(ctx, dayFiguresKey(day)); err != nil {
			p.cfg.Logger.Warn("figures of a past day stay", "day", day, "err", err)
		}
	}
}

// Stats counts today's and this week's figures (the week starts on Monday
// in now's location), reading the kept figures of past days where there
// are. Duplicates are not filed and so not counted.
func (p *Pipeline) Stats(ctx context.Context, now time.Time) (Stats, error) {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	week := today.AddDate(0, 0, -(int(today.Weekday())+6)%7)
	st := Stats{Since: week, At: now.UTC()}
	counts := map[string]*Count{}
	rules := map[string]*RuleCount{}
	for day := week; !day.After(today); day = day.AddDate(0, 0, 1) {
		// A past day's count is kept once nothing of it can still be at
		// work (its last submission's lease ran out); what is filed of it
		// later drops it again.
		end := day.AddDate(0, 0, 1)
		df, err := p.dayFigures(ctx, day, end, now.Sub(end) > p.lease())
		if err != nil {
			return st, err
		}
		st.Truncated = st.Truncated || df.Truncated
		for k, n := range df.Counts {
			c := counts[k]
			if c == nil {
				ch, status, _ := strings.Cut(k, " ")
				c = &Count{Channel: ch, Status: Status(status)}
				counts[k] = c
			}
			c.Week += n
			if day.Equal(today) {
				c.Today += n
			}
		}
		for id, r := range df.Rules {
			if rules[id] == nil {
				rules[id] = &RuleCount{Rule: r.Rule, Message: r.Message, MessageDE: r.MessageDE}
			}
			rules[id].Count += r.Count
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
	return st, p.queues(ctx, &st)
}

// dayFigures counts the filings of the day [start, end), or reads what was
// kept of a past day; a past day's count is kept when keep is set.
func (p *Pipeline) dayFigures(ctx context.Context, start, end time.Time, keep bool) (dayFigures, error) {
	df := dayFigures{Day: start.Format(time.DateOnly), Counts: map[string]int{}, Rules: map[string]*RuleCount{}}
	if keep {
		err := getJSON(ctx, p.cfg.Store, dayFiguresKey(df.Day), &df)
		if err == nil {
			return df, nil
		} else if !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
			return df, fmt.Errorf("ingest: figures %s: %w", df.Day, err)
		}
	}
	read, reports := 0, 0
	folders := []string{"rejected/", clearingPrefix}
	for _, mu := range p.cfg.Directory().Municipalities {
		folders = append(folders, inboxPrefix(mu.ID, "new"), inboxPrefix(mu.ID, "acknowledged"))
	}
	for _, f := range folders {
		err := p.walkRecords(ctx, f, idPrefix(start), func(in store.Info) (bool, error) {
			if !idTime(base(in.Key)).Before(end) {
				return false, nil
			}
			if read >= maxStatsEntries {
				df.Truncated = true
				return false, nil
			}
			read++
			var o Outcome
			if err := record(ctx, p.cfg.Store, in, &o); errors.Is(err, store.ErrNotFound) {
				return true, nil // moved meanwhile
			} else if err != nil {
				return false, err
			}
			df.Counts[o.Channel+" "+string(o.Status)]++
			if o.Status != StatusRejected {
				return true, nil
			}
			if reports >= maxStatsReports {
				df.Truncated = true
				return true, nil
			}
			reports++
			rep, err := p.decodedReport(ctx, o.ID)
			if err != nil {
				return true, nil // a report is missing: the count stays a lower bound
			}
			seen := map[string]bool{}
			for _, fd := range rep.Findings {
				if !fd.Counted || fd.Level != invoice.LevelError || seen[fd.Rule] {
					continue
				}
				seen[fd.Rule] = true
				r := df.Rules[fd.Rule]
				if r == nil {
					r = &RuleCount{Rule: fd.Rule, Message: fd.Message, MessageDE: fd.MessageDE}
					df.Rules[fd.Rule] = r
				}
				r.Count++
			}
			return true, nil
		})
		if err != nil {
			return df, err
		}
	}
	if keep && !df.Truncated {
		if err := putJSON(ctx, p.cfg.Store, dayFiguresKey(df.Day), df); err != nil {
			p.cfg.Logger.Warn("figures of a past day not kept", "day", df.Day, "err", err)
		}
	}
	return df, nil
}

// queues counts what waits: clearing, the abandoned and every
// municipality's invoices not acknowledged.
func (p *Pipeline) queues(ctx context.Context, st *Stats) error {
	// count counts the names below prefix; last, if set, keeps the
	// latest 21 of them.
	count := func(prefix string, last *[]string) (n int, oldest time.Time, err error) {
		err = p.walk(ctx, prefix, "", func(key string) (bool, error) {
			if n == 0 {
				oldest = idTime(base(key))
			}
			if last != nil {
				if *last = append(*last, base(key)); len(*last) > 21 {
					*last = (*last)[1:]
				}
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
	if st.Clearing, _, err = count(clearingPrefix, nil); err != nil {
		return err
	}
	var last []string
	if st.Abandoned, _, err = count(abandonedPrefix, &last); err != nil {
		return err
	}
	if st.Abandoned > 0 {
		after := ""
		if st.Abandoned > 20 && !st.Truncated {
			after = last[0] // the latest 20 follow it: ids sort by time
		}
		if st.RecentAbandoned, err = p.AbandonedList(ctx, after, 20); err != nil {
			return err
		}
	}
	for _, mu := range p.cfg.Directory().Municipalities {
		n, oldest, err := count(inboxPrefix(mu.ID, "new"), nil)
		if err != nil {
			return err
		}
		if n > 0 {
			st.Backlog = append(st.Backlog, Backlog{Recipient: recipient(&mu), Count: n, Oldest: oldest})
		}
	}
	sort.Slice(st.Backlog, func(i, j int) bool { return st.Backlog[i].Oldest.Before(st.Backlog[j].Oldest) })
	return nil
}
