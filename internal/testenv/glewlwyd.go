package testenv

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Glewlwyd, Debian's OpenID Connect provider, for the tests of the login
// through OpenID Connect: set up as /work/shared/SERVICES.md describes (an
// RS256 key, a SQLite database from Debian's schema with an OIDC plugin
// instance whose ID tokens carry preferred_username, municipality and a
// groups list, a confidential client with PKCE and refresh tokens), on a
// free loopback port, stopped by PID.

// GlewlwydBinary returns the glewlwyd server (EINGANG_GLEWLWYD, else
// glewlwyd on the PATH; `make test` installs Debian's package) and
// checks for sqlite3, which builds its database; else it skips or fails
// (see Require).
func GlewlwydBinary(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv("EINGANG_GLEWLWYD")
	if bin == "" {
		bin = "glewlwyd"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		Require(tb, "no glewlwyd (run `make packages`, which installs Debian's glewlwyd and sqlite3, or set EINGANG_GLEWLWYD)")
		return ""
	}
	if _, err := exec.LookPath("sqlite3"); err != nil {
		Require(tb, "no sqlite3 to set glewlwyd up (run `make packages`)")
	}
	for _, f := range []string{glewlwydSchema, glewlwydWebapp} {
		if _, err := os.Stat(f); err != nil {
			Require(tb, fmt.Sprintf("glewlwyd's files: %v (reinstall Debian's glewlwyd)", err))
		}
	}
	return path
}

const (
	glewlwydSchema = "/usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz"
	glewlwydWebapp = "/usr/share/glewlwyd/webapp"
	glewlwydConfig = "/usr/share/glewlwyd/templates/config.json"
)

// A GlewlwydUser is a person at the provider: the claims of their ID
// token are preferred_username (Username), name, email, municipality and
// groups.
type GlewlwydUser struct {
	Username, Password, Name, Email, Municipality string
	Groups                                        []string
}

// A Glewlwyd is a running glewlwyd with one confidential client.
type Glewlwyd struct {
	// Issuer is the OpenID Connect issuer, on host "localhost" so that
	// the provider is another site than a gateway on 127.0.0.1, as in
	// production (SameSite cookies).
	Issuer       string
	ClientID     string
	ClientSecret string
	Dir          string

	base  string
	bin   string
	admin *http.Client
	mu    sync.Mutex
	cmd   *exec.Cmd
	users map[string]GlewlwydUser
}

// StartGlewlwyd starts glewlwyd at a free port with a client that may
// redirect to redirectURIs and the users, and stops it when the test
// ends. ID and access tokens last tokenTTL (at least a second; 0: an
// hour).
func StartGlewlwyd(tb testing.TB, redirectURIs []string, tokenTTL time.Duration, users ...GlewlwydUser) *Glewlwyd {
	tb.Helper()
	bin := GlewlwydBinary(tb)
	_, port, _ := net.SplitHostPort(FreeAddr(tb))
	g := &Glewlwyd{Dir: tb.TempDir(), bin: bin, base: "http://localhost:" + port, ClientID: "eingang", ClientSecret: "eingang-secret-" + randomHex(8),
		users: map[string]GlewlwydUser{}}
	g.Issuer = g.base + "/api/oidc"
	if tokenTTL <= 0 {
		tokenTTL = time.Hour
	}
	if err := g.configure(port, int((tokenTTL+time.Second-1)/time.Second)); err != nil {
		tb.Fatal(err)
	}
	if err := g.start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(g.Stop)
	jar, _ := cookiejar.New(nil)
	g.admin = &http.Client{Jar: jar, Timeout: 10 * time.Second}
	if err := g.call("POST", "/api/auth/", map[string]any{"username": "admin", "password": "password"}); err != nil {
		tb.Fatalf("glewlwyd: admin login: %v", err)
	}
	if err := g.call("POST", "/api/client/", map[string]any{
		"client_id": g.ClientID, "name": "Eingang", "confidential": true, "password": g.ClientSecret, "enabled": true, "scope": []string{},
		"redirect_uri": redirectURIs, "authorization_type": []string{"code", "refresh_token"},
		"token_endpoint_auth_method": []string{"client_secret_basic", "client_secret_post"},
	}); err != nil {
		tb.Fatalf("glewlwyd: client: %v", err)
	}
	for _, u := range users {
		if err := g.AddUser(u); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return fmt.Sprintf("%x", b)
}

// configure writes the key, the web app's copy, the configuration and the
// database.
func (g *Glewlwyd) configure(port string, tokenSeconds int) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	// The login form's web app: Debian's webapp/config.json is a link to a
	// directory, so the copy gets the template's file instead.
	webapp := filepath.Join(g.Dir, "webapp")
	if out, err := exec.Command("cp", "-rL", glewlwydWebapp, webapp).CombinedOutput(); err != nil {
		return fmt.Errorf("glewlwyd: copy the web app: %v: %s", err, out)
	}
	os.RemoveAll(filepath.Join(webapp, "config.json"))
	cfg, err := os.ReadFile(glewlwydConfig)
	if err != nil {
		return fmt.Errorf("glewlwyd: %w", err)
	}
	if err := os.WriteFile(filepath.Join(webapp, "config.json"), cfg, 0o644); err != nil {
		return err
	}
	conf := fmt.Sprintf(`port=%s
bind_address="127.0.0.1"
external_url="%s"
login_url="login.html"
api_prefix="api"
static_files_path="%s/"
allow_origin="*"
log_mode="file"
log_level="INFO"
log_file="%s"
cookie_secure=0
cookie_same_site="empty"
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
add_x_frame_option_header_deny=true
max_post_size=16778240
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "%s"; };
static_files_mime_types = (
  { extension = ".html"; mime_type = "text/html"; },
  { extension = ".css";  mime_type = "text/css"; },
  { extension = ".js";   mime_type = "application/javascript"; },
  { extension = ".json"; mime_type = "application/json"; },
  { extension = ".png";  mime_type = "image/png"; },
  { extension = ".ico";  mime_type = "image/x-icon"; },
  { extension = ".woff"; mime_type = "font/woff"; },
  { extension = ".woff2"; mime_type = "font/woff2"; },
  { extension = ".ttf";  mime_type = "font/ttf"; }
);
`, port, g.base, webapp, filepath.Join(g.Dir, "glewlwyd.log"), filepath.Join(g.Dir, "glewlwyd.db"))
	if err := os.WriteFile(filepath.Join(g.Dir, "glewlwyd.conf"), []byte(conf), 0o600); err != nil {
		return err
	}
	claim := func(name, property string) map[string]any {
		return map[string]any{"name": name, "user-property": property, "type": "string", "mandatory": true, "on-demand": false, "scope": []string{}}
	}
	params, err := json.Marshal(map[string]any{
		"iss": g.Issuer, "jwt-type": "rsa", "jwt-key-size": "256", "key": string(keyPEM), "cert": string(pubPEM),
		"access-token-duration": tokenSeconds, "refresh-token-duration": 1209600, "code-duration": 600,
		"refresh-token-rolling": true, "allow-non-oidc": false,
		"auth-type-code-enabled": true, "auth-type-token-enabled": false, "auth-type-id-token-enabled": true,
		"auth-type-none-enabled": false, "auth-type-password-enabled": false, "auth-type-client-enabled": false,
		"auth-type-refresh-enabled": true, "secret-type": "public", "jwks-show": true,
		"pkce-allowed": true, "pkce-method-plain-allowed": false,
		"name-claim": "mandatory", "email-claim": "mandatory", "scope-claim": "no",
		"address-claim": map[string]any{"type": "no"},
		"claims":        []any{claim("preferred_username", "username"), claim("municipality", "municipality"), claim("groups", "groups")},
		"scope":         []string{}, "allowed-scope": []string{"openid"},
	})
	if err != nil {
		return err
	}
	gz, err := os.Open(glewlwydSchema)
	if err != nil {
		return fmt.Errorf("glewlwyd: %w", err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		return fmt.Errorf("glewlwyd: schema: %w", err)
	}
	schema, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("glewlwyd: schema: %w", err)
	}
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	sql := string(schema) + `
INSERT INTO g_plugin_module_instance (gpmi_module, gpmi_name, gpmi_display_name, gpmi_parameters)
  VALUES ('oidc', 'oidc', 'OpenID Connect', ` + quote(string(params)) + `);
UPDATE g_user_module_instance SET gumi_parameters = json_set(gumi_parameters,
  '$.data-format.municipality', json('{"multiple":false,"read":true,"write":true,"profile-read":true,"profile-write":false}'),
  '$.data-format.groups', json('{"multiple":true,"read":true,"write":true,"profile-read":true,"profile-write":false}'))
  WHERE gumi_name='database';
UPDATE g_scope SET gs_password_required=1 WHERE gs_name='openid';
`
	cmd := exec.Command("sqlite3", filepath.Join(g.Dir, "glewlwyd.db"))
	cmd.Stdin = strings.NewReader(sql)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("glewlwyd: database: %v: %s", err, out)
	}
	return nil
}

// start starts the server and waits for its discovery document.
func (g *Glewlwyd) start() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	cmd := exec.Command(g.bin, "--config-file="+filepath.Join(g.Dir, "glewlwyd.conf"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("glewlwyd: %w", err)
	}
	g.cmd = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(g.Issuer + "/.well-known/openid-configuration")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil // the goroutine reaps it when it ends
			}
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(g.Dir, "glewlwyd.log"))
			return fmt.Errorf("glewlwyd exited: %v; log:\n%s", err, tail(log, 2000))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			log, _ := os.ReadFile(filepath.Join(g.Dir, "glewlwyd.log"))
			return fmt.Errorf("glewlwyd did not answer in 15 s; log:\n%s", tail(log, 2000))
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Stop stops the server by its PID.
func (g *Glewlwyd) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cmd == nil {
		return
	}
	g.cmd.Process.Signal(syscall.SIGTERM)
	for i := 0; i < 50 && g.cmd.Process.Signal(syscall.Signal(0)) == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	g.cmd.Process.Kill()
	g.cmd = nil
}

// call sends a request to the admin API and checks for a 2xx answer.
func (g *Glewlwyd) call(method, path string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(method, g.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.admin.Do(req)
	if err != nil {
		return fmt.Errorf("glewlwyd %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("glewlwyd %s %s: %s: %s", method, path, resp.Status, out)
	}
	return nil
}

func (u GlewlwydUser) json() map[string]any {
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	return map[string]any{"username": u.Username, "password": u.Password, "name": u.Name, "email": u.Email, "enabled": true,
		"scope": []string{"openid"}, "municipality": u.Municipality, "groups": groups}
}

// AddUser adds a person.
func (g *Glewlwyd) AddUser(u GlewlwydUser) error {
	if err := g.call("POST", "/api/user/", u.json()); err != nil {
		return err
	}
	g.mu.Lock()
	g.users[u.Username] = u
	g.mu.Unlock()
	return nil
}

// SetGroups changes a person's groups: their next tokens (a refresh)
// carry the new list.
func (g *Glewlwyd) SetGroups(username string, groups []string) error {
	g.mu.Lock()
	u, ok := g.users[username]
	g.mu.Unlock()
	if !ok {
		return fmt.Errorf("glewlwyd: no user %q", username)
	}
	u.Groups = groups
	m := u.json()
	delete(m, "password") // kept as it is
	if err := g.call("PUT", "/api/user/"+username, m); err != nil {
		return err
	}
	g.mu.Lock()
	g.users[username] = u
	g.mu.Unlock()
	return nil
}
