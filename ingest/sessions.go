package ingest

import (
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
// directory ends its sessions at once.

// A Session is a logged-in browser.
type Session struct {
	Identity
	TokenSHA256 string    `json:"token_sha256"`
	Started     time.Time `json:"started"`
	Expires     time.Time `json:"expires"`   // absolute end
	LastSeen    time.Time `json:"last_seen"` // for the idle timeout, kept to the minute
	// OIDC is set for a login through an OpenID Connect provider (see
	// oidcsession.go), which has no token.
	OIDC *OIDCLogin `json:"oidc,omitempty"`
}

func sessionKey(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "session/" + hex.EncodeToString(sum[:])
}

// StartSession logs a browser in with a token: it returns the session's
// id (for the cookie) and the session, or ok false for a token the
// directory does not know. The session ends ttl after now at the latest.
func (p *Pipeline) StartSession(ctx context.Context, token string, ttl time.Duration) (id string, s Session, ok bool, err error) {
	who, ok := p.Authenticate(token)
	if !ok {
		return "", s, false, nil
	}
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	id = hex.EncodeToString(b)
	now := p.cfg.Now().UTC()
	s = Session{Identity: who, TokenSHA256: directory.HashToken(token), Started: now, Expires: now.Add(ttl), LastSeen: now}
	if err := createJSON(ctx, p.cfg.Store, sessionKey(id), s); err != nil {
		return "", s, false, fmt.Errorf("ingest: session: %w", err)
	}
	return id, s, true, nil
}

// Session returns the session of a browser's id: ErrNotFound when there
// is none, it has ended (its absolute end, or idle longer than idle), or
// its token no longer gives the same identity in the directory.
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
	now := p.cfg.Now().UTC()
	role, m, actor := p.cfg.Directory().IdentifyHash(s.TokenSHA256)
	if s.OIDC != nil {
		role, m, actor = p.identifyOIDC(s)
	}
	still := role == directory.Accounting && s.Role == RoleAccounting && m.ID == s.Municipality ||
		role == directory.Operator && s.Role == RoleOperator
	if !still || !now.Before(s.Expires) || idle > 0 && now.Sub(s.LastSeen) > idle {
		p.cfg.Store.Delete(ctx, key)
		return Session{}, ErrNotFound
	}
	s.Actor = actor // a renamed token shows its new name
	if now.Sub(s.LastSeen) > time.Minute {
		s.LastSeen = now
		if err := putJSON(ctx, p.cfg.Store, key, s); err != nil {
			p.cfg.Logger.Warn("session last seen not kept", "err", err)
		}
	}
	return s, nil
}

// EndSession logs a browser out on every gateway.
func (p *Pipeline) EndSession(ctx context.Context, id string) error {
	if len(id) != 64 {
		return nil
	}
	if err := p.cfg.Store.Delete(ctx, sessionKey(id)); err != nil {
		return fmt.Errorf("ingest: session: %w", err)
	}
	return nil
}
