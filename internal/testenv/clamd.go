package testenv

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// EICAR is the EICAR anti-virus test string: no virus, but every scanner
// reports it, and StartClamd's own signature database matches it.
const EICAR = `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`

// EICARSignature is the name clamd reports for EICAR with StartClamd's
// database (clamd appends ".UNOFFICIAL" to a database of one's own).
const EICARSignature = "Eingang.Test.EICAR.UNOFFICIAL"

// ClamdBinary returns the clamd binary (EINGANG_CLAMD, else clamd on the
// PATH or in /usr/sbin; `make packages` installs Debian's clamav-daemon),
// or skips/fails.
func ClamdBinary(t testing.TB) string {
	if bin := os.Getenv("EINGANG_CLAMD"); bin != "" {
		return bin
	}
	if bin, err := exec.LookPath("clamd"); err == nil {
		return bin
	}
	if _, err := os.Stat("/usr/sbin/clamd"); err == nil {
		return "/usr/sbin/clamd"
	}
	Require(t, "no clamd (run `make packages`, which installs Debian's clamav-daemon, or set EINGANG_CLAMD)")
	return ""
}

// A Clamd is a running ClamAV daemon on a loopback port with a signature
// database of its own that knows EICAR only.
type Clamd struct {
	Addr string // host:port of its TCP socket
	Dir  string

	bin  string
	mu   sync.Mutex
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// StartClamd starts clamd at a free loopback port with its own EICAR
// signature (no download) and StreamMaxLength streamMax ("30M" where
// empty), and stops it by its PID when the test ends.
func StartClamd(tb testing.TB, streamMax string) *Clamd {
	tb.Helper()
	bin := ClamdBinary(tb)
	if streamMax == "" {
		streamMax = "30M"
	}
	dir := tb.TempDir()
	c := &Clamd{Addr: FreeAddr(tb), Dir: dir, bin: bin}
	db := filepath.Join(dir, "db")
	if err := os.Mkdir(db, 0o755); err != nil {
		tb.Fatal(err)
	}
	ndb := "Eingang.Test.EICAR:0:*:" + hex.EncodeToString([]byte(EICAR)) + "\n"
	if err := os.WriteFile(filepath.Join(db, "test.ndb"), []byte(ndb), 0o644); err != nil {
		tb.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(c.Addr)
	conf := []string{"Foreground yes", "DatabaseDirectory " + db, "TCPSocket " + port, "TCPAddr 127.0.0.1",
		"LogFile " + filepath.Join(dir, "clamd.log"), "StreamMaxLength " + streamMax,
		"MaxFileSize 60M", "MaxScanSize 120M", "PidFile " + filepath.Join(dir, "clamd.pid")}
	if os.Getuid() == 0 {
		conf = append(conf, "User root")
	}
	if err := os.WriteFile(filepath.Join(dir, "clamd.conf"), []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := c.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Stop)
	return c
}

// Start starts clamd (again) and waits until it answers PING.
func (c *Clamd) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.logs.Reset()
	cmd := exec.Command(c.bin, "--config-file="+filepath.Join(c.Dir, "clamd.conf"))
	cmd.Stdout, cmd.Stderr = &c.logs, &c.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("clamd: %w", err)
	}
	c.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c.pongs() {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.stop()
	log, _ := os.ReadFile(filepath.Join(c.Dir, "clamd.log"))
	return fmt.Errorf("clamd did not answer PING on %s: %s%s", c.Addr, c.logs.String(), log)
}

func (c *Clamd) pongs() bool {
	conn, err := net.DialTimeout("tcp", c.Addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return false
	}
	b := make([]byte, 16)
	n, _ := conn.Read(b)
	return bytes.HasPrefix(b[:n], []byte("PONG"))
}

// Stop stops clamd by its PID (SIGTERM, then SIGKILL after 10 s).
func (c *Clamd) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stop()
}

func (c *Clamd) stop() {
	terminate(c.cmd)
	c.cmd = nil
}

// embeddedObject is the first file a UBL invoice embeds (BG-24).
var embeddedObject = regexp.MustCompile(`(<cbc:EmbeddedDocumentBinaryObject[^>]*>)[^<]*(</cbc:EmbeddedDocumentBinaryObject>)`)

// WithEmbedded returns a UBL invoice whose first embedded file (BG-24)
// holds content instead, base64 as in the XML, e.g. EICAR; it fails where
// the invoice embeds no file.
func WithEmbedded(t testing.TB, ubl, content []byte) []byte {
	t.Helper()
	loc := embeddedObject.FindSubmatchIndex(ubl)
	if loc == nil {
		t.Fatal("the invoice embeds no file (cbc:EmbeddedDocumentBinaryObject)")
	}
	var b bytes.Buffer
	b.Write(ubl[:loc[3]])
	b.WriteString(base64.StdEncoding.EncodeToString(content))
	b.Write(ubl[loc[4]:])
	return b.Bytes()
}
