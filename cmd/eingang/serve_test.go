package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/eingang/eingang/store"
)

// buildBinary builds the eingang binary once per test run.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "eingang")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as make build builds it
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// gateway is a running `eingang serve` process.
type gateway struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
}

// syncBuffer collects a process's output, written by exec's copying
// goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func startGateway(t testing.TB, bin, addr string, args ...string) *gateway {
	t.Helper()
	g := &gateway{addr: addr, logs: &syncBuffer{}}
	g.cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	g.cmd.Stdout, g.cmd.Stderr = g.logs, g.logs
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			return g
		}
		time.Sleep(20 * time.Millisecond)
	}
	g.kill()
	t.Fatalf("gateway did not start: %s", g.logs)
	return nil
}

func (g *gateway) kill() {
	g.cmd.Process.Signal(syscall.SIGKILL)
	g.cmd.Wait()
}

func invoiceNumbered(t *testing.T, i int) []byte {
	b, err := os.ReadFile("../../invoice/testdata/minimal-ubl.xml")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(b, []byte("RE-2026-0042"), []byte(fmt.Sprintf("RE-CRASH-%05d", i)), 1)
}

// TestCrashRecovery uploads 1,000 invoices while the gateway is killed with
// SIGKILL several times and restarted. Afterwards every upload that got a
// 2xx is archived byte for byte and sits in exactly one inbox, none twice.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test is not short")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	addr := freeAddr(t)
	var mu sync.Mutex
	g := startGateway(t, bin, addr, "--store", dataDir)

	const n = 1000
	type ok struct {
		id   string
		data []byte
	}
	acked := make([]ok, n)
	var retries atomic.Int64
	jobs := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				data := invoiceNumbered(t, i)
				for attempt := 0; attempt < 200; attempt++ {
					resp, err := client.Post("http://"+addr+"/api/v1/invoices", "application/xml", bytes.NewReader(data))
					if err != nil {
						retries.Add(1)
						time.Sleep(20 * time.Millisecond) // the gateway is down: retry
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode/100 != 2 {
						time.Sleep(20 * time.Millisecond)
						continue
					}
					var r struct{ ID string }
					json.Unmarshal(body, &r)
					acked[i] = ok{r.ID, data}
					break
				}
			}
		}()
	}
	done := make(chan struct{})
	kills := 0
	go func() {
		defer close(done)
		for k := 0; k < 4; k++ {
			time.Sleep(time.Duration(300+150*k) * time.Millisecond)
			mu.Lock()
			g.kill()
			kills++
			g = startGateway(t, bin, addr, "--store", dataDir)
			mu.Unlock()
		}
	}()
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	<-done
	// A last restart finishes anything the last kill interrupted.
	mu.Lock()
	g.kill()
	g = startGateway(t, bin, addr, "--store", dataDir)
	g.kill()
	mu.Unlock()
	if kills < 4 || retries.Load() == 0 {
		t.Fatalf("killed %d times, %d requests failed: the kills did not hit the uploads", kills, retries.Load())
	}

	st, err := store.OpenFS(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Every id in every inbox state, counted.
	seen := map[string]int{}
	for _, state := range []string{"new", "acknowledged"} {
		after := ""
		for {
			page, err := st.List(ctx, "inbox/lk-weimarer-land/"+state+"/", after, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, in := range page {
				id := in.Key[strings.LastIndex(in.Key, "/")+1:]
				seen[id]++
				after = id
			}
		}
	}
	if page, _ := st.List(ctx, "clearing/", "", 10); len(page) != 0 {
		t.Errorf("%d invoices in clearing", len(page))
	}
	if page, _ := st.List(ctx, "pending/", "", 10); len(page) != 0 {
		t.Errorf("%d submissions still pending after restart", len(page))
	}
	missing := 0
	for i, a := range acked {
		if a.id == "" {
			missing++
			continue
		}
		if seen[a.id] != 1 {
			t.Errorf("upload %d (%s) is in the inbox %d times", i, a.id, seen[a.id])
		}
		// The 2xx id's original is byte-identical.
		prefix := fmt.Sprintf("archive/%s/", idDate(a.id))
		r, err := st.Get(ctx, prefix+a.id+"/original")
		if err != nil {
			t.Errorf("upload %d: original: %v", i, err)
			continue
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, a.data) {
			t.Errorf("upload %d: original differs", i)
		}
	}
	for id, c := range seen {
		if c > 1 {
			t.Errorf("%s listed %d times", id, c)
		}
	}
	if missing > 0 {
		t.Errorf("%d uploads never got a 2xx", missing)
	}
	t.Logf("%d uploads acknowledged with 2xx across %d kills (%d requests failed and were retried); %d distinct invoices in the inbox", n-missing, kills, retries.Load(), len(seen))
}

// idDate is the archive date folder of a UUIDv7 id.
func idDate(id string) string {
	var ms int64
	for _, c := range strings.ReplaceAll(id[:13], "-", "") {
		var v int64
		switch {
		case c >= '0' && c <= '9':
			v = int64(c - '0')
		default:
			v = int64(c-'a') + 10
		}
		ms = ms<<4 | v
	}
	return time.UnixMilli(ms).UTC().Format("2006/01/02")
}
