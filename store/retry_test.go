package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestOpenRetryingConfigError: an error that is no outage is returned at
// once, and open is not called again.
func TestOpenRetryingConfigError(t *testing.T) {
	calls := 0
	wrong := errors.New("store: s3 archive: Access Denied")
	r, err := OpenRetrying(context.Background(), func(context.Context) (Store, error) {
		calls++
		return nil, wrong
	}, RetryConfig{Min: time.Millisecond, Max: time.Millisecond})
	if r != nil || !errors.Is(err, wrong) {
		t.Fatalf("OpenRetrying: %v, %v; want the configuration error", r, err)
	}
	time.Sleep(20 * time.Millisecond)
	if calls != 1 {
		t.Errorf("open called %d times, want 1", calls)
	}
}

// TestOpenRetryingOpensLater: while open fails with ErrUnavailable every
// method answers ErrUnavailable with the reason; the waits between
// attempts double up to Max; once open, the store is the opened one.
func TestOpenRetryingOpensLater(t *testing.T) {
	const fails = 6
	minWait, maxWait := 20*time.Millisecond, 80*time.Millisecond
	var (
		mu       sync.Mutex
		attempts []time.Time
	)
	fs, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r, err := OpenRetrying(ctx, func(context.Context) (Store, error) {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, time.Now())
		if len(attempts) <= fails {
			return nil, fmt.Errorf("dial: connection refused: %w", ErrUnavailable)
		}
		return fs, nil
	}, RetryConfig{Min: minWait, Max: maxWait})
	if err != nil {
		t.Fatalf("OpenRetrying on an unreachable store: %v", err)
	}
	select {
	case <-r.Opened():
		t.Fatal("opened at once")
	default:
	}
	if err := r.Ping(ctx); !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Ping before open: %v", err)
	}
	if err := r.Put(ctx, "a/b", strings.NewReader("x"), 1); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Put before open: %v", err)
	}
	if _, ok, err := Room(ctx, r); ok || err != nil {
		t.Errorf("Room before open: %v, %v; want none", ok, err)
	}
	select {
	case <-r.Opened():
	case <-time.After(10 * time.Second):
		t.Fatal("not open after 10 s")
	}
	if err := r.Put(ctx, "a/b", strings.NewReader("x"), 1); err != nil {
		t.Fatalf("Put once open: %v", err)
	}
	if _, err := fs.Stat(ctx, "a/b"); err != nil {
		t.Errorf("the write did not reach the opened store: %v", err)
	}
	if _, ok, err := Room(ctx, r); !ok || err != nil {
		t.Errorf("Room once open: %v, %v; want the directory's", ok, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(attempts) != fails+1 {
		t.Fatalf("%d attempts, want %d", len(attempts), fails+1)
	}
	wait := minWait
	for i := 1; i < len(attempts); i++ {
		// Each wait is drawn from the upper half of the back-off.
		if gap := attempts[i].Sub(attempts[i-1]); gap < wait/2 {
			t.Errorf("wait before attempt %d: %s, want at least %s", i+1, gap, wait/2)
		}
		wait = min(2*wait, maxWait)
	}
}

// TestOpenRetryingStops: no attempt is made once ctx ends.
func TestOpenRetryingStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	calls := 0
	_, err := OpenRetrying(ctx, func(context.Context) (Store, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return nil, ErrUnavailable
	}, RetryConfig{Min: 5 * time.Millisecond, Max: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	time.Sleep(20 * time.Millisecond) // an attempt under way ends
	mu.Lock()
	n := calls
	mu.Unlock()
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if n < 2 || calls != n {
		t.Errorf("%d attempts before the end, %d after; want some, then none", n, calls)
	}
}

// removeCounter is a store that counts the calls of its Remove.
type removeCounter struct {
	Store
	removes atomic.Int32
}

func (c *removeCounter) Remove(ctx context.Context, key string) error {
	c.removes.Add(1)
	return c.Store.Delete(ctx, key)
}

// TestRetryingRemove: once open, a Retrying removes with the opened
// store's Remove (the S3 store's batched removal), not with Delete.
func TestRetryingRemove(t *testing.T) {
	fs, err := OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := &removeCounter{Store: fs}
	ctx := context.Background()
	r, err := OpenRetrying(ctx, func(context.Context) (Store, error) { return c, nil }, RetryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Put(ctx, "pending/x", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	if err := Remove(ctx, r, "pending/x"); err != nil {
		t.Fatal(err)
	}
	if n := c.removes.Load(); n != 1 {
		t.Errorf("the opened store's Remove ran %d times, want 1", n)
	}
	if _, err := fs.Stat(ctx, "pending/x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Remove: %v", err)
	}
}
