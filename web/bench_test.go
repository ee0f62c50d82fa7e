package web

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// corpusDocs loads the conformance corpus (EINGANG_SHARED), or the fixture
// with varied invoice numbers where it is absent.
func corpusDocs(b *testing.B) [][]byte {
	var docs [][]byte
	if dir := os.Getenv("EINGANG_SHARED"); dir != "" {
		filepath.WalkDir(filepath.Join(dir, "conformance"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
				if data, err := os.ReadFile(p); err == nil {
					docs = append(docs, data)
				}
			}
			return nil
		})
	}
	if len(docs) == 0 {
		for i := 0; i < 1000; i++ {
			docs = append(docs, bytes.Replace(fixture(b), []byte("RE-2026-0042"), []byte(fmt.Sprintf("RE-B-%d", i)), 1))
		}
	}
	return docs
}

// BenchmarkUpload uploads documents concurrently through the HTTP API to a
// gateway on the filesystem store (fsync on) and reports invoices/s and
// latency percentiles. Each op is one upload; documents repeat after the
// corpus is exhausted, so later rounds measure the duplicate path too.
func BenchmarkUpload(b *testing.B) {
	e := newEnv(b, 20<<20, 0)
	docs := corpusDocs(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				resp, err := client.Post(e.srv.URL+"/api/v1/invoices", "application/xml", bytes.NewReader(docs[i%len(docs)]))
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					b.Errorf("status %d", resp.StatusCode)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "invoices/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
