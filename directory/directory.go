// Package directory holds the directory of municipalities the gateway routes
// to: their ids, names, Leitweg-ID prefixes, the hashes of the bearer
// tokens of their clerks, auditors and of the operators, the local
// accounts of people who log in with a name and a password, and the
// OpenID Connect groups that give people who log in through a provider
// their role.
//
// The file is YAML:
//
//	municipalities:
//	  - id: erfurt
//	    name: Landeshauptstadt Erfurt
//	    leitweg_ids: ["16051000"]      # prefixes; the longest match wins
//	    tokens_sha256: ["<hex>"]       # SHA-256 of bearer tokens, or named:
//	    tokens: [{name: ERP Erfurt, sha256: "<hex>"}, {name: Prüfung, sha256: "<hex>", role: auditor}]
//	    accounts:                      # people without an identity provider
//	      - {name: Erika Muster, role: clerk, argon2id: "$argon2id$v=19$m=19456,t=2,p=1$…"}
//	    email: kasse@erfurt.example    # optional, with delivery:
//	    delivery: notify               # notify | deliver
//	    oidc_groups: [rechnung-erfurt]  # OpenID Connect groups of its clerks
//	    oidc_auditor_groups: [pruefung-erfurt]  # … of its auditors
//	    oidc_municipality: "16051000"   # the municipality claim's value for it (default: id)
//	operators:
//	  tokens_sha256: ["<hex>"]
//	  tokens: [{name: Leitstelle, sha256: "<hex>"}]
//	  accounts: [{name: Max Betrieb, argon2id: "$argon2id$…"}]
//	  oidc_groups: [eingang-betrieb]
//	auditors:
//	  oidc_groups: [rechnungspruefung]  # auditors of the municipality the claim names
//
// A token's name says who acted (the pages show it, the log and the audit
// trail name it); a token of tokens_sha256 is named by the first 8
// characters of its hash. A municipality's token or account has the role
// clerk (the default; "accounting" is the former name of that role) or
// auditor; the operators' are operators. An account's name is the
// person's login name, unique in the whole directory; its argon2id is the
// PHC string HashPassword makes (eingang user add).
//
// People who log in through an OpenID Connect provider get their role
// from the groups the provider names (see IdentifyPerson); every oidc_
// key is optional, and a directory without them lets nobody in that way.
package directory

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"gopkg.in/yaml.v3"
)

// A Municipality is one receiver of invoices.
type Municipality struct {
	ID           string   `yaml:"id" json:"id"`
	Name         string   `yaml:"name" json:"name"`
	LeitwegIDs   []string `yaml:"leitweg_ids" json:"leitweg_ids"`
	TokensSHA256 []string `yaml:"tokens_sha256" json:"-"`
	// Tokens are its clerks' and auditors' tokens with a name each.
	Tokens []Token `yaml:"tokens" json:"-"`
	// Accounts are its people who log in with a name and a password.
	Accounts []Account `yaml:"accounts,omitempty" json:"-"`
	// Notify is an e-mail address or URL told about new invoices (optional).
	Notify string `yaml:"notify,omitempty" json:"notify,omitempty"`
	// Email is the municipality's address for invoices by e-mail; Delivery
	// says what it gets there: "notify" (a short mail per new invoice, or
	// a digest) or "deliver" (the original attached with its readable
	// rendering). Empty: nothing is mailed.
	Email    string `yaml:"email,omitempty" json:"email,omitempty"`
	Delivery string `yaml:"delivery,omitempty" json:"delivery,omitempty"`
	// OIDCGroups are the groups (values of the provider's role claim)
	// that make a person one of its clerks; OIDCMunicipality is the value
	// of the municipality claim that names it, where the gateway reads
	// one (default: its ID); OIDCAuditorGroups make a person one of its
	// auditors.
	OIDCGroups        []string `yaml:"oidc_groups,omitempty" json:"-"`
	OIDCAuditorGroups []string `yaml:"oidc_auditor_groups,omitempty" json:"-"`
	OIDCMunicipality  string   `yaml:"oidc_municipality,omitempty" json:"-"`
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
		TokensSHA256 []string  `yaml:"tokens_sha256"`
		Tokens       []Token   `yaml:"tokens"`
		Accounts     []Account `yaml:"accounts,omitempty"`
		// OIDCGroups are the provider's groups of the operators.
		OIDCGroups []string `yaml:"oidc_groups"`
	} `yaml:"operators"`
	// Auditors are the provider's groups of auditors whose municipality
	// the municipality claim names (the OpenID Connect login only; a
	// municipality's own auditors are its tokens, accounts and
	// oidc_auditor_groups).
	Auditors struct {
		OIDCGroups []string `yaml:"oidc_groups"`
	} `yaml:"auditors"`

	byID     map[string]*Municipality
	prefixes []prefix // longest first
	tokens   []tokenHash
	accounts map[string]account // by name
}

type prefix struct {
	p string
	m *Municipality
}

// A Role is what a bearer token or an account may do.
type Role int

// Roles.
const (
	None     Role = iota
	Clerk         // reads, downloads and acknowledges one municipality's inbox
	Operator      // reads clearing, routes by hand, reads every audit trail
	Auditor       // reads one municipality's inbox and audit trail, changes nothing
	// Accounting is the former name of Clerk.
	Accounting = Clerk
)

// String returns the role's name as the directory spells it.
func (r Role) String() string {
	switch r {
	case Clerk:
		return "clerk"
	case Operator:
		return "operator"
	case Auditor:
		return "auditor"
	}
	return "none"
}

// municipalRole reads the role of a municipality's token or account: clerk
// (the default, also as the former "accounting") or auditor.
func municipalRole(s string) (Role, error) {
	switch strings.TrimSpace(s) {
	case "", "clerk", "accounting":
		return Clerk, nil
	case "auditor":
		return Auditor, nil
	}
	return None, fmt.Errorf("role %q: want clerk or auditor", s)
}

// A Token is a bearer token's hash with the name of its holder, e.g. a
// clerk, a team or a machine ("ERP Erfurt"), and, for a municipality's
// token, its role: clerk (default) or auditor.
type Token struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256"`
	Role   string `yaml:"role,omitempty"`
}

type tokenHash struct {
	sum  [sha256.Size]byte
	role Role
	m    *Municipality
	name string
}

// maxTokenName bounds a token's name, in bytes.
const maxTokenName = 100

// addTokens checks the tokens of one holder (a municipality or the
// operators): the plain hashes, named by their first 8 characters, and the
// named ones. A hash may appear once in the whole directory, a name once
// per holder.
func (d *Directory) addTokens(role Role, m *Municipality, plain []string, named []Token, seen map[[sha256.Size]byte]bool) error {
	names := map[string]bool{}
	// add adds a token; without a name, named by its hash's first 8
	// characters.
	add := func(name, h string, role Role) error {
		sum, err := parseHash(h)
		if err != nil {
			return err
		}
		if name == "" {
			name = hex.EncodeToString(sum[:4])
		}
		if seen[sum] {
			return fmt.Errorf("token hash %.8s… is listed twice", strings.TrimSpace(h))
		}
		seen[sum] = true
		if names[name] {
			return fmt.Errorf("token name %q is given twice", name)
		}
		names[name] = true
		d.tokens = append(d.tokens, tokenHash{sum, role, m, name})
		return nil
	}
	for _, h := range plain {
		if err := add("", h, role); err != nil {
			return err
		}
	}
	for _, t := range named {
		name := strings.TrimSpace(t.Name)
		if name == "" || len(name) > maxTokenName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return fmt.Errorf("token %.8s…: a name of 1 to %d characters without control characters, not %q", strings.TrimSpace(t.SHA256), maxTokenName, t.Name)
		}
		r := role
		if m != nil {
			var err error
			if r, err = municipalRole(t.Role); err != nil {
				return fmt.Errorf("token %q: %w", name, err)
			}
		} else if t.Role != "" && t.Role != "operator" {
			return fmt.Errorf("token %q: role %q: an operators' token is an operator's", name, t.Role)
		}
		if err := add(name, t.SHA256, r); err != nil {
			return err
		}
	}
	return nil
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
	if err := dec.Decode(d); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if len(d.Municipalities) == 0 {
		return nil, errors.New("no municipalities: a directory needs at least one")
	}
	d.byID = map[string]*Municipality{}
	seenPrefix := map[string]string{}
	seenToken := map[[sha256.Size]byte]bool{}
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
		if err := d.addTokens(Clerk, m, m.TokensSHA256, m.Tokens, seenToken); err != nil {
			return nil, fmt.Errorf("municipality %q: %w", m.ID, err)
		}
		if err := d.addAccounts(m, m.Accounts); err != nil {
			return nil, fmt.Errorf("municipality %q: %w", m.ID, err)
		}
	}
	if err := d.addTokens(Operator, nil, d.Operators.TokensSHA256, d.Operators.Tokens, seenToken); err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	if err := d.addAccounts(nil, d.Operators.Accounts); err != nil {
		return nil, fmt.Errorf("operators: %w", err)
	}
	if err := d.checkOIDC(); err != nil {
		return nil, err
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
	role, m, _ := d.Identify(token)
	return role, m
}

// Identify is Authenticate with the token's name: its name in the
// directory, or the first 8 characters of its hash where it has none.
func (d *Directory) Identify(token string) (Role, *Municipality, string) {
	if token == "" {
		return None, nil, ""
	}
	sum := sha256.Sum256([]byte(token))
	role, m, name := None, (*Municipality)(nil), ""
	for _, t := range d.tokens {
		if subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 && role == None {
			role, m, name = t.role, t.m, t.name
		}
	}
	return role, m, name
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

// IdentifyHash is Identify for a token known by its SHA-256 (hex): a
// session kept in the store holds the hash, never the token, and is
// checked against the directory in force on every use.
func (d *Directory) IdentifyHash(sha256hex string) (Role, *Municipality, string) {
	want, err := hex.DecodeString(sha256hex)
	if err != nil || len(want) != sha256.Size {
		return None, nil, ""
	}
	role, m, name := None, (*Municipality)(nil), ""
	for _, t := range d.tokens {
		if subtle.ConstantTimeCompare(want, t.sum[:]) == 1 && role == None {
			role, m, name = t.role, t.m, t.name
		}
	}
	return role, m, name
}

// A Person is what an OpenID Connect provider vouches for, as far as the
// directory's roles go: the groups (values of the role claim) and, where
// the gateway reads a municipality claim (MunicipalityClaim), its value.
type Person struct {
	Municipality      string   `json:"municipality,omitempty"`
	MunicipalityClaim bool     `json:"municipality_claim,omitempty"`
	Groups            []string `json:"groups"`
}

// ErrNoRole is the error of IdentifyPerson for a person the directory
// gives no role, or more than one.
var ErrNoRole = errors.New("no role in the directory")

// IdentifyPerson returns the role the directory gives a person and, for a
// clerk or an auditor, the municipality. A person is
//   - a clerk of a municipality with one of its oidc_groups;
//   - an auditor of a municipality with one of its oidc_auditor_groups, or
//     with one of the auditors' oidc_groups where the gateway reads a
//     municipality claim and it names that municipality;
//   - an operator with one of the operators' oidc_groups.
//
// Where the gateway reads a municipality claim, a person is clerk or
// auditor only of the municipality it names (its oidc_municipality, else
// its id). Exactly one of these must fit: a person who would be the clerk
// of two municipalities, or clerk and auditor, or clerk and operator at
// once, gets no role (an error matching ErrNoRole that says why), rather
// than the one the directory happens to list first.
func (d *Directory) IdentifyPerson(p Person) (Role, *Municipality, error) {
	has := map[string]bool{}
	for _, g := range p.Groups {
		has[g] = true
	}
	member := func(groups []string) bool {
		for _, g := range groups {
			if has[g] {
				return true
			}
		}
		return false
	}
	var fits []string
	role, muni := None, (*Municipality)(nil)
	for i := range d.Municipalities {
		m := &d.Municipalities[i]
		if p.MunicipalityClaim && p.Municipality != m.oidcName() {
			continue
		}
		if member(m.OIDCGroups) {
			role, muni = Clerk, m
			fits = append(fits, "clerk of "+m.ID)
		}
		if member(m.OIDCAuditorGroups) || p.MunicipalityClaim && member(d.Auditors.OIDCGroups) {
			role, muni = Auditor, m
			fits = append(fits, "auditor of "+m.ID)
		}
	}
	if member(d.Operators.OIDCGroups) {
		role, muni = Operator, nil
		fits = append(fits, "operator")
	}
	switch len(fits) {
	case 0:
		return None, nil, fmt.Errorf("directory: groups %q (municipality %q): %w", p.Groups, p.Municipality, ErrNoRole)
	case 1:
		return role, muni, nil
	}
	return None, nil, fmt.Errorf("directory: groups %q (municipality %q) fit more than one role (%s): %w",
		p.Groups, p.Municipality, strings.Join(fits, ", "), ErrNoRole)
}

// oidcName is the municipality claim's value that names m.
func (m *Municipality) oidcName() string {
	if m.OIDCMunicipality != "" {
		return m.OIDCMunicipality
	}
	return m.ID
}

// maxGroup bounds a group's name, in bytes.
const maxGroup = 200

// checkOIDC checks the oidc_ keys: groups of 1 to maxGroup characters
// without control characters, and no municipality claim value for two
// municipalities.
func (d *Directory) checkOIDC() error {
	check := func(groups []string) error {
		for _, g := range groups {
			if g == "" || len(g) > maxGroup || strings.TrimSpace(g) != g || strings.IndexFunc(g, unicode.IsControl) >= 0 {
				return fmt.Errorf("oidc_groups: a group of 1 to %d characters without control characters or surrounding blanks, not %q", maxGroup, g)
			}
		}
		return nil
	}
	names := map[string]string{}
	for i := range d.Municipalities {
		m := &d.Municipalities[i]
		if err := check(m.OIDCGroups); err != nil {
			return fmt.Errorf("municipality %q: %w", m.ID, err)
		}
		if err := check(m.OIDCAuditorGroups); err != nil {
			return fmt.Errorf("municipality %q: auditors' %w", m.ID, err)
		}
		if other, dup := names[m.oidcName()]; dup {
			return fmt.Errorf("municipality %q: oidc_municipality %q names %q too", m.ID, m.oidcName(), other)
		}
		names[m.oidcName()] = m.ID
	}
	if err := check(d.Operators.OIDCGroups); err != nil {
		return fmt.Errorf("operators: %w", err)
	}
	if err := check(d.Auditors.OIDCGroups); err != nil {
		return fmt.Errorf("auditors: %w", err)
	}
	return nil
}

// HashToken returns the hex SHA-256 of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ErrTooLarge is the error of a reload that would drop more municipalities
// than allowed, or every token.
var ErrTooLarge = errors.New("too large a change for a reload")

// CheckReload reports whether next may replace cur by a reload: it must
// not drop more than the share maxDrop (0 to 1) of cur's municipalities,
// nor every token where cur has some. A larger change is more likely a
// mistake (a truncated or wrong file) than intended; a restart applies
// any valid directory. The error matches ErrTooLarge.
func CheckReload(cur, next *Directory, maxDrop float64) error {
	var dropped []string
	for _, m := range cur.Municipalities {
		if next.Municipality(m.ID) == nil {
			dropped = append(dropped, m.ID)
		}
	}
	if n := len(cur.Municipalities); n > 0 && float64(len(dropped)) > maxDrop*float64(n) {
		return fmt.Errorf("directory: it would drop %d of %d municipalities (%s), more than %.0f%%: %w",
			len(dropped), n, strings.Join(dropped, ", "), maxDrop*100, ErrTooLarge)
	}
	if len(cur.tokens)+len(cur.accounts) > 0 && len(next.tokens)+len(next.accounts) == 0 {
		return fmt.Errorf("directory: it would revoke every token: %w", ErrTooLarge)
	}
	return nil
}

// A Source is a directory file and the directory in force from it. Reload
// replaces that directory all or nothing: with a file that is read whole,
// checked whole and passes CheckReload, else not at all. Safe for
// concurrent use.
type Source struct {
	path    string
	maxDrop float64

	mu  sync.Mutex // serializes reloads
	cur atomic.Pointer[Directory]
	// file is the file the directory in force was read from, as it was
	// then; it is kept open (pin) so that no new file gets its inode
	// number.
	file os.FileInfo
	pin  *os.File
	// tried is the last file a reload refused, pinned the same way.
	tried    os.FileInfo
	triedPin *os.File
}

// Open loads the directory file at path; reloads may drop at most the
// share maxDrop of its municipalities (see CheckReload).
func Open(path string, maxDrop float64) (*Source, error) {
	s := &Source{path: path, maxDrop: maxDrop}
	d, f, err := s.read()
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, err
	}
	s.cur.Store(d)
	s.pin, s.file = f, stat(f)
	return s, nil
}

func stat(f *os.File) os.FileInfo {
	fi, _ := f.Stat()
	return fi
}

// Directory returns the directory in force.
func (s *Source) Directory() *Directory { return s.cur.Load() }

// read reads and checks the file, and returns it open, also with an error
// where it could be opened.
func (s *Source) read() (*Directory, *os.File, error) {
	f, err := os.Open(s.path)
	if err != nil {
		return nil, nil, fmt.Errorf("directory: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil, f, fmt.Errorf("directory: %w", err)
	}
	d, err := Parse(data)
	if err != nil {
		return nil, f, fmt.Errorf("directory %s: %w", s.path, err)
	}
	return d, f, nil
}

// Reload reads the file again and puts it in force, or keeps the
// directory in force and says why: the file does not load, or the change
// is too large (ErrTooLarge).
func (s *Source) Reload() (*Directory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, f, err := s.read()
	if err == nil {
		if err = CheckReload(s.cur.Load(), d, s.maxDrop); err != nil {
			err = fmt.Errorf("%s: %w", s.path, err)
		}
	}
	if err != nil {
		s.refused(f)
		return nil, err
	}
	s.refused(nil)
	s.cur.Store(d)
	s.pin.Close()
	s.pin, s.file = f, stat(f)
	return d, nil
}

// refused remembers the file a reload refused (nil: none, or it could
// not be opened).
func (s *Source) refused(f *os.File) {
	if s.triedPin != nil {
		s.triedPin.Close()
	}
	s.triedPin, s.tried = f, nil
	if f != nil {
		s.tried = stat(f)
	}
}

// Changed reports how the file differs from the one the directory in
// force was read from: replaced (another file now has its name, as a
// rename puts it there) or edited in place (the same file, changed). A
// file a reload refused, unchanged since, is neither.
func (s *Source) Changed() (replaced, edited bool) {
	fi, err := os.Stat(s.path)
	if err != nil {
		return false, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	same := func(old os.FileInfo) (file, content bool) {
		if old == nil || !os.SameFile(fi, old) {
			return false, false
		}
		return true, fi.ModTime().Equal(old.ModTime()) && fi.Size() == old.Size()
	}
	if file, content := same(s.tried); file && content {
		return false, false
	}
	file, content := same(s.file)
	return !file, file && !content
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
