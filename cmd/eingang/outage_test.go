package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/eingang/eingang/internal/testenv"
	"github.com/eingang/eingang/store"
)

// TestS3Outage runs the gateway on a real MinIO, stops MinIO: uploads
// answer 503 with Retry-After and nothing is half-filed; after MinIO is
// back, uploads succeed again.
func TestS3Outage(t *testing.T) {
	if testing.Short() {
		t.Skip("outage test is not short")
	}
	minio, err := testenv.StartMinIO(testenv.MinIOBinary(t), testenv.FreeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer minio.Stop()
	os.Setenv("EINGANG_S3_ACCESS_KEY", minio.AccessKey)
	os.Setenv("EINGANG_S3_SECRET_KEY", minio.SecretKey)
	defer os.Unsetenv("EINGANG_S3_ACCESS_KEY")
	defer os.Unsetenv("EINGANG_S3_SECRET_KEY")
	bin := buildBinary(t)
	addr := freeAddr(t)
	storeURL := "s3://eingang-archive?endpoint=" + minio.Endpoint + "&secure=false"
	g := startGateway(t, bin, addr, "--store", storeURL)
	defer g.kill()

	post := func(i int) *http.Response {
		c := &http.Client{Timeout: 60 * time.Second}
		resp, err := c.Post("http://"+addr+"/api/v1/invoices", "application/xml", bytes.NewReader(invoiceNumbered(t, i)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(1); resp.StatusCode != 201 {
		t.Fatalf("upload with MinIO up: %d", resp.StatusCode)
	}
	// Its pending marker goes after the answer: MinIO stops once it has
	// (one stopped before stays until the next recovery, a minute later).
	ctx := context.Background()
	st, err := store.OpenS3(ctx, store.S3Config{Bucket: "eingang-archive", Endpoint: minio.Endpoint, AccessKey: minio.AccessKey, SecretKey: minio.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	noneLeft := func() {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			pending, _ := st.List(ctx, "pending/", "", 100)
			if len(pending) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d submissions pending", len(pending))
				return
			}
		}
	}
	noneLeft()
	minio.Stop()
	for i := 2; i <= 3; i++ {
		resp := post(i)
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("upload with MinIO down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	if resp, err := http.Get("http://" + addr + "/readyz"); err != nil || resp.StatusCode != 503 {
		t.Errorf("readyz with MinIO down: %v %v", resp.StatusCode, err)
	}
	if err := minio.Start(); err != nil {
		t.Fatal(err)
	}
	// A client honours Retry-After: right after its restart MinIO may
	// still refuse writes for a moment.
	for attempt := 1; ; attempt++ {
		resp := post(4)
		if resp.StatusCode == 201 {
			break
		}
		if resp.StatusCode != 503 || attempt == 20 {
			t.Fatalf("upload after MinIO is back, attempt %d: %d", attempt, resp.StatusCode)
		}
		t.Logf("upload after MinIO is back, attempt %d: 503, Retry-After %s", attempt, resp.Header.Get("Retry-After"))
		time.Sleep(500 * time.Millisecond)
	}
	// Nothing half-filed: exactly the two accepted uploads are archived and
	// in the inbox, nothing is pending.
	inbox, err := st.List(ctx, "inbox/lk-weimarer-land/new/", "", 100)
	if err != nil || len(inbox) != 2 {
		t.Errorf("inbox: %d entries (%v), want 2", len(inbox), err)
	}
	noneLeft()
	dedup, _ := st.List(ctx, "dedup/", "", 100)
	if len(dedup) != 2 {
		t.Errorf("%d dedup entries, want 2", len(dedup))
	}
}
