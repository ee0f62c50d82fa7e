package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config configures an S3 store.
type S3Config struct {
	Bucket    string
	Endpoint  string // host:port
	Region    string
	Secure    bool // HTTPS
	AccessKey string
	SecretKey string
	// Governance puts retained objects under GOVERNANCE mode (privileged
	// users may lift it) instead of COMPLIANCE (nobody may).
	Governance bool
	// Transport, where set, carries the client's requests (a custom TLS
	// configuration, or counting them in a benchmark).
	Transport http.RoundTripper
}

// S3 is the S3 store (MinIO or any S3). The bucket is created with object
// locking when missing; retained objects are put with a retention mode and
// date, so that no one can delete or overwrite their version before then.
//
// The bucket is versioned (object locking needs it), and an object deleted
// without naming a version would leave a delete marker behind: every
// listing of its folder would step over it for good, so that a folder of
// short-lived objects (pending markers, inbox entries) would cost in
// proportion to all it ever held. Delete and Remove therefore delete the
// object's versions themselves, and nothing of it remains.
//
// An object of at most 1,500 bytes carries its content in its metadata
// too, so that a MinIO listing returns small records with their keys
// (ListBodies).
type S3 struct {
	c        *minio.Client
	bucket   string
	mode     minio.RetentionMode
	removals removeGroup
	created  versions
	// plainLists is set once the server refused a listing with metadata
	// (ListBodies): it is not MinIO.
	plainLists atomic.Bool
}

// OpenS3 connects to the bucket, creating it (with object locking) if it
// does not exist.
func OpenS3(ctx context.Context, cfg S3Config) (*S3, error) {
	switch {
	case cfg.Bucket == "":
		return nil, errors.New("store: s3: no bucket: use s3://bucket?endpoint=host:port")
	case cfg.Endpoint == "":
		return nil, fmt.Errorf("store: s3 %s: no endpoint: add ?endpoint=host:port", cfg.Bucket)
	case cfg.AccessKey == "" || cfg.SecretKey == "":
		return nil, fmt.Errorf("store: s3 %s: no credentials: set EINGANG_S3_ACCESS_KEY and EINGANG_S3_SECRET_KEY", cfg.Bucket)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
		// Fail fast during an outage: the gateway answers 503 and the
		// sender retries; ten retries with back-off would hold requests.
		MaxRetries: 3,
		Transport:  cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("store: s3 %s: %w", cfg.Bucket, err)
	}
	s := &S3{c: c, bucket: cfg.Bucket, mode: minio.Compliance}
	if cfg.Governance {
		s.mode = minio.Governance
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("store: s3 %s at %s: %w", cfg.Bucket, cfg.Endpoint, openErr(err))
	}
	if !ok {
		err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region, ObjectLocking: true})
		if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return nil, fmt.Errorf("store: s3 %s: create bucket: %w", cfg.Bucket, openErr(err))
		}
	}
	return s, nil
}

// Client returns the underlying client, for tests and tools.
func (s *S3) Client() *minio.Client { return s.c }

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

// openErr classifies an error met while opening: it matches ErrUnavailable
// where the server could not be reached or said it cannot serve now (5xx),
// so that the gateway may start and try again. Anything else is a
// configuration error and returned as it is: wrong credentials, a TLS
// mismatch, a host name that does not resolve.
func openErr(err error) error {
	if unreachable(err) {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

func unreachable(err error) bool {
	if minio.ToErrorResponse(err).StatusCode >= 500 {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTemporary || dns.IsTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
		context.DeadlineExceeded, io.EOF, io.ErrUnexpectedEOF} {
		if errors.Is(err, e) {
			return true
		}
	}
	return strings.Contains(err.Error(), "connection refused")
}

// s3err maps client errors to the store's errors.
func s3err(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.StatusCode == http.StatusNotFound && resp.Code != "NoSuchBucket":
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	case resp.StatusCode == http.StatusPreconditionFailed:
		return fmt.Errorf("%w: %v", ErrExists, err)
	case resp.StatusCode == http.StatusInsufficientStorage || resp.Code == "XMinioStorageFull":
		return refusal{err, ErrNoSpace}
	case resp.StatusCode >= 500:
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || strings.Contains(err.Error(), "connection refused") {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return err
}

// Create implements Store with a conditional put (If-None-Match: *).
func (s *S3) Create(ctx context.Context, key string, r io.Reader, size int64, opts CreateOptions) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: create: %w", err)
	}
	po := minio.PutObjectOptions{DisableContentSha256: true}
	po.SetMatchETagExcept("*")
	if !opts.RetainUntil.IsZero() {
		po.Mode = s.mode
		po.RetainUntilDate = opts.RetainUntil.UTC()
	}
	info, err := s.put(ctx, key, r, size, po)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", key, s3err(err))
	}
	if opts.RetainUntil.IsZero() {
		s.created.add(key, info.VersionID)
	}
	return nil
}

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: put: %w", err)
	}
	s.created.take(key) // no longer the only version
	if _, err := s.put(ctx, key, r, size, minio.PutObjectOptions{DisableContentSha256: true}); err != nil {
		return fmt.Errorf("store: put %s: %w", key, s3err(err))
	}
	return nil
}

// bodyMax is the size up to which an object carries its content in its
// metadata too, base64-encoded, where a MinIO listing returns it
// (ListBodies): S3 allows 2 KB of metadata, and base64 makes 1,500 bytes
// 2,000. A retained object's metadata is as unalterable as its content.
const bodyMax = 1500

// put puts an object, with its content in its metadata where it is small.
func (s *S3) put(ctx context.Context, key string, r io.Reader, size int64, po minio.PutObjectOptions) (minio.UploadInfo, error) {
	r = ctxReader{ctx, r}
	if size >= 0 && size <= bodyMax {
		b := make([]byte, size)
		if _, err := io.ReadFull(r, b); err != nil {
			return minio.UploadInfo{}, err
		}
		po.UserMetadata = map[string]string{bodyMeta: base64.StdEncoding.EncodeToString(b)}
		r = bytes.NewReader(b)
	}
	return s.c.PutObject(ctx, s.bucket, key, r, size, po)
}

// bodyMeta names the metadata that carries a small object's content.
const bodyMeta = "Body"

// Get implements Store. It reads the object's first bytes before it
// returns, so that a missing key is ErrNotFound at Get: minio-go asks for
// an object's body at its first read, and a Stat before that (a HEAD)
// would make every Get two requests.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := CheckKey(key); err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", key, s3err(err))
	}
	head := make([]byte, 4<<10)
	n, err := io.ReadFull(obj, head)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF: // all of it read
		obj.Close()
		return io.NopCloser(bytes.NewReader(head[:n])), nil
	case err != nil:
		obj.Close()
		return nil, fmt.Errorf("store: get %s: %w", key, s3err(err))
	}
	return s3Object{io.MultiReader(bytes.NewReader(head), obj), obj}, nil
}

// s3Object reads the rest of an object after its first bytes: a read
// error is the store's, as at Get.
type s3Object struct {
	r   io.Reader
	obj *minio.Object
}

func (o s3Object) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err != nil && err != io.EOF {
		err = s3err(err)
	}
	return n, err
}

func (o s3Object) Close() error { return o.obj.Close() }

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := CheckKey(key); err != nil {
		return Info{}, fmt.Errorf("store: stat: %w", err)
	}
	oi, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("store: stat %s: %w", key, s3err(err))
	}
	info := Info{Key: key, Size: oi.Size, Modified: oi.LastModified}
	if v := oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"); v != "" {
		info.RetainUntil, _ = time.Parse(time.RFC3339, v)
	}
	return info, nil
}

// Delete implements Store. A retained object is refused with ErrLocked; its
// version could not be removed before its retention date anyway.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	oi, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		if errors.Is(s3err(err), ErrNotFound) {
			return nil
		}
		return fmt.Errorf("store: delete %s: %w", key, s3err(err))
	}
	if v := oi.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"); v != "" {
		if until, err := time.Parse(time.RFC3339, v); err == nil && time.Now().Before(until) {
			return fmt.Errorf("store: delete %s: %w until %s", key, ErrLocked, until.Format(time.DateOnly))
		}
	}
	vs, err := s.doomed(ctx, key, oi.VersionID)
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", key, err)
	}
	for _, v := range vs {
		if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: v.VersionID}); err != nil {
			return fmt.Errorf("store: delete %s: %w", key, s3err(err))
		}
	}
	return nil
}

// doomed returns the versions to delete so that nothing of key remains:
// the one this store created, where it is still the current one (current,
// "" where no look told), else all that a look at the key's versions
// finds.
func (s *S3) doomed(ctx context.Context, key, current string) ([]minio.ObjectInfo, error) {
	if id, ok := s.created.take(key); ok && (current == "" || id == current) {
		return []minio.ObjectInfo{{Key: key, VersionID: id}}, nil
	}
	return s.versionsOf(ctx, key)
}

// versionsOf lists every version of key, delete markers included.
func (s *S3) versionsOf(ctx context.Context, key string) ([]minio.ObjectInfo, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var vs []minio.ObjectInfo
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
		if o.Err != nil {
			return nil, s3err(o.Err)
		}
		if o.Key == key {
			vs = append(vs, minio.ObjectInfo{Key: key, VersionID: o.VersionID})
		}
	}
	return vs, nil
}

// versions remembers the version of each object the store created without
// retention, until it is deleted: deleting exactly that version leaves
// nothing of the object (Create found no current version before it). It
// holds at most maxVersions (3.4 MB measured with the longest keys, the
// dedup records'); when full it starts over, and an object it has
// forgotten is deleted after a look at its versions (versionsOf). What it
// must hold is only what is created and soon deleted (a pending marker
// lives for the seconds of its submission); the records never deleted
// (dedup) fill it until it starts over.
type versions struct {
	mu sync.Mutex
	m  map[string]string
}

const maxVersions = 1 << 14

func (v *versions) add(key, id string) {
	if id == "" {
		return // an unversioned bucket
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxVersions {
		v.m = make(map[string]string)
	}
	v.m[key] = id
}

// take returns and forgets the version created of key.
func (v *versions) take(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	id, ok := v.m[key]
	delete(v.m, key)
	return id, ok
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix, after string, limit int) ([]Info, error) {
	return s.list(ctx, prefix, after, limit, false)
}

// ListBodies implements BodyLister: a MinIO server lists the objects'
// metadata too (an extension of MinIO's), and with it the content of the
// small ones (put). Another S3 server lists without it, and the Infos
// carry no bodies; one that refuses to be asked is then listed as by List.
func (s *S3) ListBodies(ctx context.Context, prefix, after string, limit int) ([]Info, error) {
	if s.plainLists.Load() {
		return s.list(ctx, prefix, after, limit, false)
	}
	infos, err := s.list(ctx, prefix, after, limit, true)
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotImplemented) {
		s.plainLists.Store(true)
		return s.list(ctx, prefix, after, limit, false)
	}
	return infos, err
}

func (s *S3) list(ctx context.Context, prefix, after string, limit int, bodies bool) ([]Info, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: false, WithMetadata: bodies}
	if after != "" {
		opts.StartAfter = prefix + after
	}
	if limit > 0 && limit < 1000 {
		opts.MaxKeys = limit
	}
	// The iterator, not the channel: a channel's sender lists the next
	// page while the last of this one is read, a request that a page of
	// an inbox (limit entries of many) never needs.
	var out []Info
	for oi := range s.c.ListObjectsIter(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, fmt.Errorf("store: list %s: %w", prefix, s3err(oi.Err))
		}
		if strings.HasSuffix(oi.Key, "/") {
			continue // a common prefix: a "directory"
		}
		info := Info{Key: oi.Key, Size: oi.Size, Modified: oi.LastModified}
		if v, ok := oi.UserMetadataStripped[bodyMeta]; ok {
			if b, err := base64.StdEncoding.DecodeString(v); err == nil && int64(len(b)) == oi.Size {
				info.Body = b
			}
		}
		out = append(out, info)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// Ping implements Store.
func (s *S3) Ping(ctx context.Context) error {
	if _, err := s.c.BucketExists(ctx, s.bucket); err != nil {
		return fmt.Errorf("store: s3 %s: %w", s.bucket, s3err(err))
	}
	return nil
}
