// Package directory holds the directory of municipalities the gateway routes
// to: their ids, names, Leitweg-ID prefixes and the hashes of the bearer
// tokens of their accounting and of the operators.
//
// The file is YAML:
//
//	municipalities:
//	  - id: erfurt
//	    name: Landeshauptstadt Erfurt
//	    leitweg_ids: ["16051000"]      # prefixes; the longest match wins
//	    tokens_sha256: ["<hex>"]       # SHA-256 of bearer tokens
//	    email: kasse@erfurt.example    # optional, with delivery:
//	    delivery: notify               # notify | deliver
//	operators:
//	  tokens_sha256: ["<hex>"]
package directory

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"fmt"
	"net/mail"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// A Municipality is one receiver of invoices.
type Municipality struct {
	ID           string   `yaml:"id" json:"id"`
	Name         string   `yaml:"name" json:"name"`
	LeitwegIDs   []string `yaml:"leitweg_ids" json:"leitweg_ids"`
	TokensSHA256 []string `yaml:"tokens_sha256" json:"-"`
	// Notify is an e-mail address or URL told about new invoices (optional).
	Notify string `yaml:"notify,omitempty" json:"notify,omitempty"`
	// Email is the municipality's address for invoices by e-mail; Delivery
	// says what it gets there: "notify" (a short mail per new invoice, or
	// a digest) or "deliver" (the original attached with its readable
	// rendering). Empty: nothing is mailed.
	Email    string `yaml:"email,omitempty" json:"email,omitempty"`
	Delivery string `yaml:"delivery,omitempty" json:"delivery,omitempty"`
}

// Delivery modes of a municipality's e-mail.
const (
	DeliveryNotify  = "notify"
	DeliveryDeliver = "deliver"
)

// A Directory is a loaded, checked directory file. It is immutable; reload
// by loading a new one.
type Directory struct {
	Municipalities []Municipality `yaml:"municipalities"`
	Operators      struct {
		TokensSHA256 []string `yaml:"tokens_sha256"`
	} `yaml:"operators"`

	byID     map[string]*Municipality
	prefixes []prefix // longest first
	tokens   []tokenHash
}

type prefix struct {
	p string
	m *Municipality
}

// A Role is what a bearer token may do.
type Role int

// Roles.
const (
	None       Role = iota
	Accounting      // reads and acknowledges one municipality's inbox
	Operator        // reads clearing and routes by hand
)

type tokenHash struct {
	sum  [sha256.Size]byte
	role Role
	m    *Municipality
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Load reads and checks a directory file.
func Load(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	d, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("directory %s: %w", path, err)
	}
	return d, nil
}

// Parse reads and checks a directory from YAML.
func Parse(data []byte) (*Directory, error) {
	d := &Directory{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	d.byID = map[string]*Municipality{}
	seenPrefix := map[string]string{}
	for i := range d.Municipalities {
		m := &d.Municipalities[i]
		if !idPattern.MatchString(m.ID) {
			return nil, fmt.Errorf("municipality %q: id must be lower-case letters, digits and hyphens", m.ID)
		}
		if _, dup := d.byID[m.ID]; dup {
			return nil, fmt.Errorf("municipality %q: listed twice", m.ID)
		}
		d.byID[m.ID] = m
		if err := checkDelivery(m); err != nil {
			return nil, fmt.Errorf("municipality %q: %w", m.ID, err)
		}
		for _, p := range m.LeitwegIDs {
			p = strings.ToUpper(strings.TrimSpace(p))
			if p == "" || strings.Trim(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return nil, fmt.Errorf("municipality %q: bad Leitweg-ID prefix %q", m.ID, p)
			}
			if other, dup := seenPrefix[p]; dup {
				return nil, fmt.Errorf("Leitweg-ID prefix %q belongs to both %q and %q", p, other, m.ID)
			}
			seenPrefix[p] = m.ID
			d.prefixes = append(d.prefixes, prefix{p, m})
		}
		for _, h := range m.TokensSHA256 {
			sum, err := parseHash(h)
			if err != nil {
				return nil, fmt.Errorf("municipality %q: %w", m.ID, err)
			}
			d.tokens = append(d.tokens, tokenHash{sum, Accounting, m})
		}
	}
	for _, h := range d.Operators.TokensSHA256 {
		sum, err := parseHash(h)
		if err != nil {
			return nil, fmt.Errorf("operators: %w", err)
		}
		d.tokens = append(d.tokens, tokenHash{sum, Operator, nil})
	}
	sort.SliceStable(d.prefixes, func(i, j int) bool { return len(d.prefixes[i].p) > len(d.prefixes[j].p) })
	return d, nil
}

func checkDelivery(m *Municipality) error {
	switch m.Delivery {
	case "":
		if m.Email != "" {
			return fmt.Errorf("email %q needs delivery: notify or deliver", m.Email)
		}
		return nil
	case DeliveryNotify, DeliveryDeliver:
	default:
		return fmt.Errorf("delivery %q: want notify or deliver", m.Delivery)
	}
	a, err := mail.ParseAddress(m.Email)
	if err != nil || a.Name != "" {
		return fmt.Errorf("delivery %s needs email: a plain address, not %q", m.Delivery, m.Email)
	}
	return nil
}

func parseHash(h string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	b, err := hex.DecodeString(strings.TrimSpace(h))
	if err != nil || len(b) != sha256.Size {
		return sum, fmt.Errorf("token hash %q is not a hex SHA-256", h)
	}
	copy(sum[:], b)
	return sum, nil
}

// Route returns the municipality whose Leitweg-ID prefix is the longest
// prefix of id (in its canonical form, e.g. 16071103-0001-17), or nil.
func (d *Directory) Route(id string) *Municipality {
	id = strings.ToUpper(id)
	for _, p := range d.prefixes {
		if strings.HasPrefix(id, p.p) {
			return p.m
		}
	}
	return nil
}

// Municipality returns the municipality with the id, or nil.
func (d *Directory) Municipality(id string) *Municipality { return d.byID[id] }

// Authenticate returns the role of a bearer token and, for accounting, its
// municipality. Every known hash is compared, in constant time each, so that
// timing tells nothing about which tokens exist.
func (d *Directory) Authenticate(token string) (Role, *Municipality) {
	if token == "" {
		return None, nil
	}
	sum := sha256.Sum256([]byte(token))
	role, m := None, (*Municipality)(nil)
	for _, t := range d.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 && role == None {
			role, m = t.role, t.m
		}
	}
	return role, m
}

// NewToken returns a new random bearer token and the hex SHA-256 to put in
// the directory.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = "egt_" + hex.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the hex SHA-256 of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

//go:embed thueringen.yaml
var sample []byte

// Sample returns the embedded sample directory of Thuringian cities and
// districts. It has no tokens.
func Sample() *Directory {
	d, err := Parse(sample)
	if err != nil {
		panic("directory: embedded sample: " + err.Error())
	}
	return d
}

// SampleYAML returns the embedded sample file, to start a directory from.
func SampleYAML() []byte { return bytes.Clone(sample) }
