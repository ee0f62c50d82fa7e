package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/eingang/eingang/internal/testenv"
)

// The S3 tests run against a real MinIO server: the one named by
// EINGANG_TEST_S3_ENDPOINT (with EINGANG_TEST_S3_ACCESS_KEY and
// EINGANG_TEST_S3_SECRET_KEY), else one they start from the binary that
// `make test` installs (internal/testenv), on a free loopback port, and
// stop by PID.

var (
	sharedMinIO     *testenv.MinIO
	sharedMinIOErr  error
	sharedMinIOOnce sync.Once
	bucketSeq       atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedMinIO != nil {
		sharedMinIO.Stop()
		if os.Getenv("EINGANG_BENCH_DATA") == "" {
			os.RemoveAll(sharedMinIO.Dir)
		}
	}
	os.Exit(code)
}

// testS3 returns credentials of a server for the tests.
func testS3(t testing.TB) (endpoint, access, secret string) {
	if ep := os.Getenv("EINGANG_TEST_S3_ENDPOINT"); ep != "" {
		return ep, os.Getenv("EINGANG_TEST_S3_ACCESS_KEY"), os.Getenv("EINGANG_TEST_S3_SECRET_KEY")
	}
	bin := testenv.MinIOBinary(t)
	sharedMinIOOnce.Do(func() {
		dir, err := os.MkdirTemp(os.Getenv("EINGANG_BENCH_DATA"), "eingang-minio-") // see testenv.BenchDir
		if err != nil {
			sharedMinIOErr = err
			return
		}
		sharedMinIO, sharedMinIOErr = testenv.StartMinIO(bin, testenv.FreeAddr(t), dir)
	})
	if sharedMinIOErr != nil {
		t.Fatal(sharedMinIOErr)
	}
	return sharedMinIO.Endpoint, sharedMinIO.AccessKey, sharedMinIO.SecretKey
}

func newS3(t testing.TB, endpoint, access, secret string) *S3 {
	bucket := fmt.Sprintf("eingang-test-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	s, err := OpenS3(context.Background(), S3Config{Bucket: bucket, Endpoint: endpoint, AccessKey: access, SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3Contract(t *testing.T) {
	ep, ak, sk := testS3(t)
	runContract(t, func(t *testing.T) Store { return newS3(t, ep, ak, sk) })
}

// TestS3LockedVersionDelete checks the object lock itself: not even a
// delete of the exact version of a retained original is allowed.
func TestS3LockedVersionDelete(t *testing.T) {
	ep, ak, sk := testS3(t)
	s := newS3(t, ep, ak, sk)
	ctx := context.Background()
	until := time.Now().Add(48 * time.Hour)
	if err := s.Create(ctx, "archive/x/original", strings.NewReader("original"), 8, CreateOptions{RetainUntil: until}); err != nil {
		t.Fatal(err)
	}
	oi, err := s.Client().StatObject(ctx, s.Bucket(), "archive/x/original", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if oi.VersionID == "" {
		t.Fatal("no version id: the bucket is not versioned/locked")
	}
	err = s.Client().RemoveObject(ctx, s.Bucket(), "archive/x/original", minio.RemoveObjectOptions{VersionID: oi.VersionID})
	if err == nil {
		t.Fatal("deleting the locked version succeeded")
	}
	mode, retain, err := s.Client().GetObjectRetention(ctx, s.Bucket(), "archive/x/original", oi.VersionID)
	if err != nil || mode == nil || *mode != minio.Compliance || retain == nil || retain.Unix() != until.Unix() {
		t.Fatalf("retention %v %v %v", mode, retain, err)
	}
	if got := mustGet(t, s, "archive/x/original"); string(got) != "original" {
		t.Fatalf("got %q", got)
	}
}

// TestS3Outage stops MinIO mid-suite: operations fail with ErrUnavailable
// while it is down and succeed once it is back.
func TestS3Outage(t *testing.T) {
	if os.Getenv("EINGANG_TEST_S3_ENDPOINT") != "" {
		t.Skip("the outage test needs a MinIO it starts itself; EINGANG_TEST_S3_ENDPOINT names an external one")
	}
	srv, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	s := newS3(t, srv.Endpoint, srv.AccessKey, srv.SecretKey)
	ctx := context.Background()
	if err := s.Create(ctx, "archive/1/original", strings.NewReader("one"), 3, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()

	down, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := s.Create(down, "archive/2/original", strings.NewReader("two"), 3, CreateOptions{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("create while down: %v, want ErrUnavailable", err)
	}
	if _, err := s.Get(down, "archive/1/original"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("get while down: %v, want ErrUnavailable", err)
	}
	if err := s.Ping(down); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ping while down: %v, want ErrUnavailable", err)
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "archive/2/original", strings.NewReader("two"), 3, CreateOptions{}); err != nil {
		t.Fatalf("create after restart: %v", err)
	}
	if got := mustGet(t, s, "archive/1/original"); string(got) != "one" {
		t.Fatalf("after restart: %q", got)
	}
}

func TestS3OpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := OpenS3(ctx, S3Config{Bucket: "eingang", Endpoint: testenv.FreeAddr(t), AccessKey: "a", SecretKey: "b"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("open unreachable: %v, want ErrUnavailable", err)
	}
}

// TestOpenS3Classifies: what OpenS3 meets at start is an outage
// (ErrUnavailable: the gateway starts and tries again) only where the
// server cannot be reached (TestS3OpenUnreachable) or says it cannot
// serve now; wrong credentials
// and a TLS mismatch are configuration errors.
func TestOpenS3Classifies(t *testing.T) {
	answer := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	ep, ak, sk := testS3(t)
	for _, c := range []struct {
		name        string
		cfg         S3Config
		unavailable bool
	}{
		{"initializing (503)", S3Config{Endpoint: answer(http.StatusServiceUnavailable), AccessKey: ak, SecretKey: sk}, true},
		{"forbidden (403)", S3Config{Endpoint: answer(http.StatusForbidden), AccessKey: ak, SecretKey: sk}, false},
		{"wrong secret", S3Config{Endpoint: ep, AccessKey: ak, SecretKey: "not-" + sk}, false},
		{"wrong access key", S3Config{Endpoint: ep, AccessKey: "nobody", SecretKey: sk}, false},
		{"TLS to a plain server", S3Config{Endpoint: ep, Secure: true, AccessKey: ak, SecretKey: sk}, false},
	} {
		c.cfg.Bucket = "eingang-classify"
		_, err := OpenS3(context.Background(), c.cfg)
		if err == nil || errors.Is(err, ErrUnavailable) != c.unavailable {
			t.Errorf("%s: %v; want an error, unavailable %v", c.name, err, c.unavailable)
		}
	}
}

// TestOpenS3DNS: a name that does not exist is a configuration error (a
// typo in the endpoint); a lookup that failed for now is an outage.
func TestOpenS3DNS(t *testing.T) {
	for _, c := range []struct {
		dns         net.DNSError
		unavailable bool
	}{
		{net.DNSError{Err: "no such host", Name: "minoi.internal", IsNotFound: true}, false},
		{net.DNSError{Err: "server misbehaving", Name: "minio.internal", IsTemporary: true}, true},
		{net.DNSError{Err: "i/o timeout", Name: "minio.internal", IsTimeout: true}, true},
	} {
		err := openErr(&url.Error{Op: "Get", URL: "http://minio.internal:9000/archive/?location=", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &c.dns}})
		if errors.Is(err, ErrUnavailable) != c.unavailable {
			t.Errorf("%v: unavailable %v, want %v", err, !c.unavailable, c.unavailable)
		}
	}
}

// TestS3DeleteLeavesNothing: in the versioned bucket, Delete and Remove
// delete every version of an object, so that no delete marker stays for
// listings of its folder to step over: objects created once (Remove's
// batches of concurrent callers, a store that did not create them),
// written over (Put twice) and deleted before this store deleted that way
// (a marker of its own). Retained objects keep their version.
func TestS3DeleteLeavesNothing(t *testing.T) {
	ep, ak, sk := testS3(t)
	s := newS3(t, ep, ak, sk)
	other, err := OpenS3(context.Background(), S3Config{Bucket: s.Bucket(), Endpoint: ep, AccessKey: ak, SecretKey: sk})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	put := func(key string) {
		t.Helper()
		if err := s.Put(ctx, key, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
	}
	create := func(st *S3, key string) {
		t.Helper()
		if err := st.Create(ctx, key, strings.NewReader("x"), 1, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 40 { // removed concurrently: in batches
		key := fmt.Sprintf("pending/%03d", i)
		create(s, key)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Remove(ctx, key); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	create(other, "pending/other") // created by another gateway's store
	create(s, "pending/put")       // created, then written over
	put("pending/put")
	put("inbox/m/new/twice") // two versions
	put("inbox/m/new/twice")
	create(s, "inbox/m/new/once")
	put("session/old") // deleted the old way first: a delete marker
	if err := s.Client().RemoveObject(ctx, s.Bucket(), "session/old", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	put("session/old")
	for _, key := range []string{"pending/other", "pending/put", "inbox/m/new/twice", "inbox/m/new/once", "session/old", "pending/never"} {
		if err := s.Remove(ctx, key); err != nil {
			t.Fatalf("remove %s: %v", key, err)
		}
	}
	create(s, "clearing/a")
	put("clearing/b")
	put("clearing/b")
	for _, key := range []string{"clearing/a", "clearing/b", "clearing/never"} {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("delete %s: %v", key, err)
		}
	}
	until := time.Now().Add(time.Hour)
	if err := s.Create(ctx, "archive/kept", strings.NewReader("x"), 1, CreateOptions{RetainUntil: until}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "archive/kept"); !errors.Is(err, ErrLocked) {
		t.Fatalf("delete of a retained object: %v", err)
	}
	var left []string
	for o := range s.Client().ListObjects(ctx, s.Bucket(), minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		left = append(left, fmt.Sprintf("%s (version %s, delete marker %v)", o.Key, o.VersionID, o.IsDeleteMarker))
	}
	if len(left) != 1 || !strings.HasPrefix(left[0], "archive/kept ") {
		t.Errorf("versions left: %d, want archive/kept alone:\n%s", len(left), strings.Join(left, "\n"))
	}
}

// listCounter counts the requests a client sends, and its list requests
// apart.
type listCounter struct {
	next  http.RoundTripper
	lists atomic.Int64
	all   atomic.Int64
}

func (c *listCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.all.Add(1)
	if r.Method == http.MethodGet && r.URL.Query().Has("list-type") {
		c.lists.Add(1)
	}
	return c.next.RoundTrip(r)
}

// TestS3ListOnePage checks that a List of fewer keys than the folder
// holds sends one list request: a page of an inbox must not list the
// next page too.
func TestS3ListOnePage(t *testing.T) {
	s, counter := countedS3(t)
	ctx := context.Background()
	for i := range 12 {
		if err := s.Put(ctx, fmt.Sprintf("folder/%02d", i), strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, after := range []string{"", "03"} {
		for range 20 {
			counter.lists.Store(0)
			got, err := s.List(ctx, "folder/", after, 5)
			if err != nil || len(got) != 5 {
				t.Fatalf("List after %q: %d keys, %v", after, len(got), err)
			}
			time.Sleep(5 * time.Millisecond) // a request the lister sent on its own arrives meanwhile
			if n := counter.lists.Load(); n != 1 {
				t.Fatalf("List of 5 of 12 keys after %q sent %d list requests, want 1", after, n)
			}
		}
	}
}

// countedS3 opens a new bucket on the test server whose requests counter
// counts.
func countedS3(t *testing.T) (*S3, *listCounter) {
	counter := &listCounter{}
	return s3With(t, func(next http.RoundTripper) http.RoundTripper { counter.next = next; return counter }), counter
}

// s3With opens a new bucket on the test server, its client's requests
// carried by the transport wrap makes of the default one.
func s3With(t *testing.T, wrap func(next http.RoundTripper) http.RoundTripper) *S3 {
	ep, ak, sk := testS3(t)
	next, err := minio.DefaultTransport(false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := OpenS3(context.Background(), S3Config{Bucket: fmt.Sprintf("eingang-test-with-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1)), Endpoint: ep, AccessKey: ak, SecretKey: sk, Transport: wrap(next)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestS3ListBodies checks that on MinIO a listing with bodies carries the
// content of the small objects, retained or not, and nothing of the
// others, in one request.
func TestS3ListBodies(t *testing.T) {
	s, counter := countedS3(t)
	ctx := context.Background()
	small := `{"seller":"Müller & Söhne"}`
	until := time.Now().Add(time.Hour)
	for key, c := range map[string]struct {
		data string
		opts CreateOptions
	}{
		"folder/a": {small, CreateOptions{}},
		"folder/b": {strings.Repeat("b", bodyMax+1), CreateOptions{}},
		"folder/c": {small, CreateOptions{RetainUntil: until}},
		"folder/d": {strings.Repeat("d", bodyMax), CreateOptions{}},
	} {
		if err := s.Create(ctx, key, strings.NewReader(c.data), int64(len(c.data)), c.opts); err != nil {
			t.Fatal(err)
		}
	}
	counter.all.Store(0)
	infos, err := s.ListBodies(ctx, "folder/", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.all.Load(); n != 1 {
		t.Errorf("ListBodies sent %d requests, want 1", n)
	}
	want := map[string]string{"folder/a": small, "folder/c": small, "folder/d": strings.Repeat("d", bodyMax)}
	if len(infos) != 4 {
		t.Fatalf("listed %d objects, want 4", len(infos))
	}
	for _, in := range infos {
		if w, ok := want[in.Key]; ok != (in.Body != nil) || ok && string(in.Body) != w {
			t.Errorf("%s: body %.40q, want %.40q", in.Key, in.Body, w)
		}
	}
}

// TestS3ListBodiesRefused checks that a server that refuses a listing
// with metadata (not MinIO) is listed without it, from then on.
func TestS3ListBodiesRefused(t *testing.T) {
	refusing := &refuseMetadata{}
	s := s3With(t, func(next http.RoundTripper) http.RoundTripper { refusing.next = next; return refusing })
	ctx := context.Background()
	if err := s.Put(ctx, "folder/a", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		infos, err := s.ListBodies(ctx, "folder/", "", 10)
		if err != nil || len(infos) != 1 || infos[0].Body != nil {
			t.Fatalf("ListBodies: %+v, %v; want folder/a without its body", infos, err)
		}
	}
	if n := refusing.refused.Load(); n != 1 {
		t.Errorf("refused %d listings with metadata, want 1 (then no more asked)", n)
	}
}

// refuseMetadata answers a listing with metadata as an S3 server that
// does not know the parameter might: 400 InvalidArgument.
type refuseMetadata struct {
	next    http.RoundTripper
	refused atomic.Int64
}

func (r *refuseMetadata) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("metadata") == "true" {
		r.refused.Add(1)
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidArgument</Code><Message>Unknown parameter metadata</Message></Error>`
		return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
	}
	return r.next.RoundTrip(req)
}

// TestS3GetOneRequest checks that a Get is one request, of a small object,
// a large one and a missing one (ErrNotFound at Get).
func TestS3GetOneRequest(t *testing.T) {
	s, counter := countedS3(t)
	ctx := context.Background()
	large := strings.Repeat("0123456789", 10_000)
	for key, data := range map[string]string{"small": "x", "empty": "", "large": large} {
		if err := s.Put(ctx, "obj/"+key, strings.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		counter.all.Store(0)
		r, err := s.Get(ctx, "obj/"+key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != data {
			t.Fatalf("%s: read %d bytes, %v; want %d", key, len(got), err, len(data))
		}
		if n := counter.all.Load(); n != 1 {
			t.Errorf("Get and read of %s: %d requests, want 1", key, n)
		}
	}
	counter.all.Store(0)
	if _, err := s.Get(ctx, "obj/missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get missing: %v, want ErrNotFound", err)
	}
	if n := counter.all.Load(); n != 1 {
		t.Errorf("Get of a missing key: %d requests, want 1", n)
	}
}
