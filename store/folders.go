package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/minio/minio-go/v7"
)

// A FolderLister is a store that can list the folders below a prefix,
// which List leaves out: what a tool that walks the whole key space (the
// archive's fixity check) needs. The filesystem and S3 stores are.
type FolderLister interface {
	// ListFolders returns the names (without the prefix or a trailing
	// "/") of up to limit folders directly below prefix (which ends in "/",
	// or is "" for the top), in order, that sort after after.
	ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error)
}

// ListFolders lists the folders directly below prefix where s is a
// FolderLister; errors.ErrUnsupported where it is not.
func ListFolders(ctx context.Context, s Store, prefix, after string, limit int) ([]string, error) {
	if fl, ok := s.(FolderLister); ok {
		return fl.ListFolders(ctx, prefix, after, limit)
	}
	return nil, fmt.Errorf("store: list folders %s: %w", prefix, errors.ErrUnsupported)
}

// ListFolders implements FolderLister. It reads the whole directory: a
// folder of the archive holds one day's submissions.
func (s *FS) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list folders: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: list folders %s: %w", prefix, err)
	}
	dir := s.root
	if prefix != "" {
		dir = s.path(strings.TrimSuffix(prefix, "/"))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, classify(fmt.Errorf("store: list folders %s: %w", prefix, err))
	}
	var out []string
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		if name[0] == '.' || !e.IsDir() || name <= after {
			continue
		}
		if limit > 0 && len(out) >= limit {
			break
		}
		out = append(out, name)
	}
	return out, nil
}

// ListFolders implements FolderLister: the common prefixes of a listing
// without recursion.
func (s *S3) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	if err := checkPrefix(prefix); err != nil {
		return nil, fmt.Errorf("store: list folders: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := minio.ListObjectsOptions{Prefix: prefix}
	if after != "" {
		// The folder after itself sorts after this too ("after/"): skipped below.
		opts.StartAfter = prefix + after
	}
	var out []string
	for oi := range s.c.ListObjects(ctx, s.bucket, opts) {
		if oi.Err != nil {
			return nil, fmt.Errorf("store: list folders %s: %w", prefix, s3err(oi.Err))
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(oi.Key, prefix), "/")
		if !ok || name <= after {
			continue
		}
		out = append(out, name)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// ListFolders implements FolderLister for the store once it is open.
func (r *Retrying) ListFolders(ctx context.Context, prefix, after string, limit int) ([]string, error) {
	s, err := r.store()
	if err != nil {
		return nil, err
	}
	return ListFolders(ctx, s, prefix, after, limit)
}
