package ingest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/store"
)

// Sessions of people who log in through an OpenID Connect provider. Such
// a session is a Session like a token's, with OIDC set: instead of a
// token's hash it keeps what the provider said of the person (the groups,
// the municipality claim), checked against the directory in force on every
// use, and the refresh token with which the pages ask the provider again
// when Recheck has come. The refresh token is sealed with a key derived
// from the session's id, which the store does not hold: reading the store
// gives it away no more than it logs anyone in.

// An OIDCLogin is what a session started by an OpenID Connect login keeps
// of it.
type OIDCLogin struct {
	Issuer  string           `json:"issuer"`
	Subject string           `json:"subject"` // the provider's "sub"
	Person  directory.Person `json:"person"`  // as the provider named it last
	// Recheck is when the pages ask the provider again.
	Recheck time.Time `json:"recheck"`
	// Refresh is the refresh token, sealed (see sealRefresh).
	Refresh []byte `json:"refresh,omitempty"`
}

// IdentifyPerson returns the identity the directory in force gives a
// person an OpenID Connect provider vouches for, acting as actor (their
// name); an error matching directory.ErrNoRole where it gives none.
func (p *Pipeline) IdentifyPerson(person directory.Person, actor string) (Identity, error) {
	role, m, err := p.cfg.Directory().IdentifyPerson(person)
	switch role {
	case directory.Accounting:
		return Identity{Role: RoleAccounting, Municipality: m.ID, Name: m.Name, Actor: actor}, nil
	case directory.Operator:
		return Identity{Role: RoleOperator, Name: "operator", Actor: actor}, nil
	case directory.Auditor:
		return Identity{}, fmt.Errorf("ingest: the auditors' pages are not there yet: %w", directory.ErrNoRole)
	}
	return Identity{}, fmt.Errorf("ingest: %w", err)
}

// identifyOIDC is IdentifyHash for a session of an OpenID Connect login:
// the role and municipality the directory in force gives the person as the
// provider named them last.
func (p *Pipeline) identifyOIDC(s Session) (directory.Role, *directory.Municipality, string) {
	role, m, _ := p.cfg.Directory().IdentifyPerson(s.OIDC.Person)
	return role, m, s.Actor
}

// StartOIDCSession starts the session of a person who logged in through
// an OpenID Connect provider, as who, with the provider's refresh token
// (empty: none); it ends ttl after now at the latest.
func (p *Pipeline) StartOIDCSession(ctx context.Context, who Identity, login OIDCLogin, refreshToken string, ttl time.Duration) (id string, s Session, err error) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand)
	id = hex.EncodeToString(b)
	if login.Refresh, err = sealRefresh(id, refreshToken); err != nil {
		return "", s, err
	}
	now := p.cfg.Now().UTC()
	s = Session{Identity: who, Started: now, Expires: now.Add(ttl), LastSeen: now, OIDC: &login}
	if err := createJSON(ctx, p.cfg.Store, sessionKey(id), s); err != nil {
		return "", s, fmt.Errorf("ingest: session: %w", err)
	}
	return id, s, nil
}

// RenewOIDCSession keeps what asking the provider again found: the person
// as named now, the next Recheck and the new refresh token (empty: keep
// the one there is). ErrNotFound where the session has ended meanwhile.
func (p *Pipeline) RenewOIDCSession(ctx context.Context, id string, login OIDCLogin, refreshToken string) (Session, error) {
	var s Session
	key := sessionKey(id)
	if err := getJSON(ctx, p.cfg.Store, key, &s); errors.Is(err, store.ErrNotFound) || corrupt(err) || err == nil && s.OIDC == nil {
		return Session{}, ErrNotFound
	} else if err != nil {
		return s, fmt.Errorf("ingest: session: %w", err)
	}
	login.Refresh = s.OIDC.Refresh
	if refreshToken != "" {
		sealed, err := sealRefresh(id, refreshToken)
		if err != nil {
			return s, err
		}
		login.Refresh = sealed
	}
	s.OIDC = &login
	if err := putJSON(ctx, p.cfg.Store, key, s); err != nil {
		return s, fmt.Errorf("ingest: session: %w", err)
	}
	return s, nil
}

// OIDCRefreshToken returns the refresh token of the session with the id;
// empty where it has none.
func (p *Pipeline) OIDCRefreshToken(id string, s Session) (string, error) {
	if s.OIDC == nil || len(s.OIDC.Refresh) == 0 {
		return "", nil
	}
	aead, err := refreshCipher(id)
	if err != nil {
		return "", err
	}
	sealed := s.OIDC.Refresh
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("ingest: session: sealed refresh token too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(sessionKey(id)))
	if err != nil {
		return "", fmt.Errorf("ingest: session: refresh token: %w", err)
	}
	return string(plain), nil
}

// sealRefresh seals a refresh token with AES-256-GCM under a key derived
// from the session's id (HKDF-SHA256), bound to the session's key in the
// store; nil for no token.
func sealRefresh(id, token string) ([]byte, error) {
	if token == "" {
		return nil, nil
	}
	aead, err := refreshCipher(id)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand)
	return aead.Seal(nonce, nonce, []byte(token), []byte(sessionKey(id))), nil
}

func refreshCipher(id string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, []byte(id), nil, "eingang session refresh token", 32)
	if err != nil {
		return nil, fmt.Errorf("ingest: session: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("ingest: session: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("ingest: session: %w", err)
	}
	return aead, nil
}
