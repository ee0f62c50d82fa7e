package main

// The effective configuration, as `eingang serve --print-config` shows it:
// the --config file with every default applied, secrets masked.

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/eingang/eingang/clamav"
)

// masked stands for a secret in the printed configuration.
const masked = "*****"

// effectiveConfig returns cfg with the defaults applied that the gateway
// applies when it starts (serve.go, ingest.New, newMailer), so that the
// printed configuration says what runs.
func effectiveConfig(cfg serveConfig) serveConfig {
	if cfg.MinFreeBytes == 0 {
		cfg.MinFreeBytes = 100 << 20 // ingest's default
	}
	if cfg.MinFreeInodes == 0 {
		cfg.MinFreeInodes = 10_000
	}
	if cfg.Instance == "" {
		cfg.Instance = env("EINGANG_INSTANCE", "")
	}
	if cfg.Instance == "" {
		cfg.Instance, _ = os.Hostname()
	}
	if cfg.Instance == "" {
		cfg.Instance = "eingang"
	}
	if cfg.ClamAV != nil && cfg.ClamAV.Timeout == "" {
		c := *cfg.ClamAV
		c.Timeout = clamav.DefaultTimeout.String()
		cfg.ClamAV = &c
	}
	if cfg.Rules.Follow == "" {
		cfg.Rules.Follow = "newer"
	}
	if cfg.Email != nil {
		e := *cfg.Email
		e.Mailboxes = append(e.Mailboxes[:0:0], e.Mailboxes...)
		for i := range e.Mailboxes {
			if e.Mailboxes[i].Poll == "" {
				e.Mailboxes[i].Poll = "30s"
			}
			if e.Mailboxes[i].Instance == "" {
				e.Mailboxes[i].Instance = cfg.Instance
			}
		}
		if e.MaxMailBytes == "" {
			e.MaxMailBytes = "20MB"
		}
		cfg.Email = &e
	}
	if cfg.OIDC != nil {
		o := cfg.OIDC.withDefaults(cfg.PublicURL)
		cfg.OIDC = &o
	}
	return cfg
}

// printConfig writes the effective configuration as YAML, with secrets
// masked: see maskSecrets.
func printConfig(w io.Writer, cfg serveConfig) error {
	var doc yaml.Node
	if err := doc.Encode(effectiveConfig(cfg)); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	maskSecrets(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	return nil
}

// maskSecrets replaces secrets in a YAML tree: the value of any key named
// like a secret (password, secret, key, token), except a key that names
// where the secret is (…_file, …_env) or a hash of it (…_sha256), and the
// password and secret query parameters of any URL.
func maskSecrets(n *yaml.Node) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			maskSecrets(c)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == yaml.ScalarNode && secretName(k.Value) && v.Value != "" && v.Tag != "!!null" {
				v.Value, v.Tag, v.Style = masked, "!!str", 0
				continue
			}
			maskSecrets(v)
		}
	case yaml.ScalarNode:
		n.Value = maskURL(n.Value)
	}
}

// secretName reports whether a key's value is a secret.
func secretName(key string) bool {
	k := strings.ToLower(key)
	for _, suffix := range []string{"_file", "_env", "_sha256"} {
		if strings.HasSuffix(k, suffix) {
			return false
		}
	}
	for _, word := range []string{"password", "secret", "key", "token"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return false
}

// maskURL masks the password of a URL's user information and the values
// of query parameters named like secrets; anything else is returned as
// it is.
func maskURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	changed := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), masked)
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if secretName(name) {
				q.Set(name, masked)
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return s
	}
	return strings.ReplaceAll(u.String(), url.QueryEscape(masked), masked)
}
