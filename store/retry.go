package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// RetryConfig tunes OpenRetrying.
type RetryConfig struct {
	// Min and Max bound the wait between two attempts to open the store:
	// it starts at Min and doubles up to Max, each wait drawn at random
	// from its upper half so that gateways restarted together do not
	// knock together (defaults 1 s and 30 s).
	Min, Max time.Duration
	// Timeout bounds one attempt (default 30 s).
	Timeout time.Duration
	Logger  *slog.Logger
}

// A Retrying is a store that may still be opening. Until it is open, every
// method fails with an error that matches ErrUnavailable and says why the
// last attempt failed; once open, every method is the opened store's. It
// is a Spacer, a Syncer and a Remover where the opened store is.
type Retrying struct {
	opened chan struct{} // closed once s is set
	s      Store

	mu   sync.Mutex
	last error // of the last attempt, while not open
}

// OpenRetrying opens a store with open, trying once before it returns. A
// failure that does not match ErrUnavailable (a wrong URL, wrong
// credentials: a configuration error) is returned as it is. A store that
// cannot be reached (ErrUnavailable) is no error: OpenRetrying returns a
// Retrying that answers ErrUnavailable and tries again in the background,
// with back-off (see RetryConfig), until it is open or ctx ends. A
// configuration error met then is logged and tried again too: the store
// may answer before its setup is complete.
func OpenRetrying(ctx context.Context, open func(context.Context) (Store, error), cfg RetryConfig) (*Retrying, error) {
	if cfg.Min <= 0 {
		cfg.Min = time.Second
	}
	if cfg.Max < cfg.Min {
		cfg.Max = max(30*time.Second, cfg.Min)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Retrying{opened: make(chan struct{})}
	attempt := func() error {
		actx, cancel := context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
		s, err := open(actx)
		if err != nil {
			r.mu.Lock()
			r.last = err
			r.mu.Unlock()
			return err
		}
		r.s = s
		close(r.opened)
		return nil
	}
	err := attempt()
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, ErrUnavailable) {
		return nil, err
	}
	// Each wait is drawn from the upper half of the back-off.
	jitter := func(wait time.Duration) time.Duration { return wait/2 + rand.N(wait/2+1) }
	wait := cfg.Min
	next := jitter(wait)
	cfg.Logger.Warn("store unreachable: answering 503 and trying again", "err", err, "retry_in", next.Round(time.Millisecond))
	go func() {
		for attempts := 2; ; attempts++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(next):
			}
			err := attempt()
			if err == nil {
				cfg.Logger.Info("store open", "attempts", attempts)
				return
			}
			wait = min(2*wait, cfg.Max)
			next = jitter(wait)
			if errors.Is(err, ErrUnavailable) {
				cfg.Logger.Warn("store still unreachable", "err", err, "retry_in", next.Round(time.Millisecond))
			} else {
				cfg.Logger.Error("store answers but refuses to open: check its configuration", "err", err, "retry_in", next.Round(time.Millisecond))
			}
		}
	}()
	return r, nil
}

// Opened is closed once the store is open.
func (r *Retrying) Opened() <-chan struct{} { return r.opened }

// store returns the opened store, or why there is none yet.
func (r *Retrying) store() (Store, error) {
	select {
	case <-r.opened:
		return r.s, nil
	default:
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if errors.Is(r.last, ErrUnavailable) {
		return nil, fmt.Errorf("store: not open yet: %w", r.last)
	}
	return nil, fmt.Errorf("store: not open yet (%v): %w", r.last, ErrUnavailable)
}

// Create implements Store.
func (r *Retrying) Create(ctx context.Context, key string, rd io.Reader, size int64, opts CreateOptions) error {
	s, err := r.store()
	if err != nil {
		return err
	}
	return s.Create(ctx, key, rd, size, opts)
}

// Put implements Store.
func (r *Retrying) Put(ctx context.Context, key string, rd io.Reader, size int64) error {
	s, err := r.store()
	if err != nil {
		return err
	}
	return s.Put(ctx, key, rd, size)
}

// Get implements Store.
func (r *Retrying) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	s, err := r.store()
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, key)
}

// Stat implements Store.
func (r *Retrying) Stat(ctx context.Context, key string) (Info, error) {
	s, err := r.store()
	if err != nil {
		return Info{}, err
	}
	return s.Stat(ctx, key)
}

// Delete implements Store.
func (r *Retrying) Delete(ctx context.Context, key string) error {
	s, err := r.store()
	if err != nil {
		return err
	}
	return s.Delete(ctx, key)
}

// Remove implements Remover with the opened store's Remove, or its
// Delete where it has none.
func (r *Retrying) Remove(ctx context.Context, key string) error {
	s, err := r.store()
	if err != nil {
		return err
	}
	return Remove(ctx, s, key)
}

// List implements Store.
func (r *Retrying) List(ctx context.Context, prefix, after string, limit int) ([]Info, error) {
	s, err := r.store()
	if err != nil {
		return nil, err
	}
	return s.List(ctx, prefix, after, limit)
}

// ListBodies implements BodyLister with the opened store's ListBodies,
// or its List where it has none.
func (r *Retrying) ListBodies(ctx context.Context, prefix, after string, limit int) ([]Info, error) {
	s, err := r.store()
	if err != nil {
		return nil, err
	}
	return ListBodies(ctx, s, prefix, after, limit)
}

// Ping implements Store.
func (r *Retrying) Ping(ctx context.Context) error {
	s, err := r.store()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}

// Space implements Spacer: the opened store's room, or
// errors.ErrUnsupported where it cannot tell or is not open yet.
func (r *Retrying) Space(ctx context.Context) (Space, error) {
	s, err := r.store()
	if err != nil {
		return Space{}, errors.ErrUnsupported
	}
	room, ok, err := Room(ctx, s)
	if !ok {
		return Space{}, errors.ErrUnsupported
	}
	return room, err
}

// Sync implements Syncer. Before the store is open nothing was written,
// and there is nothing to sync.
func (r *Retrying) Sync(ctx context.Context) error {
	s, err := r.store()
	if err != nil {
		return nil
	}
	return Sync(ctx, s)
}
