package ingest

import (
	"context"
	"errors"
	"io"

	"github.com/eingang/eingang/store"
)

// Errors the pipeline returns, wrapped with context; test them with
// errors.Is. Channels map them to their own protocol (HTTP status, SMTP
// reply, AS4 error) without knowing the store.
var (
	// ErrNotFound: the id does not exist or is not visible to the caller.
	ErrNotFound = errors.New("not found")
	// ErrUnavailable: the archive cannot be reached; for a submission,
	// nothing was acknowledged and the sender should send again later.
	ErrUnavailable = errors.New("archive unavailable")
	// ErrNoView: the invoice cannot be shown as a page (its original is
	// kept and can be fetched as it is).
	ErrNoView = errors.New("the invoice cannot be shown as a page")
)

// outage marks an error of the store that means it cannot be reached as
// ErrUnavailable, keeping the store's error in the chain.
func outage(err error) error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return unavailableError{err}
	}
	return err
}

type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{e.err, ErrUnavailable} }

// outageStore is the pipeline's view of its store: every outage error is
// also ErrUnavailable.
type outageStore struct{ s store.Store }

func (o outageStore) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	return outage(o.s.Create(ctx, key, r, size, opts))
}

func (o outageStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	return outage(o.s.Put(ctx, key, r, size))
}

func (o outageStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := o.s.Get(ctx, key)
	return r, outage(err)
}

func (o outageStore) Stat(ctx context.Context, key string) (store.Info, error) {
	info, err := o.s.Stat(ctx, key)
	return info, outage(err)
}

func (o outageStore) Delete(ctx context.Context, key string) error {
	return outage(o.s.Delete(ctx, key))
}

func (o outageStore) List(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	infos, err := o.s.List(ctx, prefix, after, limit)
	return infos, outage(err)
}

func (o outageStore) Ping(ctx context.Context) error { return outage(o.s.Ping(ctx)) }

func (o outageStore) Sync(ctx context.Context) error { return outage(store.Sync(ctx, o.s)) }
