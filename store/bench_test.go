package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
)

// The store benchmarks put, get and list 20 KB objects and report
// objects/s and the 99th percentile latency. BenchmarkRawDisk is the
// disk's own limit for the same write + fsync, to compare with.

const benchSize = 20 << 10

func benchPayload() []byte {
	return bytes.Repeat([]byte("<cbc:Note>eingang</cbc:Note>"), benchSize/28+1)[:benchSize]
}

// report adds objects/s and p99 to a benchmark from per-op latencies.
func report(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "objects/s")
}

func benchStore(b *testing.B, s Store) {
	ctx := context.Background()
	data := benchPayload()
	var seq atomic.Int64
	b.Run("Create", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		b.SetBytes(benchSize)
		start := time.Now()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if err := s.Create(ctx, fmt.Sprintf("bench/%09d", seq.Add(1)), bytes.NewReader(data), benchSize, CreateOptions{}); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		report(b, lat, time.Since(start))
	})
	// CreateParallel is Create from 16 writers at once, as the gateway's
	// concurrent uploads write: the filesystem store shares its flushes
	// among them (group commit).
	b.Run("CreateParallel", func(b *testing.B) {
		lat := make([]time.Duration, b.N)
		b.SetBytes(benchSize)
		var next atomic.Int64
		var wg sync.WaitGroup
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
					if err := s.Create(ctx, fmt.Sprintf("bench/%09d", seq.Add(1)), bytes.NewReader(data), benchSize, CreateOptions{}); err != nil {
						b.Error(err)
						return
					}
					lat[i] = time.Since(t0)
				}
			}()
		}
		wg.Wait()
		report(b, lat, time.Since(start))
	})
	b.Run("Get", func(b *testing.B) {
		n := seq.Load()
		if n == 0 {
			b.Skip("nothing created")
		}
		lat := make([]time.Duration, 0, b.N)
		b.SetBytes(benchSize)
		start := time.Now()
		buf := make([]byte, benchSize+1)
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			r, err := s.Get(ctx, fmt.Sprintf("bench/%09d", int64(i)%n+1))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Read(buf); err != nil {
					break
				}
			}
			r.Close()
			lat = append(lat, time.Since(t0))
		}
		report(b, lat, time.Since(start))
	})
	b.Run("List100", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		start := time.Now()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			if _, err := s.List(ctx, "bench/", "", 100); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		report(b, lat, time.Since(start))
	})
}

func BenchmarkFS(b *testing.B) {
	s, err := OpenFS(testenv.BenchDir(b))
	if err != nil {
		b.Fatal(err)
	}
	benchStore(b, s)
}

// BenchmarkS3 runs against the server of the S3 tests: the one named by
// EINGANG_TEST_S3_ENDPOINT, or a MinIO started on loopback.
func BenchmarkS3(b *testing.B) {
	ep, ak, sk := testS3(b)
	benchStore(b, newS3(b, ep, ak, sk))
}

// BenchmarkRawDisk is the limit of the disk: write 20 KB, fsync, close.
func BenchmarkRawDisk(b *testing.B) {
	dir := testenv.BenchDir(b)
	data := benchPayload()
	lat := make([]time.Duration, 0, b.N)
	b.SetBytes(benchSize)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		f, err := os.Create(filepath.Join(dir, fmt.Sprint(i)))
		if err != nil {
			b.Fatal(err)
		}
		f.Write(data)
		f.Sync()
		f.Close()
		lat = append(lat, time.Since(t0))
	}
	report(b, lat, time.Since(start))
}
