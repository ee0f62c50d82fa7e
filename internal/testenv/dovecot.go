package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DovecotBinary returns the Dovecot server binary (EINGANG_DOVECOT, else
// dovecot on the PATH or in /usr/sbin; `make test` installs Debian's
// dovecot-imapd), or skips/fails.
func DovecotBinary(t testing.TB) string {
	if bin := os.Getenv("EINGANG_DOVECOT"); bin != "" {
		return bin
	}
	if bin, err := exec.LookPath("dovecot"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	Require(t, "no Dovecot server (run `make test`, which installs Debian's dovecot-imapd, or set EINGANG_DOVECOT)")
	return ""
}

// A Dovecot is a running Dovecot IMAP server on a loopback port, with its
// configuration, users and mail in one folder of its own.
type Dovecot struct {
	Addr string // host:port of the IMAP listener (plain, LOGIN allowed)
	Dir  string

	bin  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// StartDovecot starts Dovecot at a free port with the users (name →
// password) and stops it when the test ends. Run as root, mail belongs to
// nobody (Dovecot never accesses mail as root); otherwise to the caller.
func StartDovecot(tb testing.TB, users map[string]string) *Dovecot {
	tb.Helper()
	bin := DovecotBinary(tb)
	// Not under tb.TempDir: Dovecot's mail processes run as nobody and
	// must reach the mail folder.
	dir, err := os.MkdirTemp("", "eingang-dovecot-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	d := &Dovecot{Addr: FreeAddr(tb), Dir: dir, bin: bin}
	if err := d.configure(users); err != nil {
		tb.Fatal(err)
	}
	if err := d.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(d.Stop)
	return d
}

func (d *Dovecot) configure(users map[string]string) error {
	mailUser, mailGroup := "nobody", "nogroup"
	loginUser, internalUser := "dovenull", "dovecot"
	if os.Getuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return err
		}
		g, err := user.LookupGroupId(u.Gid)
		if err != nil {
			return err
		}
		mailUser, mailGroup, loginUser, internalUser = u.Username, g.Name, u.Username, u.Username
	}
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(d.Dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(d.Dir, 0o755); err != nil {
		return err
	}
	if os.Getuid() == 0 {
		u, err := user.Lookup(mailUser)
		if err != nil {
			return err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(filepath.Join(d.Dir, "mail"), uid, gid); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	var pw strings.Builder
	for _, name := range names {
		fmt.Fprintf(&pw, "%s:{PLAIN}%s::::::\n", name, users[name])
	}
	if err := os.WriteFile(filepath.Join(d.Dir, "users"), []byte(pw.String()), 0o644); err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(d.Addr)
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
default_login_user = %[4]s
default_internal_user = %[5]s
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=%[2]s gid=%[3]s home=%[1]s/mail/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]s
  }
  inet_listener imaps {
    port = 0
  }
}
`, d.Dir, mailUser, mailGroup, loginUser, internalUser, port)
	if os.Getuid() != 0 {
		conf += "service imap-login {\n  chroot =\n}\nservice auth {\n  user = $default_internal_user\n}\n"
	}
	return os.WriteFile(filepath.Join(d.Dir, "dovecot.conf"), []byte(conf), 0o644)
}

// Start (re)starts the server on its address and folder, and waits until
// it greets.
func (d *Dovecot) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.logs.Reset()
	cmd := exec.Command(d.bin, "-F", "-c", filepath.Join(d.Dir, "dovecot.conf"))
	cmd.Stdout, cmd.Stderr = &d.logs, &d.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	d.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if d.greets() {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.stop()
	log, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
	return fmt.Errorf("dovecot did not greet on %s: %s%s", d.Addr, d.logs.String(), log)
}

func (d *Dovecot) greets() bool {
	c, err := net.DialTimeout("tcp", d.Addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

// Stop stops the server (SIGTERM to the master, which ends its children;
// SIGKILL after 10 s) and waits for it.
func (d *Dovecot) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stop()
}

func (d *Dovecot) stop() {
	terminate(d.cmd)
	d.cmd = nil
}

// Log returns Dovecot's log so far.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
	return string(b)
}
