package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/eingang/eingang/internal/testenv"
)

// TestFSFull fills a real filesystem (a 1 MB tmpfs) and turns it
// read-only: writes fail with ErrNoSpace or ErrReadOnly, both matching
// ErrUnavailable; Ping and Space tell; a failed write leaves no folder
// behind, and Delete removes the folders it empties.
func TestFSFull(t *testing.T) {
	ctx := context.Background()
	mnt := testenv.Tmpfs(t, 1<<20)
	s, err := OpenFS(filepath.Join(mnt, "store"))
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Space(ctx)
	if err != nil || before.Bytes == 0 || before.Inodes == 0 {
		t.Fatalf("space of an empty store: %+v %v", before, err)
	}
	blob := bytes.Repeat([]byte("x"), 64<<10)
	var full error
	for i := 0; i < 100 && full == nil; i++ {
		full = s.Create(ctx, fmt.Sprintf("fill/%03d", i), bytes.NewReader(blob), int64(len(blob)), CreateOptions{})
	}
	if !errors.Is(full, ErrNoSpace) || !errors.Is(full, ErrUnavailable) {
		t.Fatalf("writing 6 MB into 1 MB: %v, want ErrNoSpace and ErrUnavailable", full)
	}
	if room, _ := s.Space(ctx); room.Bytes >= 64<<10 {
		t.Errorf("space of a full store: %+v", room)
	}
	if err := s.Ping(ctx); !errors.Is(err, ErrNoSpace) {
		t.Errorf("ping of a full store: %v, want ErrNoSpace", err)
	}
	for name, err := range map[string]error{
		"create": s.Create(ctx, "archive/2026/12/02/id/original", bytes.NewReader(blob), int64(len(blob)), CreateOptions{}),
		"put":    s.Put(ctx, "inbox/m/new/id", bytes.NewReader(blob), int64(len(blob))),
	} {
		if !errors.Is(err, ErrNoSpace) {
			t.Errorf("%s on a full store: %v, want ErrNoSpace", name, err)
		}
	}
	for _, dir := range []string{"archive", "inbox"} {
		if _, err := os.Stat(filepath.Join(s.Root(), dir)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a failed write left the folder %s: %v", dir, err)
		}
	}
	// Room again: Delete frees it and leaves no empty folder.
	for i := 0; i < 100; i++ {
		if err := s.Delete(ctx, fmt.Sprintf("fill/%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "fill")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Delete left the emptied folder: %v", err)
	}
	if err := s.Put(ctx, "inbox/m/new/id", strings.NewReader("ok"), 2); err != nil {
		t.Fatal(err)
	}
	// Read-only.
	testenv.Remount(t, mnt, "ro")
	for name, err := range map[string]error{
		"create": s.Create(ctx, "archive/x", strings.NewReader("x"), 1, CreateOptions{}),
		"put":    s.Put(ctx, "inbox/m/new/id", strings.NewReader("x"), 1),
		"delete": s.Delete(ctx, "inbox/m/new/id"),
		"ping":   s.Ping(ctx),
	} {
		if !errors.Is(err, ErrReadOnly) || !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s on a read-only store: %v, want ErrReadOnly and ErrUnavailable", name, err)
		}
	}
	if _, err := s.Get(ctx, "inbox/m/new/id"); err != nil {
		t.Errorf("reading a read-only store: %v", err)
	}
	testenv.Remount(t, mnt, "rw")
}

// TestS3Full: a full S3 backend (MinIO answers 507) is ErrNoSpace.
func TestS3Full(t *testing.T) {
	err := s3err(minio.ErrorResponse{StatusCode: http.StatusInsufficientStorage, Code: "XMinioStorageFull", Message: "Storage backend has reached its minimum free drive threshold."})
	if !errors.Is(err, ErrNoSpace) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("507: %v, want ErrNoSpace and ErrUnavailable", err)
	}
}
