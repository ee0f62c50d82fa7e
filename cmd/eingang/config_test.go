package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/eingang/eingang/directory"
)

// configKey is one key of a YAML file as its Go struct reads it.
type configKey struct {
	file, key, typ string
}

// yamlKeys lists the keys a struct type reads from YAML, by their yaml
// tags, with their parents: "email.mailboxes[].url".
func yamlKeys(file string, t reflect.Type, prefix string) []configKey {
	var keys []configKey
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name) // yaml.v3's default
		}
		key := prefix + name
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, configKey{file, key, "mapping"})
			keys = append(keys, yamlKeys(file, ft, key+".")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, configKey{file, key, "list of mappings"})
			keys = append(keys, yamlKeys(file, ft.Elem(), key+"[].")...)
		default:
			keys = append(keys, configKey{file, key, yamlType(ft)})
		}
	}
	return keys
}

// yamlType names a Go type as the reference does.
func yamlType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		return "list of " + yamlType(t.Elem()) + "s"
	}
	return t.String()
}

// referenceRow is a row of the table in docs/configuration.md.
type referenceRow struct {
	file, key, typ, def, meaning string
}

// readReference reads the table of docs/configuration.md.
func readReference(t *testing.T) []referenceRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []referenceRow
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| config |") && !strings.HasPrefix(line, "| directory |") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 5 {
			t.Errorf("docs/configuration.md: a row of %d cells, want 5: %s", len(cells), line)
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, referenceRow{cells[0], strings.Trim(cells[1], "`"), cells[2], cells[3], cells[4]})
	}
	return rows
}

// TestConfigReference checks docs/configuration.md against the structs
// that read the configuration (serveConfig, and within it peppolConfig
// and emailConfig) and the directory (directory.Directory): every key is
// documented with its type, default and meaning, no documented key is
// gone, and a default written as a literal is the one the gateway
// applies, as --print-config shows it.
func TestConfigReference(t *testing.T) {
	keys := append(yamlKeys("config", reflect.TypeFor[serveConfig](), ""),
		yamlKeys("directory", reflect.TypeFor[directory.Directory](), "")...)
	if len(keys) < 30 {
		t.Fatalf("only %d keys read from the structs: %v", len(keys), keys)
	}
	rows := readReference(t)
	documented := map[string]referenceRow{}
	for _, r := range rows {
		id := r.file + " " + r.key
		if _, dup := documented[id]; dup {
			t.Errorf("docs/configuration.md: %s documented twice", id)
		}
		documented[id] = r
	}
	read := map[string]bool{}
	for _, k := range keys {
		id := k.file + " " + k.key
		read[id] = true
		r, ok := documented[id]
		switch {
		case !ok:
			t.Errorf("%s key %s (%s) is not in docs/configuration.md", k.file, k.key, k.typ)
		case !strings.HasPrefix(r.typ, k.typ):
			t.Errorf("docs/configuration.md: %s has type %q, want %q", id, r.typ, k.typ)
		case r.def == "" || r.meaning == "":
			t.Errorf("docs/configuration.md: %s lacks its default or meaning", id)
		}
	}
	for id := range documented {
		if !read[id] {
			t.Errorf("docs/configuration.md documents %s, which no configuration struct reads", id)
		}
	}

	// The defaults, as --print-config shows them for a configuration
	// with one mailbox, SMTP, OIDC and the malware scan (whose keys have
	// defaults too).
	dir := t.TempDir()
	cfg, secret := filepath.Join(dir, "eingang.yaml"), filepath.Join(dir, "oidc-secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("email:\n  mailboxes: [{url: 'imap://u@h:1/INBOX'}]\n  smtp: {url: 'smtp://h:1'}\n"+
		"public_url: https://eingang.example\noidc: {issuer: 'https://idp.example', client_id: eingang, client_secret_file: '"+secret+"'}\nclamav: {addr: '127.0.0.1:3310'}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--config", cfg, "--print-config"}, &out, &errOut); code != 0 {
		t.Fatalf("--print-config: exit %d: %s", code, errOut.String())
	}
	effective := flatten(t, out.Bytes())
	checked := 0
	for _, r := range rows {
		if r.file != "config" || !strings.HasPrefix(r.def, "`") {
			continue
		}
		def, _, _ := strings.Cut(r.def[1:], "`")
		got, ok := effective[r.key]
		if !ok || got != def {
			t.Errorf("docs/configuration.md: %s defaults to %q, --print-config shows %q", r.key, def, got)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d literal defaults checked", checked)
	}
}

// flatten reads printed YAML into its scalar values by key, as the
// reference writes keys (the first item of a list stands for all).
func flatten(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("printed configuration is no YAML: %v\n%s", err, b)
	}
	out := map[string]string{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch n.Kind {
		case yaml.DocumentNode:
			walk(n.Content[0], prefix)
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], prefix+n.Content[i].Value+".")
			}
		case yaml.SequenceNode:
			if len(n.Content) > 0 {
				walk(n.Content[0], strings.TrimSuffix(prefix, ".")+"[].")
			}
		case yaml.ScalarNode:
			out[strings.TrimSuffix(prefix, ".")] = n.Value
		}
	}
	walk(&doc, "")
	return out
}

// TestPrintConfig runs serve --print-config: it exits 0 without serving,
// prints the configuration with defaults applied, and masks secrets but
// not where they are kept.
func TestPrintConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "eingang.yaml")
	if err := os.WriteFile(cfg, []byte(`upload_rate: 5
instance: gw1
email:
  mailboxes:
    - url: imap://rechnung@127.0.0.1:10143/INBOX
      password_file: /run/secrets/imap
  smtp:
    url: smtps://bot:hunter2@mail.example:465?starttls=true
    password_env: SMTP_PASSWORD
peppol:
  addr: 127.0.0.1:8443
  key_file: /etc/eingang/server-key.pem
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"serve", "--config", cfg, "--print-config", "--store", filepath.Join(t.TempDir(), "unused")}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := flatten(t, out.Bytes())
	for key, want := range map[string]string{
		"upload_rate":                     "5",
		"max_upload_bytes":                "20971520",
		"instance":                        "gw1",
		"email.mailboxes[].instance":      "gw1",
		"email.mailboxes[].poll":          "30s",
		"email.mailboxes[].password_file": "/run/secrets/imap",
		"email.smtp.url":                  "smtps://bot:*****@mail.example:465?starttls=true",
		"email.smtp.password_env":         "SMTP_PASSWORD",
		"peppol.key_file":                 "/etc/eingang/server-key.pem",
	} {
		if got[key] != want {
			t.Errorf("%s: %q, want %q", key, got[key], want)
		}
	}
	if strings.Contains(out.String(), "hunter2") {
		t.Errorf("the SMTP password is printed:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg), "unused")); err == nil {
		t.Error("--print-config opened the store")
	}
	// A configuration the gateway would refuse is refused here too.
	if err := os.WriteFile(cfg, []byte("upload_ratee: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"serve", "--config", cfg, "--print-config"}, &out, &errOut); code != 2 {
		t.Errorf("unknown key: exit %d, want 2", code)
	}
	for _, bad := range []string{"trusted_proxies: [10.0.0.0/33]\n", "trusted_proxies: [proxy.example]\n", "public_url: eingang.example.de\n"} {
		if err := os.WriteFile(cfg, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		errOut.Reset()
		if code := run(context.Background(), []string{"serve", "--config", cfg, "--print-config"}, &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2", bad, code)
		}
	}
}

// TestConfigMaskSecrets checks which values the printed configuration
// masks.
func TestConfigMaskSecrets(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"password: hunter2\n", "password: '*****'\n"},
		{"client_secret: s3cr3t\n", "client_secret: '*****'\n"},
		{"api_key: abc\n", "api_key: '*****'\n"},
		{"access_token: abc\n", "access_token: '*****'\n"},
		{"password: \"\"\n", "password: \"\"\n"},
		{"password_file: /run/secrets/x\n", "password_file: /run/secrets/x\n"},
		{"password_env: PW\n", "password_env: PW\n"},
		{"key_file: server-key.pem\n", "key_file: server-key.pem\n"},
		{"tokens_sha256: [ab12]\n", "tokens_sha256: [ab12]\n"},
		{"url: smtp://u:pw@h:25\n", "url: smtp://u:*****@h:25\n"},
		{"url: smtp://u@h:25\n", "url: smtp://u@h:25\n"},
		{"url: s3://b?endpoint=h:9000&secret_key=x\n", "url: s3://b?endpoint=h%3A9000&secret_key=*****\n"},
		{"nested: {list: [{password: x}]}\n", "nested: {list: [{password: '*****'}]}\n"},
	} {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(c.in), &n); err != nil {
			t.Fatal(err)
		}
		maskSecrets(&n)
		b, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != c.want {
			t.Errorf("%q: masked %q, want %q", c.in, b, c.want)
		}
	}
}
