package ingest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// TestOIDCSession checks the sessions of people who log in through an
// OpenID Connect provider: another gateway knows them, the directory in
// force decides on every use, the refresh token is kept sealed and comes
// back whole, and a renewal keeps the provider's new word.
func TestOIDCSession(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	parse := func(groups string) *directory.Directory {
		d, err := directory.Parse([]byte("municipalities:\n  - {id: erfurt, name: Erfurt, oidc_groups: [" + groups + "]}\n  - {id: weimar, name: Weimar, oidc_groups: [rw], oidc_auditor_groups: [aw]}\noperators: {oidc_groups: [ops]}\nauditors: {oidc_groups: [audit]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	dir := parse("re")
	gateway := func() *Pipeline {
		p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
		return p
	}
	a, b := gateway(), gateway()

	anna := directory.Person{Groups: []string{"re"}}
	cases := []struct {
		person directory.Person
		want   Identity
		err    bool
	}{
		{anna, Identity{Role: RoleClerk, Municipality: "erfurt", Name: "Erfurt", Actor: "Anna"}, false},
		{directory.Person{Groups: []string{"aw"}}, Identity{Role: RoleAuditor, Municipality: "weimar", Name: "Weimar", Actor: "Anna"}, false},
		{directory.Person{MunicipalityClaim: true, Municipality: "erfurt", Groups: []string{"audit"}}, Identity{Role: RoleAuditor, Municipality: "erfurt", Name: "Erfurt", Actor: "Anna"}, false},
		{directory.Person{Groups: []string{"audit"}}, Identity{}, true}, // no municipality claim names whose
		{directory.Person{Groups: []string{"re", "aw"}}, Identity{}, true},
		{directory.Person{Groups: []string{"ops"}}, Identity{Role: RoleOperator, Name: "operator", Actor: "Anna"}, false},
		{directory.Person{Groups: []string{"re", "rw"}}, Identity{}, true},
		{directory.Person{}, Identity{}, true},
	}
	for _, c := range cases {
		got, err := a.IdentifyPerson(c.person, "Anna")
		if got != c.want || (err != nil) != c.err || err != nil && !errors.Is(err, directory.ErrNoRole) {
			t.Errorf("IdentifyPerson(%v) = %+v, %v; want %+v, error %v", c.person, got, err, c.want, c.err)
		}
	}

	who, _ := a.IdentifyPerson(anna, "Anna")
	recheck := time.Now().Add(time.Minute).UTC().Round(0)
	id, started, err := a.StartPersonSession(ctx, who, OIDCPerson("https://idp", "s1"), &OIDCLogin{Issuer: "https://idp", Subject: "s1", Person: anna, Recheck: recheck}, "refresh-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Get(ctx, sessionKey(id))
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(raw)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("refresh-1")) || bytes.Contains(data, []byte(id)) {
		t.Errorf("the store holds the refresh token or the session id in the clear: %s", data)
	}
	got, err := b.Session(ctx, id, time.Hour)
	if err != nil || got.Identity != who || got.OIDC == nil || got.OIDC.Subject != "s1" || !got.OIDC.Recheck.Equal(recheck) {
		t.Fatalf("the other gateway: %+v %v (started %+v)", got, err, started)
	}
	if rt, err := b.OIDCRefreshToken(id, got); rt != "refresh-1" || err != nil {
		t.Errorf("refresh token %q %v", rt, err)
	}
	other := id[:63] + "0"
	if id[63] == '0' {
		other = id[:63] + "1"
	}
	if _, err := b.OIDCRefreshToken(other, got); err == nil {
		t.Error("another id unsealed the refresh token")
	}

	// A renewal without a new refresh token keeps the old one.
	next := recheck.Add(time.Hour)
	if _, err := b.RenewOIDCSession(ctx, id, OIDCLogin{Issuer: "https://idp", Subject: "s1", Person: anna, Recheck: next}, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = a.Session(ctx, id, time.Hour)
	if rt, _ := a.OIDCRefreshToken(id, got); rt != "refresh-1" || !got.OIDC.Recheck.Equal(next) {
		t.Errorf("after a renewal without a token: %q, recheck %v", rt, got.OIDC.Recheck)
	}
	if _, err := b.RenewOIDCSession(ctx, id, OIDCLogin{Issuer: "https://idp", Subject: "s1", Person: anna, Recheck: next}, "refresh-2"); err != nil {
		t.Fatal(err)
	}
	got, _ = a.Session(ctx, id, time.Hour)
	if rt, _ := a.OIDCRefreshToken(id, got); rt != "refresh-2" {
		t.Errorf("after a renewal with a new token: %q", rt)
	}

	// Logging the person out everywhere ends this session too; a new
	// one ends when the group leaves the municipality in the directory.
	if n, err := b.EndPersonSessions(ctx, OIDCPerson("https://idp", "s1")); n != 1 || err != nil {
		t.Errorf("EndPersonSessions: %d %v", n, err)
	}
	if _, err := a.Session(ctx, id, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("after logout everywhere: %v", err)
	}
	id, _, err = a.StartPersonSession(ctx, who, OIDCPerson("https://idp", "s1"), &OIDCLogin{Issuer: "https://idp", Subject: "s1", Person: anna, Recheck: recheck}, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Session(ctx, id, time.Hour); err != nil {
		t.Fatalf("a new session: %v", err)
	}
	dir = parse("andere")
	if _, err := a.Session(ctx, id, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("after the directory dropped the group: %v", err)
	}
	if _, err := a.RenewOIDCSession(ctx, id, OIDCLogin{}, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("renewing an ended session: %v", err)
	}
}
