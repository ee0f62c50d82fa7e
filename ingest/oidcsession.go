package ingest

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/eingang/eingang/directory"
	"github.com/eingang/eingang/store"
)

// Sessions of people who log in through an OpenID Connect provider. Such
// a session is a person's Session (StartPersonSession) with OIDC set: it
// keeps what the provider said of the person (the groups, the
// municipality claim), checked against the directory in force on every
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
// name): clerk or auditor of a municipality, or operator; an error
// matching directory.ErrNoRole where it gives none.
func (p *Pipeline) IdentifyPerson(person directory.Person, actor string) (Identity, error) {
	role, m, err := p.cfg.Directory().IdentifyPerson(person)
	if err != nil {
		return Identity{}, fmt.Errorf("ingest: %w", err)
	}
	who, ok := identity(role, m, actor)
	if !ok {
		return Identity{}, fmt.Errorf("ingest: role %v: %w", role, directory.ErrNoRole)
	}
	return who, nil
}

// OIDCPerson names the person of an OpenID Connect login for
// StartPersonSession and EndPersonSessions: the provider's issuer and the
// subject it gives them, which together name one person for good.
func OIDCPerson(issuer, subject string) string { return issuer + "|" + subject }

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
