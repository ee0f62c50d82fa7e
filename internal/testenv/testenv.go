// Package testenv finds what the tests run against: the shared folder
// (../shared: conformance corpus, XML Schemas) and real services (MinIO),
// which it starts on free loopback ports and stops by PID. Only tests
// import it.
package testenv

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// FreeAddr returns a free 127.0.0.1 address.
func FreeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Require skips the test with msg, or fails it where the services are
// required (CI, or EINGANG_REQUIRE_S3 / EINGANG_REQUIRE_SERVICES set, as
// `make test` does).
func Require(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" || os.Getenv("EINGANG_REQUIRE_S3") != "" || os.Getenv("EINGANG_REQUIRE_SERVICES") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// SharedDir returns where the shared folder is: EINGANG_SHARED, or else
// ../shared beside the module's root (the folder holding go.mod, found
// from the working directory up). It does not check that it exists; tests
// that cannot run without it call Shared, tests that only read more with
// it (fuzz seeds, benchmarks) call SharedDir.
func SharedDir() string {
	if dir := os.Getenv("EINGANG_SHARED"); dir != "" {
		return dir
	}
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared")
		}
	}
	return filepath.Join("..", "shared")
}

// Shared returns the path of elem in the shared folder (see SharedDir),
// e.g. Shared(t, "conformance") or Shared(t, "xsd"). Where it is absent
// the test is skipped, or fails where the services are required (see
// Require): a run under CI never passes by checking nothing.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{SharedDir()}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		Require(t, fmt.Sprintf("shared folder: %v (set EINGANG_SHARED to the shared folder)", err))
	}
	return p
}

// MinIOBinary returns the MinIO server binary `make test` installs
// (EINGANG_MINIO, default ~/.cache/eingang/bin/minio), or skips/fails.
func MinIOBinary(t testing.TB) string {
	bin := os.Getenv("EINGANG_MINIO")
	if bin == "" {
		home, _ := os.UserHomeDir()
		bin = filepath.Join(home, ".cache", "eingang", "bin", "minio")
	}
	if _, err := os.Stat(bin); err != nil {
		Require(t, fmt.Sprintf("no MinIO server at %s (run `make test`, which installs it, or set EINGANG_MINIO or EINGANG_TEST_S3_ENDPOINT)", bin))
	}
	return bin
}

// A MinIO is a running MinIO server.
type MinIO struct {
	Endpoint, AccessKey, SecretKey string
	Dir                            string
	bin                            string
	drives                         []string // a cluster node's list of every node's drive; nil: Dir alone
	cmd                            *exec.Cmd
	logs                           bytes.Buffer
}

// StartMinIO starts a MinIO server on addr with its data in dir.
func StartMinIO(bin, addr, dir string) (*MinIO, error) {
	m := &MinIO{Endpoint: addr, AccessKey: "eingangtest", SecretKey: "eingangtest-secret", Dir: dir, bin: bin}
	return m, m.Start()
}

// Start (re)starts the server on its address and directory.
func (m *MinIO) Start() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	console := l.Addr().String()
	l.Close()
	m.logs.Reset()
	drives := m.drives
	if drives == nil {
		drives = []string{m.Dir}
	}
	m.cmd = exec.Command(m.bin, append(append([]string{"server"}, drives...), "--address", m.Endpoint, "--console-address", console, "--quiet")...)
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	if m.drives != nil {
		// These machines look like containers to MinIO, which then waits
		// for 127.0.0.1 to resolve elsewhere: name the node's own endpoint.
		// Their drives share the root filesystem, which MinIO refuses in
		// distributed mode unless told it runs for tests.
		m.cmd.Env = append(m.cmd.Env, "_MINIO_SERVER_LOCAL="+m.Endpoint, "MINIO_CI_CD=1")
	}
	m.cmd.Stdout, m.cmd.Stderr = &m.logs, &m.logs
	if m.drives != nil {
		return m.cmd.Start() // a node alone is not ready: see StartMinIOCluster
	}
	if err := m.cmd.Start(); err != nil {
		return err
	}
	// Ready means the health check passes and the S3 API no longer answers
	// 503 "server not initialized" (an unsigned request then gets 403).
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m.answers("/minio/health/ready", http.StatusOK) && m.answers("/", http.StatusForbidden) {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	m.Stop()
	return fmt.Errorf("minio did not become ready on %s: %s", m.Endpoint, m.logs.String())
}

// answers reports whether GET path returns status.
func (m *MinIO) answers(path string, status int) bool {
	resp, err := http.Get("http://" + m.Endpoint + path)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == status
}

// Stop kills the server and waits for it.
func (m *MinIO) Stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		m.cmd.Process.Kill()
		m.cmd.Wait()
		m.cmd = nil
	}
}

// BenchDir returns a new folder for a benchmark's data. Where
// EINGANG_BENCH_DATA names a folder (make bench sets it), the new folder is
// made there and kept: removing a run's tens of thousands of files frees
// their inodes, and on ext4 without a journal (as on this project's
// machines) every inode made in the next 35 seconds or so steps over each
// one freed (the kernel's recently_deleted), so the next benchmark would
// measure this one's clean-up (docs/performance.md). make bench removes
// EINGANG_BENCH_DATA once all measurements are done. Elsewhere BenchDir is
// tb.TempDir().
func BenchDir(tb testing.TB) string {
	root := os.Getenv("EINGANG_BENCH_DATA")
	if root == "" {
		return tb.TempDir()
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		tb.Fatal(err)
	}
	dir, err := os.MkdirTemp(root, "bench-")
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

// A MinIOCluster is MinIO in distributed mode: several servers on
// loopback ports, one drive each, forming one erasure set.
type MinIOCluster struct {
	Nodes []*MinIO
}

// StartMinIOCluster starts n MinIO servers (n >= 4) in distributed mode
// with their drives below dir, and waits until the cluster takes writes.
func StartMinIOCluster(bin, dir string, n int) (*MinIOCluster, error) {
	c := &MinIOCluster{}
	var drives []string
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		addr := l.Addr().String()
		l.Close()
		drive := filepath.Join(dir, fmt.Sprintf("d%d", i+1))
		drives = append(drives, "http://"+addr+drive)
		c.Nodes = append(c.Nodes, &MinIO{Endpoint: addr, AccessKey: "eingangtest", SecretKey: "eingangtest-secret", Dir: drive, bin: bin})
	}
	for _, m := range c.Nodes {
		m.drives = drives
		if err := m.Start(); err != nil {
			c.Stop()
			return nil, err
		}
	}
	if err := c.WaitReady(90 * time.Second); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// WaitReady waits until every running node reports the cluster able to
// take writes.
func (c *MinIOCluster) WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, m := range c.Nodes {
		if m.cmd == nil {
			continue
		}
		for !(m.answers("/minio/health/cluster", http.StatusOK) && m.answers("/", http.StatusForbidden)) {
			if time.Now().After(deadline) {
				return fmt.Errorf("minio cluster node %s not ready: %s", m.Endpoint, m.logs.String())
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil
}

// Endpoints returns the nodes' addresses.
func (c *MinIOCluster) Endpoints() []string {
	var out []string
	for _, m := range c.Nodes {
		out = append(out, m.Endpoint)
	}
	return out
}

// Stop kills every node.
func (c *MinIOCluster) Stop() {
	for _, m := range c.Nodes {
		m.Stop()
	}
}
