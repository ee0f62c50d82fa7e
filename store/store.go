// Package store keeps objects by key, in a local directory (the embedded
// default) or in an S3 bucket (MinIO or any S3). It knows nothing of
// invoices: keys, bytes, write-once creation and retention.
//
// Keys are slash-separated paths of segments made of ASCII letters, digits,
// '.', '_' and '-'; no segment is empty or starts with '.'. Other keys
// are refused with ErrInvalidKey, so that no key can escape the store's root
// or mean different things to the two backends.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Errors a Store returns, wrapped with context; test them with errors.Is.
// An error matching ErrNoSpace or ErrReadOnly matches ErrUnavailable too.
var (
	ErrNotFound    = errors.New("object not found")
	ErrExists      = errors.New("object exists")
	ErrInvalidKey  = errors.New("invalid key")
	ErrLocked      = errors.New("object is under retention")
	ErrUnavailable = errors.New("store unavailable")
	// ErrNoSpace: the store has no room left (a full disk, a quota).
	ErrNoSpace = errors.New("no space left in the store")
	// ErrReadOnly: the store takes no writes (a read-only filesystem).
	ErrReadOnly = errors.New("store is read-only")
)

// Space is the room a store has left.
type Space struct {
	Bytes uint64 // free bytes the store may write
	// Inodes is the number of files that can still be made, or -1 where
	// the filesystem sets no such limit.
	Inodes int64
}

// A Spacer is a store that can tell its room (the filesystem store).
type Spacer interface {
	Space(ctx context.Context) (Space, error)
}

// Room returns the room s has left; ok is false for a store that cannot
// tell (S3).
func Room(ctx context.Context, s Store) (room Space, ok bool, err error) {
	if sp, is := s.(Spacer); is {
		room, err = sp.Space(ctx)
		if errors.Is(err, errors.ErrUnsupported) {
			return Space{}, false, nil
		}
		return room, true, err
	}
	return Space{}, false, nil
}

// Info describes a stored object.
type Info struct {
	Key         string
	Size        int64
	Modified    time.Time
	RetainUntil time.Time // zero when the object has no retention
	// Body is the object's content where a listing carried it
	// (ListBodies); nil otherwise.
	Body []byte
}

// CreateOptions tune Create.
type CreateOptions struct {
	// RetainUntil, when set, makes the object unalterable until then: no
	// overwrite, no deletion (S3 object lock; on the filesystem store the
	// store itself refuses).
	RetainUntil time.Time
}

// deferKey marks a context from Deferred.
type deferKey struct{}

// Deferred returns a context under which writes (Create, Put, Delete) to a
// store that supports it return before they are durable; Sync then makes
// them durable together. The filesystem store supports it (one flush of
// the filesystem for many writes); on S3 every write is durable when it
// returns, deferred or not. A deferred write may, after a power loss
// before Sync, be missing or visible with incomplete content: write what
// recovery can check (a hash, a marker written and synced first).
func Deferred(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferKey{}, true)
}

func deferred(ctx context.Context) bool {
	d, _ := ctx.Value(deferKey{}).(bool)
	return d
}

// A Syncer is a store whose writes can be deferred; see Deferred.
type Syncer interface {
	// Sync returns when every write made before the call is durable.
	Sync(ctx context.Context) error
}

// Sync makes every write made to s before the call durable: it calls
// s.Sync where s is a Syncer, and does nothing otherwise.
func Sync(ctx context.Context, s Store) error {
	if y, ok := s.(Syncer); ok {
		return y.Sync(ctx)
	}
	return nil
}

// A Remover is a store that can delete an object it need not look at
// first: one that was never put under retention. The S3 store gathers the
// removals of concurrent callers into one request.
type Remover interface {
	// Remove deletes an object that was never retained; removing a key
	// that does not exist succeeds.
	Remove(ctx context.Context, key string) error
}

// Remove deletes an object that was never put under retention: with
// s.Remove where s is a Remover, else with s.Delete.
func Remove(ctx context.Context, s Store, key string) error {
	if r, ok := s.(Remover); ok {
		return r.Remove(ctx, key)
	}
	return s.Delete(ctx, key)
}

// A BodyLister is a store whose listings can carry the content of small
// objects: a page of small records is then one request, where a listing
// and a Get of each would take one more for every record. The S3 store is
// one where the server is MinIO.
type BodyLister interface {
	// ListBodies is List, with Info.Body set for the objects whose
	// content the listing carried; any of them may lack it.
	ListBodies(ctx context.Context, prefix, after string, limit int) ([]Info, error)
}

// ListBodies lists with s.ListBodies where s is a BodyLister, else with
// s.List, whose Infos carry no bodies.
func ListBodies(ctx context.Context, s Store, prefix, after string, limit int) ([]Info, error) {
	if l, ok := s.(BodyLister); ok {
		return l.ListBodies(ctx, prefix, after, limit)
	}
	return s.List(ctx, prefix, after, limit)
}

// A Store keeps objects by key. Implementations are safe for concurrent use.
type Store interface {
	// Create writes a new object; it fails with ErrExists when the key is
	// taken, atomically: of concurrent creators exactly one wins. size is
	// the length of r, or -1 when unknown. The object is visible only once
	// completely and durably written.
	Create(ctx context.Context, key string, r io.Reader, size int64, opts CreateOptions) error
	// Put writes or replaces an object, atomically.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens an object for reading. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Stat describes an object.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes an object; ErrLocked while it is under retention.
	// Deleting an absent object is not an error.
	Delete(ctx context.Context, key string) error
	// List returns up to limit objects directly below prefix (which ends in
	// "/"), in key order, whose name after the prefix sorts after after.
	List(ctx context.Context, prefix, after string, limit int) ([]Info, error)
	// Ping checks that the store is reachable and usable.
	Ping(ctx context.Context) error
}

// CheckKey reports whether key is a valid key.
func CheckKey(key string) error {
	if key == "" || len(key) > 512 {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("%w: %q", ErrInvalidKey, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return fmt.Errorf("%w: %q", ErrInvalidKey, key)
			}
		}
	}
	return nil
}

func checkPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if !strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("%w: prefix %q must end in /", ErrInvalidKey, prefix)
	}
	return CheckKey(strings.TrimSuffix(prefix, "/"))
}

// RetainUntil returns the end of a retention period of years full calendar
// years after the year of t, the way German retention periods run (GoBD,
// §14b UStG): received on 2026-11-23, 10 years: until 2037-01-01 00:00 UTC.
func RetainUntil(t time.Time, years int) time.Time {
	return time.Date(t.UTC().Year()+years+1, 1, 1, 0, 0, 0, 0, time.UTC)
}

// Open opens the store a URL names:
//
//	file:///var/lib/eingang   a directory (created if missing); a plain path works too
//	s3://bucket?endpoint=host:port&secure=false&region=eu-central-1&mode=compliance
//
// S3 credentials come from EINGANG_S3_ACCESS_KEY and EINGANG_S3_SECRET_KEY,
// else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Open checks the
// configuration and that the store is reachable, so that a mistake shows at
// start and not on the first upload. An error that matches ErrUnavailable
// says only that the store could not be reached (OpenRetrying tries
// again); any other is a configuration error.
func Open(ctx context.Context, rawURL string) (Store, error) {
	if !strings.Contains(rawURL, "://") {
		return OpenFS(rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse %q: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("store: file URL %q: use file:///absolute/path", rawURL)
		}
		return OpenFS(u.Path)
	case "s3":
		cfg := S3Config{Bucket: u.Host, Endpoint: u.Query().Get("endpoint"), Region: u.Query().Get("region"), Secure: true}
		if s := u.Query().Get("secure"); s != "" {
			if cfg.Secure, err = strconv.ParseBool(s); err != nil {
				return nil, fmt.Errorf("store: %q: secure=%q is not a boolean", rawURL, s)
			}
		}
		switch m := strings.ToLower(u.Query().Get("mode")); m {
		case "", "compliance":
		case "governance":
			cfg.Governance = true
		default:
			return nil, fmt.Errorf("store: %q: mode=%q: use compliance or governance", rawURL, m)
		}
		cfg.AccessKey, cfg.SecretKey = os.Getenv("EINGANG_S3_ACCESS_KEY"), os.Getenv("EINGANG_S3_SECRET_KEY")
		if cfg.AccessKey == "" {
			cfg.AccessKey, cfg.SecretKey = os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		}
		return OpenS3(ctx, cfg)
	}
	return nil, fmt.Errorf("store: %q: unknown scheme %q (use file:// or s3://)", rawURL, u.Scheme)
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
