package ingest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/invoice"
	"github.com/eingang/eingang/store"
)

// TestSessionStore checks the pages' sessions kept in the store: another
// gateway and a restarted one know a session, logging out ends it
// everywhere, and it ends when its token leaves the directory, when it
// was idle too long and at its absolute end.
func TestSessionStore(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	token, hash, _ := directory.NewToken()
	other, otherHash, _ := directory.NewToken()
	parse := func(hashes ...string) *directory.Directory {
		y := "municipalities:\n  - {id: erfurt, name: Erfurt, leitweg_ids: [\"16051000\"], tokens: ["
		for i, h := range hashes {
			if i > 0 {
				y += ", "
			}
			y += `{name: "Kasse ` + string(rune('A'+i)) + `", sha256: "` + h + `"}`
		}
		d, err := directory.Parse([]byte(y + "]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	dir := parse(hash, otherHash)
	clock := time.Now()
	gateway := func() *Pipeline {
		p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }, Now: func() time.Time { return clock }})
		return p
	}
	a, b := gateway(), gateway()

	if _, _, ok, err := a.StartSession(ctx, "egt_wrong", time.Hour); ok || err != nil {
		t.Fatalf("a wrong token started a session: %v %v", ok, err)
	}
	id, _, ok, err := a.StartSession(ctx, token, 8*time.Hour)
	if !ok || err != nil {
		t.Fatalf("start: %v %v", ok, err)
	}
	for name, p := range map[string]*Pipeline{"the other gateway": b, "a restarted gateway": gateway()} {
		got, err := p.Session(ctx, id, time.Hour)
		if err != nil || got.Municipality != "erfurt" || got.Actor != "Kasse A" {
			t.Errorf("%s: %+v %v", name, got, err)
		}
	}
	if _, err := b.Session(ctx, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown id: %v", err)
	}

	// Logging out on a ends the session on b.
	if err := a.EndSession(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Session(ctx, id, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("after logout: %v", err)
	}

	// The token leaves the directory: its sessions end on the next use.
	id, _, _, _ = a.StartSession(ctx, token, 8*time.Hour)
	id2, _, _, _ := a.StartSession(ctx, other, 8*time.Hour)
	dir = parse(otherHash)
	if _, err := b.Session(ctx, id, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("a revoked token's session: %v", err)
	}
	if _, err := b.Session(ctx, id2, time.Hour); err != nil {
		t.Errorf("another token's session: %v", err)
	}

	// Idle, then absolute.
	clock = clock.Add(30 * time.Minute)
	if _, err := b.Session(ctx, id2, time.Hour); err != nil {
		t.Errorf("after 30 minutes: %v", err)
	}
	clock = clock.Add(61 * time.Minute)
	if _, err := b.Session(ctx, id2, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("idle 61 minutes: %v", err)
	}
	id3, _, _, _ := a.StartSession(ctx, other, 2*time.Hour)
	for range 5 { // used every 30 minutes: never idle, but 2 hours end it
		clock = clock.Add(30 * time.Minute)
		_, err = b.Session(ctx, id3, time.Hour)
	}
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("after its absolute end: %v", err)
	}
}

// TestSessionFormerRole: sessions kept before the clerk's role had its
// name, a token's and an OpenID Connect login's (without a person then),
// go on as the clerk's; a session of another role so named ends.
func TestSessionFormerRole(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	_, hash, _ := directory.NewToken()
	dir, err := directory.Parse([]byte("municipalities:\n  - {id: erfurt, name: Erfurt, tokens: [{name: Kasse, sha256: \"" + hash + "\"}], oidc_groups: [re]}\noperators: {oidc_groups: [ops]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	now := time.Now().UTC()
	kept := func(sess Session) string {
		t.Helper()
		id := newSessionID()
		sess.Started, sess.Expires, sess.LastSeen = now, now.Add(time.Hour), now
		if err := createJSON(ctx, s, sessionKey(id), sess); err != nil {
			t.Fatal(err)
		}
		return id
	}
	clerk := Identity{Role: formerRoleClerk, Municipality: "erfurt", Name: "Erfurt"}
	cases := []struct {
		name string
		sess Session
		want string // the role; "" where the session ends
	}{
		{"token", Session{Identity: clerk, TokenSHA256: hash}, RoleClerk},
		{"oidc", Session{Identity: clerk, OIDC: &OIDCLogin{Issuer: "https://idp", Subject: "s1", Person: directory.Person{Groups: []string{"re"}}}}, RoleClerk},
		{"oidc operator named a clerk", Session{Identity: clerk, OIDC: &OIDCLogin{Issuer: "https://idp", Subject: "s2", Person: directory.Person{Groups: []string{"ops"}}}}, ""},
	}
	for _, c := range cases {
		got, err := p.Session(ctx, kept(c.sess), time.Hour)
		switch {
		case c.want == "" && !errors.Is(err, ErrNotFound):
			t.Errorf("%s: %+v %v, want the session ended", c.name, got, err)
		case c.want != "" && (err != nil || got.Role != c.want):
			t.Errorf("%s: %+v %v, want role %s", c.name, got, err, c.want)
		}
	}
}

// TestSessionPerson: sessions of local accounts and of persons an
// identity provider vouched for; logging a person out everywhere ends
// every session of theirs and none of anyone else's, and an account's
// session ends when the account leaves the directory or changes role.
func TestSessionPerson(t *testing.T) {
	ctx := context.Background()
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := directory.HashPassword("correct horse battery")
	parse := func(accounts string) *directory.Directory {
		d, err := directory.Parse([]byte("municipalities:\n  - {id: erfurt, name: Erfurt, leitweg_ids: [\"16051000\"], accounts: [" + accounts + "]}\n  - {id: jena, name: Jena, leitweg_ids: [\"16053000\"]}\n"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	dir := parse(`{name: Erika, argon2id: "` + hash + `"}, {name: Otto, argon2id: "` + hash + `"}`)
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	if _, _, ok, err := p.StartAccountSession(ctx, "Erika", "wrong horse battery", time.Hour); ok || err != nil {
		t.Fatalf("a wrong password: %v %v", ok, err)
	}
	var erika []string
	for range 2 { // two browsers
		id, sess, ok, err := p.StartAccountSession(ctx, "Erika", "correct horse battery", time.Hour)
		if !ok || err != nil || sess.Role != RoleClerk || sess.Municipality != "erfurt" || sess.Actor != "Erika" {
			t.Fatalf("account session: %+v %v %v", sess, ok, err)
		}
		erika = append(erika, id)
	}
	otto, _, _, _ := p.StartAccountSession(ctx, "Otto", "correct horse battery", time.Hour)
	idp, sess, err := p.StartPersonSession(ctx, Identity{Role: RoleAuditor, Municipality: "jena", Name: "Jena"}, "https://idp.example/|u42", nil, "", time.Hour)
	if err != nil || sess.Actor != "https://idp.example/|u42" {
		t.Fatalf("person session: %+v %v", sess, err)
	}
	for _, bad := range []Identity{{Role: RoleClerk, Municipality: "nowhere"}, {Role: "root"}, {Role: RoleOperator, Municipality: "jena"}} {
		if _, _, err := p.StartPersonSession(ctx, bad, "x", nil, "", time.Hour); err == nil {
			t.Errorf("a person session as %+v", bad)
		}
	}
	if n, err := p.EndPersonSessions(ctx, "Erika"); n != 2 || err != nil {
		t.Errorf("EndPersonSessions: %d %v", n, err)
	}
	for i, id := range erika {
		if _, err := p.Session(ctx, id, time.Hour); !errors.Is(err, ErrNotFound) {
			t.Errorf("Erika's session %d after logout everywhere: %v", i, err)
		}
	}
	for name, id := range map[string]string{"Otto": otto, "the provider's person": idp} {
		if _, err := p.Session(ctx, id, time.Hour); err != nil {
			t.Errorf("%s's session: %v", name, err)
		}
	}
	// Otto becomes an auditor: his clerk's session ends.
	dir = parse(`{name: Otto, role: auditor, argon2id: "` + hash + `"}`)
	if _, err := p.Session(ctx, otto, time.Hour); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session of a changed role: %v", err)
	}
	if list, _ := s.List(ctx, personPrefix("Otto"), "", 10); len(list) != 0 {
		t.Errorf("an ended session stays listed: %v", list)
	}
	if n, err := p.EndPersonSessions(ctx, "Otto"); n != 0 || err != nil {
		t.Errorf("EndPersonSessions of none: %d %v", n, err)
	}
}

// TestSessionPasswordSlots: a gateway checks at most passwordChecks
// passwords at once; a login waits for a slot as long as its context
// lets it, and goes on once one is free.
func TestSessionPasswordSlots(t *testing.T) {
	s, err := store.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := directory.HashPassword("correct horse battery")
	dir, err := directory.Parse([]byte("municipalities:\n  - {id: erfurt, name: Erfurt, accounts: [{name: Erika, argon2id: \"" + hash + "\"}]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := testPipeline(t, Config{Store: s, Validator: invoice.NewValidator(), Directory: func() *directory.Directory { return dir }})
	for range passwordChecks { // every slot taken
		p.passwordSlots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, ok, err := p.StartAccountSession(ctx, "Erika", "correct horse battery", time.Hour); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every slot taken: %v %v, want to wait until the deadline", ok, err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, ok, err := p.StartAccountSession(context.Background(), "Erika", "correct horse battery", time.Hour)
		if !ok && err == nil {
			err = errors.New("not logged in")
		}
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("a login went on with every slot taken: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-p.passwordSlots // one slot frees
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(p.passwordSlots); n != passwordChecks-1 {
		t.Errorf("%d slots taken after the login, want %d", n, passwordChecks-1)
	}
}
