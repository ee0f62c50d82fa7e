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
	// ErrUnavailable: the archive (or the malware scanner,
	// ErrScanUnavailable) cannot be reached, is full or takes no writes.
	// Every error of Submit matches it but a *RefusedError and a
	// *PDFError (nothing kept; sending the same again will not help): the
	// sender should send again later. Where Submit's error is a
	// *NotFiledError the submission was kept nonetheless; else it was not
	// accepted.
	ErrUnavailable = errors.New("archive unavailable")
	// ErrNoView: the invoice cannot be shown as a page (its original is
	// kept and can be fetched as it is).
	ErrNoView = errors.New("the invoice cannot be shown as a page")
)

// NotFiledError is Submit's error when the submission was kept durably
// but the archive failed before it was filed. It is not lost: the pipeline
// files it when the archive is back (Recover, or the sender sending the
// same bytes again), and its sender can follow it with ReceiptToken. It
// matches ErrUnavailable.
type NotFiledError struct {
	ID           string // the submission's id
	ReceiptToken string // for the sender, as in a Receipt
	Err          error
}

func (e *NotFiledError) Error() string   { return e.Err.Error() }
func (e *NotFiledError) Unwrap() []error { return []error{e.Err, ErrUnavailable} }

// outage marks an error of the store that means it cannot be reached or
// takes no writes as ErrUnavailable, keeping the store's error in the
// chain: an outage (store.ErrUnavailable), a full disk or quota
// (store.ErrNoSpace), a read-only filesystem (store.ErrReadOnly), a
// deadline.
func outage(err error) error {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		return unavailableError{err}
	}
	return err
}

// refused reports whether err says the store refused a write for want of
// room or as read-only: what uploads meet until that changes.
func refused(err error) bool {
	return errors.Is(err, store.ErrNoSpace) || errors.Is(err, store.ErrReadOnly)
}

type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{e.err, ErrUnavailable} }

// outageStore is the pipeline's view of its store: every outage error is
// also ErrUnavailable, and a write refused for want of room or as
// read-only is told to refusedWrite (readiness).
type outageStore struct {
	s            store.Store
	refusedWrite func(error)
}

func (o outageStore) write(err error) error {
	if refused(err) {
		o.refusedWrite(err)
	}
	return outage(err)
}

func (o outageStore) Create(ctx context.Context, key string, r io.Reader, size int64, opts store.CreateOptions) error {
	return o.write(o.s.Create(ctx, key, r, size, opts))
}

func (o outageStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	return o.write(o.s.Put(ctx, key, r, size))
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
	return o.write(o.s.Delete(ctx, key))
}

func (o outageStore) Remove(ctx context.Context, key string) error {
	return o.write(store.Remove(ctx, o.s, key))
}

func (o outageStore) List(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	infos, err := o.s.List(ctx, prefix, after, limit)
	return infos, outage(err)
}

func (o outageStore) ListBodies(ctx context.Context, prefix, after string, limit int) ([]store.Info, error) {
	infos, err := store.ListBodies(ctx, o.s, prefix, after, limit)
	return infos, outage(err)
}

func (o outageStore) Ping(ctx context.Context) error { return outage(o.s.Ping(ctx)) }

func (o outageStore) Sync(ctx context.Context) error { return o.write(store.Sync(ctx, o.s)) }

func (o outageStore) Space(ctx context.Context) (store.Space, error) { return space(ctx, o.s) }

// space is Spacer's method for a store wrapper: the wrapped store's room,
// or errors.ErrUnsupported where it cannot tell.
func space(ctx context.Context, s store.Store) (store.Space, error) {
	room, ok, err := store.Room(ctx, s)
	if !ok {
		return room, errors.ErrUnsupported
	}
	return room, err
}
