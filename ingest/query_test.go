package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/leitweg"
	"github.com/eingang/eingang/store"
)

// sellerInvoice returns the fixture with another seller name and number.
func sellerInvoice(t testing.TB, seller, number string) []byte {
	b := bytes.Replace(fixture(t), []byte("RE-2026-0042"), []byte(number), 1)
	return bytes.ReplaceAll(b, []byte("Tischlerei Beispiel GmbH"), []byte(seller))
}

func TestSearchInbox(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	var ids []string
	for i, seller := range []string{"Tischlerei Meier", "Bäckerei Schulz", "Tischlerei Krause"} {
		rec, err := p.Submit(ctx, Submission{Data: sellerInvoice(t, seller, fmt.Sprintf("R-%d", i)), Channel: "upload"})
		if err != nil || rec.Status != StatusRouted {
			t.Fatalf("submit %s: %v %+v", seller, err, rec)
		}
		ids = append(ids, rec.ID)
	}
	if _, err := p.Acknowledge(ctx, "lk-weimarer-land", ids[2]); err != nil {
		t.Fatal(err)
	}
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	cases := []struct {
		name string
		q    InboxQuery
		want []string
	}{
		{"new", InboxQuery{}, ids[:2]},
		{"all", InboxQuery{State: "all"}, ids},
		{"acknowledged", InboxQuery{State: "acknowledged"}, ids[2:]},
		{"seller any case", InboxQuery{State: "all", Seller: "tischlerei"}, []string{ids[0], ids[2]}},
		{"number", InboxQuery{State: "all", Number: "r-1"}, ids[1:2]},
		{"amount in range", InboxQuery{Min: "1000", Max: "1190,00"}, ids[:2]},
		{"amount above", InboxQuery{Min: "1190.01"}, nil},
		{"received since", InboxQuery{From: past, To: future}, ids[:2]},
		{"received later", InboxQuery{From: future}, nil},
		{"received before", InboxQuery{To: past}, nil},
		{"page", InboxQuery{State: "all", Limit: 2}, ids[:2]},
		{"next page", InboxQuery{State: "all", Limit: 2, After: ids[1]}, ids[2:]},
	}
	for _, c := range cases {
		got, _, err := p.SearchInbox(ctx, "lk-weimarer-land", c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var gotIDs []string
		for _, o := range got {
			gotIDs = append(gotIDs, o.ID)
		}
		if strings.Join(gotIDs, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %v, want %v", c.name, gotIDs, c.want)
		}
	}
	if _, next, _ := p.SearchInbox(ctx, "lk-weimarer-land", InboxQuery{State: "all", Limit: 2}); next != ids[1] {
		t.Errorf("next cursor %q, want %q", next, ids[1])
	}
	if _, _, err := p.SearchInbox(ctx, "lk-weimarer-land", InboxQuery{Min: "viel"}); err == nil {
		t.Error("a bad amount is no error")
	}
	if got, _, _ := p.SearchInbox(ctx, "erfurt", InboxQuery{State: "all"}); len(got) != 0 {
		t.Errorf("another municipality's search found %d", len(got))
	}
}

func TestStatusAndStats(t *testing.T) {
	ctx := context.Background()
	p, _ := newPipeline(t)
	routed, err := p.Submit(ctx, Submission{Data: fixture(t), Channel: "upload"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Submit(ctx, Submission{Data: withLeitweg(t, "16071103-0001-18", "A-1"), Channel: "email"}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := p.Submit(ctx, Submission{Data: []byte(fmt.Sprintf("<Invoice>%d</Invoice>", i)), Channel: "upload"}); err != nil {
			t.Fatal(err)
		}
	}
	o, rep, err := p.Status(ctx, routed.ID, routed.ReceiptToken)
	if err != nil || o.Status != StatusRouted || rep == nil || !rep.Accepted {
		t.Errorf("status with the receipt token: %+v %v %v", o, rep, err)
	}
	for _, tok := range []string{"", "rct_wrong"} {
		if _, _, err := p.Status(ctx, routed.ID, tok); !errors.Is(err, ErrNotFound) {
			t.Errorf("status with token %q: %v, want not found", tok, err)
		}
	}

	st, err := p.Stats(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range st.Submissions {
		got[c.Channel+"/"+string(c.Status)] = c.Today*10 + c.Week
	}
	want := map[string]int{"upload/routed": 11, "email/clearing": 11, "upload/rejected": 22}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("submissions (today*10+week) %v, want %v", got, want)
	}
	if st.Clearing != 1 || len(st.Backlog) != 1 || st.Backlog[0].ID != "lk-weimarer-land" || st.Backlog[0].Count != 1 || st.Truncated {
		t.Errorf("clearing %d backlog %+v truncated %v", st.Clearing, st.Backlog, st.Truncated)
	}
	if len(st.Rules) == 0 || st.Rules[0].Count != 2 {
		t.Errorf("failing rules %+v, want one failed by both rejected", st.Rules)
	}
	// A week later the submissions are last week's; the backlog stays.
	st, err = p.Stats(ctx, time.Now().AddDate(0, 0, 8))
	if err != nil || len(st.Submissions) != 0 || len(st.Backlog) != 1 {
		t.Errorf("a week later: %+v %v", st, err)
	}
}

func TestLookupLeitweg(t *testing.T) {
	p, _ := newPipeline(t)
	cases := []struct {
		in                 string
		wellFormed, digits bool
		expected, to       string
	}{
		{"16071103-0001-17", true, true, "", "lk-weimarer-land"},
		{" 16071103-0001-18", true, false, "17", ""},
		{"Stadtverwaltung", false, false, "", ""},
		{"", false, false, "", ""},
		{"09162000-" + leitweg.CheckDigits("09162000"), true, true, "", ""},
	}
	for _, c := range cases {
		a := p.LookupLeitweg(c.in)
		to := ""
		if a.Recipient != nil {
			to = a.Recipient.ID
		}
		if a.WellFormed != c.wellFormed || a.CheckDigitsOK != c.digits || a.Expected != c.expected || to != c.to {
			t.Errorf("%q: %+v, want well-formed %v digits %v expected %q to %q", c.in, a, c.wellFormed, c.digits, c.expected, c.to)
		}
	}
	if r := p.Recipients(); len(r) != 22 || r[0].Name > r[1].Name {
		t.Errorf("recipients: %d, first %+v", len(r), r[:2])
	}
}

func TestAuthenticate(t *testing.T) {
	tokA, hA, _ := directory.NewToken()
	tokERP, hERP, _ := directory.NewToken()
	tokOps, hOps, _ := directory.NewToken()
	dir, err := directory.Parse([]byte(fmt.Sprintf("municipalities:\n  - {id: erfurt, name: Erfurt, leitweg_ids: [\"16051000\"], tokens_sha256: [%q], tokens: [{name: ERP Erfurt, sha256: %q}]}\noperators:\n  tokens_sha256: [%q]\n", hA, hERP, hOps)))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := store.OpenFS(t.TempDir())
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	for tok, want := range map[string]Identity{
		tokA:   {Role: RoleAccounting, Municipality: "erfurt", Name: "Erfurt", Actor: hA[:8]},
		tokERP: {Role: RoleAccounting, Municipality: "erfurt", Name: "Erfurt", Actor: "ERP Erfurt"},
		tokOps: {Role: RoleOperator, Name: "operator", Actor: hOps[:8]},
		"egt_": {},
		"":     {},
	} {
		id, ok := p.Authenticate(tok)
		if id != want || ok != (want.Role != "") {
			t.Errorf("token %.8s: %+v %v, want %+v", tok, id, ok, want)
		}
	}
}
