package ingest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/store"
)

// Browser sessions of the pages, kept in the store so that a restarted
// gateway, and every other gateway on the store, knows them. The store
// keeps a session under the SHA-256 of its id (the cookie's value), so
// that reading the store does not log anyone in, and with the SHA-256 of
// the token it was started with, never the token: every use checks that
// hash against the directory in force, so removing a token from the
// directory ends its sessions at once. A person's session (a local
// account's, or one an identity provider vouched for) is listed under
// session-person/<SHA-256 of the person>/ too, so that the person can be
// logged out everywhere at once.

// A Session is a logged-in browser: of a token, of a local account of
// the directory, or of a person an identity provider vouched for.
type Session struct {
	Identity
	// TokenSHA256 is the hash of the token it was started with; "" for a
	// person's session.
	TokenSHA256 string `json:"token_sha256,omitempty"`
	// Person names the person of a person's session (a local account's
	// name; for an OpenID Connect login OIDCPerson of the issuer and the
	// subject); "" for a token's.
	Person string `json:"person,omitempty"`
	// Account marks the session of a local account of the directory.
	Account  bool      `json:"account,omitempty"`
	Started  time.Time `json:"started"`
	Expires  time.Time `json:"expires"`   // absolute end
	LastSeen time.Time `json:"last_seen"` // for the idle timeout, kept to the minute
	// OIDC is set for a person who logged in through an OpenID Connect
	// provider (see oidcsession.go): what the provider said of them,
	// checked against the directory in force on every use.
	OIDC *OIDCLogin `json:"oidc,omitempty"`
}

func sessionHash(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func sessionKey(id string) string { return "session/" + sessionHash(id) }

// personPrefix is the folder that lists a person's sessions, one empty
// object per session named by its key's hash, so that logging a person
// out everywhere reads only their own sessions.
func personPrefix(person string) string {
	sum := sha256.Sum256([]byte(person))
	return "session-person/" + hex.EncodeToString(sum[:]) + "/"
}

// StartSession logs a browser in with a token: it returns the session's
// id (for the cookie) and the session, or ok false for a token the
// directory does not know. The session ends ttl after now at the latest.
func (p *Pipeline) StartSession(ctx context.Context, token string, ttl time.Duration) (id string, s Session, ok bool, err error) {
	who, ok := p.Authenticate(token)
	if !ok {
		return "", s, false, nil
	}
	id, s, err = p.startSession(ctx, newSessionID(), Session{Identity: who, TokenSHA256: directory.HashToken(token)}, ttl)
	return id, s, err == nil, err
}

// StartAccountSession logs a browser in with a local account of the
// directory: it returns the session's id and the session, or ok false for
// an unknown name or a wrong password. The session ends ttl after now at
// the latest, and at once when the account leaves the directory or
// changes its role or municipality.
//
// At most passwordChecks passwords are checked at once on a gateway; a
// login waits for its turn as long as ctx lets it.
func (p *Pipeline) StartAccountSession(ctx context.Context, name, password string, ttl time.Duration) (id string, s Session, ok bool, err error) {
	select {
	case p.passwordSlots <- struct{}{}:
	case <-ctx.Done():
		return "", s, false, fmt.Errorf("ingest: session: waiting to check a password: %w", ctx.Err())
	}
	who, ok := p.Login(name, password)
	<-p.passwordSlots
	if !ok {
		return "", s, false, nil
	}
	id, s, err = p.startSession(ctx, newSessionID(), Session{Identity: who, Person: name, Account: true}, ttl)
	return id, s, err == nil, err
}

// StartPersonSession logs a browser in for a person whom the caller has
// authenticated, e.g. by an identity provider's answer: who is the
// identity the caller grants (its Role one of RoleClerk, RoleAuditor,
// RoleOperator; Municipality a municipality of the directory in force for
// a clerk or an auditor), person names the person for logging out
// everywhere (EndPersonSessions; e.g. the provider's issuer and subject,
// see OIDCPerson), and who.Actor, where empty, becomes person. It returns
// the session's id (for the cookie) and the session, which ends ttl after
// now at the latest, idle as Session says, and at once when the
// municipality leaves the directory.
//
// A login through an OpenID Connect provider passes what the provider
// said (login) and its refresh token (empty: none), which the session
// keeps sealed (OIDCRefreshToken): every use then checks login.Person
// against the directory in force, and the pages ask the provider again
// from login.Recheck on. Without a login the pipeline does not check the
// person's role again: a role taken away at the identity provider ends
// with the session or by EndPersonSessions.
func (p *Pipeline) StartPersonSession(ctx context.Context, who Identity, person string, login *OIDCLogin, refreshToken string, ttl time.Duration) (id string, s Session, err error) {
	if person == "" {
		return "", s, errors.New("ingest: person session: no person")
	}
	if who.Actor == "" {
		who.Actor = person
	}
	if !p.stillPerson(who) {
		return "", s, fmt.Errorf("ingest: person session: role %q of municipality %q is not one the directory in force has", who.Role, who.Municipality)
	}
	id = newSessionID()
	s = Session{Identity: who, Person: person}
	if login != nil {
		l := *login
		if l.Refresh, err = sealRefresh(id, refreshToken); err != nil {
			return "", s, err
		}
		s.OIDC = &l
	}
	return p.startSession(ctx, id, s, ttl)
}

// stillPerson reports whether an identity provider's person's identity
// still fits the directory in force.
func (p *Pipeline) stillPerson(who Identity) bool {
	switch who.Role {
	case RoleOperator:
		return who.Municipality == ""
	case RoleClerk, RoleAuditor:
		m := p.cfg.Directory().Municipality(who.Municipality)
		return m != nil
	}
	return false
}

// formerRoleClerk is the role name sessions kept before RoleClerk had
// its name hold for a clerk.
const formerRoleClerk = "accounting"

// newSessionID returns a new random session id, the cookie's value.
func newSessionID() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// startSession keeps a new session s under id, for ttl from now, and in
// its person's list.
func (p *Pipeline) startSession(ctx context.Context, id string, s Session, ttl time.Duration) (string, Session, error) {
	now := p.cfg.Now().UTC()
	s.Started, s.Expires, s.LastSeen = now, now.Add(ttl), now
	if s.Person != "" {
		// The person's list first: no session of a person it does not list.
		key := personPrefix(s.Person) + sessionHash(id)
		if err := p.cfg.Store.Create(ctx, key, bytes.NewReader(nil), 0, store.CreateOptions{}); err != nil {
			return "", s, fmt.Errorf("ingest: session: %w", err)
		}
	}
	if err := createJSON(ctx, p.cfg.Store, sessionKey(id), s); err != nil {
		return "", s, fmt.Errorf("ingest: session: %w", err)
	}
	return id, s, nil
}

// Session returns the session of a browser's id: ErrNotFound when there
// is none, it has ended (its absolute end, or idle longer than idle), or
// it no longer fits the directory in force: its token or local account
// gone or of another role or municipality, an identity provider's
// person's municipality gone.
func (p *Pipeline) Session(ctx context.Context, id string, idle time.Duration) (Session, error) {
	var s Session
	if len(id) != 64 {
		return s, ErrNotFound
	}
	key := sessionKey(id)
	if err := getJSON(ctx, p.cfg.Store, key, &s); errors.Is(err, store.ErrNotFound) || corrupt(err) {
		return s, ErrNotFound
	} else if err != nil {
		return s, fmt.Errorf("ingest: session: %w", err)
	}
	if s.Role == formerRoleClerk {
		s.Role = RoleClerk // a session kept before the role's renaming goes on
	}
	now := p.cfg.Now().UTC()
	d := p.cfg.Directory()
	still := false
	switch {
	case s.TokenSHA256 != "":
		role, m, actor := d.IdentifyHash(s.TokenSHA256)
		who, ok := identity(role, m, actor)
		still = ok && who.Role == s.Role && who.Municipality == s.Municipality
		s.Actor = actor // a renamed token shows its new name
	case s.Account:
		role, m := d.Account(s.Person)
		who, ok := identity(role, m, s.Person)
		still = ok && who.Role == s.Role && who.Municipality == s.Municipality
	case s.OIDC != nil:
		role, m, _ := d.IdentifyPerson(s.OIDC.Person)
		who, ok := identity(role, m, s.Actor)
		still = ok && who.Role == s.Role && who.Municipality == s.Municipality
	case s.Person != "":
		still = p.stillPerson(s.Identity)
	}
	if !still || !now.Before(s.Expires) || idle > 0 && now.Sub(s.LastSeen) > idle {
		p.endSession(ctx, sessionHash(id), s.Person)
		return Session{}, ErrNotFound
	}
	if now.Sub(s.LastSeen) > time.Minute {
		s.LastSeen = now
		if err := putJSON(ctx, p.cfg.Store, key, s); err != nil {
			p.cfg.Logger.Warn("session last seen not kept", "err", err)
		}
	}
	return s, nil
}

// endSession deletes a session by its key's hash, and its entry in its
// person's list.
func (p *Pipeline) endSession(ctx context.Context, hash, person string) error {
	if err := p.cfg.Store.Delete(ctx, "session/"+hash); err != nil {
		return fmt.Errorf("ingest: session: %w", err)
	}
	if person != "" {
		if err := p.cfg.Store.Delete(ctx, personPrefix(person)+hash); err != nil {
			return fmt.Errorf("ingest: session: %w", err)
		}
	}
	return nil
}

// EndSession logs a browser out on every gateway.
func (p *Pipeline) EndSession(ctx context.Context, id string) error {
	if len(id) != 64 {
		return nil
	}
	var s Session
	if err := getJSON(ctx, p.cfg.Store, sessionKey(id), &s); err != nil && !errors.Is(err, store.ErrNotFound) && !corrupt(err) {
		return fmt.Errorf("ingest: session: %w", err)
	}
	return p.endSession(ctx, sessionHash(id), s.Person)
}

// EndPersonSessions logs a person out everywhere: it ends every session
// started for person (StartAccountSession, StartPersonSession) on every
// gateway, and returns how many it ended.
func (p *Pipeline) EndPersonSessions(ctx context.Context, person string) (int, error) {
	if person == "" {
		return 0, nil
	}
	prefix, n := personPrefix(person), 0
	err := p.walk(ctx, prefix, "", func(key string) (bool, error) {
		if err := p.endSession(ctx, base(key), person); err != nil {
			return false, err
		}
		n++
		return true, nil
	})
	return n, err
}
