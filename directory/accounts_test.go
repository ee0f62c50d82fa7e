package directory

import (
	"strings"
	"testing"
)

// TestSessionRolesAndAccounts: a municipality's tokens and accounts are
// clerks (also under the former name "accounting") or auditors, the
// operators' are operators, and a wrong password, an unknown name or a
// name given twice gets nothing.
func TestSessionRolesAndAccounts(t *testing.T) {
	_, clerkHash, _ := NewToken()
	audTok, audHash, _ := NewToken()
	oldTok, oldHash, _ := NewToken()
	erika, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	max, _ := HashPassword("operators' long secret")
	d, err := Parse([]byte(`
municipalities:
  - id: erfurt
    name: Erfurt
    leitweg_ids: ["16051"]
    tokens:
      - {name: ERP, sha256: "` + clerkHash + `"}
      - {name: Prüfung, sha256: "` + audHash + `", role: auditor}
      - {name: Alt, sha256: "` + oldHash + `", role: accounting}
    accounts:
      - {name: Erika Muster, argon2id: "` + erika + `"}
operators:
  accounts: [{name: Max Betrieb, argon2id: "` + max + `"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		want  Role
	}{{audTok, Auditor}, {oldTok, Clerk}, {"egt_unknown", None}} {
		if role, _, _ := d.Identify(c.token); role != c.want {
			t.Errorf("token role %v, want %v", role, c.want)
		}
	}
	for _, c := range []struct {
		name, password string
		want           Role
		municipality   string
	}{
		{"Erika Muster", "correct horse battery", Clerk, "erfurt"},
		{"Erika Muster", "correct horse batterx", None, ""},
		{"Max Betrieb", "operators' long secret", Operator, ""},
		{"Nobody", "correct horse battery", None, ""},
		{"", "", None, ""},
	} {
		role, m := d.Login(c.name, c.password)
		got := ""
		if m != nil {
			got = m.ID
		}
		if role != c.want || got != c.municipality {
			t.Errorf("Login(%q, %q) = %v %q, want %v %q", c.name, c.password, role, got, c.want, c.municipality)
		}
	}
	if role, m := d.Account("Erika Muster"); role != Clerk || m.ID != "erfurt" {
		t.Errorf("Account = %v %v", role, m)
	}
	for name, yaml := range map[string]string{
		"twice":       "accounts: [{name: A, argon2id: \"" + erika + "\"}, {name: A, argon2id: \"" + erika + "\"}]",
		"bad role":    "accounts: [{name: A, role: operator, argon2id: \"" + erika + "\"}]",
		"bad hash":    "accounts: [{name: A, argon2id: \"$2y$10$bcrypt\"}]",
		"huge memory": "accounts: [{name: A, argon2id: \"" + strings.Replace(erika, "m=19456", "m=99999999", 1) + "\"}]",
		"token role":  "tokens: [{name: T, sha256: \"" + clerkHash + "\", role: operator}]",
	} {
		if _, err := Parse([]byte("municipalities:\n  - id: a\n    name: A\n    " + yaml + "\n")); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a short password was hashed")
	}
}
