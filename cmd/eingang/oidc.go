package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/eingang/eingang/web/pages"
)

// oidcConfig is the `oidc:` part of the --config file: the pages' login
// through an OpenID Connect provider.
type oidcConfig struct {
	Issuer           string   `yaml:"issuer"`
	ClientID         string   `yaml:"client_id"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	RedirectURL      string   `yaml:"redirect_url"` // default: public_url + /login/oidc/callback
	Scopes           []string `yaml:"scopes"`       // besides openid
	Provider         string   `yaml:"provider"`     // its name on the login page
	Recheck          string   `yaml:"recheck"`      // default 10m
	Claims           struct {
		Municipality string   `yaml:"municipality"` // none: the groups alone decide
		Role         string   `yaml:"role"`         // default groups
		Name         []string `yaml:"name"`         // default name, preferred_username, email
	} `yaml:"claims"`
}

// oidcCallbackPath is the callback's path on the gateway.
const oidcCallbackPath = "/login/oidc/callback"

// withDefaults returns c with the defaults the gateway applies.
func (c oidcConfig) withDefaults(publicURL string) oidcConfig {
	if c.RedirectURL == "" && publicURL != "" {
		c.RedirectURL = strings.TrimSuffix(publicURL, "/") + oidcCallbackPath
	}
	if c.Recheck == "" {
		c.Recheck = "10m"
	}
	if c.Claims.Role == "" {
		c.Claims.Role = "groups"
	}
	if len(c.Claims.Name) == 0 {
		c.Claims.Name = []string{"name", "preferred_username", "email"}
	}
	return c
}

// pagesOIDC checks the oidc: configuration and reads the client secret;
// nil for none.
func pagesOIDC(c *oidcConfig, publicURL string) (*pages.OIDC, error) {
	if c == nil {
		return nil, nil
	}
	d := c.withDefaults(publicURL)
	var errs []error
	if u, err := url.Parse(d.Issuer); err != nil || u.Host == "" || u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		errs = append(errs, fmt.Errorf("oidc.issuer %q: an https URL (http only on the loopback)", d.Issuer))
	}
	if d.ClientID == "" {
		errs = append(errs, errors.New("oidc.client_id: required"))
	}
	secret := ""
	if d.ClientSecretFile == "" {
		errs = append(errs, errors.New("oidc.client_secret_file: required"))
	} else if b, err := os.ReadFile(d.ClientSecretFile); err != nil {
		errs = append(errs, fmt.Errorf("oidc.client_secret_file: %w", err))
	} else if secret = strings.TrimRight(string(b), "\r\n"); secret == "" {
		errs = append(errs, fmt.Errorf("oidc.client_secret_file %s: empty", d.ClientSecretFile))
	}
	if u, err := url.Parse(d.RedirectURL); d.RedirectURL == "" {
		errs = append(errs, errors.New("oidc.redirect_url: required without public_url"))
	} else if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" || u.Path != oidcCallbackPath {
		errs = append(errs, fmt.Errorf("oidc.redirect_url %q: this gateway's %s as the browser reaches it", d.RedirectURL, oidcCallbackPath))
	}
	recheck, err := time.ParseDuration(d.Recheck)
	if err != nil || recheck < 10*time.Second {
		errs = append(errs, fmt.Errorf("oidc.recheck %q: a duration of at least 10s", d.Recheck))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &pages.OIDC{
		Issuer: d.Issuer, ClientID: d.ClientID, ClientSecret: secret, RedirectURL: d.RedirectURL,
		Scopes: d.Scopes, Provider: d.Provider, Recheck: recheck,
		MunicipalityClaim: d.Claims.Municipality, RoleClaim: d.Claims.Role, NameClaims: d.Claims.Name,
	}, nil
}

// loopback reports whether host is a loopback name or address.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
