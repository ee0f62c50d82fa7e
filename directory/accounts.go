package directory

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"
)

// An Account is a person who logs in to the pages with a name and a
// password, for setups without an identity provider. Argon2id is the
// password's hash as HashPassword makes it (a PHC string); the password
// itself is never kept.
type Account struct {
	Name     string `yaml:"name"`
	Role     string `yaml:"role,omitempty"` // clerk (default) or auditor; operators' accounts are operators
	Argon2id string `yaml:"argon2id"`
}

// account is an Account as checked at load.
type account struct {
	role Role
	m    *Municipality
	hash argonHash
}

// argonHash is a parsed PHC string of argon2id.
type argonHash struct {
	memory  uint32 // KiB
	time    uint32
	threads uint8
	salt    []byte
	sum     []byte
}

// The parameters HashPassword uses: OWASP's first recommendation for
// argon2id (19 MiB, 2 passes, 1 lane), cheap enough for a gateway whose
// logins are throttled, costly enough to make guessing a stolen directory
// slow.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	// argonMaxMemory bounds the memory a directory's hash may ask for
	// (256 MiB), so that a wrong file cannot exhaust the gateway.
	argonMaxMemory = 256 * 1024
)

// maxPassword bounds a password's length, in bytes.
const maxPassword = 1024

// HashPassword returns the argon2id PHC string of a password for an
// account's argon2id: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	if len(password) < 12 || len(password) > maxPassword {
		return "", fmt.Errorf("directory: a password needs 12 to %d characters", maxPassword)
	}
	salt := make([]byte, 16)
	rand.Read(salt) // never fails (crypto/rand)
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// parseArgon reads a PHC string of argon2id.
func parseArgon(s string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(strings.TrimSpace(s), "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, errors.New("argon2id: not a PHC string $argon2id$v=19$m=…,t=…,p=…$salt$hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return h, fmt.Errorf("argon2id: version %q, want v=%d", parts[2], argon2.Version)
	}
	var threads uint32
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memory, &h.time, &threads); err != nil ||
		h.memory < 8*threads || h.memory > argonMaxMemory || h.time < 1 || h.time > 20 || threads < 1 || threads > 16 {
		return h, fmt.Errorf("argon2id: parameters %q out of range", parts[3])
	}
	h.threads = uint8(threads)
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return h, errors.New("argon2id: bad salt")
	}
	if h.sum, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.sum) < 16 || len(h.sum) > 64 {
		return h, errors.New("argon2id: bad hash")
	}
	return h, nil
}

func (h argonHash) matches(password string) bool {
	sum := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(sum, h.sum) == 1
}

// dummy returns the hash checked for a name the directory does not know,
// so that the time a login takes tells nothing about which names exist.
func dummy() argonHash {
	return argonHash{memory: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, 16), sum: make([]byte, argonKeyLen)}
}

// CheckAccountName reports whether name may name an account: 1 to 100
// characters, no control characters, no leading or trailing space.
func CheckAccountName(name string) error {
	if name == "" || len(name) > maxTokenName || strings.TrimSpace(name) != name || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return fmt.Errorf("account name %q: 1 to %d characters, no control characters, no space around", name, maxTokenName)
	}
	return nil
}

// addAccounts checks the accounts of a municipality (m) or of the
// operators (m nil). A name may appear once in the whole directory.
func (d *Directory) addAccounts(m *Municipality, list []Account) error {
	if d.accounts == nil {
		d.accounts = map[string]account{}
	}
	for _, a := range list {
		if err := CheckAccountName(a.Name); err != nil {
			return err
		}
		if _, dup := d.accounts[a.Name]; dup {
			return fmt.Errorf("account %q is listed twice in the directory", a.Name)
		}
		role := Operator
		if m != nil {
			var err error
			if role, err = municipalRole(a.Role); err != nil {
				return fmt.Errorf("account %q: %w", a.Name, err)
			}
		} else if a.Role != "" && a.Role != "operator" {
			return fmt.Errorf("account %q: role %q: an operators' account is an operator's", a.Name, a.Role)
		}
		h, err := parseArgon(a.Argon2id)
		if err != nil {
			return fmt.Errorf("account %q: %w", a.Name, err)
		}
		d.accounts[a.Name] = account{role: role, m: m, hash: h}
	}
	return nil
}

// Login checks an account's name and password: its role and, for a
// municipality's account, the municipality; None for an unknown name or a
// wrong password. It takes as long for an unknown name as for a known one.
func (d *Directory) Login(name, password string) (Role, *Municipality) {
	a, ok := d.accounts[name]
	if !ok || len(password) > maxPassword {
		dummy().matches(password[:min(len(password), maxPassword)])
		return None, nil
	}
	if !a.hash.matches(password) {
		return None, nil
	}
	return a.role, a.m
}

// Account returns the role and municipality of an account by its name, as
// the directory in force has it; None where it has no such account. A
// session of an account checks it on every use.
func (d *Directory) Account(name string) (Role, *Municipality) {
	a, ok := d.accounts[name]
	if !ok {
		return None, nil
	}
	return a.role, a.m
}
